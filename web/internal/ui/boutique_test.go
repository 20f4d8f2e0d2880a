package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/kittest"
	"multimagasins/web/internal/vignette"
)

const (
	commandeID    = "c1c1c1c1-0000-4000-8000-000000000001"
	commandeAlice = `{"id":"` + commandeID + `","client_id":2,"canal":"en_ligne","statut":"CONFIRMEE","total":25.00,"total_retourne":12.50,
"lignes":[{"produit_id":3,"quantite":2,"prix_unitaire":12.50,"sous_total":25.00,"quantite_retournee":1}],
"historique":[{"statut":"CREEE","motif":"","at":"2026-01-02T15:04:05Z"},{"statut":"STOCK_VERIFIE","motif":"","at":"2026-01-02T15:04:05Z"},
{"statut":"STOCK_RESERVE","motif":"","at":"2026-01-02T15:04:05Z"},{"statut":"PAYEE","motif":"","at":"2026-01-02T15:04:06Z"},{"statut":"CONFIRMEE","motif":"","at":"2026-01-02T15:04:07Z"}],
"retours":[{"id":"d1d1d1d1-0000-4000-8000-000000000001","commande_id":"` + commandeID + `","lignes":[{"produit_id":3,"quantite":1,"prix_unitaire":12.50,"montant":12.50}],"montant":12.50,"at":"2026-01-03T10:00:00Z"}],
"cree_le":"2026-01-02T15:04:05Z","modifie_le":"2026-01-03T10:00:00Z"}`
	paiementAlice = `{"items":[{"id":"e1e1e1e1-0000-4000-8000-000000000001","commande_id":"` + commandeID + `","client_id":2,"montant":25.00,"methode":"carte","statut":"partiellement_rembourse","motif":"","rembourse":12.50,
"remboursements":[{"id":"f1f1f1f1-0000-4000-8000-000000000001","paiement_id":"e1e1e1e1-0000-4000-8000-000000000001","montant":12.50,"motif":"retour","at":"2026-01-03T10:00:01Z"}],"cle":"k","cree_le":"2026-01-02T15:04:06Z"}],"total":1,"limit":10,"offset":0}`
)

func TestPaginer_LinksThePagesBeside(t *testing.T) {
	const base = "/boutique/commandes"
	for _, c := range []struct {
		page  int
		total int64
		want  pagination
	}{
		{1, 0, pagination{Page: 1, Pages: 1}},
		{1, 20, pagination{Page: 1, Pages: 1, Total: 20}},
		{1, 21, pagination{Page: 1, Pages: 2, Total: 21, Suivante: base + "?page=2"}},
		{2, 45, pagination{Page: 2, Pages: 3, Total: 45, Precedente: base, Suivante: base + "?page=3"}},
		{3, 45, pagination{Page: 3, Pages: 3, Total: 45, Precedente: base + "?page=2"}},
		// An old link past the end goes back to the last page.
		{9, 45, pagination{Page: 9, Pages: 3, Total: 45, Precedente: base + "?page=3"}},
	} {
		require.Equal(t, c.want, paginer(base, c.page, 20, c.total), "page %d of %d rows", c.page, c.total)
	}
}

func TestPageDemandee_AnythingButAPageNumberIsTheFirst(t *testing.T) {
	for q, want := range map[string]int{"": 1, "?page=abc": 1, "?page=-2": 1, "?page=0": 1, "?page=3": 3, "?page=99999999": 50001} {
		require.Equal(t, want, pageDemandee(httptest.NewRequest(http.MethodGet, "/boutique/commandes"+q, nil), 20), q)
	}
}

