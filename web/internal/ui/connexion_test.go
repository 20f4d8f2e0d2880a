package ui

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

const testPassword = "multimagasins"

// fakeIdentite answers the identity routes the web app uses, with tokens
// signed by the test issuer, so the app's verifier accepts them as it would
// identite's. Refresh tokens rotate, as identite's do.
type fakeIdentite struct {
	signer *kit.Signer
	url    string

	mu       sync.Mutex
	accounts map[string]kit.Principal // by username; every password is testPassword
	refresh  map[string]kit.Principal // live refresh tokens
	ttl      time.Duration            // of the access tokens it gives
	grants   []string                 // "password caissier1", "refresh_token r-3"
	from     []string                 // X-Forwarded-For of each grant
	forms    []url.Values             // the body of each grant
	revoked  []string
	signups  []Inscription
	n        int
}

func newFakeIdentite(t *testing.T) *fakeIdentite {
	t.Helper()
	caissier := kittest.Caissier(1)
	caissier.Name = "Caissier Plateau"
	logistique, maisonMere := kittest.Logistique, kittest.MaisonMere
	logistique.Name, maisonMere.Name = "Centre logistique", "Maison mère"
	alice := kittest.Client(2)
	alice.Name = "Alice Tremblay"
	id := &fakeIdentite{signer: kittest.TestIssuer(t).Signer, ttl: kit.MaxTokenTTL, refresh: map[string]kit.Principal{}, accounts: map[string]kit.Principal{
		"alice@example.com": alice, "caissier1": caissier, "logistique": logistique, "maison-mere": maisonMere,
	}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/jeton", id.token)
	mux.HandleFunc("POST /auth/revocation", func(w http.ResponseWriter, r *http.Request) {
		id.mu.Lock()
		defer id.mu.Unlock()
		tok := r.PostFormValue("token")
		id.revoked = append(id.revoked, tok)
		delete(id.refresh, tok)
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("POST /auth/inscription", func(w http.ResponseWriter, r *http.Request) {
		var in Inscription
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id.mu.Lock()
		defer id.mu.Unlock()
		id.signups = append(id.signups, in)
		w.Header().Set("Content-Type", "application/problem+json")
		if _, taken := id.accounts[in.Email]; taken {
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write([]byte(`{"title":"Conflict","status":409,"detail":"ce courriel a déjà un compte"}`))
			return
		}
		p := kittest.Client(int64(100 + len(id.signups)))
		p.Name = in.Nom
		id.accounts[in.Email] = p
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": p.ClientID, "nom": in.Nom, "email": in.Email})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	id.url = srv.URL
	return id
}

func (id *fakeIdentite) token(w http.ResponseWriter, r *http.Request) {
	id.mu.Lock()
	defer id.mu.Unlock()
	grant := r.PostFormValue("grant_type")
	id.from = append(id.from, r.Header.Get("X-Forwarded-For"))
	id.forms = append(id.forms, r.PostForm)
	var p kit.Principal
	var ok bool
	switch grant {
	case "password":
		id.grants = append(id.grants, "password "+r.PostFormValue("username"))
		if r.PostFormValue("username") == "bloque" {
			tokenError(w, http.StatusTooManyRequests, "slow_down")
			return
		}
		p, ok = id.accounts[r.PostFormValue("username")]
		ok = ok && r.PostFormValue("password") == testPassword
	case "refresh_token":
		rt := r.PostFormValue("refresh_token")
		id.grants = append(id.grants, "refresh_token "+rt)
		p, ok = id.refresh[rt]
		delete(id.refresh, rt) // rotation: a refresh token serves once
	}
	if !ok {
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	access, exp, err := id.signer.Sign(p, id.ttl)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	id.n++
	rt := "r-" + strconv.Itoa(id.n)
	id.refresh[rt] = p
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "token_type": "Bearer",
		"expires_in": int(time.Until(exp).Seconds()), "refresh_token": rt})
}

func tokenError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"error":"` + code + `"}`))
}

func (id *fakeIdentite) setTTL(d time.Duration) {
	id.mu.Lock()
	defer id.mu.Unlock()
	id.ttl = d
}

func (id *fakeIdentite) seen() (grants, revoked []string) {
	id.mu.Lock()
	defer id.mu.Unlock()
	return append([]string(nil), id.grants...), append([]string(nil), id.revoked...)
}

// principalOf verifies a bearer header the way a service would.
func principalOf(t *testing.T, header string) kit.Principal {
	t.Helper()
	tok, ok := strings.CutPrefix(header, "Bearer ")
	require.True(t, ok, "a bearer token: %q", header)
	p, err := kittest.TestIssuer(t).Signer.Verifier().Verify(t.Context(), tok)
	require.NoError(t, err)
	return p
}

func TestSignIn_GoodPasswordSealsTheTokensInAStrictCookie(t *testing.T) {
	_, e := setup(t)
	for _, c := range []struct {
		name   string
		header []string
		secure bool
	}{
		{"plain HTTP", nil, false},
		{"behind a proxy that terminated TLS", []string{"X-Forwarded-Proto", "https"}, true},
	} {
		b := e.anonymous(t)
		rec := b.do(http.MethodPost, "/connexion", url.Values{"identifiant": {"caissier1"}, "mot_de_passe": {testPassword}}, c.header...)
		require.Equal(t, http.StatusSeeOther, rec.Code, c.name)
		require.True(t, strings.HasPrefix(rec.Header().Get("Location"), "/magasins/1?ok="), "a caissier lands on its store: %s", rec.Header().Get("Location"))

		cookies := rec.Result().Cookies()
		require.Len(t, cookies, 1, c.name)
		ck := cookies[0]
		require.Equal(t, CookieSession, ck.Name)
		require.True(t, ck.HttpOnly, c.name)
		require.Equal(t, http.SameSiteLaxMode, ck.SameSite, c.name)
		require.Equal(t, "/", ck.Path, c.name)
		require.Equal(t, c.secure, ck.Secure, c.name)
		require.Zero(t, ck.MaxAge, "a browser-session cookie")
		require.NotContains(t, ck.Value, "eyJhbGci", "the token is sealed, not readable in the cookie")
		raw, err := base64.RawURLEncoding.DecodeString(ck.Value)
		require.NoError(t, err)
		require.NotContains(t, string(raw), `"r-`, "the refresh token is sealed too")

		code, body := b.get("/magasins/1")
		require.Equal(t, http.StatusOK, code, c.name)
		require.Contains(t, body, "Caissier Plateau")
	}
}

func TestSignIn_BadPasswordIs401AndSetsNoCookie(t *testing.T) {
	_, e := setup(t)
	b := e.anonymous(t)
	rec := b.post("/connexion", url.Values{"identifiant": {"caissier1"}, "mot_de_passe": {"mauvais"}, "retour": {"/magasins/1"}})
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.Empty(t, rec.Result().Cookies())
	body := rec.Body.String()
	require.Contains(t, body, "Identifiant ou mot de passe incorrect.")
	require.Contains(t, body, `value="caissier1"`, "the account is kept in the form")
	require.Contains(t, body, `name="retour" value="/magasins/1"`, "and the page to go back to")
	require.NotContains(t, body, "mauvais", "the password is never sent back")

	rec = b.post("/connexion", url.Values{"identifiant": {"bloque"}, "mot_de_passe": {"x"}})
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	require.Contains(t, rec.Body.String(), "Trop de tentatives")

	rec = b.post("/connexion", url.Values{"identifiant": {"caissier1"}})
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	grants, _ := e.id.seen()
	require.Equal(t, []string{"password caissier1", "password bloque"}, grants, "an empty password is not even sent")
}

func TestSignIn_GoesBackOnlyToALocalPath(t *testing.T) {
	_, e := setup(t)
	for retour, want := range map[string]string{
		"/magasins/1?q=caf":           "/magasins/1?q=caf&ok=",
		"":                            "/maison-mere?ok=",
		"//evil.example/x":            "/maison-mere?ok=",
		"https://evil.example/":       "/maison-mere?ok=",
		"/\\evil.example":             "/maison-mere?ok=",
		"javascript:alert(1)":         "/maison-mere?ok=",
		"/connexion?retour=/boutique": "/maison-mere?ok=",
	} {
		rec := e.anonymous(t).post("/connexion", url.Values{"identifiant": {"maison-mere"}, "mot_de_passe": {testPassword}, "retour": {retour}})
		require.Equal(t, http.StatusSeeOther, rec.Code, retour)
		require.True(t, strings.HasPrefix(rec.Header().Get("Location"), want), "%q → %s", retour, rec.Header().Get("Location"))
	}
	// The form carries only a local retour, too.
	_, body := e.anonymous(t).get("/connexion?retour=" + url.QueryEscape("https://evil.example/"))
	require.NotContains(t, body, "evil.example")
}

func TestSession_RefreshesTheAccessTokenNearItsExpiry(t *testing.T) {
	f, e := setup(t)
	e.id.setTTL(30 * time.Second) // under the minute: the next page refreshes first
	b := e.as(t, "alice@example.com")
	first := b.jar[CookieSession].Value
	e.id.setTTL(kit.MaxTokenTTL)

	code, _ := b.get("/boutique")
	require.Equal(t, http.StatusOK, code)
	grants, _ := e.id.seen()
	require.Equal(t, []string{"password alice@example.com", "refresh_token r-1"}, grants)
	require.NotEqual(t, first, b.jar[CookieSession].Value, "the new tokens are sealed into the cookie again")
	auth, ok := f.called("GET /panier/2")
	require.True(t, ok)
	require.Equal(t, int64(2), principalOf(t, auth).ClientID)

	// The new token has its full life: no refresh on the next page.
	again := b.jar[CookieSession].Value
	code, _ = b.get("/boutique")
	require.Equal(t, http.StatusOK, code)
	grants, _ = e.id.seen()
	require.Len(t, grants, 2)
	require.Equal(t, again, b.jar[CookieSession].Value)

	// A refresh identite refuses (revoked) signs the person out.
	e.id.setTTL(30 * time.Second)
	b = e.as(t, "alice@example.com")
	e.id.mu.Lock()
	clear(e.id.refresh)
	e.id.mu.Unlock()
	rec := b.do(http.MethodGet, "/boutique", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	require.NotContains(t, b.jar, CookieSession, "the cookie is cleared")
	require.Contains(t, rec.Body.String(), `id="boutique-anonyme"`)
}

func TestSignOut_RevokesTheRefreshTokenAndClearsTheCookie(t *testing.T) {
	_, e := setup(t)
	b := e.as(t, "alice@example.com")
	rec := b.post("/deconnexion", nil)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.True(t, strings.HasPrefix(rec.Header().Get("Location"), "/?ok="))
	_, revoked := e.id.seen()
	require.Equal(t, []string{"r-1"}, revoked)
	cookies := rec.Result().Cookies()
	require.Len(t, cookies, 1)
	require.Equal(t, CookieSession, cookies[0].Name)
	require.Negative(t, cookies[0].MaxAge, "the browser forgets the cookie")
	require.True(t, cookies[0].HttpOnly)

	rec = b.do(http.MethodGet, "/boutique", nil)
	require.Contains(t, rec.Body.String(), `id="boutique-anonyme"`)
}

func TestSession_TamperedCookieIsIgnored(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "maison-mere")
	v := []byte(b.jar[CookieSession].Value)
	i := len(v) / 2
	v[i] = map[bool]byte{true: 'A', false: 'B'}[v[i] != 'A']
	b.jar[CookieSession].Value = string(v)

	rec := b.do(http.MethodGet, "/maison-mere", nil)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.Equal(t, "/connexion?retour=%2Fmaison-mere", rec.Header().Get("Location"))
	require.NotContains(t, b.jar, CookieSession, "a cookie that does not open is cleared")
	_, called := f.called("GET /rapports/ventes-par-magasin")
	require.False(t, called)
}

func TestSession_TokenNotSignedByIdentiteIsIgnored(t *testing.T) {
	_, e := setup(t)
	key, err := kit.GenerateSigningKey()
	require.NoError(t, err)
	other, err := kit.NewSigner(key, kit.DefaultIssuer, kit.DefaultAudience)
	require.NoError(t, err)
	forged, exp, err := other.Sign(kittest.MaisonMere, kit.MaxTokenTTL)
	require.NoError(t, err)
	// Even sealed with the right key, a token the verifier refuses is nobody.
	value, err := e.s.sealer.seal(session{Access: forged, Refresh: "r-x", Expiry: exp, End: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	b := e.anonymous(t)
	b.jar[CookieSession] = &http.Cookie{Name: CookieSession, Value: value}
	rec := b.do(http.MethodGet, "/maison-mere", nil)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.True(t, strings.HasPrefix(rec.Header().Get("Location"), "/connexion"))
}

func TestSignUp_OpensTheAccountThenSignsIn(t *testing.T) {
	f, e := setup(t)
	b := e.anonymous(t)
	rec := b.post("/inscription", url.Values{"nom": {"Béatrice Roy"}, "email": {"b@example.com"}, "mot_de_passe": {testPassword},
		"telephone": {"514-555-0101"}})
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	require.True(t, strings.HasPrefix(rec.Header().Get("Location"), "/boutique?ok="))
	require.Equal(t, []Inscription{{Nom: "Béatrice Roy", Email: "b@example.com", Telephone: "514-555-0101", MotDePasse: testPassword}}, e.id.signups)
	f.set("GET /clients/101", http.StatusOK, `{"id":101,"nom":"Béatrice Roy","email":"b@example.com"}`)
	f.set("GET /panier/101", http.StatusOK, `{"client_id":101,"lignes":[],"total":0}`)
	code, body := b.get("/boutique")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<p id="client">Béatrice Roy`)

	// A taken address comes back on the form, without the password.
	rec = e.anonymous(t).post("/inscription", url.Values{"nom": {"Autre"}, "email": {"b@example.com"}, "mot_de_passe": {"secret-123"}})
	require.Equal(t, http.StatusConflict, rec.Code)
	require.Contains(t, rec.Body.String(), "ce courriel a déjà un compte")
	require.Contains(t, rec.Body.String(), `value="Autre"`)
	require.NotContains(t, rec.Body.String(), "secret-123")
	require.Empty(t, rec.Result().Cookies())
}

// The shop takes the client from the session only: an id in the URL names
// no page, and an id in a form is ignored.
func TestShop_NeverTakesAClientIDFromTheURL(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "alice@example.com")
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/boutique/9"}, {http.MethodPost, "/boutique/9/panier"},
		{http.MethodPost, "/boutique/9/commander"}, {http.MethodPost, "/boutique/clients"},
	} {
		rec := b.do(c.method, c.path, url.Values{})
		require.Contains(t, []int{http.StatusNotFound, http.StatusMethodNotAllowed}, rec.Code, c.path)
	}
	rec := b.post("/boutique/panier?client_id=9", url.Values{"client_id": {"9"}, "produit_id": {"3"}, "quantite": {"1"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.JSONEq(t, `{"client_id":2,"produit_id":3,"quantite":1}`, f.body("POST /panier"))
	form := checkoutForm(t, b)
	form.Set("client_id", "9")
	rec = b.post("/boutique/commander?client_id=9", form)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.JSONEq(t, `{"client_id":2}`, f.body("POST /commande"))
	_, _ = b.get("/boutique?client_id=9")
	_, ok := f.called("GET /panier/9")
	require.False(t, ok)
	_, ok = f.called("GET /panier/2")
	require.True(t, ok)
}

// Every service call a page makes carries the person's own token; an
// anonymous visitor's carry none.
func TestServiceCalls_CarryThePersonsToken(t *testing.T) {
	f, e := setup(t)
	code, _ := e.anonymous(t).get("/boutique")
	require.Equal(t, http.StatusOK, code)
	auth, ok := f.called("GET /produits")
	require.True(t, ok)
	require.Empty(t, auth, "the catalogue is read anonymously")

	code, _ = e.as(t, "caissier1").get("/magasins/1")
	require.Equal(t, http.StatusOK, code)
	for _, call := range []string{"GET /magasins/1/stock", "GET /demandes"} {
		auth, ok := f.called(call)
		require.True(t, ok, call)
		p := principalOf(t, auth)
		require.True(t, p.Has(kit.RoleCaissier), call)
		require.Equal(t, int64(1), p.MagasinID, call)
	}

	code, _ = e.as(t, "maison-mere").get("/maison-mere")
	require.Equal(t, http.StatusOK, code)
	auth, ok = f.called("GET /rapports/ventes-par-magasin")
	require.True(t, ok)
	require.True(t, principalOf(t, auth).Has(kit.RoleMaisonMere))
}

// Each space refuses whoever its role does not cover: anonymous visitors
// are sent to sign in, others get a 403 page.
func TestSpaces_RefuseTheWrongRole(t *testing.T) {
	f, e := setup(t)
	f.set("GET /magasins/2", http.StatusOK, `{"id":2,"nom":"Centre-ville","adresse":"2 rue Sainte-Catherine"}`)
	f.set("GET /magasins/2/stock", http.StatusOK, `{"items":[],"total":0,"limit":500,"offset":0}`)
	f.set("GET /commande/c1c1c1c1-0000-4000-8000-000000000001", http.StatusOK, venteMagasin1)
	f.set("POST /saga/retour", http.StatusCreated, strings.Replace(sagaConfirmee, `"type":"vente"`, `"type":"retour"`, 1))
	type want int
	const (
		ok        want = http.StatusOK
		seeOther  want = http.StatusSeeOther // a form's redirect
		forbidden want = http.StatusForbidden
		signIn    want = -1
	)
	everyone := []string{"", "alice@example.com", "caissier1", "logistique", "maison-mere"}
	table := []struct {
		method, path string
		form         url.Values
		want         map[string]want // by account; "" is anonymous
	}{
		{"GET", "/maison-mere", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": forbidden, "maison-mere": ok}},
		{"GET", "/maison-mere/export/ventes-par-magasin.csv", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": forbidden, "maison-mere": ok}},
		{"GET", "/maison-mere/export/demandes-en-attente.csv", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": forbidden, "maison-mere": ok}},
		{"GET", "/maison-mere/produits", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": forbidden, "maison-mere": ok}},
		{"POST", "/maison-mere/produits/3", url.Values{"prix": {"13"}}, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": forbidden, "maison-mere": seeOther}},
		{"GET", "/maison-mere/seuils", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": forbidden, "maison-mere": ok}},
		{"GET", "/magasins", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": seeOther, "logistique": forbidden, "maison-mere": ok}},
		{"GET", "/magasins/1", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": ok, "logistique": forbidden, "maison-mere": ok}},
		{"GET", "/magasins/2", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": forbidden, "maison-mere": ok}},
		{"POST", "/magasins/1/ventes", url.Values{"ligne": {"3:1"}, "methode": {"carte"}}, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": seeOther, "logistique": forbidden, "maison-mere": forbidden}},
		{"POST", "/magasins/2/ventes", url.Values{"ligne": {"3:1"}, "methode": {"carte"}}, map[string]want{"caissier1": forbidden}},
		{"GET", "/magasins/1/ventes", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": ok, "logistique": forbidden, "maison-mere": ok}},
		{"GET", "/magasins/2/ventes", nil, map[string]want{"caissier1": forbidden, "maison-mere": ok}},
		{"GET", cheminVente, nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": ok, "logistique": forbidden, "maison-mere": ok}},
		{"GET", strings.Replace(cheminVente, "/1/", "/2/", 1), nil, map[string]want{"caissier1": forbidden, "maison-mere": http.StatusNotFound}},
		{"GET", cheminVente + "/retour", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": ok, "logistique": forbidden, "maison-mere": forbidden}},
		{"POST", cheminVente + "/retour", url.Values{"rendre-3": {"1"}, "cle": {"e5e5e5e5-0000-4000-8000-000000000005"}}, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": seeOther, "logistique": forbidden, "maison-mere": forbidden}},
		{"POST", strings.Replace(cheminVente, "/1/", "/2/", 1) + "/retour", url.Values{"rendre-3": {"1"}}, map[string]want{"caissier1": forbidden, "maison-mere": forbidden}},
		{"POST", "/magasins/2/demandes", url.Values{"produit_id": {"3"}, "quantite": {"1"}}, map[string]want{"caissier1": forbidden, "logistique": forbidden}},
		{"GET", "/logistique", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": ok, "maison-mere": ok}},
		{"POST", "/logistique/demandes/7/refuser", url.Values{"motif": {"non"}}, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": seeOther, "maison-mere": seeOther}},
		{"POST", "/logistique/demandes/7/approuver", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": seeOther, "maison-mere": seeOther}},
		{"POST", "/logistique/demandes/approuver", url.Values{"demande": {"7"}}, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": seeOther, "maison-mere": seeOther}},
		{"GET", "/boutique", nil, map[string]want{"": ok, "alice@example.com": ok, "caissier1": ok, "logistique": ok, "maison-mere": ok}},
		{"POST", "/boutique/panier", url.Values{"produit_id": {"3"}, "quantite": {"1"}}, map[string]want{"": signIn, "alice@example.com": seeOther, "caissier1": forbidden, "logistique": forbidden, "maison-mere": forbidden}},
		{"POST", "/boutique/commander", nil, map[string]want{"": signIn, "caissier1": forbidden, "maison-mere": forbidden}},
		{"GET", "/maison-mere/sagas", nil, map[string]want{"": signIn, "alice@example.com": forbidden, "caissier1": forbidden, "logistique": forbidden, "maison-mere": ok}},
	}
	browsers := map[string]*browser{}
	for _, who := range everyone {
		if who == "" {
			browsers[who] = e.anonymous(t)
		} else {
			browsers[who] = e.as(t, who)
		}
	}
	for _, c := range table {
		for who, w := range c.want {
			rec := browsers[who].do(c.method, c.path, c.form)
			name := c.method + " " + c.path + " as " + who
			switch w {
			case signIn:
				require.Equal(t, http.StatusSeeOther, rec.Code, name)
				loc := rec.Header().Get("Location")
				if c.method == "GET" {
					require.Equal(t, "/connexion?retour="+url.QueryEscape(c.path), loc, name)
				} else {
					require.Equal(t, "/connexion", loc, name)
				}
			case forbidden:
				require.Equal(t, http.StatusForbidden, rec.Code, name)
				require.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"), name)
				require.Contains(t, rec.Body.String(), `id="refus"`, name)
				require.Contains(t, rec.Body.String(), "Cette page est réservée à", name)
			default:
				require.Equal(t, int(w), rec.Code, name)
			}
		}
	}

	// A caissier's store list is its own store; the head office sees the
	// till of no store, only its stock and requests.
	rec := browsers["caissier1"].do("GET", "/magasins", nil)
	require.Equal(t, "/magasins/1", rec.Header().Get("Location"))
	_, body := browsers["maison-mere"].get("/magasins/1")
	require.NotContains(t, body, `id="vendre"`)
	require.NotContains(t, body, `action="/magasins/1/retours"`)
	require.Contains(t, body, `action="/magasins/1/demandes"`)
	_, body = browsers["caissier1"].get("/magasins/1")
	require.Contains(t, body, `id="vendre"`)
	require.NotContains(t, body, `href="/magasins"`, "a caissier has no store to change to")
	// Staff see the catalogue without a cart.
	_, body = browsers["logistique"].get("/boutique")
	require.NotContains(t, body, "Ajouter au panier")
}

// identite throttles failed sign-ins per address, so it must learn the
// browser's, not the web app's: the last hop of nginx's X-Forwarded-For when
// nginx (a private or loopback peer) sent the request, else the peer itself.
func TestSignIn_TellsIdentiteTheBrowsersAddress(t *testing.T) {
	_, e := setup(t)
	for _, c := range []struct{ peer, forwarded, want string }{
		{"127.0.0.1:41000", "6.6.6.6, 203.0.113.9", "203.0.113.9"},
		{"10.0.0.5:41000", "203.0.113.10", "203.0.113.10"},
		{"192.0.2.1:41000", "6.6.6.6", "192.0.2.1"}, // a public peer is the browser: what it claims is ignored
		{"[::1]:41000", "", "::1"},
	} {
		req := httptest.NewRequest(http.MethodPost, "/connexion", strings.NewReader(url.Values{
			"identifiant": {"caissier1"}, "mot_de_passe": {testPassword}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = c.peer
		if c.forwarded != "" {
			req.Header.Set("X-Forwarded-For", c.forwarded)
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		require.Equal(t, http.StatusSeeOther, rec.Code, c.peer)
		e.id.mu.Lock()
		from, form := e.id.from[len(e.id.from)-1], e.id.forms[len(e.id.forms)-1]
		e.id.mu.Unlock()
		require.Equal(t, c.want, from, c.peer)
		// The web app names no client of its own and holds no secret.
		require.Equal(t, url.Values{"grant_type": {"password"}, "username": {"caissier1"}, "password": {testPassword}}, form)
	}
}
