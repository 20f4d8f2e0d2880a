package kit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newSigner(t *testing.T) *Signer {
	t.Helper()
	key, err := GenerateSigningKey()
	require.NoError(t, err)
	s, err := NewSigner(key, DefaultIssuer, DefaultAudience)
	require.NoError(t, err)
	return s
}

type ownedInput struct {
	Body struct {
		ClientID int64 `json:"client_id" minimum:"1"`
	}
}

type idInput struct {
	ClientID int64 `path:"client_id" minimum:"1"`
}

// newAuthApp serves one route per kind of rule.
func newAuthApp(t *testing.T, s *Signer) *httptest.Server {
	t.Helper()
	app := NewApp(Config{Service: "kit-test", MaxBodyBytes: 1 << 10, Verifier: s.Verifier()}, discardLog(), nil)
	ok := func(context.Context, *struct{}) (*struct{}, error) { return nil, nil }
	huma.Register(app.API, Access(huma.Operation{OperationID: "public", Method: http.MethodGet, Path: "/public"}, Public), ok)
	huma.Register(app.API, Access(huma.Operation{OperationID: "staff", Method: http.MethodGet, Path: "/staff"}, MaisonMere), ok)
	huma.Register(app.API, Access(huma.Operation{OperationID: "client", Method: http.MethodGet, Path: "/clients/{client_id}"},
		ClientOf("client_id"), MaisonMere), func(context.Context, *idInput) (*struct{}, error) { return nil, nil })
	huma.Register(app.API, Access(huma.Operation{OperationID: "owned", Method: http.MethodPost, Path: "/owned"}, AnyClient),
		func(ctx context.Context, in *ownedInput) (*struct{}, error) {
			return nil, CheckOwner(ctx, Owner{ClientID: in.Body.ClientID})
		})
	srv := httptest.NewServer(app.Router)
	t.Cleanup(srv.Close)
	return srv
}

func authCall(t *testing.T, method, url, token, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

func sign(t *testing.T, s *Signer, p Principal) string {
	t.Helper()
	tok, _, err := s.Sign(p, time.Minute)
	require.NoError(t, err)
	return tok
}

func TestAccess_AnswersByRoleAndOwnerBeforeValidation(t *testing.T) {
	s := newSigner(t)
	srv := newAuthApp(t, s)
	client7 := sign(t, s, Principal{Subject: "client:7", Roles: []Role{RoleClient}, ClientID: 7})
	mm := sign(t, s, Principal{Subject: "personnel:mm", Roles: []Role{RoleMaisonMere}})
	caissier := sign(t, s, Principal{Subject: "personnel:c1", Roles: []Role{RoleCaissier}, MagasinID: 1})

	cases := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"public, anonymous", "GET", "/public", "", "", 204},
		{"public, with a token", "GET", "/public", client7, "", 204},
		{"staff, anonymous", "GET", "/staff", "", "", 401},
		{"staff, a client", "GET", "/staff", client7, "", 403},
		{"staff, a caissier", "GET", "/staff", caissier, "", 403},
		{"staff, maison_mere", "GET", "/staff", mm, "", 204},
		{"own client", "GET", "/clients/7", client7, "", 204},
		{"another client", "GET", "/clients/8", client7, "", 403},
		{"any client, maison_mere", "GET", "/clients/8", mm, "", 204},
		{"anonymous learns nothing of a bad id", "GET", "/clients/abc", "", "", 401},
		{"a client learns nothing of a bad id", "GET", "/clients/abc", client7, "", 403},
		{"maison_mere gets the validation", "GET", "/clients/0", mm, "", 422},
		{"body owner, anonymous, invalid body", "POST", "/owned", "", `{"client_id":"x"}`, 401},
		{"body owner, the owner", "POST", "/owned", client7, `{"client_id":7}`, 204},
		{"body owner, someone else", "POST", "/owned", client7, `{"client_id":8}`, 403},
		{"body owner, a caissier", "POST", "/owned", caissier, `{"client_id":7}`, 403},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := authCall(t, c.method, srv.URL+c.path, c.token, c.body)
			assert.Equal(t, c.want, status, body)
			if c.want == 401 || c.want == 403 {
				assert.Equal(t, "application/problem+json", h.Get("Content-Type"))
				var p huma.ErrorModel
				require.NoError(t, json.Unmarshal([]byte(body), &p))
				assert.Equal(t, c.want, p.Status)
			}
			if c.want == 401 {
				assert.Contains(t, h.Get("WWW-Authenticate"), "Bearer")
			}
		})
	}
}

