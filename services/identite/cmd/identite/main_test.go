package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"multimagasins/identite/migrations"
	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/kittest"
)

const (
	orchestratorSecret = "secret-de-l-orchestrateur"
	panierSecret       = "secret-du-panier"
	k6Secret           = "a:b+c/d=e%f g" // every character HTTP Basic's form-encoding changes
)

// start runs identite signed with the test issuer's key (so kittest's
// tokens are its own), the demo staff seeded, against fake clients.
func start(t testing.TB, fake *fakeClients, env map[string]string) (base, dbURL string) {
	t.Helper()
	dbURL = kittest.DB(t, "identite", migrations.FS)
	vars := map[string]string{
		"DATABASE_URL":             dbURL,
		"IDENTITE_SIGNING_KEY":     string(kittest.TestIssuer(t).KeyPEM),
		"IDENTITE_SERVICE_CLIENTS": "orchestrator:" + orchestratorSecret + ",\npanier:" + panierSecret + "\nk6:" + k6Secret,
		"IDENTITE_DEMO":            "1",
		"CLIENTS_URL":              fake.srv.URL,
		"PUBLIC_URL":               "http://identite.test:8009/",
	}
	for k, v := range env {
		vars[k] = v
	}
	return kittest.Start(t, run, vars), dbURL
}

// fakeClients is the clients service's POST /clients: it makes an account
// once per Idempotency-Key, as the real one does, and can fail on demand.
type fakeClients struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	fail     int              // answer 500 to this many calls first
	taken    map[string]bool  // emails that answer 409
	byKey    map[string]int64 // key → client id made under it
	calls    []fakeCall
	problems []string // what was wrong with a call; checked on the test goroutine
}

type fakeCall struct {
	key    string
	fields clientsapi.Fields
}

func newFakeClients(t testing.TB) *fakeClients {
	f := &fakeClients{t: t, taken: map[string]bool{}, byKey: map[string]int64{}}
	verifier := kittest.TestIssuer(t).Signer.Verifier()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/clients" {
			f.problems = append(f.problems, "unexpected "+r.Method+" "+r.URL.Path)
			kit.WriteProblem(w, http.StatusNotFound, "no route")
			return
		}
		p, err := verifier.Verify(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if err != nil || !p.Has(kit.RoleService) || p.Subject != "service:identite" {
			f.problems = append(f.problems, "no service token of identite: "+r.Header.Get("Authorization"))
			kit.WriteProblem(w, http.StatusUnauthorized, "service token required")
			return
		}
		var c fakeCall
		c.key = r.Header.Get("Idempotency-Key")
		if err := json.NewDecoder(r.Body).Decode(&c.fields); err != nil {
			f.problems = append(f.problems, "body: "+err.Error())
		}
		f.calls = append(f.calls, c)
		switch {
		case f.fail > 0:
			f.fail--
			kit.WriteProblem(w, http.StatusInternalServerError, "panne")
			return
		case f.taken[strings.ToLower(c.fields.Email)]:
			kit.WriteProblem(w, http.StatusConflict, "email already used by another client")
			return
		}
		id, ok := f.byKey[c.key]
		if !ok || c.key == "" {
			id = int64(100 + len(f.byKey))
			f.byKey[c.key] = id
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(clientsapi.Compte{ID: id, Nom: c.fields.Nom, Email: c.fields.Email})
	}))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, p := range f.problems {
			t.Errorf("fake clients: %s", p)
		}
	})
	return f
}

func (f *fakeClients) seen() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

func (f *fakeClients) made() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.byKey)
}

// form posts an application/x-www-form-urlencoded body, as OAuth2 clients do.
func form(t *testing.T, target string, v url.Values, headers ...string) kittest.Response {
	t.Helper()
	h := append([]string{"Content-Type", "application/x-www-form-urlencoded", "Authorization", ""}, headers...)
	return kittest.Do(t, http.MethodPost, target, v.Encode(), h...)
}

func signIn(t *testing.T, base, username, password string, headers ...string) kittest.Response {
	t.Helper()
	return form(t, base+"/auth/jeton", url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}, headers...)
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

func requireTokens(t *testing.T, r kittest.Response) tokens {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	var tk tokens
	r.JSON(t, &tk)
	require.Equal(t, "Bearer", tk.TokenType)
	require.NotEmpty(t, tk.AccessToken)
	return tk
}

func verify(t *testing.T, base, token string) kit.Principal {
	t.Helper()
	v := kit.NewJWKSVerifier(base+"/.well-known/jwks.json", kit.DefaultIssuer, kit.DefaultAudience)
	p, err := v.Verify(context.Background(), token)
	require.NoError(t, err)
	return p
}

