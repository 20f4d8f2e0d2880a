package saga

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// The seed's three checkouts, as its curls document them, each run twice:
// repeating them gives the same outcomes.
func TestSeed_ThreeCheckoutsGiveTheDocumentedOutcomesTwiceInARow(t *testing.T) {
	for run := 1; run <= 2; run++ {
		t.Run(fmt.Sprintf("run%d/products 1 and 2 are confirmed", run), func(t *testing.T) {
			r := post(t, "/saga/commande", commande(nil, line(1, 1), line(2, 1)))
			require.Equal(t, 201, r.status, r.body)
			require.Equal(t, "CONFIRMEE", r.answer.Statut)
			require.Equal(t, "commande", r.answer.Type)
			require.Equal(t, int64(350_00), cents(t, r.answer.Total))
			require.NotEmpty(t, r.answer.SagaID)
			states := []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}
			require.Equal(t, states, r.answer.etats())
			o := order(t, r.answer.CommandeID)
			require.Equal(t, "CONFIRMEE", o["statut"])
			require.Equal(t, states, historique(t, o))
			pays := paymentsOfOrder(t, r.answer.CommandeID)
			require.Len(t, pays, 1)
			require.Equal(t, "accepte", pays[0]["statut"])
			require.Equal(t, int64(350_00), cents(t, pays[0]["montant"]))
		})
		t.Run(fmt.Sprintf("run%d/999 of product 2 are refused at stock verification", run), func(t *testing.T) {
			before := stockAt(t, centre, "2")
			r := post(t, "/saga/commande", commande(nil, line(2, 999)))
			require.Equal(t, 409, r.status, r.body)
			require.Equal(t, "ANNULEE", r.answer.Statut)
			require.NotEmpty(t, r.answer.Motif)
			etats := r.answer.etats()
			require.Equal(t, "ANNULEE", etats[len(etats)-1])
			require.NotContains(t, etats, "STOCK_RESERVE", "nothing was reserved")
			require.NotContains(t, etats, "PAYEE")
			o := order(t, r.answer.CommandeID)
			require.Equal(t, "ANNULEE", o["statut"])
			require.Empty(t, paymentsOfOrder(t, r.answer.CommandeID), "no payment was even asked")
			require.Equal(t, before, stockAt(t, centre, "2"))
		})
		t.Run(fmt.Sprintf("run%d/10 of product 4 are reserved, refused by payment, released", run), func(t *testing.T) {
			before := stockAt(t, centre, "4")
			r := post(t, "/saga/commande", commande(nil, line(4, 10)))
			require.Equal(t, 402, r.status, r.body)
			require.Equal(t, "ANNULEE", r.answer.Statut)
			require.NotEmpty(t, r.answer.Motif)
			etats := r.answer.etats()
			require.Contains(t, etats, "STOCK_RESERVE")
			require.NotContains(t, etats, "PAYEE")
			require.Equal(t, "ANNULEE", etats[len(etats)-1])
			require.Equal(t, "ANNULEE", order(t, r.answer.CommandeID)["statut"])
			for _, p := range paymentsOfOrder(t, r.answer.CommandeID) {
				require.Zero(t, kept(t, p), "a refused order keeps no money: %v", p)
			}
			after := stockAt(t, centre, "4")
			require.Equal(t, before.Reserve, after.Reserve, "the reservation was released")
			require.Equal(t, before.Disponible, after.Disponible)
			require.Equal(t, before.Quantite, after.Quantite)
		})
	}
}

func panierLines(t *testing.T, client string) []any {
	t.Helper()
	p := want(t, do(t, "GET", "panier-1", "/panier/"+client, nil), 200)
	lignes, _ := p["lignes"].([]any)
	return lignes
}

