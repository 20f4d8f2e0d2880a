package saga

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// sampler reads a product's stock at the centre over and over while a test
// runs, and keeps the lowest values it saw.
type sampler struct {
	stop chan struct{}
	done chan struct{}

	min     niveau
	samples int
	errs    []error
}

func sample(produit string) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{}), min: niveau{1 << 62, 1 << 62, 1 << 62}}
	go func() {
		defer close(s.done)
		for {
			select {
			case <-s.stop:
				return
			default:
			}
			n, err := readStock(context.Background(), centre, produit)
			if err != nil {
				s.errs = append(s.errs, err)
				continue
			}
			s.samples++
			s.min.Quantite = min(s.min.Quantite, n.Quantite)
			s.min.Reserve = min(s.min.Reserve, n.Reserve)
			s.min.Disponible = min(s.min.Disponible, n.Disponible)
		}
	}()
	return s
}

func (s *sampler) end() *sampler {
	close(s.stop)
	<-s.done
	return s
}

// run sends every body to its path (paths[i], or paths[0] for all) from n
// goroutines at once and returns the results in the bodies' order.
func run(n int, paths []string, bodies []map[string]any) []result {
	results := make([]result, len(bodies))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for i := range jobs {
				path := paths[0]
				if len(paths) > 1 {
					path = paths[i]
				}
				results[i] = send(path, bodies[i], key()...)
			}
		})
	}
	for i := range bodies {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

// 200 checkouts race for 5 units: 5 win, 195 are refused, stock never negative.
func TestHammer_200CheckoutsFor5Units_Exactly5Confirmed(t *testing.T) {
	cid := json.Number(newClient(t))
	pid := newProduct(t, "10.00", 5)
	bodies := make([]map[string]any, 200)
	for i := range bodies {
		bodies[i] = commande(cid, line(json.Number(pid), 1))
	}
	s := sample(pid)
	results := run(200, []string{"/saga/commande"}, bodies)
	s.end()

	var errs []string
	for _, r := range results {
		if r.err != nil || (r.status != 201 && r.status != 409) {
			errs = append(errs, r.String())
		}
	}
	require.Empty(t, errs, "every checkout is confirmed or refused for lack of stock")
	require.Equal(t, map[int]int{201: 5, 409: 195}, count(results))
	for _, r := range results {
		switch r.status {
		case 201:
			require.Equal(t, "CONFIRMEE", r.answer.Statut)
		case 409:
			require.Equal(t, "ANNULEE", r.answer.Statut)
		}
	}

	require.Empty(t, s.errs)
	require.Positive(t, s.samples)
	require.GreaterOrEqual(t, s.min.Disponible, int64(0), "disponible never below zero")
	require.GreaterOrEqual(t, s.min.Reserve, int64(0))
	require.GreaterOrEqual(t, s.min.Quantite, int64(0))
	require.Equal(t, niveau{0, 0, 0}, stockAt(t, centre, pid), "the 5 units left, nothing stays reserved")

	accepted := all(t, "paiement", "/paiements", url.Values{"client_id": {cid.String()}, "statut": {"accepte"}})
	require.Len(t, accepted, 5)
	confirmed := map[string]bool{}
	for _, r := range results {
		if r.status == 201 {
			confirmed[r.answer.CommandeID] = true
		}
	}
	for _, p := range accepted {
		require.True(t, confirmed[p["commande_id"].(string)], "payment %v is for a confirmed order", p)
	}
	m := checkMoney(t, cid.String())
	require.Equal(t, 5, m.nConfirmees)
	require.Equal(t, 195, m.nAnnulees)
}

// Money adds up over a mixed run: successes, stock refusals, payment
// refusals, counter sales, partial and full returns.
func TestMoney_MixedRunAddsUp(t *testing.T) {
	cid := json.Number(newClient(t))
	common := newProduct(t, "20.00", 400)
	scarce := newProduct(t, "15.00", 10)
	dear := newProduct(t, "600.00", 100) // over the 500.00 card limit
	const magasin, enMagasin = 2, "7"
	storeBefore := stockAt(t, magasin, enMagasin)

	var bodies []map[string]any
	var paths []string
	for i := range 150 {
		switch i % 5 {
		case 0, 1:
			bodies, paths = append(bodies, commande(cid, line(json.Number(common), 2))), append(paths, "/saga/commande")
		case 2:
			bodies, paths = append(bodies, commande(cid, line(json.Number(scarce), 1))), append(paths, "/saga/commande")
		case 3:
			bodies, paths = append(bodies, commande(cid, line(json.Number(dear), 1))), append(paths, "/saga/commande")
		case 4:
			bodies, paths = append(bodies, vente(cid, magasin, "carte", line(json.Number(enMagasin), 1))), append(paths, "/saga/vente")
		}
	}
	results := run(8, paths, bodies)

	byKind := map[string]map[int]int{}
	var returned []string
	commonConfirmed := 0
	for i, r := range results {
		require.NoError(t, r.err)
		kind := fmt.Sprintf("%s#%d", paths[i], i%5)
		if byKind[kind] == nil {
			byKind[kind] = map[int]int{}
		}
		byKind[kind][r.status]++
		if i%5 <= 1 && r.status == 201 {
			commonConfirmed++
		}
		// Some returns: partial on a few online orders, full on a few sales.
		if r.status == 201 && len(returned) < 12 && (i%5 == 0 || i%5 == 4) {
			returned = append(returned, r.answer.CommandeID)
			var lignes []map[string]any
			if i%5 == 0 {
				lignes = append(lignes, line(json.Number(common), 1))
			}
			back := post(t, "/saga/retour", retour(r.answer.CommandeID, lignes...), key()...)
			require.Equal(t, 201, back.status, back.body)
		}
	}
	t.Logf("answers by kind: %v", byKind)
	require.Equal(t, map[int]int{201: 30}, byKind["/saga/commande#0"])
	require.Equal(t, map[int]int{201: 30}, byKind["/saga/commande#1"])
	require.Equal(t, map[int]int{201: 10, 409: 20}, byKind["/saga/commande#2"])
	require.Equal(t, map[int]int{402: 30}, byKind["/saga/commande#3"])
	require.Equal(t, map[int]int{201: 30}, byKind["/saga/vente#4"])

	m := checkMoney(t, cid.String())
	t.Logf("money: %+v", m)
	require.Equal(t, 100, m.nConfirmees)
	require.Equal(t, 50, m.nAnnulees)
	require.Positive(t, m.retournes)

	// 6 online orders gave one unit back; 6 counter sales gave everything back.
	require.Equal(t, int64(400-2*commonConfirmed+6), stockAt(t, centre, common).Quantite)
	require.Equal(t, niveau{0, 0, 0}, stockAt(t, centre, scarce))
	require.Equal(t, niveau{100, 0, 100}, stockAt(t, centre, dear))
	require.Equal(t, storeBefore.Quantite-30+6, stockAt(t, magasin, enMagasin).Quantite)
	waitSagasFinal(t)
}
