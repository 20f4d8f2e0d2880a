package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"multimagasins/identite/internal/identite"
	"multimagasins/kit"
)

// The grants of the token endpoint.
const (
	grantPassword          = "password"
	grantClientCredentials = "client_credentials"
	grantRefreshToken      = "refresh_token"
)

// demandeJeton documents the body of POST /auth/jeton (RFC 6749 §4.3, §4.4, §6).
type demandeJeton struct {
	GrantType    string `json:"grant_type" enum:"password,client_credentials,refresh_token"`
	Username     string `json:"username,omitempty" maxLength:"254" doc:"password: a staff login (caissier1) or a customer's email." example:"caissier1"`
	Password     string `json:"password,omitempty" maxLength:"1024" doc:"password: the account's password." example:"multimagasins"`
	RefreshToken string `json:"refresh_token,omitempty" doc:"refresh_token: the last refresh token received; it is used up."`
	ClientID     string `json:"client_id,omitempty" doc:"client_credentials, when not sent as HTTP Basic." example:"orchestrator"`
	ClientSecret string `json:"client_secret,omitempty" doc:"client_credentials, when not sent as HTTP Basic."`
	Scope        string `json:"scope,omitempty" doc:"Ignored: a token carries its account's roles."`
}

var jetonFields = []string{"grant_type", "username", "password", "refresh_token", "client_id", "client_secret", "scope"}

// Bounds that keep a request's work small: argon2 hashes any length cheaply,
// but nobody's password is a megabyte.
const (
	maxUsername = 254
	maxPassword = 1024
	maxToken    = 512
)

type jetonInput struct {
	RawBody       []byte
	contentType   string
	authorization string
	adresse       netip.Addr
}

// Resolve reads the headers the OpenAPI does not list as parameters
// (Content-Type, Authorization) and the caller's address.
func (in *jetonInput) Resolve(ctx huma.Context) []error {
	in.contentType = ctx.Header("Content-Type")
	in.authorization = ctx.Header("Authorization")
	var xff []string
	ctx.EachHeader(func(name, value string) {
		if strings.EqualFold(name, "X-Forwarded-For") {
			xff = append(xff, value)
		}
	})
	in.adresse = identite.AdresseClient(ctx.RemoteAddr(), xff)
	return nil
}

type reponseJeton struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type" example:"Bearer"`
	ExpiresIn    int    `json:"expires_in" doc:"Seconds the access token lives." example:"900"`
	RefreshToken string `json:"refresh_token,omitempty" doc:"Trade it at this endpoint (grant_type=refresh_token) for the next pair; not for client_credentials."`
}

type jetonOutput struct {
	CacheControl string `header:"Cache-Control"`
	Pragma       string `header:"Pragma"`
	Body         reponseJeton
}

func (h *handlers) jeton(ctx context.Context, in *jetonInput) (*jetonOutput, error) {
	f, err := parseFields(in.contentType, in.RawBody, jetonFields...)
	if err != nil {
		return nil, err
	}
	switch g := f["grant_type"]; g {
	case grantPassword:
		return h.password(ctx, f, in.adresse)
	case grantRefreshToken:
		return h.refresh(ctx, f)
	case grantClientCredentials:
		return h.clientCredentials(ctx, f, in.authorization)
	case "":
		return nil, badField("grant_type", "required: password, client_credentials or refresh_token", nil)
	default:
		return nil, oauthError(http.StatusBadRequest, unsupportedGrantType,
			"grant_type must be password, client_credentials or refresh_token",
			kit.FieldError("body.grant_type", "unsupported grant type", g))
	}
}

