package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/orchestrator/internal/fakes"
	"multimagasins/orchestrator/migrations"
)

type fixture struct {
	base  string
	fleet *fakes.Fleet
}

// start runs the orchestrator as main does, against fake participants (other
// services, faked over HTTP) and a real database; overrides replace the
// environment's defaults, as name, value pairs.
func start(t testing.TB, overrides ...string) fixture {
	t.Helper()
	fleet := fakes.New(t)
	dbURL := kittest.DB(t, "orchestrator", migrations.FS)
	env := map[string]string{"DATABASE_URL": dbURL, "STEP_TIMEOUT": "250ms",
		"STOCK_URL": fleet.URL, "COMMANDE_URL": fleet.URL, "PAIEMENT_URL": fleet.URL, "PANIER_URL": fleet.URL,
		"CLIENTS_URL": fleet.URL}
	for i := 0; i+1 < len(overrides); i += 2 {
		env[overrides[i]] = overrides[i+1]
	}
	return fixture{base: kittest.Start(t, run, env), fleet: fleet}
}

type reponse struct {
	SagaID     string  `json:"saga_id"`
	Type       string  `json:"type"`
	CommandeID string  `json:"commande_id"`
	Statut     string  `json:"statut"`
	Motif      string  `json:"motif"`
	Total      float64 `json:"total"`
	Termine    bool    `json:"termine"`
	Etapes     []struct {
		Etat string    `json:"etat"`
		At   time.Time `json:"at"`
	} `json:"etapes"`
}

func (r reponse) etats() []string {
	var out []string
	for _, e := range r.Etapes {
		out = append(out, e.Etat)
	}
	return out
}

type journal struct {
	reponse
	Journal []struct {
		N          int             `json:"n"`
		Etape      string          `json:"etape"`
		Sens       string          `json:"sens"`
		Statut     string          `json:"statut"`
		Tentatives int             `json:"tentatives"`
		HTTPStatus *int            `json:"http_status"`
		Reponse    json.RawMessage `json:"reponse"`
		RecueLe    *time.Time      `json:"recue_le"`
	} `json:"journal"`
}

func (f fixture) post(t *testing.T, path string, body any, status int, headers ...string) reponse {
	t.Helper()
	r := kittest.Do(t, "POST", f.base+path, body, headers...)
	require.Equal(t, status, r.Status, string(r.Body))
	var out reponse
	r.JSON(t, &out)
	return out
}

func (f fixture) saga(t *testing.T, id string) journal {
	t.Helper()
	r := kittest.Do(t, "GET", f.base+"/saga/"+id, nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var j journal
	r.JSON(t, &j)
	return j
}

func (j journal) steps() []string {
	var out []string
	for _, e := range j.Journal {
		out = append(out, fmt.Sprintf("%s %s %s", e.Sens, e.Etape, e.Statut))
	}
	return out
}

// client2 is the headers of client 2's token; caissier, of a caissier of magasin.
func client2(t *testing.T) []string { return kittest.As(t, kittest.Client(2)) }

func caissier(t *testing.T, magasin int64) []string { return kittest.As(t, kittest.Caissier(magasin)) }

func produits(lignes ...[2]int) map[string]any {
	var ps []map[string]int
	for _, l := range lignes {
		ps = append(ps, map[string]int{"produit_id": l[0], "quantite": l[1]})
	}
	return map[string]any{"produits": ps}
}

func TestCommande_HappyPathMakesOneCallPerStepAndRecordsEveryState(t *testing.T) {
	f := start(t)
	got := f.post(t, "/saga/commande/", produits([2]int{1, 1}, [2]int{2, 1}), http.StatusCreated)
	require.Equal(t, "CONFIRMEE", got.Statut)
	require.Equal(t, "commande", got.Type)
	require.InDelta(t, 49.98, got.Total, 0.001)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, got.etats())
	require.True(t, got.Termine)

	j := f.saga(t, got.SagaID)
	require.Equal(t, []string{"action reserver_stock reussie", "action payer reussie", "action confirmer reussie",
		"action enregistrer_commande reussie"}, j.steps())
	require.Equal(t, []string{"POST /reservations", "POST /paiements", "POST /reservations/{cle}/confirmation",
		"POST /commandes"}, f.fleet.Routes(), "one call per participant effect")
	for _, e := range j.Journal {
		require.NotNil(t, e.RecueLe)
		require.Equal(t, 1, e.Tentatives)
		require.NotEmpty(t, e.Reponse)
	}
	statut, historique := f.fleet.Commande(uuid.MustParse(got.CommandeID))
	require.Equal(t, "CONFIRMEE", statut)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, historique)
	require.Equal(t, "confirmee", f.fleet.Reservation(got.SagaID+":reserver_stock"))
	require.Len(t, f.fleet.Paiements(), 1)
	for _, c := range f.fleet.Calls() {
		if c.Key != "" {
			require.True(t, strings.HasPrefix(c.Key, got.SagaID+":"), c.Key)
		}
		// main's own service token, from TOKEN_URL by client credentials.
		require.Equal(t, "service:orchestrator", c.Subject, c.Route)
	}
}