func requireOAuthProblem(t *testing.T, r kittest.Response, status int, code, field string) {
	t.Helper()
	kittest.RequireProblem(t, r, status, field)
	require.Equal(t, code, r.Map(t)["error"], string(r.Body))
}

func metric(t *testing.T, base, series string) string {
	t.Helper()
	for _, line := range strings.Split(string(kittest.Do(t, "GET", base+"/metrics", nil).Body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	t.Fatalf("no series %s", series)
	return ""
}

func TestPassword_DemoStaffGetTokensTheKitVerifies(t *testing.T) {
	base, _ := start(t, newFakeClients(t), nil)
	for _, res := range []string{"succes", "echec", "bloque"} {
		require.Equal(t, "0", metric(t, base, `identite_connexions_total{resultat="`+res+`"}`))
	}

	tk := requireTokens(t, signIn(t, base, "Caissier3", "multimagasins"))
	require.Equal(t, 900, tk.ExpiresIn)
	require.NotEmpty(t, tk.RefreshToken)
	p := verify(t, base, tk.AccessToken)
	require.Equal(t, []kit.Role{kit.RoleCaissier}, p.Roles)
	require.EqualValues(t, 3, p.MagasinID)
	require.Equal(t, "personnel:caissier3", p.Subject)
	require.Equal(t, "Caisse — Vieux-Port (magasin 3)", p.Name)

	// JSON works as well as the form.
	r := kittest.Do(t, "POST", base+"/auth/jeton",
		`{"grant_type":"password","username":"maison-mere","password":"multimagasins"}`, kittest.Anonymous...)
	mm := requireTokens(t, r)
	require.Equal(t, []kit.Role{kit.RoleMaisonMere}, verify(t, base, mm.AccessToken).Roles)
	lg := requireTokens(t, signIn(t, base, "logistique", "multimagasins"))
	require.Equal(t, []kit.Role{kit.RoleLogistique}, verify(t, base, lg.AccessToken).Roles)

	moi := kittest.Do(t, "GET", base+"/auth/moi", nil, "Authorization", "Bearer "+tk.AccessToken)
	require.Equal(t, http.StatusOK, moi.Status, string(moi.Body))
	require.JSONEq(t, `{"sujet":"personnel:caissier3","nom":"Caisse — Vieux-Port (magasin 3)","roles":["caissier"],"magasin_id":3}`,
		string(moi.Body))
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/auth/moi", nil, kittest.Anonymous...), http.StatusUnauthorized, "")
	// ?role= is the native gateway's question: does this token hold one of them?
	asCaissier := []string{"Authorization", "Bearer " + tk.AccessToken}
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+"/auth/moi?role=maison_mere&role=caissier", nil, asCaissier...).Status)
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/auth/moi?role=maison_mere", nil, asCaissier...), http.StatusForbidden, "")
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/auth/moi?role=root", nil, asCaissier...), http.StatusUnprocessableEntity, "role")

	jwks := kittest.Do(t, "GET", base+"/.well-known/jwks.json", nil, kittest.Anonymous...)
	require.Equal(t, http.StatusOK, jwks.Status)
	require.Equal(t, "public, max-age=300", jwks.Header.Get("Cache-Control"))
	keys := jwks.Map(t)["keys"].([]any)
	require.Len(t, keys, 1)
	require.Equal(t, "RS256", keys[0].(map[string]any)["alg"])
	require.NotContains(t, keys[0], "d", "the private exponent must never be served")

	conf := kittest.Do(t, "GET", base+"/.well-known/openid-configuration", nil, kittest.Anonymous...).Map(t)
	require.Equal(t, "multi-magasins", conf["issuer"])
	require.Equal(t, "http://identite.test:8009/.well-known/jwks.json", conf["jwks_uri"])
	require.Equal(t, "http://identite.test:8009/auth/jeton", conf["token_endpoint"])
	require.Equal(t, []any{"password", "client_credentials", "refresh_token"}, conf["grant_types_supported"])
	require.Equal(t, "3", metric(t, base, `identite_connexions_total{resultat="succes"}`))
}

func TestPassword_WrongPasswordAndUnknownAccountAnswerAlike(t *testing.T) {
	base, _ := start(t, newFakeClients(t), nil)
	wrong := signIn(t, base, "caissier1", "pas-le-bon")
	unknown := signIn(t, base, "caissier9", "pas-le-bon")
	unknownEmail := signIn(t, base, "personne@exemple.ca", "pas-le-bon")
	for _, r := range []kittest.Response{wrong, unknown, unknownEmail} {
		requireOAuthProblem(t, r, http.StatusUnauthorized, "invalid_grant", "")
		require.Equal(t, string(wrong.Body), string(r.Body))
	}
	require.Equal(t, "3", metric(t, base, `identite_connexions_total{resultat="echec"}`))
}

