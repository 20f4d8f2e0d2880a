package operations

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/test/internal/fleettest"
)

// ventes is what the test sold in its own period, by channel (0 is online).
type ventes struct {
	ca map[int]int64
	n  map[int]int64
}

func (v ventes) add(magasin int, ca int64, confirmee bool) {
	v.ca[magasin] += ca
	if confirmee {
		v.n[magasin]++
	}
}

// moyenne is ca / n rounded half away from zero, as the reports show it.
func moyenne(ca, n int64) int64 {
	if n == 0 {
		return 0
	}
	return int64(math.Round(float64(ca) / float64(n)))
}

// The head-office reports add up what the test sold in a period nobody else
// sold in: confirmed sales only, net of returns.
func TestRapports_MatchTheSalesOfThePeriod(t *testing.T) {
	depuis := time.Now().UTC()
	p1 := newProduct(t, 10_00, 200)
	p2 := newProduct(t, 25_00, 200)
	supply(t, 1, p1, 10)
	supply(t, 1, p2, 5)
	supply(t, 2, p2, 10)
	supply(t, 5, p1, 10)
	supply(t, 3, p1, 5)
	client := newClient(t)
	v := ventes{ca: map[int]int64{}, n: map[int]int64{}}

	sell(t, client, 1, line(p1, 2), line(p2, 1))
	v.add(1, 45_00, true)
	sell(t, client, 1, line(p1, 1))
	v.add(1, 10_00, true)
	c := sell(t, client, 2, line(p2, 3))
	giveBack(t, c.CommandeID, line(p2, 1))
	v.add(2, 50_00, true)
	sell(t, client, 5, line(p1, 4))
	v.add(5, 40_00, true)
	online, err := sagaPost(t.Context(), "/saga/commande", map[string]any{"client_id": client, "produits": []any{line(p2, 1)}})
	require.NoError(t, err)
	require.Equal(t, 201, online.status, online.body)
	v.add(0, 25_00, true)

	// A card sale over the client's limit is cancelled: it counts for nothing.
	pauvre := newClient(t)
	want(t, do(t, "PUT", "paiement", "/comptes/"+pauvre.String(), map[string]any{"limite": money(1_00)}), 200)
	refused, err := sagaPost(t.Context(), "/saga/vente", venteBody(pauvre, 3, "carte", line(p1, 1)))
	require.NoError(t, err)
	require.Equal(t, 402, refused.status, refused.body)

	jusquA := time.Now().UTC().Add(time.Second)
	period := url.Values{"depuis": {depuis.Format(time.RFC3339Nano)}, "jusqu_a": {jusquA.Format(time.RFC3339Nano)}}
	var total, totalN, storesCA, storesN int64
	for m := range 6 {
		total += v.ca[m]
		totalN += v.n[m]
		if m != 0 {
			storesCA += v.ca[m]
			storesN += v.n[m]
		}
	}

	ventesParMagasin := func(t *testing.T, r map[string]any) {
		t.Helper()
		rows := r["magasins"].([]any)
		seen := map[int]bool{}
		for _, raw := range rows {
			row := raw.(map[string]any)
			m := 0
			if row["magasin_id"] != nil {
				m = int(integer(t, row["magasin_id"]))
				require.Equal(t, "magasin", row["canal"])
			} else {
				require.Equal(t, "en_ligne", row["canal"])
			}
			seen[m] = true
			require.Equal(t, v.ca[m], cents(t, row["chiffre_affaires"]), "store %d: %v", m, row)
			require.Equal(t, v.n[m], integer(t, row["nombre_ventes"]), "store %d: %v", m, row)
			require.Equal(t, moyenne(v.ca[m], v.n[m]), cents(t, row["panier_moyen"]), "store %d: %v", m, row)
		}
		for m := range 6 {
			if v.n[m] > 0 {
				require.True(t, seen[m], "store %d sold and has no row: %v", m, rows)
			}
		}
		tot := r["total"].(map[string]any)
		require.Equal(t, total, cents(t, tot["chiffre_affaires"]))
		require.Equal(t, totalN, integer(t, tot["nombre_ventes"]))
		require.Equal(t, moyenne(total, totalN), cents(t, tot["panier_moyen"]))
	}
	performance := func(t *testing.T, r map[string]any) {
		t.Helper()
		moy := r["moyenne_chaine"].(map[string]any)
		require.Equal(t, moyenne(storesCA, 5), cents(t, moy["chiffre_affaires"]), "%v", moy)
		require.Equal(t, moyenne(storesCA, storesN), cents(t, moy["panier_moyen"]), "%v", moy)
		nv, err := strconv.ParseFloat(num(t, moy["nombre_ventes"]), 64)
		require.NoError(t, err)
		require.InDelta(t, float64(storesN)/5, nv, 0.005)
		rows := r["magasins"].([]any)
		require.Len(t, rows, 5, "the five stores")
		for _, raw := range rows {
			row := raw.(map[string]any)
			m := int(integer(t, row["magasin_id"]))
			require.Equal(t, v.ca[m], cents(t, row["chiffre_affaires"]), "store %d", m)
			require.Equal(t, v.n[m], integer(t, row["nombre_ventes"]), "store %d", m)
			ecart, err := strconv.ParseFloat(num(t, row["ecart_chiffre_affaires_pct"]), 64)
			require.NoError(t, err)
			wantPct := (float64(v.ca[m])*5/float64(storesCA) - 1) * 100
			require.InDelta(t, wantPct, ecart, 0.051, "store %d against the chain average", m)
		}
	}

	t.Run("ventes-par-magasin", func(t *testing.T) {
		ventesParMagasin(t, want(t, do(t, "GET", "commande", "/rapports/ventes-par-magasin?"+period.Encode(), nil), 200))
	})
	t.Run("performance-magasins", func(t *testing.T) {
		performance(t, want(t, do(t, "GET", "commande", "/rapports/performance-magasins?"+period.Encode(), nil), 200))
	})
	t.Run("top-produits", func(t *testing.T) {
		// p1: 2 + 1 + 4 units, 70.00; p2: 1 + 3 − 1 + 1 units, 100.00.
		for par, first := range map[string]product{"quantite": p1, "chiffre_affaires": p2} {
			q := url.Values{"par": {par}}
			for k, v := range period {
				q[k] = v
			}
			r := want(t, do(t, "GET", "commande", "/rapports/top-produits?"+q.Encode(), nil), 200)
			list := r["produits"].([]any)
			require.Len(t, list, 2, "only p1 and p2 sold in the period: %v", list)
			require.Equal(t, first.ID, num(t, list[0].(map[string]any)["produit_id"]), "par=%s", par)
			for _, raw := range list {
				row := raw.(map[string]any)
				switch num(t, row["produit_id"]) {
				case p1.ID:
					require.Equal(t, "7", num(t, row["quantite"]))
					require.Equal(t, int64(70_00), cents(t, row["chiffre_affaires"]))
				case p2.ID:
					require.Equal(t, "4", num(t, row["quantite"]))
					require.Equal(t, int64(100_00), cents(t, row["chiffre_affaires"]))
				}
			}
		}
	})
	t.Run("chiffre-affaires-par-jour", func(t *testing.T) {
		for _, magasin := range []int{0, 1, 3} {
			q := url.Values{}
			for k, v := range period {
				q[k] = v
			}
			wantCA, wantN := total, totalN
			if magasin != 0 {
				q.Set("magasin_id", strconv.Itoa(magasin))
				wantCA, wantN = v.ca[magasin], v.n[magasin]
			}
			r := want(t, do(t, "GET", "commande", "/rapports/chiffre-affaires-par-jour?"+q.Encode(), nil), 200)
			jours := r["jours"].([]any)
			require.NotEmpty(t, jours)
			var ca, n int64
			for _, raw := range jours {
				j := raw.(map[string]any)
				_, err := time.Parse(time.DateOnly, j["jour"].(string))
				require.NoError(t, err)
				ca += cents(t, j["chiffre_affaires"])
				n += integer(t, j["nombre_ventes"])
			}
			require.Equal(t, wantCA, ca, "magasin %d: %v", magasin, jours)
			require.Equal(t, wantN, n, "magasin %d", magasin)
		}
	})
	t.Run("maison-mere/apercu through the gateway", func(t *testing.T) {
		r := fleettest.Do(t, fl, "GET", "gateway", "/maison-mere/apercu?"+period.Encode(), nil)
		m := want(t, r, 200)
		for _, group := range []string{"ventes_par_magasin", "performance_magasins", "ruptures", "demandes_en_attente"} {
			require.IsType(t, map[string]any{}, m[group], "group %s: %v", group, m[group])
		}
		for _, group := range []string{"ventes_par_magasin", "performance_magasins"} {
			got, err := time.Parse(time.RFC3339Nano, m[group].(map[string]any)["depuis"].(string))
			require.NoError(t, err)
			require.True(t, got.Equal(depuis), "%s covers from %s: the gateway did not pass depuis=%s to its backend",
				group, got, depuis.Format(time.RFC3339Nano))
		}
		ventesParMagasin(t, m["ventes_par_magasin"].(map[string]any))
		performance(t, m["performance_magasins"].(map[string]any))
	})
	t.Run("the same reports through the gateway", func(t *testing.T) {
		for _, path := range []string{"/rapports/ventes-par-magasin", "/rapports/performance-magasins", "/rapports/top-produits", "/rapports/chiffre-affaires-par-jour"} {
			direct := do(t, "GET", "commande", path+"?"+period.Encode(), nil)
			through := fleettest.Do(t, fl, "GET", "gateway", path+"?"+period.Encode(), nil)
			require.Equal(t, 200, through.Status, "%s: %s", path, through.Body)
			require.JSONEq(t, string(direct.Body), string(through.Body), path)
		}
	})
}

