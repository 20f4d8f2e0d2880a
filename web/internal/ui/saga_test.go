package ui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A saga still running: paid, confirmation pending (the orchestrator's 202).
const (
	sagaEnCoursID = "33333333-3333-4333-8333-333333333333"
	sagaEnCours   = `{"saga_id":"` + sagaEnCoursID + `","type":"commande","commande_id":"c3c3c3c3-0000-4000-8000-000000000003","statut":"PAYEE","motif":"participant indisponible à l'étape confirmer","total":25.00,"termine":false,
"etapes":[{"etat":"CREEE","at":"2026-01-02T15:04:05Z"},{"etat":"STOCK_VERIFIE","at":"2026-01-02T15:04:05Z"},{"etat":"STOCK_RESERVE","at":"2026-01-02T15:04:05Z"},{"etat":"PAYEE","at":"2026-01-02T15:04:06Z"}]}`
	refresh2 = `<meta http-equiv="refresh" content="2">`
)

// The checkout form carries a one-time key made with the cart page, and the
// checkout sends it as the Idempotency-Key: the same form sent twice is the
// same saga at the orchestrator, never a second order.
func TestCheckout_SendsTheFormsOneTimeKey(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "alice@example.com")
	form := checkoutForm(t, b)
	require.NotEqual(t, form.Get("cle"), checkoutForm(t, b).Get("cle"), "one key per rendering of the cart")

	for range 2 { // a double submit, or a retry after a lost answer
		rec := b.post("/boutique/commander", form)
		require.Equal(t, http.StatusSeeOther, rec.Code)
		key, _ := f.sent("POST /commande")
		require.Equal(t, form.Get("cle"), key)
	}

	// A form without its key (not this app's, or forged) buys nothing.
	f.mu.Lock()
	delete(f.bodies, "POST /commande")
	f.mu.Unlock()
	for _, bad := range []url.Values{nil, {"cle": {"pas-une-cle"}}} {
		rec := b.post("/boutique/commander", bad)
		require.Equal(t, http.StatusSeeOther, rec.Code)
		_, called := f.called("POST /commande")
		require.False(t, called)
		_, body := b.get(rec.Header().Get("Location"))
		require.Contains(t, body, "Ce formulaire de commande a expiré ; rien n&#39;a été commandé.")
	}
}

// A checkout the orchestrator accepted but has not finished (202) is shown
// as running, and its page reloads itself (no script: the CSP forbids it)
// until the saga is over.
func TestCheckout_Accepted_ShowsEnCoursAndRefreshesUntilFinal(t *testing.T) {
	f, e := setup(t)
	f.set("POST /commande", http.StatusAccepted, sagaEnCours, "Location", "/saga/"+sagaEnCoursID, "Retry-After", "2")
	f.set("GET /saga/"+sagaEnCoursID, http.StatusOK, sagaEnCours)
	b := e.as(t, "alice@example.com")
	form := checkoutForm(t, b)
	rec := b.post("/boutique/commander", form)
	require.Equal(t, http.StatusSeeOther, rec.Code, "a 202 is an answer, not an error")
	page := rec.Header().Get("Location")
	require.True(t, strings.HasPrefix(page, "/boutique?saga="+sagaEnCoursID), page)

	code, body := b.get(page)
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, refresh2)
	require.Contains(t, body, `data-termine="false"`)
	require.Contains(t, body, "Résultat : en cours")
	require.Contains(t, body, "Opération en cours")
	require.NotContains(t, body, `class="erreur"`)
	requireNoJSON(t, body)

	// Meanwhile the checkout form keeps that checkout's key: pressing
	// Commander again is the same saga, not a second purchase.
	f.set("GET /saga/"+sagaEnCoursID, http.StatusOK, strings.Replace(sagaEnCours, `"termine":false`,
		`"termine":false,"cle_idempotence":"`+form.Get("cle")+`"`, 1))
	_, body = b.get(page)
	require.Contains(t, body, `name="cle" value="`+form.Get("cle")+`"`)

	// Recovery finished it: the same page shows the outcome and stops reloading.
	f.set("GET /saga/"+sagaEnCoursID, http.StatusOK, strings.NewReplacer(`"statut":"PAYEE"`, `"statut":"CONFIRMEE"`,
		`"termine":false`, `"termine":true`, `"motif":"participant indisponible à l'étape confirmer"`, `"motif":""`).Replace(sagaEnCours))
	_, body = b.get(page)
	require.NotContains(t, body, `http-equiv="refresh"`)
	require.Contains(t, body, `data-termine="true"`)
	require.Contains(t, body, "Opération confirmée")
	require.NotContains(t, body, `name="cle" value="`+form.Get("cle")+`"`, "over: a new checkout gets a new key")

	// À vérifier: head office must look; the page reloads rarely.
	f.set("GET /saga/"+sagaEnCoursID, http.StatusOK, strings.Replace(sagaEnCours, `"termine":false`, `"termine":false,"a_verifier":true`, 1))
	_, body = b.get(page)
	require.Contains(t, body, `<meta http-equiv="refresh" content="30">`)
	require.Contains(t, body, "en cours de vérification par la maison mère")
}

