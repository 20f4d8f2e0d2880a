package operations

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/test/internal/fleettest"
)

// A store asks, the centre approves: the goods leave the centre and reach the
// store in one move, with a transfert row on each side.
func TestDemande_ApprovedMovesTheGoodsFromTheCentreToTheStore(t *testing.T) {
	const magasin = 3
	p := newProduct(t, 8_00, 40)
	d := demander(t, magasin, p, 15, "vitrine de Noël")
	require.Equal(t, "en_attente", d["statut"])
	require.Equal(t, "magasin", d["origine"])
	require.Equal(t, "15", num(t, d["quantite"]))
	require.Equal(t, strconv.Itoa(magasin), num(t, d["magasin_id"]))
	require.Equal(t, p.ID, num(t, d["produit_id"]))
	require.Equal(t, "vitrine de Noël", d["motif"])
	did := id(t, d)

	require.Equal(t, "en_attente", want(t, do(t, "GET", "stock", "/demandes/"+did, nil), 200)["statut"])
	pending := all(t, "stock", "/demandes", url.Values{"statut": {"en_attente"}, "magasin_id": {"3"}, "produit_id": {p.ID}})
	require.Len(t, pending, 1)
	require.Equal(t, did, id(t, pending[0]))

	a := want(t, do(t, "POST", "stock", "/demandes/"+did+"/approuver", nil), 200)
	require.Equal(t, "livree", a["statut"])
	require.Equal(t, int64(25), stockAt(t, centre, p).Quantite, "the centre gave 15")
	require.Equal(t, int64(15), stockAt(t, magasin, p).Quantite, "the store got 15")

	transferts := mouvements(t, p, url.Values{"type": {"transfert"}})
	require.Len(t, transferts, 2, "one transfert row on each side: %v", transferts)
	sides := map[string]int64{}
	for _, m := range transferts {
		sides[num(t, m["emplacement_id"])] = integer(t, m["quantite"])
		require.Equal(t, "logistique", m["acteur"], "%v", m)
	}
	require.Equal(t, map[string]int64{"6": 15, "3": 15}, sides)

	t.Run("a delivered request cannot be approved or refused again", func(t *testing.T) {
		requireProblem(t, do(t, "POST", "stock", "/demandes/"+did+"/approuver", nil), "approve twice")
		require.Equal(t, 409, do(t, "POST", "stock", "/demandes/"+did+"/approuver", nil).Status)
		require.Equal(t, 409, do(t, "POST", "stock", "/demandes/"+did+"/refuser", map[string]any{"motif": "trop tard"}).Status)
		require.Equal(t, int64(25), stockAt(t, centre, p).Quantite)
		require.Len(t, mouvements(t, p, url.Values{"type": {"transfert"}}), 2)
	})
}

func TestDemande_RefusedWithAMotifMovesNothing(t *testing.T) {
	const magasin = 1
	p := newProduct(t, 3_00, 30)
	d := demander(t, magasin, p, 10, "")
	r := want(t, do(t, "POST", "stock", "/demandes/"+id(t, d)+"/refuser", map[string]any{"motif": "pas de place en réserve"}), 200)
	require.Equal(t, "refusee", r["statut"])
	require.Equal(t, "pas de place en réserve", r["motif_refus"], "%v", r)
	require.Equal(t, 409, do(t, "POST", "stock", "/demandes/"+id(t, d)+"/approuver", nil).Status, "a refused request is not approved")
	require.Equal(t, "refusee", want(t, do(t, "GET", "stock", "/demandes/"+id(t, d), nil), 200)["statut"])
	require.Equal(t, int64(30), stockAt(t, centre, p).Quantite)
	require.False(t, stockAt(t, magasin, p).found && stockAt(t, magasin, p).Quantite > 0)
	require.Empty(t, mouvements(t, p, url.Values{"type": {"transfert"}}))
}

