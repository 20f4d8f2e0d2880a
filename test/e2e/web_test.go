package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// browserSession is one person's visit to the first web instance: its
// cookies, and no redirect followed, so a form's 303 and its Location can be
// checked.
type browserSession struct{ c *http.Client }

// signIn opens a session as a README demo account (or a client's email).
func signIn(t *testing.T, login, password string) browserSession {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	s := browserSession{c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	code, h, body := s.do(t, http.MethodPost, "/connexion", url.Values{"identifiant": {login}, "mot_de_passe": {password}})
	require.Equal(t, http.StatusSeeOther, code, body)
	require.NotContains(t, h.Get("Location"), "/connexion", "signed in as %s", login)
	return s
}

func (s browserSession) do(t *testing.T, method, path string, form url.Values) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, fl.URL("web-1")+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := s.c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// Every page reads the real services through their typed clients, as the
// person signed in: a field the page expects and a service does not send, a
// token a service refuses, shows up here as an error on the page.
func TestWeb_EveryPageRendersFromTheRealServices(t *testing.T) {
	pages := map[string][]string{
		"maison-mere": {"/", "/maison-mere", "/maison-mere?depuis=2026-01-01&jusqu_a=2026-01-31", "/maison-mere/produits",
			"/maison-mere/seuils?emplacement_id=6", "/magasins/1", "/logistique"},
		"caissier1":  {"/", "/magasins/1"},
		"logistique": {"/", "/logistique"},
	}
	for login, paths := range pages {
		s := signIn(t, login, "multimagasins")
		for _, path := range paths {
			code, _, body := s.do(t, http.MethodGet, path, nil)
			require.Equal(t, http.StatusOK, code, "%s as %s", path, login)
			require.NotContains(t, body, `class="erreur"`, "%s as %s shows an error:\n%s", path, login, body)
		}
	}
	_, _, body := signIn(t, "caissier1", "multimagasins").do(t, http.MethodGet, "/magasins/1", nil)
	require.Contains(t, body, "Tablette 10 pouces", "the store's stock is listed")

	// A shopper signs up, then sees the shop with its cart.
	email := unique("web") + "@exemple.ca"
	want(t, do(t, "POST", "identite", "/auth/inscription", map[string]any{"nom": "Client Web", "email": email,
		"mot_de_passe": "un-mot-de-passe"}), 201)
	code, _, body := signIn(t, email, "un-mot-de-passe").do(t, http.MethodGet, "/boutique", nil)
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, body, `class="erreur"`, body)
	require.Contains(t, body, `id="panier"`)

	// Anonymous visitors are sent to sign in; a caissier does not see head office.
	anon := browserSession{c: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	code, h, _ := anon.do(t, http.MethodGet, "/maison-mere", nil)
	require.Equal(t, http.StatusSeeOther, code)
	require.Contains(t, h.Get("Location"), "/connexion")
	code, _, _ = signIn(t, "caissier1", "multimagasins").do(t, http.MethodGet, "/maison-mere", nil)
	require.Equal(t, http.StatusForbidden, code)
}

var commandeID = regexp.MustCompile(`Commande <code>([0-9a-f-]{36})</code>`)

// A counter sale and its return, through the forms, reach the orchestrator
// and come back as the saga's timeline.
func TestWeb_CounterSaleThenReturnShowTheirSagas(t *testing.T) {
	caisse := signIn(t, "caissier1", "multimagasins")
	saga := func(path string, form url.Values) string {
		t.Helper()
		code, h, body := caisse.do(t, http.MethodPost, path, form)
		require.Equal(t, http.StatusSeeOther, code, body)
		loc := h.Get("Location")
		require.Contains(t, loc, "saga=", "the form lands on its saga: %s", loc)
		code, _, body = caisse.do(t, http.MethodGet, strings.Split(loc, "#")[0], nil)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `<section id="saga-resultat" data-statut="CONFIRMEE"`, body)
		return body
	}
	// The till's forms carry their one-time key (Idempotency-Key) and the
	// ticket ("ligne=produit:quantité"); a return names no order: it is in
	// the address of the sale's return page.
	cle := func(path string) string {
		t.Helper()
		_, _, body := caisse.do(t, http.MethodGet, path, nil)
		m := regexp.MustCompile(`name="cle" value="([0-9a-f-]{36})"`).FindStringSubmatch(body)
		require.NotNil(t, m, "%s has a one-time key", path)
		return m[1]
	}
	body := saga("/magasins/1/ventes", url.Values{"ligne": {"3:1"}, "methode": {"comptant"}, "remis": {"100"},
		"cle": {cle("/magasins/1?ligne=3:1")}})
	for _, e := range []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"} {
		require.Contains(t, body, `data-etat="`+e+`"`)
	}
	m := commandeID.FindStringSubmatch(body)
	require.NotNil(t, m, "the sale's order id is on the page")
	retour := "/magasins/1/ventes/" + m[1] + "/retour"
	saga(retour, url.Values{"rendre-3": {"1"}, "cle": {cle(retour)}})
}