// The same for a counter sale: the till's page follows the sale until it is over.
func TestCounterSale_Accepted_RefreshesTheStorePage(t *testing.T) {
	f, e := setup(t)
	vente := strings.Replace(sagaEnCours, `"type":"commande"`, `"type":"vente"`, 1)
	f.set("POST /saga/vente", http.StatusAccepted, vente, "Location", "/saga/"+sagaEnCoursID, "Retry-After", "2")
	f.set("GET /saga/"+sagaEnCoursID, http.StatusOK, vente)
	b := e.as(t, "caissier1")
	rec := b.post("/magasins/1/ventes", url.Values{"ligne": {"3:1"}, "methode": {"carte"}, "cle": {"e5e5e5e5-0000-4000-8000-000000000005"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	_, body := b.get(rec.Header().Get("Location"))
	require.Contains(t, body, refresh2)
	require.Contains(t, body, `data-termine="false"`)

	// Pages that show no running saga never reload themselves.
	_, body = b.get("/magasins/1")
	require.NotContains(t, body, `http-equiv="refresh"`)
	_, body = b.get("/magasins/1?saga=11111111-1111-4111-8111-111111111111")
	require.NotContains(t, body, `http-equiv="refresh"`)
}

// Head office's list of the sagas the orchestrator's recovery cannot move.
func TestSagasAVerifier_HeadOfficeSeesWhereAndWhy(t *testing.T) {
	f, e := setup(t)
	f.set("GET /sagas", http.StatusOK, `{"items":[{"saga_id":"44444444-4444-4444-8444-444444444444","type":"retour",
"commande_id":"c1c1c1c1-0000-4000-8000-000000000001","statut":"RESTOCKE","motif":"","total":25.00,"termine":false,"etapes":[],
"reponse_http":202,"phase":"en_cours","etape_atteinte":"rembourser","etape_en_attente":"rembourser","a_verifier":true,
"a_verifier_depuis":"2026-01-02T15:04:05Z","reprises":12,"derniere_erreur":"action rembourser (1 tentative): status 409: more than paid",
"prochaine_reprise":"2026-01-02T15:09:05Z","cle_idempotence":null,"cree_le":"2026-01-02T15:00:00Z","modifie_le":"2026-01-02T15:04:05Z"}],
"total":1,"limit":200,"offset":0}`)
	b := e.as(t, "maison-mere")
	_, body := b.get("/maison-mere")
	require.Contains(t, body, `href="/maison-mere/sagas"`)

	code, body := b.get("/maison-mere/sagas")
	require.Equal(t, http.StatusOK, code)
	_, query := f.sent("GET /sagas")
	require.Contains(t, query, "a_verifier=true")
	for _, want := range []string{`data-saga-id="44444444-4444-4444-8444-444444444444"`, "1 opération à vérifier", "retour", "RESTOCKE",
		"rembourser", "en_cours", "12", "status 409: more than paid", "2026-01-02 10:04", "c1c1c1c1-0000-4000-8000-000000000001"} {
		require.Contains(t, body, want)
	}
	require.NotContains(t, body, `class="erreur"`)
	requireNoJSON(t, body)

	f.set("GET /sagas", http.StatusOK, `{"items":[],"total":0,"limit":200,"offset":0}`)
	_, body = b.get("/maison-mere/sagas")
	require.Contains(t, body, "Aucune opération à vérifier.")
}
