package ui

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/api/stockapi"
)

// pending is a pending request as stock now answers it: names included.
func pending(id, magasin, produit, quantite string, noms ...string) string {
	return `{"id":` + id + `,"magasin_id":` + magasin + `,"magasin_nom":"` + noms[1] + `","produit_id":` + produit +
		`,"produit_nom":"` + noms[0] + `","quantite":` + quantite + `,"statut":"en_attente","origine":"magasin","motif":"vitrine vide",` +
		`"motif_refus":"","cree_le":"2026-01-02T15:04:05Z","modifie_le":"2026-01-02T15:04:05Z"}`
}

// follow reads the page a form redirected to, as the browser would.
func follow(t *testing.T, b *browser, rec interface{ Header() http.Header }) string {
	t.Helper()
	code, body := b.get(rec.Header().Get("Location"))
	require.Equal(t, http.StatusOK, code)
	requireNoJSON(t, body)
	return html.UnescapeString(body)
}

func TestLogistique_EachRequestShowsNamesTheCentresStockAndTheStoresLevel(t *testing.T) {
	f, e := setup(t)
	f.set("GET /demandes", http.StatusOK, `{"items":[`+pending("7", "1", "3", "10", "Café moulu", "Plateau")+`,`+
		pending("8", "2", "4", "500", "Thé vert", "Rosemont")+`],"total":2,"limit":200,"offset":0}`)
	f.set("GET /logistique/stock", http.StatusOK, `{"items":[
{"produit_id":3,"nom":"Café moulu","categorie":"épicerie","quantite":40,"reserve":2,"disponible":38,"seuil":20},
{"produit_id":4,"nom":"Thé vert","categorie":"épicerie","quantite":120,"reserve":0,"disponible":120,"seuil":20}],"total":2,"limit":500,"offset":0}`)
	f.set("GET /magasins/1/stock", http.StatusOK, `{"items":[{"produit_id":3,"nom":"Café moulu","categorie":"épicerie","quantite":3,"reserve":0,"disponible":3,"seuil":10}],"total":1,"limit":500,"offset":0}`)
	f.set("GET /magasins/2/stock", http.StatusOK, `{"items":[{"produit_id":4,"nom":"Thé vert","categorie":"épicerie","quantite":30,"reserve":0,"disponible":30,"seuil":20}],"total":1,"limit":500,"offset":0}`)
	f.set("GET /magasins", http.StatusOK, `{"items":[{"id":1,"nom":"Plateau","adresse":""},{"id":2,"nom":"Rosemont","adresse":""}],"total":2,"limit":50,"offset":0}`)

	code, body := e.as(t, "logistique").get("/logistique")
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, body, `class="erreur"`)
	body = html.UnescapeString(body)
	row := func(id string) string {
		i := strings.Index(body, `data-demande-id="`+id+`"`)
		require.GreaterOrEqual(t, i, 0, "request %s is listed", id)
		j := strings.Index(body[i:], "</tr>")
		return body[i : i+j]
	}
	seven := row("7")
	for _, want := range []string{"Café moulu", "n° 3", "Plateau", "38 disponibles", "peut livrer", "3 / seuil 10", "sous le seuil",
		`class="logi-sous-seuil"`, `<label for="choix-7">`, `form="approbation-groupee"`, `<label for="motif-7">Motif du refus</label>`, "required"} {
		require.Contains(t, seven, want)
	}
	eight := row("8")
	for _, want := range []string{"Thé vert", "Rosemont", "120 disponibles", "manque 380", "30 / seuil 20"} {
		require.Contains(t, eight, want)
	}
	require.NotContains(t, eight, "sous le seuil")
	require.Contains(t, body, `id="approuver-selection"`)
	// The transfers name the location and the product (the fake's row is the centre's side).
	require.Contains(t, body, "Centre logistique — sortie")
	for _, call := range []string{"GET /magasins/1/stock", "GET /magasins/2/stock"} {
		_, called := f.called(call)
		require.True(t, called, "%s: the asking stores' stock is read", call)
	}
	_, q := f.sent("GET /demandes")
	require.Contains(t, q, "statut=en_attente")
}

