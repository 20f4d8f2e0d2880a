package kittest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"multimagasins/kit"
)

// Route is one operation of a service's /openapi.json and its access rule.
type Route struct {
	Method, Path string   // "GET", "/panier/{client_id}"
	Grants       []string // x-acces: "public", "maison_mere", "client(client_id)", ...
	HasBody      bool     // the operation takes a request body
}

func (r Route) String() string { return r.Method + " " + r.Path }

// Routes reads every operation of base's /openapi.json with its grants,
// sorted by path then method. An operation with no x-acces fails the test.
func Routes(t testing.TB, base string) []Route {
	t.Helper()
	var spec struct {
		Paths map[string]map[string]struct {
			Acces       []string        `json:"x-acces"`
			RequestBody json.RawMessage `json:"requestBody"`
		} `json:"paths"`
	}
	r := Do(t, "GET", strings.TrimRight(base, "/")+"/openapi.json", nil, Anonymous...)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d", r.Status)
	}
	r.JSON(t, &spec)
	var out []Route
	for path, ops := range spec.Paths {
		for method, op := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch":
			default:
				continue
			}
			if len(op.Acces) == 0 {
				t.Fatalf("%s %s has no %s", strings.ToUpper(method), path, kit.AccessExtension)
			}
			out = append(out, Route{Method: strings.ToUpper(method), Path: path, Grants: op.Acces,
				HasBody: len(op.RequestBody) > 0})
		}
	}
	slices.SortFunc(out, func(a, b Route) int { return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method) })
	return out
}

// AccessBody is what RequireAccess sends to an operation that takes a body:
// valid JSON that no schema of ours accepts, so an answer of 401 or 403
// proves the rule was judged before the input was read.
const AccessBody = `{"champ_inconnu_du_test_d_acces":true}`

var grantRE = regexp.MustCompile(`^([a-z_]+)(?:\(([a-z_]+)\))?$`)

// RequireAccess holds every operation of base's /openapi.json to its x-acces
// rule, so a route added to the service is covered without a new test:
//
//   - anonymous: 401 (problem+json, WWW-Authenticate) unless the rule is public;
//   - an invalid token: 401 everywhere, public routes included;
//   - each grant's principal (a client or caissier bound to the parameter's
//     example value when the grant names one): neither 401 nor 403, nor 5xx;
//   - every other role, and a client or caissier bound to another value than
//     the parameter's: 403.
//
// examples gives each path parameter, and each parameter a grant binds, a
// value; a missing one fails the test. A bound parameter that is not in the
// path goes in the query. Make ids unknown ones (a random UUID, a client with
// no data), so the refusals prove the rule comes before the lookup (401/403,
// not 404); bodies are AccessBody, so they prove it comes before validation
// (not 422). Each of after, a check that nothing changed, runs once each
// route's callers are done.
func RequireAccess(t *testing.T, base string, examples map[string]string, after ...func(t *testing.T)) {
	t.Helper()
	base = strings.TrimRight(base, "/")
	for _, r := range Routes(t, base) {
		t.Run(r.String(), func(t *testing.T) {
			requireRoute(t, base, r, examples)
			for _, check := range after {
				check(t)
			}
		})
	}
}

type accessGrant struct {
	role  kit.Role
	param string
}

func requireRoute(t *testing.T, base string, r Route, examples map[string]string) {
	t.Helper()
	public := false
	var grants []accessGrant
	for _, g := range r.Grants {
		if g == "public" {
			public = true
			continue
		}
		m := grantRE.FindStringSubmatch(g)
		if m == nil || !slices.Contains(kit.Roles, kit.Role(m[1])) {
			t.Fatalf("%s: unknown grant %q", r, g)
		}
		grants = append(grants, accessGrant{role: kit.Role(m[1]), param: m[2]})
	}

	example := func(param string) string {
		v, ok := examples[param]
		if !ok {
			t.Fatalf("%s: no example value for %q", r, param)
		}
		return v
	}
	id := func(param string) int64 {
		n, err := strconv.ParseInt(example(param), 10, 64)
		if err != nil || n < 1 {
			t.Fatalf("%s: the example of %q must be a positive id, not %q", r, param, examples[param])
		}
		return n
	}
	path := regexp.MustCompile(`\{([^}]+)\}`).ReplaceAllStringFunc(r.Path, func(p string) string {
		return url.PathEscape(example(strings.Trim(p, "{}")))
	})
	q := url.Values{}
	for _, g := range grants {
		if g.param != "" && !strings.Contains(r.Path, "{"+g.param+"}") {
			q.Set(g.param, example(g.param))
		}
	}
	target := base + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	var body any
	if r.HasBody {
		body = AccessBody
	}
	send := func(headers ...string) Response { return Do(t, r.Method, target, body, headers...) }

	// bound is the principal of role bound to the value of param (or to the
	// example of the parameter its tokens carry, so an unbound or absent
	// grant is judged on the role alone); shift moves it to another value.
	bound := func(role kit.Role, param string, shift int64) kit.Principal {
		switch role {
		case kit.RoleClient:
			if param == "" {
				param = "client_id"
			}
			n := int64(7)
			if _, ok := examples[param]; ok {
				n = id(param)
			}
			return Client(n + shift)
		case kit.RoleCaissier:
			if param == "" {
				param = "magasin_id"
			}
			n := int64(1)
			if _, ok := examples[param]; ok {
				n = id(param)
			}
			return Caissier(n + shift)
		case kit.RoleLogistique:
			return Logistique
		case kit.RoleMaisonMere:
			return MaisonMere
		default:
			return ServicePrincipal
		}
	}

	if a := send(Anonymous...); public {
		if a.Status == http.StatusUnauthorized || a.Status == http.StatusForbidden {
			t.Errorf("anonymous on a public route: %d %s", a.Status, a.Body)
		}
	} else {
		requireRefusal(t, "anonymous", a, http.StatusUnauthorized)
		if a.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("anonymous: 401 without WWW-Authenticate")
		}
	}
	requireRefusal(t, "invalid token", send("Authorization", "Bearer pas-un-jeton"), http.StatusUnauthorized)

	for _, g := range grants {
		p := bound(g.role, g.param, 0)
		if a := send(As(t, p)...); a.Status == http.StatusUnauthorized || a.Status == http.StatusForbidden || a.Status >= 500 {
			t.Errorf("%s (grant %s): %d %s", p.Subject, g.role, a.Status, a.Body)
		}
	}
	if public {
		return // nobody is refused
	}
	for _, role := range kit.Roles {
		var params []string
		unbound := false
		for _, g := range grants {
			if g.role == role {
				unbound = unbound || g.param == ""
				params = append(params, g.param)
			}
		}
		switch {
		case unbound:
			continue // any holder of the role passes the route's rule
		case len(params) == 0:
			p := bound(role, "", 0)
			requireRefusal(t, p.Subject+" (no grant)", send(As(t, p)...), http.StatusForbidden)
		default:
			for _, param := range params {
				p := bound(role, param, 1)
				requireRefusal(t, p.Subject+" (another "+param+")", send(As(t, p)...), http.StatusForbidden)
			}
		}
	}
}

func requireRefusal(t *testing.T, who string, r Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: status %d, want %d; body %s", who, r.Status, status, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: Content-Type %q, want application/problem+json", who, ct)
	}
}