// fails signs in with a wrong password n times.
func fails(t *testing.T, base, username string, n int, headers ...string) {
	t.Helper()
	for range n {
		requireOAuthProblem(t, signIn(t, base, username, "pas-le-bon", headers...), http.StatusUnauthorized, "invalid_grant", "")
	}
}

func requireThrottled(t *testing.T, r kittest.Response, most time.Duration) int {
	t.Helper()
	kittest.RequireProblem(t, r, http.StatusTooManyRequests, "")
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	require.NoError(t, err, "Retry-After %q", r.Header.Get("Retry-After"))
	require.True(t, secs >= 1 && secs <= int(most.Seconds()), "Retry-After %d", secs)
	return secs
}

func TestThrottle_FiveFailuresLockTheAccountAndASuccessClearsThem(t *testing.T) {
	base, _ := start(t, newFakeClients(t), nil)
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }

	// Four failures, a success: the count starts again.
	fails(t, base, "caissier2", 4, from("198.51.100.1")...)
	requireTokens(t, signIn(t, base, "caissier2", "multimagasins", from("198.51.100.1")...))
	fails(t, base, "caissier2", 4, from("198.51.100.2")...)
	requireTokens(t, signIn(t, base, "caissier2", "multimagasins", from("198.51.100.2")...))

	// The fifth failure in the window locks the account, from any address,
	// even with the right password, and the answer says for how long.
	fails(t, base, "CAISSIER2", 5, from("198.51.100.3")...)
	requireThrottled(t, signIn(t, base, "caissier2", "multimagasins", from("198.51.100.4")...), 15*time.Minute)
	requireThrottled(t, signIn(t, base, "caissier2", "pas-le-bon"), 15*time.Minute)
	// Other accounts are not affected.
	requireTokens(t, signIn(t, base, "caissier1", "multimagasins", from("198.51.100.3")...))
	require.Equal(t, "2", metric(t, base, `identite_connexions_total{resultat="bloque"}`))
	require.Equal(t, "13", metric(t, base, `identite_connexions_total{resultat="echec"}`))
}

// Concurrent guesses cannot all pass the check before the first failures are
// counted: the check, the hash and the record hold one of the hasher's few
// slots, so at most that many minus one slip past the limit.
func TestThrottle_ConcurrentGuessesStopAtTheLimit(t *testing.T) {
	base, _ := start(t, newFakeClients(t), nil)
	var reqs []*http.Request
	for range 24 {
		reqs = append(reqs, kittest.Request(t, "POST", base+"/auth/jeton", "grant_type=password&username=caissier1&password=faux",
			"Content-Type", "application/x-www-form-urlencoded", "Authorization", ""))
	}
	statuses := map[int]int{}
	for _, r := range kittest.SendAll(t, reqs) {
		statuses[r.Status]++
	}
	slots := max(2, runtime.GOMAXPROCS(0))
	require.Equal(t, 24, statuses[http.StatusUnauthorized]+statuses[http.StatusTooManyRequests], "%v", statuses)
	require.GreaterOrEqual(t, statuses[http.StatusUnauthorized], 5, "%v", statuses)
	require.LessOrEqual(t, statuses[http.StatusUnauthorized], 5+slots-1, "%v", statuses)
}

func TestThrottle_TheLockEndsAndTheCountStartsAgain(t *testing.T) {
	base, _ := start(t, newFakeClients(t), map[string]string{"THROTTLE_WINDOW": "1h", "THROTTLE_LOCK": "1s"})
	fails(t, base, "caissier4", 5)
	wait := requireThrottled(t, signIn(t, base, "caissier4", "multimagasins"), time.Second)

	// The lock is over after Retry-After; the database's clock decides, so
	// ask again until it says so, a bounded number of times.
	var r kittest.Response
	for range 10 {
		time.Sleep(time.Duration(wait) * time.Second)
		if r = signIn(t, base, "caissier4", "multimagasins"); r.Status != http.StatusTooManyRequests {
			break
		}
	}
	requireTokens(t, r)
	// A new window: four failures do not lock it again.
	fails(t, base, "caissier4", 4)
	requireTokens(t, signIn(t, base, "caissier4", "multimagasins"))
}

