package saga

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// requireStockExplained waits until the centre's stock of a product is what
// the confirmed orders explain: their units gone, nothing left reserved.
func requireStockExplained(t *testing.T, client, produit string, before niveau) {
	t.Helper()
	var sold int64
	for _, o := range waitOrdersFinal(t, client) {
		if o["statut"] != "CONFIRMEE" {
			continue
		}
		for _, l := range order(t, id(t, o))["lignes"].([]any) {
			l := l.(map[string]any)
			if num(t, l["produit_id"]) == produit {
				var q int64
				_, err := fmt.Sscan(num(t, l["quantite"]), &q)
				require.NoError(t, err)
				sold += q
			}
		}
	}
	eventually(t, 60*time.Second, func() (bool, string) {
		now := stockAt(t, centre, produit)
		exp := niveau{before.Quantite - sold, before.Reserve, before.Disponible - sold}
		return now == exp, fmt.Sprintf("stock %+v, want %+v (%d sold)", now, exp, sold)
	})
}

// The payment service dies while about 50 checkouts are in flight and comes
// back: every saga ends final, the money adds up, the stock is explained.
func TestFault_PaiementKilledMidRun_EverySagaEndsFinal(t *testing.T) {
	cid := json.Number(newClient(t))
	pid := newProduct(t, "20.00", 200)
	before := stockAt(t, centre, pid)

	const n = 50
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = send("/saga/commande", commande(cid, line(json.Number(pid), 1)), key()...) })
	}
	eventually(t, 60*time.Second, func() (bool, string) {
		p := paymentsOf(t, cid.String())
		return len(p) >= 3, fmt.Sprintf("%d payments so far", len(p))
	})
	require.NoError(t, fl.Kill("paiement"))
	time.Sleep(time.Second) // let some sagas meet the dead participant; not an assertion
	require.NoError(t, fl.Restart(context.Background(), "paiement"))
	wg.Wait()

	statuses := map[int]int{}
	for _, r := range results {
		statuses[r.status]++
		requireHonest(t, r)
	}
	t.Logf("answers: %v", statuses)
	waitSagasFinal(t)
	m := checkMoney(t, cid.String())
	t.Logf("money: %+v", m)
	require.LessOrEqual(t, m.nConfirmees+m.nAnnulees, n)
	requireStockExplained(t, cid.String(), pid, before)
}

// The orchestrator dies between the reservation and the payment; restarted,
// it finishes the saga one way or the other, consistently.
func TestFault_OrchestratorKilledBetweenReservationAndPayment(t *testing.T) {
	px := withProxies(t, nil, "paiement")["paiement"]
	cid := json.Number(newClient(t))
	pid := newProduct(t, "30.00", 10)
	before := stockAt(t, centre, pid)

	px.block()
	done := make(chan result, 1)
	go func() { done <- send("/saga/commande", commande(cid, line(json.Number(pid), 2)), key()...) }()
	select {
	case <-px.held:
	case r := <-done:
		t.Fatalf("the saga ended before its payment: %s", r)
	case <-time.After(60 * time.Second):
		t.Fatal("the saga never asked for its payment")
	}
	// The order is recorded once, as its saga ends: none shows a state not reached.
	require.Empty(t, ordersOf(t, cid.String()), "parked between the reservation and the payment")
	require.Equal(t, before.Reserve+2, stockAt(t, centre, pid).Reserve)

	require.NoError(t, fl.Kill("orchestrator"))
	r := <-done
	require.Error(t, r.err, "the caller lost its orchestrator")
	require.NoError(t, fl.Restart(context.Background(), "orchestrator"))
	px.release()

	waitSagasFinal(t) // the order is recorded as its saga ends
	final := waitOrdersFinal(t, cid.String())
	require.Len(t, final, 1)
	pays := paymentsOfOrder(t, id(t, final[0]))
	after := stockAt(t, centre, pid)
	switch final[0]["statut"] {
	case "CONFIRMEE":
		require.Len(t, pays, 1)
		require.Equal(t, int64(60_00), kept(t, pays[0]), "the payment is kept")
		require.Equal(t, niveau{before.Quantite - 2, before.Reserve, before.Disponible - 2}, after)
	case "ANNULEE":
		for _, p := range pays {
			require.Zero(t, kept(t, p), "no money kept for a compensated saga")
		}
		require.Equal(t, before, after, "the reservation was released")
	}
	t.Logf("the saga ended %s", final[0]["statut"])
	checkMoney(t, cid.String())
}