func TestCommande_SeedCurlsGiveTheDocumentedOutcomes(t *testing.T) {
	f := start(t)
	for range 2 { // repeating them gives the same outcomes
		require.Equal(t, "CONFIRMEE", f.post(t, "/saga/commande/", produits([2]int{1, 1}, [2]int{2, 1}), 201).Statut)

		short := f.post(t, "/saga/commande/", produits([2]int{2, 999}), http.StatusConflict)
		require.Equal(t, "ANNULEE", short.Statut)
		require.Equal(t, "stock insuffisant", short.Motif)
		require.Equal(t, []string{"CREEE", "ANNULEE"}, short.etats())

		refused := f.post(t, "/saga/commande/", produits([2]int{4, 10}), http.StatusPaymentRequired)
		require.Equal(t, "ANNULEE", refused.Statut)
		require.True(t, strings.HasPrefix(refused.Motif, "paiement refusé: "), refused.Motif)
		require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "ANNULEE"}, refused.etats())
	}
	require.Equal(t, 50, f.fleet.Disponible(6, 4), "the refused sale's stock was released")
}

func TestCommande_PaymentRefusalCompensatesLastInFirstOut(t *testing.T) {
	f := start(t)
	got := f.post(t, "/saga/commande", produits([2]int{4, 10}), http.StatusPaymentRequired)
	require.Equal(t, []string{"POST /reservations", "POST /paiements", "POST /reservations/{cle}/liberation",
		"POST /commandes"}, f.fleet.Routes())
	require.Equal(t, "liberee", f.fleet.Reservation(got.SagaID+":reserver_stock"))
	statut, historique := f.fleet.Commande(uuid.MustParse(got.CommandeID))
	require.Equal(t, "ANNULEE", statut)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "ANNULEE"}, historique)
	require.Equal(t, []string{"action reserver_stock reussie", "action payer echouee", "compensation reserver_stock reussie",
		"action enregistrer_commande reussie"}, f.saga(t, got.SagaID).steps())
}

func TestCommande_OrderIsUnknownUntilTheSagaRecordsIt(t *testing.T) {
	f := start(t)
	var during atomic.Int64
	during.Store(-1)
	// While paiement is being asked, commande holds no order: it never shows
	// a state the saga has not reached.
	f.fleet.Fault("POST /paiements", &fakes.Fault{Hook: func() bool {
		during.Store(int64(f.fleet.Commandes()))
		return false
	}})
	got := f.post(t, "/saga/commande", produits([2]int{1, 1}), http.StatusCreated)
	require.EqualValues(t, 0, during.Load())
	statut, _ := f.fleet.Commande(uuid.MustParse(got.CommandeID))
	require.Equal(t, "CONFIRMEE", statut)
}

func TestCommande_CartCheckoutEmptiesTheCartAfterConfirming(t *testing.T) {
	f := start(t)
	f.fleet.SetPanier(2, map[int64]int{1: 2})
	got := f.post(t, "/commande", map[string]any{"client_id": 2}, http.StatusCreated, client2(t)...)
	require.Equal(t, "CONFIRMEE", got.Statut)
	require.Equal(t, 0, f.fleet.Panier(2))
	require.Equal(t, []string{"POST /reservations", "POST /paiements", "POST /reservations/{cle}/confirmation",
		"DELETE /panier/{id}", "POST /commandes"}, f.fleet.Routes())
}

