package saga

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

// The chaos suite: checkouts (guest-style and from a cart) and payment
// refusals run without pause while, one after the other, stock, commande,
// paiement, panier and the orchestrator are killed with SIGKILL from outside
// (as an operator's kill -9: the launcher's supervisor restarts each one),
// and PostgreSQL drops every connection of the fleet's database. Then every
// saga must end final, every answer must have told the truth, the stock must
// be explained by the confirmed orders, the money must add up and every
// order's history must be legal. docs/reliability.md records the figures.
//
// CI runs one round; MULTIMAGASINS_CHAOS_ROUNDS=5 runs five in a row.
func TestChaos_KillEachProcessUnderLoad_EverythingAddsUp(t *testing.T) {
	rounds := 1
	if s := os.Getenv("MULTIMAGASINS_CHAOS_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		require.NoError(t, err, "MULTIMAGASINS_CHAOS_ROUNDS")
		rounds = n
	}
	cid := json.Number(newClient(t))
	pid := newProduct(t, "20.00", 20_000)
	dear := newProduct(t, "600.00", 1_000) // over the 500.00 card limit: refused after the reservation
	before, dearBefore := stockAt(t, centre, pid), stockAt(t, centre, dear)

	// The load: workers send sagas until told to stop; no require in them.
	stop := make(chan struct{})
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
		sent    atomic.Int64
	)
	client, _ := strconv.ParseInt(cid.String(), 10, 64)
	asClient, err := kittest.Header(kittest.Client(client))
	require.NoError(t, err)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var r result
				switch {
				case w > 0 && i%3 != 2:
					r = send("/saga/commande", commande(cid, line(json.Number(pid), 1)), key()...)
				case w > 0:
					r = send("/saga/commande", commande(cid, line(json.Number(dear), 1)), key()...)
				default:
					// One worker checks out from the cart: adds through panier, then
					// orders the cart (a cart emptied meanwhile by an earlier
					// checkout confirming late is a 422, nothing started).
					_, err := fleettest.Send(context.Background(), http.MethodPost, fl.URL("panier-1")+"/panier",
						map[string]any{"client_id": client, "produit_id": json.Number(pid), "quantite": 1}, asClient...)
					if err != nil {
						r = result{err: err}
						break
					}
					r = send("/commande", map[string]any{"client_id": client}, key()...)
				}
				sent.Add(1)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
				if r.err != nil {
					time.Sleep(50 * time.Millisecond) // a process is down: knock again shortly, as a client would
				}
			}
		})
	}

	ctx := context.Background()
	begin := time.Now()
	for round := range rounds {
		for _, victim := range []string{"stock", "commande", "paiement", "panier-1", "orchestrator", "postgres"} {
			time.Sleep(time.Second) // load before the fault; not an assertion
			if victim == "postgres" {
				dropConnections(t, ctx)
				continue
			}
			restarts := fl.Restarts(victim)
			pidBefore := fl.PID(victim)
			require.NotZero(t, pidBefore, victim)
			require.NoError(t, syscall.Kill(pidBefore, syscall.SIGKILL), victim)
			eventually(t, 60*time.Second, func() (bool, string) {
				r, err := fleettest.Send(ctx, http.MethodGet, fl.URL(victim)+"/readyz", nil)
				back := fl.Restarts(victim) > restarts && err == nil && r.Status == http.StatusOK
				return back, fmt.Sprintf("round %d: %s not restarted and ready (restarts %d, pid %d)", round, victim, fl.Restarts(victim), fl.PID(victim))
			})
		}
	}
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	loadTime := time.Since(begin)

	drainBegin := time.Now()
	waitSagasFinal(t)
	drain := time.Since(drainBegin)

	statuses, example := map[string]int{}, map[int]string{}
	for _, r := range results {
		if r.err != nil {
			statuses["no answer"]++ // the orchestrator was down: nothing claimed, recovery decides
			continue
		}
		statuses[strconv.Itoa(r.status)]++
		if _, seen := example[r.status]; !seen && r.status >= 400 {
			example[r.status] = r.body
		}
		requireHonest(t, r)
	}
	m := checkMoney(t, cid.String())
	for _, o := range ordersOf(t, cid.String()) {
		require.True(t, legal(historique(t, order(t, id(t, o)))), "order %s: history %v", id(t, o), historique(t, order(t, id(t, o))))
	}
	requireStockExplained(t, cid.String(), pid, before)
	require.Equal(t, dearBefore, stockAt(t, centre, dear), "every refused payment's reservation was released")
	for status, body := range example {
		t.Logf("a %d: %.300s", status, body)
	}
	t.Logf("chaos: %d rounds, %d sagas sent in %s, answers %v; all final %s after the load stopped; money %+v",
		rounds, sent.Load(), loadTime.Round(time.Millisecond), statuses, drain.Round(time.Millisecond), m)
}

// dropConnections ends every connection to the fleet's database, as a
// PostgreSQL restart would for this fleet: a real restart would also cut
// the other suites that share the server in CI.
func dropConnections(t *testing.T, ctx context.Context) {
	t.Helper()
	conn, err := pgx.Connect(ctx, kittest.AdminURL())
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, fl.Database()).Scan(&n))
	require.Positive(t, n, "the services hold connections to %s", fl.Database())
}

// legal says whether an order's history is one the state machine allows:
// CREEE, then STOCK_VERIFIE, STOCK_RESERVE, PAYEE, CONFIRMEE in order, or a
// prefix of them up to STOCK_RESERVE followed by ANNULEE.
func legal(h []string) bool {
	path := []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}
	if len(h) == 0 || h[0] != "CREEE" {
		return false
	}
	for i, s := range h {
		if s == "ANNULEE" {
			return i == len(h)-1 && i <= 3
		}
		if i >= len(path) || s != path[i] {
			return false
		}
	}
	return h[len(h)-1] == "CONFIRMEE"
}