// password signs a person in (RFC 6749 §4.3). The throttle's check, the
// hash and the record of a failure happen while holding one of the hasher's
// few slots, so concurrent guesses cannot all slip past the check before the
// first failure is counted.
func (h *handlers) password(ctx context.Context, f map[string]string, adresse netip.Addr) (*jetonOutput, error) {
	username, password := identite.NormaliserIdentifiant(f["username"]), f["password"]
	switch {
	case username == "":
		return nil, badField("username", "required: a staff login or a customer's email", nil)
	case len(username) > maxUsername:
		return nil, badField("username", "at most 254 characters", nil)
	case password == "":
		return nil, badField("password", "required", nil)
	case len(password) > maxPassword:
		return nil, badField("password", "at most 1024 bytes", nil)
	}
	compteKey, adresseKey := identite.CleCompte(username), identite.CleAdresse(adresse)
	release, err := h.Hasher.Acquire(ctx)
	if err != nil {
		return nil, huma.Error503ServiceUnavailable("sign-in cancelled")
	}
	var once sync.Once
	done := func() { once.Do(release) }
	defer done()

	wait, err := h.Repo.Blocage(ctx, []string{compteKey, adresseKey})
	if err != nil {
		return nil, kit.Internal(ctx, h.Log, err)
	}
	if wait > 0 {
		h.metrics.connexion(resultatBloque)
		return nil, throttled(wait)
	}
	p, compte, ok, err := h.check(ctx, username, password)
	if err != nil {
		return nil, kit.Internal(ctx, h.Log, err)
	}
	if !ok {
		t := h.Throttle
		err := errors.Join(h.Repo.Echec(ctx, compteKey, t.Window, t.AccountFailures, t.Lock),
			h.Repo.Echec(ctx, adresseKey, t.Window, t.AddressFailures, t.Lock))
		done()
		if err != nil {
			return nil, kit.Internal(ctx, h.Log, err)
		}
		if err := h.Repo.Purger(ctx, t.Window); err != nil {
			h.Log.WarnContext(ctx, "purge failed", "err", err)
		}
		h.metrics.connexion(resultatEchec)
		return nil, wrongCredentials()
	}
	// The address keeps its count: one good password must not wipe out the
	// guesses made from the same place.
	if err := h.Repo.Reussite(ctx, compteKey); err != nil {
		return nil, kit.Internal(ctx, h.Log, err)
	}
	done() // no HTTP call while holding a slot
	if compte != nil && compte.EnAttente() {
		fini, err := h.finishSignUp(ctx, *compte)
		if err != nil {
			return nil, err
		}
		p = fini.Principal()
	}
	h.metrics.connexion(resultatSucces)
	return h.issue(ctx, p)
}

// check verifies a sign-in. An unknown account, a pending one and a known
// one cost the same argon2 time and fail alike. compte is set for customers.
func (h *handlers) check(ctx context.Context, username, password string) (kit.Principal, *identite.CompteClient, bool, error) {
	var hash string
	var p kit.Principal
	var compte *identite.CompteClient
	if identite.EstEmail(username) {
		c, err := h.Repo.CompteClient(ctx, username)
		if err != nil && !errors.Is(err, identite.ErrNotFound) {
			return p, nil, false, err
		}
		if err == nil {
			hash, p, compte = c.MotDePasse, c.Principal(), &c
		}
	} else {
		s, err := h.Repo.Personnel(ctx, username)
		if err != nil && !errors.Is(err, identite.ErrNotFound) {
			return p, nil, false, err
		}
		if err == nil {
			hash, p = s.MotDePasse, s.Principal()
		}
	}
	if hash == "" {
		h.Hasher.VerifyNothing(password)
		return p, nil, false, nil
	}
	ok, err := h.Hasher.Verify(password, hash)
	if err != nil {
		h.Log.ErrorContext(ctx, "stored password hash unreadable", "sujet", p.Subject, "err", err)
		return p, nil, false, nil
	}
	return p, compte, ok, nil
}

// refresh trades a refresh token for the next pair (RFC 6749 §6), with the
// account's current name and roles.
func (h *handlers) refresh(ctx context.Context, f map[string]string) (*jetonOutput, error) {
	old := f["refresh_token"]
	switch {
	case old == "":
		return nil, badField("refresh_token", "required", nil)
	case len(old) > maxToken:
		return nil, oauthError(http.StatusUnauthorized, invalidGrant, identite.ErrJetonInvalide.Error())
	}
	next, empreinte := identite.NouveauJeton()
	sujet, err := h.Repo.Tourner(ctx, identite.Empreinte(old), empreinte, h.ReuseGrace)
	switch {
	case errors.Is(err, identite.ErrJetonReutilise):
		h.Log.WarnContext(ctx, "refresh token reused: its sign-in is revoked")
		return nil, oauthError(http.StatusUnauthorized, invalidGrant, err.Error())
	case errors.Is(err, identite.ErrJetonInvalide):
		return nil, oauthError(http.StatusUnauthorized, invalidGrant, err.Error())
	case err != nil:
		return nil, kit.Internal(ctx, h.Log, err)
	}
	p, err := h.principalOf(ctx, sujet)
	if errors.Is(err, identite.ErrNotFound) {
		// The account is gone or disabled: its sign-in ends here.
		if err := h.Repo.RevoquerFamille(ctx, empreinte); err != nil {
			return nil, kit.Internal(ctx, h.Log, err)
		}
		return nil, oauthError(http.StatusUnauthorized, invalidGrant, identite.ErrJetonInvalide.Error())
	}
	if err != nil {
		return nil, kit.Internal(ctx, h.Log, err)
	}
	return h.sign(ctx, p, next)
}