func TestCommande_RetriesAParticipantThatFailsTwice(t *testing.T) {
	f := start(t)
	f.fleet.Fault("POST /reservations", &fakes.Fault{Fail: 2})
	got := f.post(t, "/saga/commande", produits([2]int{1, 2}), http.StatusCreated)
	require.Equal(t, "CONFIRMEE", got.Statut)
	n := 0
	for _, c := range f.fleet.Calls() {
		if c.Route == "POST /reservations" {
			n++
		}
	}
	require.Equal(t, 3, n)
	// The reservation's key is its cle, the same on every try.
	require.Equal(t, "confirmee", f.fleet.Reservation(got.SagaID+":reserver_stock"))
	require.Equal(t, 3, f.saga(t, got.SagaID).Journal[0].Tentatives)
	require.Equal(t, 48, f.fleet.Disponible(6, 1), "reserved once")
}

func TestCommande_SlowParticipantIsAskedAgainWithTheSameKey(t *testing.T) {
	f := start(t)
	// paiement charges, then answers after the step's timeout: the outcome is
	// unknown to the saga, which asks again under the same key.
	f.fleet.Fault("POST /paiements", &fakes.Fault{Slow: 1, Delay: time.Second})
	got := f.post(t, "/saga/commande", produits([2]int{1, 1}), http.StatusCreated)
	require.Equal(t, "CONFIRMEE", got.Statut)
	require.Len(t, f.fleet.Paiements(), 1, "charged once")
	var keys []string
	for _, c := range f.fleet.Calls() {
		if c.Route == "POST /paiements" {
			keys = append(keys, c.Key)
		}
	}
	require.GreaterOrEqual(t, len(keys), 2)
	for _, k := range keys {
		require.Equal(t, got.SagaID+":payer", k)
	}
}

func TestCommande_EveryStepDeliveredTwiceIsHarmless(t *testing.T) {
	f := start(t)
	f.fleet.LoseFirstAnswer = true
	got := f.post(t, "/saga/commande", produits([2]int{1, 3}), http.StatusCreated)
	require.Equal(t, "CONFIRMEE", got.Statut)
	require.Equal(t, 1, f.fleet.Commandes())
	require.Len(t, f.fleet.Paiements(), 1)
	require.Equal(t, 47, f.fleet.Disponible(6, 1))
	for _, e := range f.saga(t, got.SagaID).Journal {
		require.Equal(t, "reussie", e.Statut)
		require.GreaterOrEqual(t, e.Tentatives, 2, e.Etape)
	}
}

func TestCommande_ParticipantDownBeforeThePivotIsCompensated(t *testing.T) {
	f := start(t)
	f.fleet.Fault("POST /reservations", &fakes.Fault{Fail: 1000})
	got := f.post(t, "/saga/commande", produits([2]int{1, 1}), http.StatusServiceUnavailable)
	require.Equal(t, "ANNULEE", got.Statut)
	require.Contains(t, got.Motif, "reserver_stock")
	// The reservation's outcome was unknown: its release left a tombstone.
	require.Equal(t, "tombe", f.fleet.Reservation(got.SagaID+":reserver_stock"))
	statut, historique := f.fleet.Commande(uuid.MustParse(got.CommandeID))
	require.Equal(t, "ANNULEE", statut)
	require.Equal(t, []string{"CREEE", "ANNULEE"}, historique)
}

func TestCommande_IdempotencyKeyReturnsTheSameSaga(t *testing.T) {
	f := start(t)
	body := produits([2]int{1, 1})
	first := f.post(t, "/saga/commande/", body, http.StatusCreated, "Idempotency-Key", "k-1")
	again := f.post(t, "/saga/commande/", body, http.StatusCreated, "Idempotency-Key", "k-1")
	require.Equal(t, first.SagaID, again.SagaID)
	require.Equal(t, first.CommandeID, again.CommandeID)
	require.Equal(t, 1, f.fleet.Commandes())

	refused := f.post(t, "/saga/commande/", produits([2]int{4, 10}), 402, "Idempotency-Key", "k-2")
	require.Equal(t, refused.SagaID, f.post(t, "/saga/commande/", produits([2]int{4, 10}), 402, "Idempotency-Key", "k-2").SagaID)

	r := kittest.Do(t, "POST", f.base+"/saga/commande/", produits([2]int{1, 2}), "Idempotency-Key", "k-1")
	kittest.RequireProblem(t, r, http.StatusUnprocessableEntity, "header.Idempotency-Key")
	require.Equal(t, 2, f.fleet.Commandes())
}