func etats(es []etapeFrise) []string {
	var out []string
	for _, e := range es {
		s := string(e.Statut) + ":" + e.Etat
		if e.Courante {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

func TestFrise_DoneCurrentAndAhead(t *testing.T) {
	at := time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC)
	etapes := func(ss ...sagaapi.Statut) []sagaapi.Etat {
		var out []sagaapi.Etat
		for _, s := range ss {
			out = append(out, sagaapi.Etat{Etat: s, At: at})
		}
		return out
	}
	// Running: the next step is in progress, the rest ahead.
	enCours := &sagaapi.Saga{Reponse: sagaapi.Reponse{Statut: sagaapi.StockVerifie, Motif: "participant indisponible",
		Etapes: etapes(sagaapi.Creee, sagaapi.StockVerifie)}}
	f := friseSaga(enCours)
	require.Equal(t, []string{"CREEE:faite", "STOCK_VERIFIE:faite", "STOCK_RESERVE:en-cours*", "PAYEE:a-venir", "CONFIRMEE:a-venir"}, etats(f))
	require.Empty(t, f[1].Motif, "a running saga's reason to wait is no cancellation")
	require.Equal(t, "2026-01-02 10:04:05", f[0].Quand(), "Montréal time, to the second")
	require.True(t, f[3].At.IsZero())

	// Confirmed: every step done, the last one current.
	ok := &sagaapi.Saga{Reponse: sagaapi.Reponse{Statut: sagaapi.Confirmee, Termine: true,
		Etapes: etapes(sagaapi.Creee, sagaapi.StockVerifie, sagaapi.StockReserve, sagaapi.Payee, sagaapi.Confirmee)}}
	require.Equal(t, []string{"CREEE:faite", "STOCK_VERIFIE:faite", "STOCK_RESERVE:faite", "PAYEE:faite", "CONFIRMEE:faite*"}, etats(friseSaga(ok)))

	// Cancelled: ends at ANNULEE with the reason; the steps never reached are left out.
	ko := &sagaapi.Saga{Reponse: sagaapi.Reponse{Statut: sagaapi.Annulee, Termine: true, Motif: "paiement refusé",
		Etapes: etapes(sagaapi.Creee, sagaapi.StockVerifie, sagaapi.StockReserve, sagaapi.Annulee)}}
	f = friseSaga(ko)
	require.Equal(t, []string{"CREEE:faite", "STOCK_VERIFIE:faite", "STOCK_RESERVE:faite", "ANNULEE:annulee*"}, etats(f))
	require.Equal(t, "paiement refusé", f[3].Motif)
	require.Equal(t, "Commande annulée", f[3].Libelle)

	// A recorded order's history, not over yet.
	c := commandeapi.Commande{Statut: commandeapi.Payee, Historique: []commandeapi.Evenement{{Statut: commandeapi.Creee, At: at}, {Statut: commandeapi.Payee, At: at}}}
	require.Equal(t, []string{"CREEE:faite", "PAYEE:faite", "STOCK_VERIFIE:en-cours*", "STOCK_RESERVE:a-venir", "CONFIRMEE:a-venir"}, etats(friseCommande(c)))
}

func TestBoutique_ShowsProductCardsWithTheirPictures(t *testing.T) {
	_, e := setup(t)
	code, body := e.anonymous(t).get("/boutique")
	require.Equal(t, http.StatusOK, code)
	img := `<img src="/boutique/images/3.svg?v=` + vignette.Version("Café moulu", "épicerie") + `" alt="" width="320" height="200">`
	for _, s := range []string{`<article class="carte" id="produit-3" data-produit-id="3"`, img, `<h3 id="produit-3-nom">Café moulu</h3>`, "12,50\u00a0$", "500 g"} {
		require.Contains(t, body, s)
	}
	require.NotContains(t, body, "Ajouter au panier", "an anonymous visitor has no cart")
	require.NotContains(t, body, `id="badge-panier"`)

	code, body = e.as(t, "alice@example.com").get("/boutique")
	require.Equal(t, http.StatusOK, code)
	for _, s := range []string{`<label for="ajout-quantite-3">Quantité</label>`, `id="ajouter-3"`,
		// The cart names its lines, and the header counts its items.
		`<tr data-produit-id="3"><td>Café moulu</td>`, `id="badge-panier-articles">2</span>`,
		// The latest orders link to their pages and to the full list.
		`<a href="/boutique/commandes/` + commandeID + `">`, `href="/boutique/commandes" id="toutes-commandes"`} {
		require.Contains(t, body, s)
	}
	_, q := e.f.sent("GET /commandes")
	require.Contains(t, q, "limit=5")
}

// The cart badge is a client's only: a staff page neither shows one nor
// asks the cart service.
func TestBadge_OnlyForAClient(t *testing.T) {
	f, e := setup(t)
	_, body := e.as(t, "alice@example.com").get("/")
	require.Contains(t, body, `<a href="/boutique#panier" id="badge-panier" class="badge-panier">Panier <span class="pastille" id="badge-panier-articles">2</span><span class="visuellement-cache"> articles</span></a>`)

	f.mu.Lock()
	clear(f.bodies)
	f.mu.Unlock()
	for _, who := range []string{"caissier1", "maison-mere", "logistique"} {
		_, body = e.as(t, who).get("/")
		require.NotContains(t, body, "badge-panier", who)
	}
	_, body = e.anonymous(t).get("/boutique")
	require.NotContains(t, body, "badge-panier")
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.bodies {
		require.False(t, strings.HasPrefix(k, "GET /panier"), "no cart call for staff or visitors: %s", k)
	}
}

func TestImageProduit_IsACacheableEscapedSVG(t *testing.T) {
	f, e := setup(t)
	b := e.anonymous(t)
	rec := b.do(http.MethodGet, "/boutique/images/3.svg", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "image/svg+xml", rec.Header().Get("Content-Type"))
	requireSecurityHeaders(t, rec.Header(), "image")
	version := vignette.Version("Café moulu", "épicerie")
	require.Equal(t, `"`+version+`"`, rec.Header().Get("ETag"))
	require.Equal(t, cacheImage, rec.Header().Get("Cache-Control"))
	require.Equal(t, string(vignette.SVG("Café moulu", "épicerie")), rec.Body.String())

	// Linked with its version, as the pages do: the address names its bytes.
	rec = b.do(http.MethodGet, "/boutique/images/3.svg?v="+version, nil)
	require.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"))
	// The browser's copy is still good.
	rec = b.do(http.MethodGet, "/boutique/images/3.svg", nil, "If-None-Match", `"`+version+`"`)
	require.Equal(t, http.StatusNotModified, rec.Code)
	require.Empty(t, rec.Body.String())

	// A name from head office is text in the picture, never markup.
	f.set("GET /produits/5", http.StatusOK, `{"id":5,"nom":"<script>alert(1)</script> & \"co\"","categorie":"Jouets","prix":1,"actif":true}`)
	rec = b.do(http.MethodGet, "/boutique/images/5.svg", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	require.NotContains(t, rec.Body.String(), "<script")
	require.Contains(t, rec.Body.String(), "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;co&#34;")

	// A signed-in client's picture is the same, read without its session.
	rec = e.as(t, "alice@example.com").do(http.MethodGet, "/boutique/images/3.svg", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	require.Empty(t, rec.Result().Cookies(), "no session is read, so none is refreshed")
	auth, _ := f.called("GET /produits/3")
	require.Empty(t, auth, "the catalogue is read anonymously")

	for _, path := range []string{"/boutique/images/99.svg", "/boutique/images/abc.svg", "/boutique/images/0.svg", "/boutique/images/3.png"} {
		require.Equal(t, http.StatusNotFound, b.do(http.MethodGet, path, nil).Code, path)
	}
}

func TestCommandes_TwentyAPageWithLinks(t *testing.T) {
	f, e := setup(t)
	var items []string
	for i := range 20 {
		items = append(items, fmt.Sprintf(`{"id":"c1c1c1c1-0000-4000-8000-%012d","client_id":2,"canal":"en_ligne","statut":"CONFIRMEE","total":25.00,"lignes":[{"produit_id":3,"quantite":2}],"cree_le":"2026-01-02T15:04:05Z"}`, i))
	}
	f.set("GET /commandes", http.StatusOK, `{"items":[`+strings.Join(items, ",")+`],"total":45,"limit":20,"offset":20}`)
	b := e.as(t, "alice@example.com")
	code, body := b.get("/boutique/commandes?page=2")
	require.Equal(t, http.StatusOK, code)
	_, q := f.sent("GET /commandes")
	require.Equal(t, "client_id=2&limit=20&offset=20", q, "the client's own orders only, the second page")
	require.Equal(t, 20, strings.Count(body, `<tr data-commande-id=`))
	for _, s := range []string{`<a href="/boutique/commandes" rel="prev" id="page-precedente">`, `<a href="/boutique/commandes?page=3" rel="next" id="page-suivante">`,
		"Page 2 sur 3", "45 commandes", `<a href="/boutique/commandes/c1c1c1c1-0000-4000-8000-000000000000">Commande du`, "Confirmée", "25,00\u00a0$"} {
		require.Contains(t, body, s)
	}
	requireNoJSON(t, body)
}

func TestCommande_ShowsItsLinesHistoryPaymentAndReturns(t *testing.T) {
	f, e := setup(t)
	f.set("GET /commande/"+commandeID, http.StatusOK, commandeAlice)
	f.set("GET /paiements", http.StatusOK, paiementAlice)
	b := e.as(t, "alice@example.com")
	code, body := b.get("/boutique/commandes/" + commandeID)
	require.Equal(t, http.StatusOK, code)
	_, q := f.sent("GET /paiements")
	require.Contains(t, q, "client_id=2", "the payment is read under the client's own id")
	require.Contains(t, q, "commande_id="+commandeID)
	for _, s := range []string{
		"Commande du 2026-01-02 10:04", `<td class="produit"><img src="/boutique/images/3.svg?v=`, "Café moulu", "12,50\u00a0$", "25,00\u00a0$",
		`<li data-etat="CREEE" data-avancement="faite">`, `<li data-etat="CONFIRMEE" data-avancement="faite" aria-current="step">`, "Paiement accepté", "2026-01-02 10:04:06",
		"Remboursé en partie", "Carte", "Retour du", "retour", `<strong id="total-retourne">12,50`} {
		require.Contains(t, body, s)
	}
	require.NotContains(t, body, `class="erreur"`)
	requireNoJSON(t, body)

	// Payment out of reach: the page says what the order's history knows.
	f.set("GET /paiements", http.StatusServiceUnavailable, `{"title":"Service Unavailable","status":503,"detail":"base indisponible"}`)
	_, body = b.get("/boutique/commandes/" + commandeID)
	require.Contains(t, body, "D'après le suivi de la commande, le paiement a été accepté.")
}

// Another client's order is a 404, as one that does not exist: the page
// does not tell an order's existence to whoever it is not.
func TestCommande_AnotherClientsIsNotFound(t *testing.T) {
	f, e := setup(t)
	e.id.mu.Lock()
	e.id.accounts["bob@example.com"] = kittest.Client(9)
	e.id.mu.Unlock()
	f.set("GET /commande/"+commandeID, http.StatusOK, commandeAlice)
	f.set("GET /paiements", http.StatusOK, `{"items":[],"total":0,"limit":10,"offset":0}`)
	bob := e.as(t, "bob@example.com")

	rec := bob.do(http.MethodGet, "/boutique/commandes/"+commandeID, nil)
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.NotContains(t, rec.Body.String(), "Café moulu")
	require.NotContains(t, rec.Body.String(), "25,00")
	absent := bob.do(http.MethodGet, "/boutique/commandes/c9c9c9c9-0000-4000-8000-000000000009", nil)
	require.Equal(t, http.StatusNotFound, absent.Code)
	require.Equal(t, pageSansRequete(absent.Body.String()), pageSansRequete(rec.Body.String()), "not yours and does not exist read the same")

	// commande itself refuses another client's order: still a 404.
	f.set("GET /commande/"+commandeID, http.StatusForbidden, `{"title":"Forbidden","status":403,"detail":"this token does not act for that client or store"}`)
	rec = bob.do(http.MethodGet, "/boutique/commandes/"+commandeID, nil)
	require.Equal(t, http.StatusNotFound, rec.Code)
	require.Equal(t, http.StatusNotFound, bob.do(http.MethodGet, "/boutique/commandes/pas-un-uuid", nil).Code)
}

// pageSansRequete is a page without its request id, which differs on every answer.
func pageSansRequete(body string) string {
	i := strings.Index(body, `<code id="request-id">`)
	if i < 0 {
		return body
	}
	return body[:i]
}
