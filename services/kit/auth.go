package kit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// Role is what a token allows its holder to do (DESIGN.md, "Identity and access").
type Role string

// The roles of the chain. A caissier is bound to one magasin, a client to one
// client id; the other roles act for the whole chain.
const (
	RoleClient     Role = "client"
	RoleCaissier   Role = "caissier"
	RoleLogistique Role = "logistique"
	RoleMaisonMere Role = "maison_mere"
	RoleService    Role = "service"
)

// Roles lists every role, in the order the docs show them.
var Roles = []Role{RoleClient, RoleCaissier, RoleLogistique, RoleMaisonMere, RoleService}

// Principal is who a verified token speaks for.
type Principal struct {
	Subject   string // "client:42", "personnel:caissier1", "service:orchestrator"
	Name      string // shown by the web app
	Roles     []Role
	ClientID  int64 // the client a client token acts for
	MagasinID int64 // the store a caissier token acts for
}

// Has reports whether p holds role r.
func (p Principal) Has(r Role) bool { return slices.Contains(p.Roles, r) }

// Anonymous reports whether no valid token came with the request.
func (p Principal) Anonymous() bool { return len(p.Roles) == 0 }

// Grant is one way a caller may pass a route's rule: a role, optionally
// bound to the client or magasin named by a path or query parameter.
type Grant struct {
	Role   Role   // "" with Public
	Param  string // the parameter that must equal the token's client_id or magasin_id; "" for any
	public bool
}

// The grants a route lists in routes.go, beside its line.
var (
	// Public: anyone, with or without a token (an invalid token is still 401).
	Public = Grant{public: true}
	// AnyClient: a client token; the handler checks which client it may act for (CheckOwner).
	AnyClient   = Grant{Role: RoleClient}
	AnyCaissier = Grant{Role: RoleCaissier}
	Logistique  = Grant{Role: RoleLogistique}
	MaisonMere  = Grant{Role: RoleMaisonMere}
	Services    = Grant{Role: RoleService} // the service role: calls between services
)

// ClientOf is a client token whose client_id equals the parameter param.
func ClientOf(param string) Grant { return Grant{Role: RoleClient, Param: param} }

// CaissierOf is a caissier token whose magasin_id equals the parameter param.
func CaissierOf(param string) Grant { return Grant{Role: RoleCaissier, Param: param} }

// String is the grant as the OpenAPI extension x-acces and docs/api.md show it.
func (g Grant) String() string {
	switch {
	case g.public:
		return "public"
	case g.Param != "":
		return string(g.Role) + "(" + g.Param + ")"
	default:
		return string(g.Role)
	}
}

// SecurityScheme is the name of the bearer scheme in every service's OpenAPI.
const SecurityScheme = "bearer"

const accessKey = "kit.access"

// AccessExtension is the OpenAPI extension listing a route's grants.
const AccessExtension = "x-acces"

// Access attaches grants to op: its OpenAPI security requirement and a
// middleware that answers 401 (no valid token) or 403 (wrong role, or a
// client or store that is not the caller's) before the input is parsed,
// validated or looked up. Every route must have one; NewApp refuses a route
// without it.
func Access(op huma.Operation, grants ...Grant) huma.Operation {
	if len(grants) == 0 {
		panic("kit.Access: " + op.OperationID + " lists no grant")
	}
	var roles []string
	public := false
	names := make([]string, len(grants))
	for i, g := range grants {
		names[i] = g.String()
		if g.public {
			public = true
			continue
		}
		if !slices.Contains(roles, string(g.Role)) {
			roles = append(roles, string(g.Role))
		}
	}
	if public {
		// An empty requirement: the token is optional.
		op.Security = append(op.Security, map[string][]string{})
	}
	if len(roles) > 0 {
		op.Security = append(op.Security, map[string][]string{SecurityScheme: roles})
	}
	if op.Extensions == nil {
		op.Extensions = map[string]any{}
	}
	op.Extensions[AccessExtension] = names
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[accessKey] = grants
	rule := grants
	// First of the route's middlewares: nothing (not even a cache) answers before it.
	op.Middlewares = append(huma.Middlewares{func(ctx huma.Context, next func(huma.Context)) {
		a := authOf(ctx.Context())
		if a.err != nil {
			writeAuthProblem(ctx, http.StatusUnauthorized, a.err.Error())
			return
		}
		if !allowed(rule, a.p, ctx) {
			if a.p.Anonymous() {
				writeAuthProblem(ctx, http.StatusUnauthorized, "a bearer token is required")
				return
			}
			writeAuthProblem(ctx, http.StatusForbidden, "this token may not call "+op.Method+" "+op.Path)
			return
		}
		next(ctx)
	}}, op.Middlewares...)
	return op
}