func TestCommande_ConcurrentRepeatsOfOneKeyMakeOneOrder(t *testing.T) {
	f := start(t)
	f.fleet.Fault("POST /paiements", &fakes.Fault{Slow: 1, Delay: 100 * time.Millisecond})
	reqs := make([]*http.Request, 5)
	for i := range reqs {
		reqs[i] = kittest.Request(t, "POST", f.base+"/saga/commande", produits([2]int{2, 1}), "Idempotency-Key", "same")
	}
	var ids []string
	for _, r := range kittest.SendAll(t, reqs) {
		var out reponse
		_ = json.Unmarshal(r.Body, &out)
		ids = append(ids, fmt.Sprint(r.Status, " ", out.SagaID))
	}
	for _, id := range ids[1:] {
		require.Equal(t, ids[0], id)
	}
	require.Equal(t, 1, f.fleet.Commandes())
}

func TestSagas_BadInputCreatesNothing(t *testing.T) {
	f := start(t)
	many := func(n int) map[string]any {
		var ls [][2]int
		for i := range n {
			ls = append(ls, [2]int{i + 1, 1})
		}
		return produits(ls...)
	}
	cases := []kittest.BadInput{
		{Name: "no produits", Method: "POST", Path: "/saga/commande/", Body: map[string]any{"produits": []any{}}, Status: 422, Field: "body.produits"},
		{Name: "quantite 0", Method: "POST", Path: "/saga/commande/", Body: produits([2]int{1, 0}), Status: 422, Field: "body.produits[0].quantite"},
		{Name: "quantite -1", Method: "POST", Path: "/saga/commande/", Body: produits([2]int{1, -1}), Status: 422, Field: "body.produits[0].quantite"},
		{Name: "unknown product", Method: "POST", Path: "/saga/commande/", Body: produits([2]int{1, 1}, [2]int{99, 1}), Status: 422, Field: "body.produits[1].produit_id"},
		{Name: "inactive product", Method: "POST", Path: "/saga/commande/", Body: produits([2]int{5, 1}), Status: 422, Field: "body.produits[0].produit_id"},
		{Name: "same product twice", Method: "POST", Path: "/saga/commande/", Body: produits([2]int{1, 1}, [2]int{1, 2}), Status: 422, Field: "body.produits[1].produit_id"},
		{Name: "101 lines", Method: "POST", Path: "/saga/commande/", Body: many(101), Status: 422, Field: "body.produits"},
		{Name: "1000 lines", Method: "POST", Path: "/saga/commande/", Body: many(1000), Status: 422},
		{Name: "not JSON", Method: "POST", Path: "/saga/commande/", Body: "{produits:", Status: 400},
		{Name: "unknown field", Method: "POST", Path: "/saga/commande/", Body: map[string]any{"produits": []any{}, "x": 1}, Status: 422},
		{Name: "unknown client", Method: "POST", Path: "/saga/commande/", Body: map[string]any{"produits": []any{map[string]int{"produit_id": 1, "quantite": 1}},
			"client_id": 42}, Status: 422, Field: "body.client_id"},
		{Name: "empty cart", Method: "POST", Path: "/commande", Body: map[string]any{"client_id": 2}, Headers: client2(t),
			Status: 422, Field: "body.client_id"},
		{Name: "cart of unknown client", Method: "POST", Path: "/commande", Body: map[string]any{"client_id": 42},
			Headers: kittest.As(t, kittest.Client(42)), Status: 422, Field: "body.client_id"},
		{Name: "store 9", Method: "POST", Path: "/saga/vente", Body: map[string]any{"magasin_id": 9, "methode": "comptant",
			"produits": []any{map[string]int{"produit_id": 1, "quantite": 1}}}, Headers: caissier(t, 1), Status: 422, Field: "body.magasin_id"},
		{Name: "methode bitcoin", Method: "POST", Path: "/saga/vente", Body: map[string]any{"magasin_id": 1, "methode": "bitcoin",
			"produits": []any{map[string]int{"produit_id": 1, "quantite": 1}}}, Headers: caissier(t, 1), Status: 422, Field: "body.methode"},
		{Name: "retour of unknown order", Method: "POST", Path: "/saga/retour", Body: map[string]any{"commande_id": uuid.NewString()},
			Headers: caissier(t, 1), Status: 404, Field: "body.commande_id"},
		{Name: "retour id not a uuid", Method: "POST", Path: "/saga/retour", Body: map[string]any{"commande_id": "abc"},
			Headers: caissier(t, 1), Status: 422, Field: "body.commande_id"},
	}
	kittest.RequireBadInputs(t, f.base, cases)
	require.Equal(t, 0, f.fleet.Commandes())
	require.EqualValues(t, 0, kittest.Do(t, "GET", f.base+"/sagas", nil).Map(t)["total"])
}