// The stock reports list the test's own products where they are short or in
// excess, and count the pending requests per store as GET /demandes does.
func TestRapports_StockOutsOverstockAndPendingRequests(t *testing.T) {
	const magasin = 3
	p := newProduct(t, 7_00, 150)
	supply(t, magasin, p, 3)
	demander(t, magasin, p, 10, "rupture")

	require.NotNil(t, reportRow(t, "/rapports/ruptures", url.Values{"emplacement_id": {"3"}}, p), "3 units at the store is a stock-out (<= 5)")
	require.Nil(t, reportRow(t, "/rapports/ruptures", url.Values{"emplacement_id": {"3"}, "seuil": {"2"}}, p), "but not at seuil=2")
	require.Nil(t, reportRow(t, "/rapports/ruptures", url.Values{"emplacement_id": {"6"}}, p), "147 at the centre")
	require.NotNil(t, reportRow(t, "/rapports/surplus", url.Values{"emplacement_id": {"6"}}, p), "147 at the centre is overstock (>= 100)")
	require.Nil(t, reportRow(t, "/rapports/surplus", url.Values{"emplacement_id": {"6"}, "seuil": {"200"}}, p))

	r := want(t, do(t, "GET", "stock", "/rapports/demandes-en-attente", nil), 200)
	counts := pendingCounts(t, r)
	for m := 1; m <= 5; m++ {
		page := want(t, do(t, "GET", "stock", fmt.Sprintf("/demandes?statut=en_attente&magasin_id=%d&limit=1", m), nil), 200)
		require.Equal(t, integer(t, page["total"]), counts[m], "store %d: %s", m, r)
	}
	require.Positive(t, counts[magasin])
}

// reportRow finds p's row in every page of a stock report, or nil.
func reportRow(t *testing.T, path string, q url.Values, p product) map[string]any {
	t.Helper()
	for _, row := range all(t, "stock", path, q) {
		if num(t, row["produit_id"]) == p.ID {
			return row
		}
	}
	return nil
}

// pendingCounts reads the pending requests per store from the report.
func pendingCounts(t *testing.T, r map[string]any) map[int]int64 {
	t.Helper()
	out := map[int]int64{}
	rows, ok := r["magasins"].([]any)
	require.True(t, ok, "%v", r)
	var sum int64
	for _, raw := range rows {
		row := raw.(map[string]any)
		n := integer(t, row["en_attente"])
		out[int(integer(t, row["magasin_id"]))] = n
		sum += n
	}
	require.Equal(t, integer(t, r["en_attente"]), sum, "the stores add up to the total")
	return out
}