func TestApprouverSelection_SaysWhichWereApprovedAndWhyOthersWereNot(t *testing.T) {
	f, e := setup(t)
	f.set("POST /demandes/7/approuver", http.StatusOK, strings.Replace(pending("7", "1", "3", "10", "Café moulu", "Plateau"), "en_attente", "livree", 1))
	f.set("POST /demandes/8/approuver", http.StatusConflict,
		`{"title":"Conflict","status":409,"detail":"only 2 available at the centre","errors":[{"location":"path.id","message":"only 2","value":2}]}`)
	f.set("GET /demandes/8", http.StatusOK, pending("8", "2", "4", "5", "Thé vert", "Rosemont"))
	f.set("POST /demandes/9/approuver", http.StatusConflict,
		`{"title":"Conflict","status":409,"detail":"supply request already decided","errors":[{"location":"path.id","message":"decided","value":9}]}`)
	f.set("GET /demandes/9", http.StatusOK, strings.Replace(pending("9", "3", "5", "1", "Cafetière", "Vieux-Port"), "en_attente", "refusee", 1))

	b := e.as(t, "logistique")
	rec := b.post("/logistique/demandes/approuver", url.Values{"demande": {"7", "8", "9", "7"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.True(t, strings.HasPrefix(rec.Header().Get("Location"), "/logistique?"), rec.Header().Get("Location"))
	require.True(t, strings.HasSuffix(rec.Header().Get("Location"), "#demandes"))
	body := follow(t, b, rec)
	require.Contains(t, body, `<p role="alert" class="ok">1 demande approuvée et livrée : n° 7 (Café moulu pour Plateau).</p>`)
	require.Contains(t, body, `<p role="alert" class="erreur">2 demandes non approuvées : `+
		`n° 8 (Thé vert pour Rosemont) : stock insuffisant au centre logistique : disponible 2 ; `+
		`n° 9 (Cafetière pour Vieux-Port) : déjà refusée.</p>`)
	// Each request is approved with the person's own token.
	for _, call := range []string{"POST /demandes/7/approuver", "POST /demandes/8/approuver", "POST /demandes/9/approuver"} {
		auth, called := f.called(call)
		require.True(t, called, call)
		require.True(t, strings.HasPrefix(auth, "Bearer "), call)
	}
}

func TestApprouverSelection_AllApprovedOrNoneTicked(t *testing.T) {
	f, e := setup(t)
	f.set("POST /demandes/7/approuver", http.StatusOK, pending("7", "1", "3", "10", "Café moulu", "Plateau"))
	f.set("POST /demandes/8/approuver", http.StatusOK, pending("8", "2", "4", "5", "Thé vert", "Rosemont"))
	b := e.as(t, "logistique")
	body := follow(t, b, b.post("/logistique/demandes/approuver", url.Values{"demande": {"7", "8"}}))
	require.Contains(t, body, "2 demandes approuvées et livrées : n° 7 (Café moulu pour Plateau), n° 8 (Thé vert pour Rosemont).")
	require.NotContains(t, body, `class="erreur"`)

	body = follow(t, b, b.post("/logistique/demandes/approuver", nil))
	require.Contains(t, body, "Cochez au moins une demande à approuver.")
	body = follow(t, b, b.post("/logistique/demandes/approuver", url.Values{"demande": {"sept"}}))
	require.Contains(t, body, "« demande » doit être un nombre entier")
}

func TestRefuser_ABlankReasonIsRefusedBeforeAnyCall(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "logistique")
	for _, motif := range []url.Values{nil, {"motif": {""}}, {"motif": {"  \t "}}} {
		body := follow(t, b, b.post("/logistique/demandes/7/refuser", motif))
		require.Contains(t, body, "Le champ « Motif du refus » est obligatoire pour la demande n° 7")
		_, called := f.called("POST /demandes/7/refuser")
		require.False(t, called, "no call to stock without a reason")
	}

	f.set("POST /demandes/7/refuser", http.StatusOK, strings.Replace(pending("7", "1", "3", "10", "Café moulu", "Plateau"), "en_attente", "refusee", 1))
	body := follow(t, b, b.post("/logistique/demandes/7/refuser", url.Values{"motif": {"  budget épuisé "}}))
	require.Contains(t, body, "Demande n° 7 (Café moulu pour Plateau) refusée : budget épuisé.")
	require.Equal(t, `{"motif":"budget épuisé"}`, f.body("POST /demandes/7/refuser"), "the reason is sent trimmed")
}

func TestApprouver_OneRequestAlreadyDecidedSaysSo(t *testing.T) {
	f, e := setup(t)
	f.set("POST /demandes/9/approuver", http.StatusConflict,
		`{"title":"Conflict","status":409,"detail":"supply request already decided","errors":[{"location":"path.id","message":"decided","value":9}]}`)
	f.set("GET /demandes/9", http.StatusOK, strings.Replace(pending("9", "3", "5", "1", "Cafetière", "Vieux-Port"), "en_attente", "livree", 1))
	b := e.as(t, "logistique")
	body := follow(t, b, b.post("/logistique/demandes/9/approuver", nil))
	require.Contains(t, body, "Demande n° 9 (Cafetière pour Vieux-Port) non approuvée : déjà livrée.")
	require.NotContains(t, body, "Stock insuffisant", "the request's id is not the centre's stock")
}

func TestBilan_NamesEachRequestOnce(t *testing.T) {
	ok, echecs := bilan([]approbation{
		{ID: 1, Demande: stockapi.DemandeAppro{ProduitNom: "Thé", MagasinNom: "Verdun"}},
		{ID: 2, Err: errors.New("connexion refusée")},
		{ID: 3, Err: errors.New("délai dépassé"), Lue: true,
			Demande: stockapi.DemandeAppro{ProduitNom: "Café", MagasinNom: "Plateau", Statut: stockapi.DemandeLivree}},
	})
	require.Equal(t, "1 demande approuvée et livrée : n° 1 (Thé pour Verdun).", ok)
	require.Equal(t, "2 demandes non approuvées : n° 2 : Service indisponible pour le moment ; réessayez dans un instant ; "+
		"n° 3 (Café pour Plateau) : déjà livrée.", echecs)
	ok, echecs = bilan(nil)
	require.Empty(t, ok)
	require.Empty(t, echecs)
}

// Without the centre's stock the page says it does not know, rather than
// that the centre lacks everything.
func TestLogistique_CentreDownIsUnknownNotZero(t *testing.T) {
	f, e := setup(t)
	f.set("GET /demandes", http.StatusOK, `{"items":[`+pending("7", "1", "3", "10", "Café moulu", "Plateau")+`],"total":1,"limit":200,"offset":0}`)
	f.set("GET /logistique/stock", http.StatusServiceUnavailable, `{"title":"Service Unavailable","status":503,"detail":"base indisponible"}`)
	code, body := e.as(t, "logistique").get("/logistique")
	require.Equal(t, http.StatusOK, code)
	body = html.UnescapeString(body)
	require.Contains(t, body, "Service indisponible pour le moment : base indisponible.")
	require.Contains(t, body, "inconnu pour le moment")
	require.NotContains(t, body, "manque")
}