func TestPanier_CheckoutEmptiesTheCartOnlyWhenConfirmed(t *testing.T) {
	f := start(t)
	f.fleet.SetPanier(2, map[int64]int{4: 10}) // over the card limit
	refused := f.post(t, "/commande", map[string]any{"client_id": 2}, http.StatusPaymentRequired, client2(t)...)
	require.Equal(t, "ANNULEE", refused.Statut)
	require.Equal(t, 1, f.fleet.Panier(2), "ANNULEE keeps the cart")

	f.fleet.SetPanier(2, map[int64]int{1: 2, 2: 1})
	got := f.post(t, "/commande", map[string]any{"client_id": 2}, http.StatusCreated, client2(t)...)
	require.Equal(t, "CONFIRMEE", got.Statut)
	require.InDelta(t, 69.97, got.Total, 0.001)
	require.Equal(t, 0, f.fleet.Panier(2), "CONFIRMEE empties the cart")
}

func TestVente_ComesFromTheStoreAndCashHasNoLimit(t *testing.T) {
	f := start(t)
	body := map[string]any{"magasin_id": 2, "methode": "comptant",
		"produits": []any{map[string]int{"produit_id": 4, "quantite": 10}}}
	got := f.post(t, "/saga/vente", body, http.StatusCreated, caissier(t, 2)...)
	require.Equal(t, "CONFIRMEE", got.Statut)
	require.Equal(t, "vente", got.Type)
	require.Equal(t, 40, f.fleet.Disponible(2, 4))
	require.Equal(t, 50, f.fleet.Disponible(6, 4))

	body["methode"] = "carte"
	require.Equal(t, "ANNULEE", f.post(t, "/saga/vente", body, http.StatusPaymentRequired, caissier(t, 2)...).Statut)
}

func TestRetour_RestocksWhereSoldAndRefundsNoMoreThanPaid(t *testing.T) {
	f := start(t)
	sale := f.post(t, "/saga/commande", produits([2]int{1, 2}, [2]int{2, 1}), http.StatusCreated)
	require.Equal(t, 48, f.fleet.Disponible(6, 1))

	// An online order comes back at any store's counter, to the centre.
	part := f.post(t, "/saga/retour", map[string]any{"commande_id": sale.CommandeID,
		"lignes": []any{map[string]int{"produit_id": 1, "quantite": 1}}}, http.StatusCreated, caissier(t, 3)...)
	require.Equal(t, "CONFIRMEE", part.Statut)
	require.InDelta(t, 19.99, part.Total, 0.001)
	require.Equal(t, []string{"CREEE", "RETOUR_ENREGISTRE", "RESTOCKE", "CONFIRMEE"}, part.etats())
	require.Equal(t, 49, f.fleet.Disponible(6, 1))

	tooMany := f.post(t, "/saga/retour", map[string]any{"commande_id": sale.CommandeID,
		"lignes": []any{map[string]int{"produit_id": 1, "quantite": 2}}}, http.StatusConflict, caissier(t, 3)...)
	require.Equal(t, "ANNULEE", tooMany.Statut)

	rest := f.post(t, "/saga/retour", map[string]any{"commande_id": sale.CommandeID}, http.StatusCreated, caissier(t, 1)...)
	require.InDelta(t, 49.98, rest.Total, 0.001)
	p := f.fleet.Paiements()[0]
	require.Equal(t, p.Montant, p.Rembourse, "refunded exactly what was paid")

	kittest.RequireProblem(t, kittest.Do(t, "POST", f.base+"/saga/retour",
		map[string]any{"commande_id": sale.CommandeID}, caissier(t, 1)...), http.StatusConflict, "body.commande_id")
}