func TestThrottle_TwentyFailuresLockTheAddress(t *testing.T) {
	base, _ := start(t, newFakeClients(t), map[string]string{"THROTTLE_ADDRESS_FAILURES": "20"})
	attacker := []string{"X-Forwarded-For", "10.0.0.9, 203.0.113.7"} // the gateway's hop is the last
	for i := range 5 {
		fails(t, base, "inconnu"+strconv.Itoa(i), 4, attacker...)
	}
	requireThrottled(t, signIn(t, base, "maison-mere", "multimagasins", attacker...), 15*time.Minute)
	// The caller's own first hops do not choose its address.
	requireThrottled(t, signIn(t, base, "maison-mere", "multimagasins", "X-Forwarded-For", "198.51.100.9, 203.0.113.7"), 15*time.Minute)
	// Another address, and the peer itself, still sign in.
	requireTokens(t, signIn(t, base, "maison-mere", "multimagasins", "X-Forwarded-For", "203.0.113.8"))
	requireTokens(t, signIn(t, base, "maison-mere", "multimagasins"))
}

func refresh(t *testing.T, base, token string) kittest.Response {
	t.Helper()
	return form(t, base+"/auth/jeton", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

func TestRefresh_RotatesAndAReuseRevokesTheWholeSignIn(t *testing.T) {
	base, _ := start(t, newFakeClients(t), map[string]string{"REFRESH_REUSE_GRACE": "0s"})
	first := requireTokens(t, signIn(t, base, "caissier5", "multimagasins"))
	other := requireTokens(t, signIn(t, base, "caissier5", "multimagasins")) // another device

	second := requireTokens(t, refresh(t, base, first.RefreshToken))
	require.NotEqual(t, first.RefreshToken, second.RefreshToken)
	require.NotEqual(t, first.AccessToken, second.AccessToken)
	p := verify(t, base, second.AccessToken)
	require.Equal(t, "personnel:caissier5", p.Subject)
	require.EqualValues(t, 5, p.MagasinID)
	third := requireTokens(t, refresh(t, base, second.RefreshToken))

	// The first token again: someone holds a copy. Every token of that
	// sign-in dies, the newest included; the other device's does not.
	requireOAuthProblem(t, refresh(t, base, first.RefreshToken), http.StatusUnauthorized, "invalid_grant", "")
	requireOAuthProblem(t, refresh(t, base, third.RefreshToken), http.StatusUnauthorized, "invalid_grant", "")
	requireTokens(t, refresh(t, base, other.RefreshToken))
	requireOAuthProblem(t, refresh(t, base, "pas-un-jeton"), http.StatusUnauthorized, "invalid_grant", "")
}

// Two web instances may refresh one browser's token at the same moment: the
// second exchange within the grace gets a token of the same sign-in, and
// both successors stay good.
func TestRefresh_ASecondUseWithinTheGraceKeepsTheSignIn(t *testing.T) {
	base, _ := start(t, newFakeClients(t), map[string]string{"REFRESH_REUSE_GRACE": "1m"})
	first := requireTokens(t, signIn(t, base, "caissier2", "multimagasins"))
	a := requireTokens(t, refresh(t, base, first.RefreshToken))
	b := requireTokens(t, refresh(t, base, first.RefreshToken))
	require.NotEqual(t, a.RefreshToken, b.RefreshToken)
	requireTokens(t, refresh(t, base, a.RefreshToken))
	requireTokens(t, refresh(t, base, b.RefreshToken))
}

func TestRevocation_SignsOutWhateverTheToken(t *testing.T) {
	base, _ := start(t, newFakeClients(t), nil)
	tk := requireTokens(t, signIn(t, base, "logistique", "multimagasins"))
	r := kittest.Do(t, "POST", base+"/auth/revocation", map[string]string{"token": tk.RefreshToken}, kittest.Anonymous...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	requireOAuthProblem(t, refresh(t, base, tk.RefreshToken), http.StatusUnauthorized, "invalid_grant", "")

	// RFC 7009: an unknown token, or one revoked already, is no error; a form works too.
	for _, tok := range []string{tk.RefreshToken, "inconnu", tk.AccessToken} {
		r := form(t, base+"/auth/revocation", url.Values{"token": {tok}, "token_type_hint": {"refresh_token"}})
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	}
}

func TestClientCredentials_BasicOrFormGiveAServiceToken(t *testing.T) {
	base, _ := start(t, newFakeClients(t), nil)

	// The kit's own client, as the orchestrator and panier use it.
	creds := kit.ServiceCredentials{ClientID: "orchestrator", ClientSecret: orchestratorSecret, TokenURL: base + "/auth/jeton"}
	tok, err := creds.Tokens(context.Background()).Token()
	require.NoError(t, err)
	require.Empty(t, tok.RefreshToken, "client credentials get no refresh token")
	p := verify(t, base, tok.AccessToken)
	require.Equal(t, []kit.Role{kit.RoleService}, p.Roles)
	require.Equal(t, "service:orchestrator", p.Subject)

	k6 := kit.ServiceCredentials{ClientID: "k6", ClientSecret: k6Secret, TokenURL: base + "/auth/jeton"}
	tok, err = k6.Tokens(context.Background()).Token()
	require.NoError(t, err)
	require.Equal(t, "service:k6", verify(t, base, tok.AccessToken).Subject)

	tk := requireTokens(t, form(t, base+"/auth/jeton", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"panier"}, "client_secret": {panierSecret}}))
	require.Empty(t, tk.RefreshToken)
	require.Equal(t, "service:panier", verify(t, base, tk.AccessToken).Subject)

	grant := url.Values{"grant_type": {"client_credentials"}}
	basic := func(id, secret string) []string {
		req, _ := http.NewRequest("GET", "/", nil)
		req.SetBasicAuth(id, secret)
		return []string{"Authorization", req.Header.Get("Authorization")}
	}
	wrong := form(t, base+"/auth/jeton", grant, basic("orchestrator", panierSecret)...)
	requireOAuthProblem(t, wrong, http.StatusUnauthorized, "invalid_client", "")
	require.Equal(t, `Basic realm="multi-magasins"`, wrong.Header.Get("WWW-Authenticate"))
	requireOAuthProblem(t, form(t, base+"/auth/jeton", grant, basic("inconnu", panierSecret)...),
		http.StatusUnauthorized, "invalid_client", "")
	requireOAuthProblem(t, form(t, base+"/auth/jeton", grant), http.StatusUnauthorized, "invalid_client", "")
	both := url.Values{"grant_type": {"client_credentials"}, "client_id": {"panier"}, "client_secret": {panierSecret}}
	requireOAuthProblem(t, form(t, base+"/auth/jeton", both, basic("panier", panierSecret)...),
		http.StatusBadRequest, "invalid_request", "")
	// Service sign-ins are not person sign-ins.
	require.Equal(t, "0", metric(t, base, `identite_connexions_total{resultat="succes"}`))
}

func signUp(t *testing.T, base, email, password string) kittest.Response {
	t.Helper()
	return kittest.Do(t, "POST", base+"/auth/inscription", map[string]string{"nom": " Ana Tremblay ", "email": email,
		"telephone": "514-555-0101", "mot_de_passe": password}, kittest.Anonymous...)
}

func TestInscription_MakesTheClientOnceThenSignsIn(t *testing.T) {
	fake := newFakeClients(t)
	base, _ := start(t, fake, nil)

	r := signUp(t, base, "Ana@Exemple.ca", "un long mot de passe")
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	require.JSONEq(t, `{"client_id":100,"email":"Ana@Exemple.ca","nom":"Ana Tremblay"}`, string(r.Body))
	calls := fake.seen()
	require.Len(t, calls, 1)
	require.Regexp(t, `^inscription:[0-9a-f-]{36}$`, calls[0].key)
	require.Equal(t, clientsapi.Fields{Nom: "Ana Tremblay", Email: "Ana@Exemple.ca", Telephone: "514-555-0101"}, calls[0].fields)

	tk := requireTokens(t, signIn(t, base, "ana@exemple.CA", "un long mot de passe"))
	p := verify(t, base, tk.AccessToken)
	require.Equal(t, []kit.Role{kit.RoleClient}, p.Roles)
	require.EqualValues(t, 100, p.ClientID)
	require.Equal(t, "client:100", p.Subject)
	require.Equal(t, "Ana Tremblay", p.Name)
	// A refreshed token is still the same client.
	require.EqualValues(t, 100, verify(t, base, requireTokens(t, refresh(t, base, tk.RefreshToken)).AccessToken).ClientID)

	// The email is taken now, whatever the case or the password.
	for _, pw := range []string{"un long mot de passe", "un autre mot de passe"} {
		kittest.RequireProblem(t, signUp(t, base, "ANA@exemple.ca", pw), http.StatusConflict, "body.email")
	}
	require.Len(t, fake.seen(), 1)
}

func TestInscription_ResumesAfterTheClientsServiceFailed(t *testing.T) {
	fake := newFakeClients(t)
	base, dbURL := start(t, fake, nil)
	fake.mu.Lock()
	fake.fail = 1
	fake.mu.Unlock()

	kittest.RequireProblem(t, signUp(t, base, "bea@exemple.ca", "mot de passe de bea"), http.StatusServiceUnavailable, "")
	require.Equal(t, 1, countRows(t, dbURL, "comptes_clients WHERE client_id IS NULL"), "the sign-up waits, pending")
	// Another person cannot take over the pending sign-up, nor sign in with it.
	kittest.RequireProblem(t, signUp(t, base, "bea@exemple.ca", "pas son mot de passe"), http.StatusConflict, "body.email")
	requireOAuthProblem(t, signIn(t, base, "bea@exemple.ca", "pas son mot de passe"), http.StatusUnauthorized, "invalid_grant", "")

	r := signUp(t, base, "bea@exemple.ca", "mot de passe de bea")
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	calls := fake.seen()
	require.Len(t, calls, 2)
	require.Equal(t, calls[0], calls[1], "the retry is the same request under the same key")
	require.Equal(t, 1, fake.made())

	// A sign-in finishes a sign-up cut short as well.
	fake.mu.Lock()
	fake.fail = 1
	fake.mu.Unlock()
	kittest.RequireProblem(t, signUp(t, base, "carl@exemple.ca", "mot de passe de carl"), http.StatusServiceUnavailable, "")
	tk := requireTokens(t, signIn(t, base, "carl@exemple.ca", "mot de passe de carl"))
	require.EqualValues(t, 101, verify(t, base, tk.AccessToken).ClientID)
	calls = fake.seen()
	require.Equal(t, calls[2].key, calls[3].key)
	require.Equal(t, 0, countRows(t, dbURL, "comptes_clients WHERE client_id IS NULL"))
}

func TestInscription_AnEmailTakenAtTheClientsServiceIsAConflict(t *testing.T) {
	fake := newFakeClients(t)
	base, dbURL := start(t, fake, nil)
	fake.mu.Lock()
	fake.taken["dina@exemple.ca"] = true
	fake.mu.Unlock()
	kittest.RequireProblem(t, signUp(t, base, "dina@exemple.ca", "mot de passe de dina"), http.StatusConflict, "body.email")
	require.Equal(t, 0, countRows(t, dbURL, "comptes_clients"), "the refused sign-up leaves nothing")
}

func countRows(t *testing.T, dbURL, from string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	var n int
	require.NoError(t, conn.QueryRow(context.Background(), "SELECT count(*) FROM "+from).Scan(&n))
	return n
}

func TestBadInput_IsAProblemAndChangesNothing(t *testing.T) {
	fake := newFakeClients(t)
	base, dbURL := start(t, fake, nil)
	require.Equal(t, http.StatusCreated, signUp(t, base, "eve@exemple.ca", "mot de passe d'eve").Status)

	formType := []string{"Content-Type", "application/x-www-form-urlencoded"}
	good := `{"nom":"Eva","email":"eva@exemple.ca","mot_de_passe":"dix caracteres"}`
	huge := `{"grant_type":"password","username":"` + strings.Repeat("x", 70<<10) + `"}`
	cases := []kittest.BadInput{
		{Name: "jeton: no body", Method: "POST", Path: "/auth/jeton", Status: 400},
		{Name: "jeton: no Content-Type", Method: "POST", Path: "/auth/jeton", Body: "grant_type=password",
			Headers: []string{"Content-Type", ""}, Status: 415, Field: "header.Content-Type"},
		{Name: "jeton: text/plain", Method: "POST", Path: "/auth/jeton", Body: "grant_type=password",
			Headers: []string{"Content-Type", "text/plain"}, Status: 415, Field: "header.Content-Type"},
		{Name: "jeton: malformed JSON", Method: "POST", Path: "/auth/jeton", Body: `{"grant_type":`, Status: 400},
		{Name: "jeton: JSON array", Method: "POST", Path: "/auth/jeton", Body: `["password"]`, Status: 400},
		{Name: "jeton: password as a number", Method: "POST", Path: "/auth/jeton",
			Body: `{"grant_type":"password","username":"caissier1","password":12345}`, Status: 400, Field: "body.password"},
		{Name: "jeton: no grant_type", Method: "POST", Path: "/auth/jeton", Body: `{"username":"caissier1"}`, Status: 400, Field: "body.grant_type"},
		{Name: "jeton: unknown grant_type", Method: "POST", Path: "/auth/jeton", Body: "grant_type=authorization_code",
			Headers: formType, Status: 400, Field: "body.grant_type"},
		{Name: "jeton: grant_type twice", Method: "POST", Path: "/auth/jeton", Body: "grant_type=password&grant_type=refresh_token",
			Headers: formType, Status: 400, Field: "body.grant_type"},
		{Name: "jeton: malformed form", Method: "POST", Path: "/auth/jeton", Body: "grant_type=%zz", Headers: formType, Status: 400},
		{Name: "jeton: password without username", Method: "POST", Path: "/auth/jeton", Body: "grant_type=password&password=x",
			Headers: formType, Status: 400, Field: "body.username"},
		{Name: "jeton: password without password", Method: "POST", Path: "/auth/jeton", Body: "grant_type=password&username=caissier1",
			Headers: formType, Status: 400, Field: "body.password"},
		{Name: "jeton: username too long", Method: "POST", Path: "/auth/jeton",
			Body: "grant_type=password&password=x&username=" + strings.Repeat("u", 255), Headers: formType, Status: 400, Field: "body.username"},
		{Name: "jeton: refresh without token", Method: "POST", Path: "/auth/jeton", Body: "grant_type=refresh_token",
			Headers: formType, Status: 400, Field: "body.refresh_token"},
		{Name: "jeton: body over the limit", Method: "POST", Path: "/auth/jeton", Body: huge, Status: 413},
		{Name: "revocation: no token", Method: "POST", Path: "/auth/revocation", Body: `{}`, Status: 400, Field: "body.token"},
		{Name: "revocation: text/plain", Method: "POST", Path: "/auth/revocation", Body: "token=x",
			Headers: []string{"Content-Type", "text/plain"}, Status: 415, Field: "header.Content-Type"},
		{Name: "inscription: malformed JSON", Method: "POST", Path: "/auth/inscription", Body: `{"nom":`, Status: 400},
		{Name: "inscription: unknown field", Method: "POST", Path: "/auth/inscription",
			Body: strings.Replace(good, `{`, `{"role":"maison_mere",`, 1), Status: 422, Field: "body.role"},
		{Name: "inscription: password of 9", Method: "POST", Path: "/auth/inscription",
			Body: strings.Replace(good, "dix caracteres", "neuf car.", 1), Status: 422, Field: "body.mot_de_passe"},
		{Name: "inscription: password of 129", Method: "POST", Path: "/auth/inscription",
			Body: strings.Replace(good, "dix caracteres", strings.Repeat("p", 129), 1), Status: 422, Field: "body.mot_de_passe"},
		{Name: "inscription: no password", Method: "POST", Path: "/auth/inscription",
			Body: `{"nom":"Eva","email":"eva@exemple.ca"}`, Status: 422, Field: "body.mot_de_passe"},
		{Name: "inscription: email not an email", Method: "POST", Path: "/auth/inscription",
			Body: strings.Replace(good, "eva@exemple.ca", "eva", 1), Status: 422, Field: "body.email"},
		{Name: "inscription: no email", Method: "POST", Path: "/auth/inscription",
			Body: `{"nom":"Eva","mot_de_passe":"dix caracteres"}`, Status: 422, Field: "body.email"},
		{Name: "inscription: blank nom", Method: "POST", Path: "/auth/inscription",
			Body: strings.Replace(good, `"Eva"`, `"   "`, 1), Status: 422, Field: "body.nom"},
		{Name: "inscription: telephone with letters", Method: "POST", Path: "/auth/inscription",
			Body: strings.Replace(good, `{`, `{"telephone":"appelez-moi",`, 1), Status: 422, Field: "body.telephone"},
		{Name: "inscription: email taken", Method: "POST", Path: "/auth/inscription",
			Body: strings.Replace(good, "eva@exemple.ca", "EVE@exemple.ca", 1), Status: 409, Field: "body.email"},
		{Name: "moi: invalid token", Method: "GET", Path: "/auth/moi", Headers: []string{"Authorization", "Bearer x"}, Status: 401},
		{Name: "unknown route", Method: "GET", Path: "/auth", Status: 404},
		{Name: "jeton: NUL in a form field", Method: "POST", Path: "/auth/jeton", Body: "grant_type=password&username=a%00b&password=x",
			Headers: formType, Status: 422, Field: "body.username"},
		{Name: "jeton: NUL in a JSON field", Method: "POST", Path: "/auth/jeton",
			Body: `{"grant_type":"password","username":"caissier1","password":"a\u0000"}`, Status: 422, Field: "body.password"},
		{Name: "moi: role with NUL", Method: "GET", Path: "/auth/moi?role=%00", Headers: kittest.As(t, kittest.Client(1)), Status: 422, Field: "query.role"},
	}
	cases = append(cases, kittest.TextCases("inscription: nom", "POST", "/auth/inscription", "body.nom", func(s string) string {
		return strings.Replace(good, `"Eva"`, `"`+s+`"`, 1)
	})...)
	cases = append(cases, kittest.TextCases("inscription: adresse", "POST", "/auth/inscription", "body.adresse", func(s string) string {
		return strings.Replace(good, `{`, `{"adresse":"`+s+`",`, 1)
	})...)
	tables := []string{"personnel", "comptes_clients", "familles", "jetons", "echecs"}
	before := map[string]int{}
	for _, tb := range tables {
		before[tb] = countRows(t, dbURL, tb)
	}
	calls := len(fake.seen())
	kittest.RequireBadInputs(t, base, cases, func(t *testing.T) {
		for _, tb := range tables {
			require.Equal(t, before[tb], countRows(t, dbURL, tb), tb)
		}
		require.Len(t, fake.seen(), calls, "no call to the clients service")
	})
}

func TestAccess_EveryRouteByEveryCaller(t *testing.T) {
	base, dbURL := start(t, newFakeClients(t), nil)
	before := countRows(t, dbURL, "comptes_clients")
	kittest.RequireAccess(t, base, map[string]string{}, func(t *testing.T) {
		require.Equal(t, before, countRows(t, dbURL, "comptes_clients"))
	})
}

// identite trusts its own keys only: a token signed by another key is refused
// even on a public route, and its key set is the one it was given.
func TestKeys_TokensOfAnotherKeyAreRefused(t *testing.T) {
	key, err := kit.GenerateSigningKey()
	require.NoError(t, err)
	base, _ := start(t, newFakeClients(t), map[string]string{"IDENTITE_SIGNING_KEY": string(key)})
	foreign := kittest.As(t, kittest.MaisonMere) // the test issuer's key
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/auth/moi", nil, foreign...), http.StatusUnauthorized, "")
	kittest.RequireProblem(t, signIn(t, base, "caissier1", "multimagasins", foreign...), http.StatusUnauthorized, "")

	tk := requireTokens(t, signIn(t, base, "caissier1", "multimagasins"))
	_, err = kittest.TestIssuer(t).Signer.Verifier().Verify(context.Background(), tk.AccessToken)
	require.Error(t, err, "the test issuer's keys must not verify identite's own")
	require.EqualValues(t, 1, verify(t, base, tk.AccessToken).MagasinID)
}

func TestConfig_MissingSecretsAreReportedTogether(t *testing.T) {
	err := run(context.Background(), nil, func(k string) string {
		return map[string]string{"DATABASE_URL": "postgres://x"}[k]
	}, &strings.Builder{})
	require.Error(t, err)
	for _, name := range []string{"IDENTITE_SIGNING_KEY", "IDENTITE_SERVICE_CLIENTS", "CLIENTS_URL"} {
		require.Contains(t, err.Error(), name)
	}
}

// The token endpoint's body is read raw (two content types), so its OpenAPI
// is written by hand: both types, with the fields.
func TestOpenAPI_DocumentsTheTokenBodyInBothContentTypes(t *testing.T) {
	base, _ := start(t, newFakeClients(t), nil)
	var spec struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"requestBody"`
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	kittest.Do(t, "GET", base+"/openapi.json", nil, kittest.Anonymous...).JSON(t, &spec)
	for path, name := range map[string]string{"/auth/jeton": "DemandeJeton", "/auth/revocation": "DemandeRevocation"} {
		content := spec.Paths[path]["post"].RequestBody.Content
		require.Len(t, content, 2, path)
		for _, ct := range []string{"application/x-www-form-urlencoded", "application/json"} {
			require.Equal(t, "#/components/schemas/"+name, content[ct].Schema.Ref, path+" "+ct)
		}
	}
	jeton := spec.Components.Schemas["DemandeJeton"]
	for _, f := range []string{"grant_type", "username", "password", "refresh_token", "client_id", "client_secret"} {
		require.Contains(t, jeton.Properties, f)
	}
	require.Equal(t, []string{"grant_type"}, jeton.Required)
	require.Contains(t, spec.Paths["/auth/moi"]["get"].Security, map[string][]string{
		"bearer": {"client", "caissier", "logistique", "maison_mere", "service"}})
}

// What scripts and Postman use: golang.org/x/oauth2's password grant, and
// its reading of the error code.
func TestPassword_StandardOAuth2Client(t *testing.T) {
	base, _ := start(t, newFakeClients(t), nil)
	conf := oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: base + "/auth/jeton", AuthStyle: oauth2.AuthStyleInParams}}
	tok, err := conf.PasswordCredentialsToken(context.Background(), "caissier2", "multimagasins")
	require.NoError(t, err)
	require.NotEmpty(t, tok.RefreshToken)
	require.WithinDuration(t, time.Now().Add(15*time.Minute), tok.Expiry, time.Minute)
	require.EqualValues(t, 2, verify(t, base, tok.AccessToken).MagasinID)

	// The refresh goes through the same library.
	tok.Expiry = time.Now().Add(-time.Minute)
	next, err := conf.TokenSource(context.Background(), tok).Token()
	require.NoError(t, err)
	require.NotEqual(t, tok.RefreshToken, next.RefreshToken)

	_, err = conf.PasswordCredentialsToken(context.Background(), "caissier2", "faux")
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	require.Equal(t, "invalid_grant", re.ErrorCode)
	require.Equal(t, http.StatusUnauthorized, re.Response.StatusCode)
}