// The centre is short: 409 saying what it has, and nothing moves.
func TestDemande_CentreShortIs409WithTheAvailableQuantity(t *testing.T) {
	const magasin = 2
	p := newProduct(t, 5_00, 10)
	d := demander(t, magasin, p, 25, "")
	r := do(t, "POST", "stock", "/demandes/"+id(t, d)+"/approuver", nil)
	require.Equal(t, 409, r.Status, "%s", r.Body)
	requireProblem(t, r, "centre short")
	prob, err := fleettest.Decode(r.Body)
	require.NoError(t, err)
	require.Contains(t, prob["detail"], "10", "the detail says what the centre has")
	errs, _ := prob["errors"].([]any)
	require.NotEmpty(t, errs, "%s", r.Body)
	e := errs[0].(map[string]any)
	require.Equal(t, "path.id", e["location"])
	require.Equal(t, "10", num(t, e["value"]), "errors[].value is the available quantity")

	require.Equal(t, "en_attente", want(t, do(t, "GET", "stock", "/demandes/"+id(t, d), nil), 200)["statut"])
	require.Equal(t, int64(10), stockAt(t, centre, p).Quantite)
	require.Zero(t, stockAt(t, magasin, p).Quantite)
	require.Empty(t, mouvements(t, p, url.Values{"type": {"transfert"}}))
}

// Ten approvals of one request at once: one transfer.
func TestDemande_RacingApprovalsTransferOnce(t *testing.T) {
	const magasin, n = 4, 10
	p := newProduct(t, 2_00, 100)
	d := demander(t, magasin, p, 10, "")
	path := fl.URL("stock") + "/demandes/" + id(t, d) + "/approuver"
	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := fleettest.Send(context.Background(), "POST", path, nil)
			statuses[i], errs[i] = r.Status, err
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for i := range n {
		require.NoError(t, errs[i])
		count[statuses[i]]++
	}
	require.Equal(t, map[int]int{200: 1, 409: n - 1}, count, "one approval wins, the others see a delivered request")
	require.Equal(t, int64(90), stockAt(t, centre, p).Quantite)
	require.Equal(t, int64(10), stockAt(t, magasin, p).Quantite)
	require.Len(t, mouvements(t, p, url.Values{"type": {"transfert"}}), 2)
}

// A sale that takes a store below its threshold asks the centre once; later
// sales, even at the same time, add no second request while it is pending.
func TestReplenishment_FiresOncePerPendingRequest(t *testing.T) {
	const magasin = 5
	p := newProduct(t, 4_00, 300)
	supply(t, magasin, p, 40)
	setSeuil(t, magasin, p, 25)
	client := newClient(t)

	sell(t, client, magasin, line(p, 10)) // 30 left: not below 25
	require.Empty(t, automatiques(t, magasin, p), "30 is not below the threshold")

	sell(t, client, magasin, line(p, 7)) // 23 left: below
	auto := automatiques(t, magasin, p)
	require.Len(t, auto, 1)
	require.Equal(t, "en_attente", auto[0]["statut"])
	require.Equal(t, "27", num(t, auto[0]["quantite"]), "2 × seuil − disponible = 50 − 23")

	sell(t, client, magasin, line(p, 2)) // 21 left: still below, one request pending
	var wg sync.WaitGroup
	res := make([]sagaAnswer, 4)
	errs := make([]error, 4)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], errs[i] = sagaPost(context.Background(), "/saga/vente", venteBody(client, magasin, "comptant", line(p, 1)))
		}()
	}
	wg.Wait()
	for i := range res {
		require.NoError(t, errs[i])
		require.Equal(t, 201, res[i].status, res[i].body)
	}
	require.Equal(t, int64(17), stockAt(t, magasin, p).Quantite)
	require.Len(t, automatiques(t, magasin, p), 1, "exactly one automatic request while one is pending")

	// Once delivered, the next sale below the threshold asks again.
	want(t, do(t, "POST", "stock", "/demandes/"+id(t, auto[0])+"/approuver", nil), 200)
	require.Equal(t, int64(44), stockAt(t, magasin, p).Quantite)
	sell(t, client, magasin, line(p, 20)) // 24 left
	require.Len(t, automatiques(t, magasin, p), 2)
}

func automatiques(t testing.TB, magasin int, p product) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, d := range demandesOf(t, magasin, p) {
		if d["origine"] == "automatique" {
			out = append(out, d)
		}
	}
	return out
}

// The threshold is per location and product, 20 until head office sets it.
func TestSeuils_DefaultAndSet(t *testing.T) {
	p := newProduct(t, 1_00, 0)
	q := url.Values{"emplacement_id": {"2"}, "produit_id": {p.ID}}
	list := all(t, "stock", "/seuils", q)
	if len(list) > 0 {
		require.Equal(t, "20", num(t, list[0]["seuil"]), "the default threshold")
	}
	setSeuil(t, 2, p, 35)
	list = all(t, "stock", "/seuils", q)
	require.Len(t, list, 1)
	require.Equal(t, "35", num(t, list[0]["seuil"]))
	require.Equal(t, fmt.Sprint(2), num(t, list[0]["emplacement_id"]))
}