func (h *handlers) principalOf(ctx context.Context, sujet string) (kit.Principal, error) {
	if login, ok := strings.CutPrefix(sujet, identite.SujetPersonnel); ok {
		s, err := h.Repo.Personnel(ctx, login)
		return s.Principal(), err
	}
	if id, ok := strings.CutPrefix(sujet, identite.SujetClient); ok {
		clientID, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return kit.Principal{}, identite.ErrNotFound
		}
		c, err := h.Repo.CompteClientParID(ctx, clientID)
		return c.Principal(), err
	}
	return kit.Principal{}, identite.ErrNotFound
}

// clientCredentials gives an API client a service token (RFC 6749 §4.4),
// with no refresh token: it asks again. The secrets are 256 random bits, so
// failures are not throttled, and a flood of bad passwords from the
// gateway's address cannot cut the services off their tokens.
func (h *handlers) clientCredentials(ctx context.Context, f map[string]string, authorization string) (*jetonOutput, error) {
	id, secret, basic, err := clientAuth(f, authorization)
	if err != nil {
		return nil, err
	}
	if !h.Services.Check(id, secret) {
		return nil, wrongClient(basic)
	}
	return h.sign(ctx, identite.ServicePrincipal(id), "")
}

// clientAuth reads the client's id and secret from HTTP Basic, whose parts
// are form-encoded first (RFC 6749 §2.3.1, as golang.org/x/oauth2 sends
// them), or from the body; never both.
func clientAuth(f map[string]string, authorization string) (id, secret string, basic bool, err error) {
	scheme, rest, _ := strings.Cut(authorization, " ")
	if strings.EqualFold(scheme, "Basic") {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		u, p, ok := strings.Cut(string(raw), ":")
		if err != nil || !ok {
			return "", "", true, wrongClient(true)
		}
		if f["client_id"] != "" || f["client_secret"] != "" {
			return "", "", true, oauthError(http.StatusBadRequest, invalidRequest,
				"send the client's credentials once: HTTP Basic or the body, not both")
		}
		if v, err := url.QueryUnescape(u); err == nil {
			u = v
		}
		if v, err := url.QueryUnescape(p); err == nil {
			p = v
		}
		return u, p, true, nil
	}
	id, secret = f["client_id"], f["client_secret"]
	if id == "" || secret == "" {
		err := oauthError(http.StatusUnauthorized, invalidClient,
			"client credentials are required: HTTP Basic, or client_id and client_secret")
		return "", "", false, huma.ErrorWithHeaders(err, http.Header{"WWW-Authenticate": {`Basic realm="multi-magasins"`}})
	}
	return id, secret, false, nil
}

// issue signs an access token for p and starts its sign-in's refresh family.
func (h *handlers) issue(ctx context.Context, p kit.Principal) (*jetonOutput, error) {
	next, empreinte := identite.NouveauJeton()
	if err := h.Repo.OuvrirFamille(ctx, p.Subject, empreinte, h.RefreshTTL); err != nil {
		return nil, kit.Internal(ctx, h.Log, err)
	}
	return h.sign(ctx, p, next)
}

// sign answers with an access token for p and refresh, if any. The answer
// is never stored by a cache (RFC 6749 §5.1).
func (h *handlers) sign(ctx context.Context, p kit.Principal, refresh string) (*jetonOutput, error) {
	tok, _, err := h.Signer.Sign(p, h.AccessTTL)
	if err != nil {
		return nil, kit.Internal(ctx, h.Log, err)
	}
	return &jetonOutput{CacheControl: "no-store", Pragma: "no-cache", Body: reponseJeton{
		AccessToken: tok, TokenType: "Bearer", ExpiresIn: int(h.AccessTTL.Seconds()), RefreshToken: refresh}}, nil
}
