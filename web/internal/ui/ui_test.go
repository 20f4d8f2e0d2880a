package ui

import (
	"encoding/json"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

// fake stands in for every service (they are other processes, not a database):
// canned answers by "METHOD /path", and a record of the bodies received.
type fake struct {
	mu      sync.Mutex
	answers map[string]answer
	bodies  map[string]string
	auth    map[string]string // the Authorization header of each call
	keys    map[string]string // the Idempotency-Key header of each call
	queries map[string]string // the raw query of each call
}

type answer struct {
	status int
	body   string
	header http.Header
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	key := r.Method + " " + r.URL.Path
	f.mu.Lock()
	f.bodies[key] = string(b)
	f.auth[key] = r.Header.Get("Authorization")
	f.keys[key] = r.Header.Get("Idempotency-Key")
	f.queries[key] = r.URL.RawQuery
	a, ok := f.answers[key]
	f.mu.Unlock()
	if !ok {
		a = answer{http.StatusNotFound, `{"title":"Not Found","status":404,"detail":"route inconnue du faux service"}`, nil}
	}
	if a.status >= 400 && strings.Contains(a.body, `"title"`) {
		w.Header().Set("Content-Type", "application/problem+json")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	for k, v := range a.header {
		w.Header()[k] = v
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}

func (f *fake) set(key string, status int, body string, header ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	f.answers[key] = answer{status, body, h}
}

// sent returns the Idempotency-Key and the query string key was called with.
func (f *fake) sent(key string) (idem, query string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys[key], f.queries[key]
}

func (f *fake) body(key string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[key]
}

// called reports whether the service received key, and with which
// Authorization header.
func (f *fake) called(key string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.bodies[key]
	return f.auth[key], ok
}

const (
	sagaConfirmee = `{"saga_id":"11111111-1111-4111-8111-111111111111","type":"vente","commande_id":"c1c1c1c1-0000-4000-8000-000000000001","statut":"CONFIRMEE","motif":"","total":25.00,"termine":true,
"etapes":[{"etat":"CREEE","at":"2026-01-02T15:04:05Z"},{"etat":"STOCK_VERIFIE","at":"2026-01-02T15:04:05Z"},{"etat":"STOCK_RESERVE","at":"2026-01-02T15:04:05Z"},{"etat":"PAYEE","at":"2026-01-02T15:04:05Z"},{"etat":"CONFIRMEE","at":"2026-01-02T15:04:06Z"}]}`
	sagaAnnulee = `{"saga_id":"22222222-2222-4222-8222-222222222222","type":"commande","commande_id":"c2c2c2c2-0000-4000-8000-000000000002","statut":"ANNULEE","motif":"paiement refusé: limite dépassée","total":0,"termine":true,
"etapes":[{"etat":"CREEE","at":"2026-01-02T15:04:05Z"},{"etat":"STOCK_VERIFIE","at":"2026-01-02T15:04:05Z"},{"etat":"STOCK_RESERVE","at":"2026-01-02T15:04:05Z"},{"etat":"ANNULEE","at":"2026-01-02T15:04:06Z"}]}`
)

func newFake() *fake {
	f := &fake{answers: map[string]answer{}, bodies: map[string]string{}, auth: map[string]string{},
		keys: map[string]string{}, queries: map[string]string{}}
	page := func(items string) string { return `{"items":[` + items + `],"total":1,"limit":50,"offset":0}` }
	stockRow := `{"produit_id":3,"nom":"Café moulu","categorie":"épicerie","quantite":40,"reserve":2,"disponible":38,"seuil":20}`
	demande := `{"id":7,"magasin_id":1,"produit_id":3,"quantite":10,"statut":"en_attente","origine":"magasin","motif":"","motif_refus":"","cree_le":"2026-01-02T15:04:05Z"}`
	rupture := `{"emplacement_id":1,"emplacement_nom":"Plateau","produit_id":3,"nom":"Café moulu","categorie":"épicerie","quantite":4,"reserve":0,"disponible":4}`
	v := `"chiffre_affaires":120.50,"nombre_ventes":3,"panier_moyen":40.17`
	for k, b := range map[string]string{
		"GET /magasins":                                  page(`{"id":1,"nom":"Plateau","adresse":"1 rue Mont-Royal"}`),
		"GET /magasins/1":                                `{"id":1,"nom":"Plateau","adresse":"1 rue Mont-Royal"}`,
		"GET /magasins/1/stock":                          page(stockRow),
		"GET /logistique/stock":                          page(stockRow),
		"GET /demandes":                                  page(demande),
		"GET /mouvements":                                page(`{"id":1,"emplacement_id":6,"produit_id":3,"type":"transfert","quantite":-10,"reference":"demande:6","acteur":"logistique","at":"2026-01-02T15:04:05Z"}`),
		"GET /produits":                                  page(`{"id":3,"nom":"Café moulu","categorie":"épicerie","prix":12.50,"description":"500 g","actif":true}`),
		"GET /produits/3":                                `{"id":3,"nom":"Café moulu","categorie":"épicerie","prix":12.50,"description":"500 g","actif":true}`,
		"GET /seuils":                                    page(`{"emplacement_id":1,"produit_id":3,"seuil":20}`),
		"GET /rapports/ruptures":                         page(rupture),
		"GET /rapports/surplus":                          page(rupture),
		"GET /rapports/demandes-en-attente":              `{"en_attente":1,"magasins":[{"magasin_id":1,"nom":"Plateau","en_attente":1,"quantite":10}],"demandes":` + page(demande) + `}`,
		"GET /rapports/ventes-par-magasin":               `{"depuis":"2026-01-01T05:00:00Z","jusqu_a":"2026-02-01T05:00:00Z","magasins":[{"magasin_id":1,"canal":"magasin",` + v + `},{"magasin_id":null,"canal":"en_ligne",` + v + `}],"total":{` + v + `}}`,
		"GET /rapports/chiffre-affaires-par-jour":        `{"jours":[{"jour":"2026-01-01","chiffre_affaires":10.00,"nombre_ventes":1},{"jour":"2026-01-02","chiffre_affaires":0,"nombre_ventes":0}]}`,
		"GET /rapports/top-produits":                     `{"par":"quantite","produits":[{"produit_id":3,"quantite":9,"chiffre_affaires":112.50}]}`,
		"GET /rapports/performance-magasins":             `{"moyenne_chaine":{"chiffre_affaires":24.10,"nombre_ventes":0.60,"panier_moyen":40.17},"magasins":[{"magasin_id":1,` + v + `,"ecart_chiffre_affaires_pct":400.0},{"magasin_id":2,"chiffre_affaires":0,"nombre_ventes":0,"panier_moyen":0,"ecart_chiffre_affaires_pct":null}]}`,
		"GET /clients/2":                                 `{"id":2,"nom":"Alice Tremblay","email":"a@example.com"}`,
		"GET /panier/2":                                  `{"client_id":2,"lignes":[{"produit_id":3,"quantite":2,"prix_unitaire":12.50}],"total":25.00}`,
		"GET /commandes":                                 page(`{"id":"c1c1c1c1-0000-4000-8000-000000000001","client_id":2,"canal":"en_ligne","statut":"CONFIRMEE","total":25.00}`),
		"GET /saga/11111111-1111-4111-8111-111111111111": sagaConfirmee,
		"GET /saga/22222222-2222-4222-8222-222222222222": sagaAnnulee,
	} {
		f.set(k, http.StatusOK, b)
	}
	f.set("POST /saga/vente", http.StatusCreated, sagaConfirmee)
	f.set("POST /commande", http.StatusPaymentRequired, sagaAnnulee)
	f.set("POST /produits", http.StatusCreated, `{"id":9}`)
	f.set("PUT /produits/3", http.StatusOK, `{"id":3}`)
	f.set("PUT /emplacements/1/seuils/3", http.StatusOK, `{"emplacement_id":1,"produit_id":3,"seuil":30}`)
	f.set("POST /magasins/1/demandes", http.StatusCreated, demande)
	f.set("POST /demandes/7/refuser", http.StatusOK, demande)
	f.set("POST /panier", http.StatusOK, `{}`)
	f.set("PUT /panier/2/lignes/3", http.StatusOK, `{}`)
	f.set("DELETE /panier/2/lignes/3", http.StatusNoContent, ``)
	return f
}

// env is the app in front of its fakes: the services and identite.
type env struct {
	f  *fake
	id *fakeIdentite
	s  *Server
	h  http.Handler
}

func setup(t *testing.T) (*fake, *env) {
	t.Helper()
	f := newFake()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	id := newFakeIdentite(t)
	s, err := New(Config{Instance: "web-<2>", GatewayURL: "http://gw.example:8080", StockURL: srv.URL, CommandeURL: srv.URL,
		PaiementURL: srv.URL, PanierURL: srv.URL, ClientsURL: srv.URL, OrchestratorURL: srv.URL,
		IdentiteURL: id.url, SessionKey: testSessionKey}, kittest.TestIssuer(t).Signer.Verifier(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	r := chi.NewRouter()
	r.Use(kit.RequestIDMiddleware)
	Routes(r, s)
	return f, &env{f: f, id: id, s: s, h: s.Protect(r)}
}

const testSessionKey = "a test key of more than thirty-two bytes, never used elsewhere"

// browser keeps cookies between requests as a browser does, and sends
// nothing a same-origin form would not (no Origin, no Sec-Fetch-Site: both
// are tested on their own).
type browser struct {
	t   *testing.T
	h   http.Handler
	jar map[string]*http.Cookie
}

func (e *env) anonymous(t *testing.T) *browser {
	return &browser{t: t, h: e.h, jar: map[string]*http.Cookie{}}
}

// as signs in with one of the fake identite's accounts.
func (e *env) as(t *testing.T, username string) *browser {
	t.Helper()
	b := e.anonymous(t)
	rec := b.post("/connexion", url.Values{"identifiant": {username}, "mot_de_passe": {testPassword}})
	require.Equal(t, http.StatusSeeOther, rec.Code, "sign in as %s: %s", username, rec.Body.String())
	require.Contains(t, b.jar, CookieSession)
	return b
}

func (b *browser) do(method, path string, form url.Values, header ...string) *httptest.ResponseRecorder {
	b.t.Helper()
	path, _, _ = strings.Cut(path, "#") // a browser never sends the fragment
	var body io.Reader
	if form != nil || method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, c := range b.jar {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.jar, c.Name)
		} else {
			b.jar[c.Name] = c
		}
	}
	return rec
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	rec := b.do(http.MethodGet, path, nil)
	return rec.Code, rec.Body.String()
}

func (b *browser) post(path string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	return b.do(http.MethodPost, path, form)
}

func requireNoJSON(t *testing.T, body string) {
	t.Helper()
	for _, s := range []string{`{"`, `"detail"`, `"status":`} {
		require.NotContains(t, body, s, "the page never shows raw JSON")
	}
}

func TestHome_SaysWhichInstanceAnsweredAndEscapesIt(t *testing.T) {
	_, e := setup(t)
	rec := e.anonymous(t).do(http.MethodGet, "/", nil, kit.HeaderRequestID, "req-42")

	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Equal(t, "web-<2>", rec.Header().Get(HeaderInstance))
	body := rec.Body.String()
	require.Contains(t, body, `lang="fr-CA"`)
	require.Contains(t, body, `name="viewport"`)
	require.Contains(t, body, "web-&lt;2&gt;")
	require.NotContains(t, body, "web-<2>")
	require.Contains(t, body, `href="http://gw.example:8080"`)
	require.Contains(t, body, "req-42")
	require.False(t, strings.Contains(body, "https://"), "the page loads nothing from elsewhere")
}

// The home page and the nav offer only the spaces the person has, with
// their name and a sign-out button once signed in.
func TestHome_ShowsOnlyThePersonsSpaces(t *testing.T) {
	_, e := setup(t)
	spaces := []string{`href="/maison-mere"`, `href="/magasins"`, `href="/magasins/1"`, `href="/logistique"`, `href="/boutique"`}
	for _, c := range []struct {
		who   string // "" for anonymous
		shown []string
		name  string
	}{
		{"", []string{`href="/boutique"`}, ""},
		{"alice@example.com", []string{`href="/boutique"`}, "Alice Tremblay"},
		{"caissier1", []string{`href="/magasins/1"`}, "Caissier Plateau"},
		{"logistique", []string{`href="/logistique"`}, "Centre logistique"},
		{"maison-mere", []string{`href="/maison-mere"`, `href="/magasins"`, `href="/logistique"`}, "Maison mère"},
	} {
		b := e.anonymous(t)
		if c.who != "" {
			b = e.as(t, c.who)
		}
		code, body := b.get("/")
		require.Equal(t, http.StatusOK, code, c.who)
		for _, l := range spaces {
			if slices.Contains(c.shown, l) {
				require.Contains(t, body, l, c.who)
			} else {
				require.NotContains(t, body, l, c.who)
			}
		}
		if c.who == "" {
			require.Contains(t, body, `href="/connexion"`)
			require.Contains(t, body, `href="/inscription"`)
			require.NotContains(t, body, `action="/deconnexion"`)
			continue
		}
		require.Contains(t, body, `<span id="qui">`+template.HTMLEscapeString(c.name)+`</span>`, c.who)
		require.Contains(t, body, `<form method="post" action="/deconnexion"`, c.who)
		require.NotContains(t, body, `href="/connexion"`, c.who)
	}
}

func TestCSS_IsEmbedded(t *testing.T) {
	_, e := setup(t)
	code, body := e.anonymous(t).get("/static/app.css")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "@media")
}

func TestPages_RenderWithTheirFrenchLabels(t *testing.T) {
	_, e := setup(t)
	for _, c := range []struct {
		who, path string
		labels    []string
	}{
		{"maison-mere", "/maison-mere?depuis=2026-01-01&jusqu_a=2026-01-31", []string{"Ventes par magasin", "Chiffre d&#39;affaires par jour", "<svg", "<rect",
			"Meilleurs produits", "Performance des magasins", "+400,0&nbsp;%", "Ruptures de stock", "Surplus", "Demandes en attente", "En ligne", "120,50\u00a0$", "<td>Plateau</td>"}},
		{"maison-mere", "/maison-mere/produits", []string{"Nouveau produit", "Créer le produit", `<label for="prix-3">`, "Enregistrer", "Café moulu"}},
		{"maison-mere", "/maison-mere/seuils", []string{"Seuils de réapprovisionnement", `<label for="seuil-3">`, "Centre logistique"}},
		{"maison-mere", "/magasins", []string{"Choisissez un magasin", `href="/magasins/1"`, "Plateau"}},
		{"caissier1", "/magasins/1?q=caf", []string{"Caisse", "Comptant", "Carte", "Ventes récentes et retours", "Demander au centre logistique", `<tr data-produit-id="3"`, `<td data-col="disponible">38</td>`, `data-demande-id="7" data-statut="en_attente"`, "En attente"}},
		{"logistique", "/logistique", []string{"Demandes en attente", "Approuver", "Refuser", `<label for="motif-7">Motif du refus</label>`, "Approuver la sélection", "Stock du centre", "Historique des transferts", "demande:6"}},
		{"", "/boutique", []string{"Catalogue", "Café moulu", "12,50\u00a0$", `href="/connexion?retour=%2Fboutique"`}},
		{"alice@example.com", "/boutique", []string{"Panier", "25,00\u00a0$", "Commander", "Ajouter au panier", "Retirer", "Mes commandes", "CONFIRMEE", "Café moulu", "Alice Tremblay"}},
		{"", "/connexion", []string{`name="identifiant"`, `name="mot_de_passe"`, "Se connecter"}},
		{"", "/inscription", []string{`name="nom"`, `name="email"`, `name="mot_de_passe"`, "Créer mon compte"}},
	} {
		b := e.anonymous(t)
		if c.who != "" {
			b = e.as(t, c.who)
		}
		code, body := b.get(c.path)
		require.Equal(t, http.StatusOK, code, c.path)
		for _, l := range c.labels {
			require.Contains(t, body, l, c.path)
		}
		require.NotContains(t, body, `class="erreur"`, c.path+": no error expected")
		requireNoJSON(t, body)
	}
}

func TestServiceError_ShowsAReadableFrenchMessage(t *testing.T) {
	f, e := setup(t)
	f.set("GET /magasins/1/stock", http.StatusUnprocessableEntity,
		`{"title":"Unprocessable Entity","status":422,"detail":"niveau inconnu","errors":[{"location":"query.niveau","message":"doit être rupture, bas ou surplus","value":"x"}]}`)
	code, body := e.as(t, "caissier1").get("/magasins/1")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<p role="alert" class="erreur">Données refusées : niveau inconnu — niveau : doit être rupture, bas ou surplus (valeur : x).</p>`)
	requireNoJSON(t, body)

	// A service that is down entirely.
	s, err := New(Config{StockURL: "http://127.0.0.1:1", CommandeURL: "http://127.0.0.1:1", IdentiteURL: e.id.url, SessionKey: testSessionKey},
		kittest.TestIssuer(t).Signer.Verifier(), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	r := chi.NewRouter()
	Routes(r, s)
	down := &env{id: e.id, s: s, h: s.Protect(r)}
	code, body = down.as(t, "maison-mere").get("/maison-mere")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "Service indisponible pour le moment")
	requireNoJSON(t, body)
}

func TestApproval_RefusedForLackOfStock_ShowsWhatTheCentreHas(t *testing.T) {
	f, e := setup(t)
	f.set("POST /demandes/7/approuver", http.StatusConflict,
		`{"title":"Conflict","status":409,"detail":"stock insuffisant au centre","errors":[{"location":"path.id","message":"disponible au centre","value":3}]}`)
	b := e.as(t, "logistique")
	rec := b.post("/logistique/demandes/7/approuver", nil)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	code, body := b.get(rec.Header().Get("Location"))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "Stock insuffisant au centre logistique pour la demande 7 : disponible 3.")
	requireNoJSON(t, body)
}

func TestForms_PostThenRedirect(t *testing.T) {
	f, e := setup(t)
	for _, c := range []struct {
		who, path, call, location string
		form                      url.Values
		sent                      []string
	}{
		{"maison-mere", "/maison-mere/produits", "POST /produits", "/maison-mere/produits?ok=",
			url.Values{"nom": {"Thé"}, "categorie": {"épicerie"}, "prix": {"4,99"}, "actif": {"1"}}, []string{`"prix":4.99`, `"actif":true`}},
		{"maison-mere", "/maison-mere/produits/3", "PUT /produits/3", "/maison-mere/produits?ok=",
			url.Values{"categorie": {"épicerie"}, "prix": {"13"}, "description": {"1 kg"}}, []string{`"nom":"Café moulu"`, `"prix":13.00`, `"actif":false`}},
		{"maison-mere", "/maison-mere/seuils", "PUT /emplacements/1/seuils/3", "/maison-mere/seuils?emplacement_id=1&ok=",
			url.Values{"emplacement_id": {"1"}, "produit_id": {"3"}, "seuil": {"30"}}, []string{`"seuil":30`}},
		{"caissier1", "/magasins/1/demandes", "POST /magasins/1/demandes", "/magasins/1?ok=",
			url.Values{"produit_id": {"3"}, "quantite": {"10"}, "motif": {"fête"}}, []string{`"quantite":10`, `"motif":"fête"`}},
		{"maison-mere", "/magasins/1/demandes", "POST /magasins/1/demandes", "/magasins/1?ok=",
			url.Values{"produit_id": {"3"}, "quantite": {"4"}}, []string{`"quantite":4`}},
		{"logistique", "/logistique/demandes/7/refuser", "POST /demandes/7/refuser", "/logistique?ok=",
			url.Values{"motif": {"pas prioritaire"}}, []string{`"motif":"pas prioritaire"`}},
		{"alice@example.com", "/boutique/panier", "POST /panier", "/boutique?ok=",
			url.Values{"produit_id": {"3"}, "quantite": {"2"}}, []string{`"client_id":2`, `"produit_id":3`}},
		{"alice@example.com", "/boutique/panier/3", "PUT /panier/2/lignes/3", "/boutique?ok=", url.Values{"quantite": {"5"}}, []string{`"quantite":5`}},
		{"alice@example.com", "/boutique/panier/3", "DELETE /panier/2/lignes/3", "/boutique?ok=", url.Values{"action": {"retirer"}}, nil},
	} {
		b := e.as(t, c.who)
		rec := b.post(c.path, c.form)
		require.Equal(t, http.StatusSeeOther, rec.Code, c.path)
		require.True(t, strings.HasPrefix(rec.Header().Get("Location"), c.location), "%s → %s", c.path, rec.Header().Get("Location"))
		for _, s := range c.sent {
			require.Contains(t, f.body(c.call), s, c.call)
		}
		// The page the browser lands on shows the flash message.
		code, body := b.get(rec.Header().Get("Location"))
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `<p role="alert" class="ok">`)
	}

	// A refused form comes back with the reason, still through a redirect.
	f.set("POST /panier", http.StatusConflict, `{"title":"Conflict","status":409,"detail":"produit retiré du catalogue","errors":[{"location":"body.produit_id","message":"inactif","value":3}]}`)
	b := e.as(t, "alice@example.com")
	rec := b.post("/boutique/panier", url.Values{"produit_id": {"3"}, "quantite": {"1"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	_, body := b.get(rec.Header().Get("Location"))
	require.Contains(t, body, "produit retiré du catalogue — produit : inactif")
	requireNoJSON(t, body)

	// A bad number is refused before any call.
	b = e.as(t, "caissier1")
	rec = b.post("/magasins/1/demandes", url.Values{"produit_id": {"abc"}, "quantite": {"1"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	_, body = b.get(rec.Header().Get("Location"))
	require.Contains(t, body, "Le champ « produit » doit être un nombre entier.")
}

func TestCounterSale_ShowsTheSagaTimeline(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "caissier1")
	rec := b.post("/magasins/1/ventes", url.Values{
		"ligne": {"3:2", "4:1"}, "methode": {"carte"}, "cle": {"e5e5e5e5-0000-4000-8000-000000000005"},
	})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	var sent map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.body("POST /saga/vente")), &sent))
	require.Equal(t, map[string]any{"magasin_id": 1.0, "methode": "carte", "produits": []any{
		map[string]any{"produit_id": 3.0, "quantite": 2.0}, map[string]any{"produit_id": 4.0, "quantite": 1.0}}}, sent)

	code, body := b.get(rec.Header().Get("Location"))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `<section id="saga-resultat" data-statut="CONFIRMEE"`)
	etapes := []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}
	last := 0
	for _, e := range etapes {
		i := strings.Index(body, `data-etat="`+e+`"`)
		require.Greater(t, i, last, "the steps are shown in order: %s", e)
		last = i
	}
	require.Contains(t, body, "Opération confirmée — total 25,00\u00a0$.")
}

// checkoutForm is the checkout form as the cart page rendered it: its one-time key.
func checkoutForm(t *testing.T, b *browser) url.Values {
	t.Helper()
	code, body := b.get("/boutique")
	require.Equal(t, http.StatusOK, code)
	m := regexp.MustCompile(`<form method="post" action="/boutique/commander"><input type="hidden" name="cle" value="([0-9a-f-]{36})">`).FindStringSubmatch(body)
	require.NotNil(t, m, "the checkout form carries a one-time key")
	return url.Values{"cle": {m[1]}}
}

func TestCheckout_RefusedPaymentShowsTheMotif(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "alice@example.com")
	rec := b.post("/boutique/commander", checkoutForm(t, b))
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.JSONEq(t, `{"client_id":2}`, f.body("POST /commande"))
	code, body := b.get(rec.Header().Get("Location"))
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, `data-statut="ANNULEE"`)
	require.Contains(t, body, "Opération annulée : paiement refusé: limite dépassée")
	require.Contains(t, body, `data-etat="STOCK_RESERVE"`)
	requireNoJSON(t, body)

	// An empty cart is a problem, not a saga: its detail is shown.
	f.set("POST /commande", http.StatusUnprocessableEntity, `{"title":"Unprocessable Entity","status":422,"detail":"le panier est vide","errors":[{"location":"body.client_id","message":"panier vide","value":2}]}`)
	rec = b.post("/boutique/commander", checkoutForm(t, b))
	_, body = b.get(rec.Header().Get("Location"))
	require.Contains(t, body, "Données refusées : le panier est vide — client id : panier vide (valeur : 2).")
	require.NotContains(t, body, "saga-resultat")
}

// The return form posts the quantities typed, never an order number: the
// order is in the address (caisse_test.go tests the form's bounds).
func TestReturn_PostsTheLinesOfTheReturnForm(t *testing.T) {
	f, e := setup(t)
	f.set("GET /commande/c1c1c1c1-0000-4000-8000-000000000001", http.StatusOK, venteMagasin1)
	f.set("POST /saga/retour", http.StatusCreated, strings.Replace(sagaConfirmee, `"type":"vente"`, `"type":"retour"`, 1))
	b := e.as(t, "caissier1")
	rec := b.post("/magasins/1/ventes/c1c1c1c1-0000-4000-8000-000000000001/retour", url.Values{"rendre-3": {"1"}, "cle": {"e5e5e5e5-0000-4000-8000-000000000005"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.JSONEq(t, `{"commande_id":"c1c1c1c1-0000-4000-8000-000000000001","lignes":[{"produit_id":3,"quantite":1}]}`, f.body("POST /saga/retour"))
	_, body := b.get(rec.Header().Get("Location"))
	require.Contains(t, body, `data-statut="CONFIRMEE"`)
}

// Amounts read as fr-CA writes them: thousands grouped by a narrow no-break
// space, a decimal comma, a no-break space before the dollar sign.
func TestArgent_FrCA(t *testing.T) {
	for cents, want := range map[kit.Cents]string{
		0:            "0,00\u00a0$",
		5:            "0,05\u00a0$",
		99999:        "999,99\u00a0$",
		100000:       "1\u202f000,00\u00a0$",
		15047824:     "150\u202f478,24\u00a0$",
		123456789012: "1\u202f234\u202f567\u202f890,12\u00a0$",
		-15047824:    "-150\u202f478,24\u00a0$",
		-100:         "-1,00\u00a0$",
	} {
		require.Equal(t, want, argent(cents), "argent(%d)", int64(cents))
	}
}

// A value the service refused for holding a control character is not sent
// back into the page as it was.
func TestMessage_ShowsARefusedControlCharacterReadably(t *testing.T) {
	err := &kit.ProblemError{Status: http.StatusUnprocessableEntity, Problem: huma.ErrorModel{Detail: "validation failed",
		Errors: []*huma.ErrorDetail{{Location: "body.motif", Message: "must not contain the NUL character", Value: "a\x00b"}}}}
	require.Equal(t, "Données refusées : validation failed — motif : must not contain the NUL character (valeur : a\uFFFDb).", message(err))
}