// The payment service answers the first call after the orchestrator's step
// timeout: the saga still ends consistent, with exactly one payment.
func TestFault_PaiementSlowerThanTheStepTimeout(t *testing.T) {
	px := withProxies(t, map[string]string{"STEP_TIMEOUT": "300ms"}, "paiement")["paiement"]
	px.slowDownFirstPayment(2 * time.Second)
	cid := json.Number(newClient(t))
	pid := newProduct(t, "25.00", 10)
	before := stockAt(t, centre, pid)

	r := post(t, "/saga/commande", commande(cid, line(json.Number(pid), 1)), key()...)
	t.Logf("answer: %s", r)
	require.Contains(t, []int{201, 202, 503}, r.status, r.body)
	requireHonest(t, r)
	final := waitOrdersFinal(t, cid.String())
	require.Len(t, final, 1)
	waitSagasFinal(t)
	// The late first call reaches paiement too, after the saga moved on.
	eventually(t, 30*time.Second, func() (bool, string) {
		seen, fini := px.paiement.Load(), px.paiementFini.Load()
		return seen >= 1 && fini == seen, fmt.Sprintf("%d payment calls, %d answered", seen, fini)
	})
	pays := paymentsOfOrder(t, id(t, final[0]))
	require.Len(t, pays, 1, "retries under one key make one payment")
	switch final[0]["statut"] {
	case "CONFIRMEE":
		require.Equal(t, int64(25_00), kept(t, pays[0]))
		require.Equal(t, niveau{before.Quantite - 1, before.Reserve, before.Disponible - 1}, stockAt(t, centre, pid))
	case "ANNULEE":
		require.Zero(t, kept(t, pays[0]), "a late payment of a cancelled order is refunded")
		require.Equal(t, before, stockAt(t, centre, pid))
	}
	checkMoney(t, cid.String())
}

// Every call of the orchestrator reaches its participant twice: the seed's
// checkouts still give the same outcomes, one order and one payment each.
func TestFault_EveryStepDeliveredTwice_IsHarmless(t *testing.T) {
	proxies := withProxies(t, nil, "stock", "commande", "paiement", "panier", "clients")
	for _, p := range proxies {
		p.sendTwice(true)
	}
	cid := json.Number(newClient(t))
	stock4 := stockAt(t, centre, "4")

	ok := post(t, "/saga/commande", commande(cid, line(1, 1), line(2, 1)), key()...)
	require.Equal(t, 201, ok.status, ok.body)
	require.Equal(t, "CONFIRMEE", ok.answer.Statut)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, historique(t, order(t, ok.answer.CommandeID)))

	short := post(t, "/saga/commande", commande(cid, line(2, 999)), key()...)
	require.Equal(t, 409, short.status, short.body)
	require.Equal(t, "ANNULEE", short.answer.Statut)

	dear := post(t, "/saga/commande", commande(cid, line(4, 10)), key()...)
	require.Equal(t, 402, dear.status, dear.body)
	require.Equal(t, "ANNULEE", dear.answer.Statut)

	require.Len(t, ordersOf(t, cid.String()), 3, "one order per saga")
	okPays := paymentsOfOrder(t, ok.answer.CommandeID)
	require.Len(t, okPays, 1)
	require.Equal(t, "accepte", okPays[0]["statut"])
	require.Empty(t, paymentsOfOrder(t, short.answer.CommandeID))
	dearPays := paymentsOfOrder(t, dear.answer.CommandeID)
	require.Len(t, dearPays, 1)
	require.Equal(t, "refuse", dearPays[0]["statut"])
	after4 := stockAt(t, centre, "4")
	require.Equal(t, stock4, after4, "product 4's reservation was released once, fully")
	for _, name := range []string{"stock", "commande", "paiement", "clients"} {
		require.Positive(t, proxies[name].requests.Load(), "the orchestrator called %s through its proxy", name)
	}
	checkMoney(t, cid.String())
}
