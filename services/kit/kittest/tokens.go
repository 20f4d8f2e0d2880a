package kittest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"multimagasins/kit"
)

// Issuer signs tokens for tests the way identite does, and serves its key
// set on a loopback URL that Start hands to every service as JWKS_URL.
type Issuer struct {
	Signer *kit.Signer
	// KeyPEM is the private key: an end-to-end fleet's identite signs with
	// it too, so the tokens of these helpers pass everywhere in that fleet.
	KeyPEM   []byte
	JWKSURL  string
	TokenURL string // client credentials with TestServiceSecret give a service token
}

// TestServiceSecret is the client secret the test issuer accepts from any
// service; Start sets it as SERVICE_CLIENT_SECRET.
const TestServiceSecret = "test"

var (
	issuerOnce sync.Once
	issuer     *Issuer
	issuerErr  error
)

// TestIssuer is the one issuer of the test binary: an RSA key is dear to
// make, and every service of a test must trust the same one.
func TestIssuer(t testing.TB) *Issuer {
	t.Helper()
	iss, err := testIssuer()
	if err != nil {
		t.Fatalf("test issuer: %v", err)
	}
	return iss
}

func testIssuer() (*Issuer, error) {
	issuerOnce.Do(func() {
		var key []byte
		if key, issuerErr = kit.GenerateSigningKey(); issuerErr != nil {
			return
		}
		var s *kit.Signer
		if s, issuerErr = kit.NewSigner(key, kit.DefaultIssuer, kit.DefaultAudience); issuerErr != nil {
			return
		}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(s.JWKS())
		})
		// identite's token endpoint, for client credentials only: any id
		// with the secret "test" gets a service token, as identite gives one.
		mux.HandleFunc("POST /auth/jeton", func(w http.ResponseWriter, r *http.Request) {
			id, secret, ok := r.BasicAuth()
			if !ok || secret != TestServiceSecret || r.PostFormValue("grant_type") != "client_credentials" {
				http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
				return
			}
			tok, exp, err := s.Sign(kit.Principal{Subject: "service:" + id, Roles: []kit.Role{kit.RoleService}}, kit.MaxTokenTTL)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer",
				"expires_in": int(time.Until(exp).Seconds())})
		})
		srv := httptest.NewServer(mux)
		// Never closed: it lives as long as the test binary, like the services that use it.
		issuer = &Issuer{Signer: s, KeyPEM: key, JWKSURL: srv.URL + "/.well-known/jwks.json", TokenURL: srv.URL + "/auth/jeton"}
	})
	return issuer, issuerErr
}

// Token signs a token for p, valid for the longest life identite gives.
func (i *Issuer) Token(t testing.TB, p kit.Principal) string {
	t.Helper()
	tok, _, err := i.Signer.Sign(p, kit.MaxTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The principals tests act as.
var (
	// Staff holds every role of the whole chain: what the bad-input suites
	// and most integration tests send, so they test input, not access.
	Staff = kit.Principal{Subject: "test:staff", Name: "Tests",
		Roles: []kit.Role{kit.RoleService, kit.RoleMaisonMere, kit.RoleLogistique}}
	ServicePrincipal = kit.Principal{Subject: "service:test", Roles: []kit.Role{kit.RoleService}}
	MaisonMere       = kit.Principal{Subject: "personnel:test-maison-mere", Roles: []kit.Role{kit.RoleMaisonMere}}
	Logistique       = kit.Principal{Subject: "personnel:test-logistique", Roles: []kit.Role{kit.RoleLogistique}}
)

// Client is a client token's principal for client id.
func Client(id int64) kit.Principal {
	return kit.Principal{Subject: "client:" + itoa(id), Roles: []kit.Role{kit.RoleClient}, ClientID: id}
}

// Caissier is a caissier token's principal for magasin id.
func Caissier(magasin int64) kit.Principal {
	return kit.Principal{Subject: "personnel:test-caissier" + itoa(magasin), Roles: []kit.Role{kit.RoleCaissier}, MagasinID: magasin}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// As is the Authorization header for p, as name, value pairs for Do,
// Request and BadInput.Headers: kittest.Do(t, "GET", u, nil, kittest.As(t, kittest.Client(7))...).
func As(t testing.TB, p kit.Principal) []string {
	t.Helper()
	return []string{"Authorization", "Bearer " + TestIssuer(t).Token(t, p)}
}

// Anonymous, given as headers, sends no Authorization at all (NewRequest
// otherwise sends the Staff token).
var Anonymous = []string{"Authorization", ""}

var staff struct {
	sync.Mutex
	bearer string
	made   time.Time
}

// staffBearer is the Staff token, made again when it nears its expiry.
func staffBearer() (string, error) {
	staff.Lock()
	defer staff.Unlock()
	if staff.bearer != "" && time.Since(staff.made) < kit.MaxTokenTTL-time.Minute {
		return staff.bearer, nil
	}
	iss, err := testIssuer()
	if err != nil {
		return "", err
	}
	tok, _, err := iss.Signer.Sign(Staff, kit.MaxTokenTTL)
	if err != nil {
		return "", err
	}
	staff.bearer, staff.made = "Bearer "+tok, time.Now()
	return staff.bearer, nil
}

// StaffTokens is a token source of Staff tokens, for typed clients in tests:
// kit.NewClient(base, timeout, kit.WithTokens(kittest.StaffTokens)).
var StaffTokens oauth2.TokenSource = staffTokens{}

type staffTokens struct{}

func (staffTokens) Token() (*oauth2.Token, error) {
	b, err := staffBearer()
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: strings.TrimPrefix(b, "Bearer "), TokenType: "Bearer"}, nil
}

// IssuerKey is the test issuer's private key as PEM, for code that starts an
// end-to-end fleet before any test runs (TestMain): its identite then signs
// with it, and every token of these helpers passes there.
func IssuerKey() ([]byte, error) {
	iss, err := testIssuer()
	if err != nil {
		return nil, err
	}
	return iss.KeyPEM, nil
}

// Header is As for code off the test goroutine: the Authorization header
// for p, as name, value pairs.
func Header(p kit.Principal) ([]string, error) {
	iss, err := testIssuer()
	if err != nil {
		return nil, err
	}
	tok, _, err := iss.Signer.Sign(p, kit.MaxTokenTTL)
	if err != nil {
		return nil, err
	}
	return []string{"Authorization", "Bearer " + tok}, nil
}