func allowed(grants []Grant, p Principal, ctx huma.Context) bool {
	for _, g := range grants {
		if g.public {
			return true
		}
		if !p.Has(g.Role) {
			continue
		}
		if g.Param == "" {
			return true
		}
		v := ctx.Param(g.Param)
		if v == "" {
			v = ctx.Query(g.Param)
		}
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		switch g.Role {
		case RoleClient:
			if p.ClientID != 0 && id == p.ClientID {
				return true
			}
		case RoleCaissier:
			if p.MagasinID != 0 && id == p.MagasinID {
				return true
			}
		}
	}
	return false
}

func requireAccess(_ *huma.OpenAPI, op *huma.Operation) {
	if _, ok := op.Metadata[accessKey]; !ok {
		panic(fmt.Sprintf("route %s %s (%s) has no access rule: wrap its operation in kit.Access", op.Method, op.Path, op.OperationID))
	}
}

// GrantsOf returns the grants of an operation registered with Access.
func GrantsOf(op *huma.Operation) []Grant {
	g, _ := op.Metadata[accessKey].([]Grant)
	return g
}

// Owner is what a resource belongs to, for CheckOwner.
type Owner struct {
	ClientID  int64
	MagasinID int64
}

// CheckOwner is the handler's half of ownership, for what only the body or
// a lookup reveals: a client token must act for owner.ClientID, a caissier
// token for owner.MagasinID. Roles of the whole chain pass (the route's
// grants already said which may call). Anonymous callers get 401.
func CheckOwner(ctx context.Context, owner Owner) error {
	p := PrincipalOf(ctx)
	if p.Anonymous() {
		return huma.Error401Unauthorized("a bearer token is required")
	}
	for _, r := range p.Roles {
		switch r {
		case RoleClient:
			if owner.ClientID != 0 && owner.ClientID == p.ClientID {
				return nil
			}
		case RoleCaissier:
			if owner.MagasinID != 0 && owner.MagasinID == p.MagasinID {
				return nil
			}
		default:
			return nil
		}
	}
	return huma.Error403Forbidden("this token does not act for that client or store")
}

// Verifier checks a bearer token and says who it speaks for.
type Verifier interface {
	Verify(ctx context.Context, token string) (Principal, error)
}

type authKey struct{}

type authResult struct {
	p   Principal
	err error // a token came and was refused
}

func authOf(ctx context.Context) authResult {
	a, _ := ctx.Value(authKey{}).(authResult)
	return a
}

// PrincipalOf returns who the request's token speaks for; the zero Principal
// (Anonymous) when none came.
func PrincipalOf(ctx context.Context) Principal { return authOf(ctx).p }

// WithPrincipal puts p in ctx as if its token had been verified (tests of
// handlers, and servers that authenticate otherwise).
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, authKey{}, authResult{p: p})
}

// ErrNoVerifier is the refusal of every token by a server built without one.
var ErrNoVerifier = errors.New("this server checks no tokens")

// Authenticate verifies the Authorization: Bearer token, if any, once per
// request, and leaves the result for Access to judge. It never answers by
// itself: a public route still works without a token.
func Authenticate(v Verifier) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := r.Header.Get("Authorization")
			if h == "" {
				next.ServeHTTP(w, r)
				return
			}
			var a authResult
			scheme, tok, ok := strings.Cut(h, " ")
			switch {
			case !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "":
				a.err = errors.New("the Authorization header must be: Bearer <token>")
			case v == nil:
				a.err = ErrNoVerifier
			default:
				a.p, a.err = v.Verify(r.Context(), strings.TrimSpace(tok))
				if a.err == nil && a.p.Anonymous() {
					a.err = errors.New("the token holds no role")
				}
			}
			if a.err != nil {
				a.err = fmt.Errorf("invalid token: %w", a.err)
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), authKey{}, a)))
		})
	}
}

func writeAuthProblem(ctx huma.Context, status int, detail string) {
	if status == http.StatusUnauthorized {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="multi-magasins"`)
	}
	ctx.SetHeader("Content-Type", "application/problem+json")
	ctx.SetStatus(status)
	_, _ = ctx.BodyWriter().Write(problemJSON(status, detail))
}