func TestCart_CheckoutEmptiesTheCartOnlyWhenConfirmed(t *testing.T) {
	cid := json.Number(newClient(t))
	t.Run("confirmed empties the cart", func(t *testing.T) {
		want(t, do(t, "POST", "panier-1", "/panier", map[string]any{"client_id": cid, "produit_id": 3, "quantite": 2}), 201)
		want(t, do(t, "POST", "panier-2", "/panier", map[string]any{"client_id": cid, "produit_id": 5, "quantite": 1}), 201)
		r := post(t, "/commande", map[string]any{"client_id": cid})
		require.Equal(t, 201, r.status, r.body)
		require.Equal(t, "CONFIRMEE", r.answer.Statut)
		require.Equal(t, int64(2*59_99+49_99), cents(t, r.answer.Total))
		eventually(t, 30*time.Second, func() (bool, string) {
			l := panierLines(t, cid.String())
			return len(l) == 0, fmt.Sprintf("cart still holds %v", l)
		})
	})
	t.Run("refused keeps the cart", func(t *testing.T) {
		want(t, do(t, "POST", "panier-1", "/panier", map[string]any{"client_id": cid, "produit_id": 4, "quantite": 10}), 201)
		r := post(t, "/commande", map[string]any{"client_id": cid})
		require.Equal(t, 402, r.status, r.body)
		require.Equal(t, "ANNULEE", r.answer.Statut)
		require.Len(t, panierLines(t, cid.String()), 1, "the cart is kept for another try")
		want(t, do(t, "DELETE", "panier-1", "/panier/"+cid.String(), nil), 204)
	})
	t.Run("empty cart", func(t *testing.T) {
		before := len(ordersOf(t, cid.String()))
		r := do(t, "POST", "orchestrator", "/commande", map[string]any{"client_id": cid}, kittest.As(t, kittest.Client(must64(t, cid)))...)
		kittest.RequireProblem(t, r, 422, "body.client_id")
		require.Len(t, ordersOf(t, cid.String()), before, "no order for an empty cart")
	})
}

// Bad input is a 4xx problem and creates no order.
func TestBadInput_IsAProblemAndCreatesNoOrder(t *testing.T) {
	cid := json.Number(newClient(t))
	thousand := make([]map[string]any, 1000)
	for i := range thousand {
		thousand[i] = line(i+1, 1)
	}
	cases := []struct {
		name  string
		body  any
		field string // the field the problem must name, when the contract says which
	}{
		{"empty produits", commande(cid), ""},
		{"quantite 0", commande(cid, line(1, 0)), ""},
		{"quantite -1", commande(cid, line(1, -1)), ""},
		{"unknown product", commande(cid, line(1, 1), line(999999, 1)), "body.produits[1].produit_id"},
		{"same product twice", commande(cid, line(1, 1), line(1, 2)), ""},
		{"1000 lines", commande(cid, thousand...), ""},
		{"not JSON", "ceci n'est pas du JSON", ""},
		{"JSON but not an object", `[1, 2]`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := do(t, "POST", "orchestrator", "/saga/commande", c.body)
			requireProblem4xx(t, r, c.field)
			require.Empty(t, ordersOf(t, cid.String()))
		})
	}
	t.Run("unknown client", func(t *testing.T) {
		r := do(t, "POST", "orchestrator", "/saga/commande", commande(json.Number("987654321"), line(1, 1)))
		requireProblem4xx(t, r, "body.client_id")
		require.Contains(t, []int{404, 422}, r.Status)
		require.Empty(t, ordersOf(t, "987654321"))
	})
	waitSagasFinal(t)
}

func requireProblem4xx(t *testing.T, r kittest.Response, field string) {
	t.Helper()
	require.True(t, r.Status >= 400 && r.Status < 500, "status %d, body %s", r.Status, r.Body)
	require.Contains(t, r.Header.Get("Content-Type"), "application/problem+json", "body %s", r.Body)
	if field != "" {
		kittest.RequireProblem(t, r, r.Status, field)
	}
}

func TestIdempotencyKey_SameBodyReplaysSameSagaDifferentBodyIs422(t *testing.T) {
	cid := json.Number(newClient(t))
	k := key()
	first := post(t, "/saga/commande", commande(cid, line(1, 1)), k...)
	require.Equal(t, 201, first.status, first.body)
	again := post(t, "/saga/commande", commande(cid, line(1, 1)), k...)
	require.Equal(t, first.status, again.status, again.body)
	require.Equal(t, first.answer.SagaID, again.answer.SagaID)
	require.Equal(t, first.answer.CommandeID, again.answer.CommandeID)
	require.Len(t, ordersOf(t, cid.String()), 1)

	other := do(t, "POST", "orchestrator", "/saga/commande", commande(cid, line(1, 2)), k...)
	require.Equal(t, 422, other.Status, "%s", other.Body)
	require.Contains(t, other.Header.Get("Content-Type"), "application/problem+json")
	require.Len(t, ordersOf(t, cid.String()), 1)
	require.Len(t, paymentsOf(t, cid.String()), 1)
}

func must64(t *testing.T, n json.Number) int64 {
	t.Helper()
	v, err := n.Int64()
	require.NoError(t, err)
	return v
}