// A goodwill refund made directly by head office leaves less to refund than
// the order's price: the return still completes, refunding what is left, and
// its total says so (it once stayed RESTOCKE, 202, on paiement's 409).
func TestRetour_AfterADirectPartialRefund_RefundsWhatIsLeft(t *testing.T) {
	f := start(t)
	sale := f.post(t, "/saga/commande", produits([2]int{1, 2}, [2]int{2, 1}), http.StatusCreated)
	p := f.fleet.Paiements()[0]
	geste := kittest.Do(t, "POST", f.fleet.URL+"/paiements/"+p.ID.String()+"/remboursements",
		map[string]any{"montant": 10.00, "motif": "geste commercial"}, "Idempotency-Key", "geste")
	require.Equal(t, http.StatusCreated, geste.Status, string(geste.Body))

	back := f.post(t, "/saga/retour", map[string]any{"commande_id": sale.CommandeID}, http.StatusCreated, caissier(t, 3)...)
	require.Equal(t, "CONFIRMEE", back.Statut)
	require.InDelta(t, float64(p.Montant-10_00)/100, back.Total, 0.001, "the total is what was refunded")
	p = f.fleet.Paiements()[0]
	require.Equal(t, p.Montant, p.Rembourse, "everything paid is back")
}

func TestSagas_GetAndListAreFilteredAndPaginated(t *testing.T) {
	f := start(t)
	f.post(t, "/saga/commande", produits([2]int{1, 1}), 201)
	f.post(t, "/saga/commande", produits([2]int{2, 999}), 409)
	f.post(t, "/saga/vente", map[string]any{"magasin_id": 1, "methode": "carte",
		"produits": []any{map[string]int{"produit_id": 4, "quantite": 10}}}, 402, caissier(t, 1)...)

	all := kittest.Do(t, "GET", f.base+"/sagas", nil).Map(t)
	require.EqualValues(t, 3, all["total"])

	annulees := kittest.Do(t, "GET", f.base+"/sagas?statut=ANNULEE&limit=1&offset=1", nil).Map(t)
	require.EqualValues(t, 2, annulees["total"])
	items := annulees["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "ANNULEE", items[0].(map[string]any)["statut"])

	ventes := kittest.Do(t, "GET", f.base+"/sagas?type=vente", nil).Map(t)
	require.EqualValues(t, 1, ventes["total"])
	empty := kittest.Do(t, "GET", f.base+"/sagas?statut=PAYEE", nil).Map(t)
	require.EqualValues(t, 0, empty["total"])
	require.Equal(t, []any{}, empty["items"])

	cases := []kittest.BadInput{
		{Name: "unknown saga", Method: "GET", Path: "/saga/" + uuid.NewString(), Status: 404, Field: "path.id"},
		{Name: "id not a uuid", Method: "GET", Path: "/saga/abc", Status: 422, Field: "path.id"},
		{Name: "unknown statut", Method: "GET", Path: "/sagas?statut=PERDUE", Status: 422, Field: "query.statut"},
		{Name: "unknown type", Method: "GET", Path: "/sagas?type=troc", Status: 422, Field: "query.type"},
		{Name: "limit zero", Method: "GET", Path: "/sagas?limit=0", Status: 422, Field: "query.limit"},
		{Name: "negative offset", Method: "GET", Path: "/sagas?offset=-1", Status: 422, Field: "query.offset"},
	}
	kittest.RequireBadInputs(t, f.base, cases)
}

func TestSagas_MetricsAreExported(t *testing.T) {
	f := start(t)
	f.post(t, "/saga/commande", produits([2]int{1, 1}), 201)
	f.post(t, "/saga/commande", produits([2]int{4, 10}), 402)
	r := kittest.Do(t, "GET", f.base+"/metrics", nil)
	for _, want := range []string{`saga_success_total{type="commande"} 1`, `saga_failure_total{motif="paiement",type="commande"} 1`,
		`saga_etat_total{etat="CONFIRMEE"} 1`, `saga_compensations_total{etape="reserver_stock"} 1`,
		`saga_duration_seconds_count{type="commande"} 2`, `saga_en_cours{type="commande"} 0`, `saga_recoveries_total{etape="payer"} 0`} {
		require.Contains(t, string(r.Body), want)
	}
}

func TestRun_RejectsAParticipantURLThatIsNotOne(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://orchestrator@127.0.0.1:1/x", "STOCK_URL": "stock:8007"}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard)
	require.ErrorContains(t, err, "STOCK_URL")
}

func TestRun_NeedsItsServiceCredentials(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://orchestrator@127.0.0.1:1/x"}
	err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard)
	require.ErrorContains(t, err, "TOKEN_URL is required")
	require.ErrorContains(t, err, "SERVICE_CLIENT_SECRET (or SERVICE_CLIENT_SECRET_FILE) is required")

	env["TOKEN_URL"], env["SERVICE_CLIENT_SECRET"] = "identite:8009/auth/jeton", "s"
	err = run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard)
	require.ErrorContains(t, err, "TOKEN_URL")
}