func TestAccess_RefusesExpiredTamperedAndForeignTokens(t *testing.T) {
	s := newSigner(t)
	srv := newAuthApp(t, s)
	p := Principal{Subject: "personnel:mm", Roles: []Role{RoleMaisonMere}}
	good := sign(t, s, p)

	expired := func() string {
		past := time.Now().Add(-time.Hour)
		tok, err := jwt.NewBuilder().Issuer(DefaultIssuer).Audience([]string{DefaultAudience}).Subject(p.Subject).
			IssuedAt(past).Expiration(past.Add(15*time.Minute)).Claim(ClaimRoles, []string{"maison_mere"}).Build()
		require.NoError(t, err)
		signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), s.keys[0]))
		require.NoError(t, err)
		return string(signed)
	}()
	parts := strings.Split(good, ".")
	claims := strings.Replace(parts[1], parts[1][:4], "eyJz", 1) // another payload, the same signature
	tampered := parts[0] + "." + claims + "." + parts[2]
	other := sign(t, newSigner(t), p) // a valid token from a key this server does not trust
	wrongAudience := func() string {
		s2, err := NewSigner(pemOf(t, s), DefaultIssuer, "somebody-else")
		require.NoError(t, err)
		return sign(t, s2, p)
	}()

	status, _, body := authCall(t, "GET", srv.URL+"/staff", good, "")
	require.Equal(t, 204, status, body)
	for name, tok := range map[string]string{"expired": expired, "tampered": tampered, "foreign key": other,
		"wrong audience": wrongAudience, "not a JWT": "abc.def"} {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/staff", "/public"} { // a bad token is refused even where none is needed
				status, _, body := authCall(t, "GET", srv.URL+path, tok, "")
				assert.Equal(t, 401, status, "%s: %s", path, body)
			}
		})
	}
}

// pemOf returns s's first key as PEM, so a second signer can share it.
func pemOf(t *testing.T, s *Signer) []byte {
	t.Helper()
	b, err := jwk.Pem(s.keys[0])
	require.NoError(t, err)
	return b
}

func TestAccess_OpenAPIShowsTheRuleAndARouteWithoutOneIsRefused(t *testing.T) {
	srv := newAuthApp(t, newSigner(t))
	_, _, body := authCall(t, "GET", srv.URL+"/openapi.json", "", "")
	var doc struct {
		Paths map[string]map[string]struct {
			Security []map[string][]string `json:"security"`
			Acces    []string              `json:"x-acces"`
		} `json:"paths"`
		Components struct {
			SecuritySchemes map[string]map[string]string `json:"securitySchemes"`
		} `json:"components"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &doc))
	assert.Equal(t, "bearer", doc.Components.SecuritySchemes[SecurityScheme]["scheme"])
	op := doc.Paths["/clients/{client_id}"]["get"]
	assert.Equal(t, []string{"client(client_id)", "maison_mere"}, op.Acces)
	assert.Equal(t, []map[string][]string{{SecurityScheme: {"client", "maison_mere"}}}, op.Security)
	assert.Equal(t, []map[string][]string{{}}, doc.Paths["/public"]["get"].Security)

	app := NewApp(Config{Service: "kit-test", MaxBodyBytes: 1 << 10}, discardLog(), nil)
	assert.Panics(t, func() {
		huma.Register(app.API, huma.Operation{OperationID: "bare", Method: http.MethodGet, Path: "/bare"},
			func(context.Context, *struct{}) (*struct{}, error) { return nil, nil })
	})
}
