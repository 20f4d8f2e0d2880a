package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/commande/internal/commande"
	"multimagasins/commande/internal/postgres"
	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

// ligneTest is one line of a sale the test makes: rendu units came back.
type ligneTest struct {
	produit  int64
	quantite int
	prix     kit.Cents
	rendu    int
}

// venteTest is a confirmed sale at a chosen instant; magasin 0 is online.
type venteTest struct {
	magasin int
	at      time.Time
	lignes  []ligneTest
}

func (v venteTest) net() kit.Cents {
	var n kit.Cents
	for _, l := range v.lignes {
		n += l.prix * kit.Cents(l.quantite-l.rendu)
	}
	return n
}

// ecrireHistorique writes sales through the generator's repository code, which
// stores them exactly as the saga and a return would have.
func ecrireHistorique(t *testing.T, dbURL string, ventes []venteTest) {
	t.Helper()
	ctx := context.Background()
	pool, err := kit.OpenDB(ctx, kit.Config{Service: "test", DatabaseURL: dbURL, DBMaxConns: 2}, "commande", nil, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer pool.Close()
	var hs []commande.VenteHistorique
	for _, v := range ventes {
		id := uuid.New()
		d := commande.Demande{ID: &id, ClientID: 3, Canal: commande.EnLigne}
		if v.magasin != 0 {
			m := v.magasin
			d.Canal, d.MagasinID = commande.Magasin, &m
		}
		h := commande.VenteHistorique{CreeLe: v.at}
		var ret commande.Retour
		for _, l := range v.lignes {
			d.Lignes = append(d.Lignes, commande.LigneDemandee{ProduitID: l.produit, Quantite: l.quantite, PrixUnitaire: l.prix})
			if l.rendu > 0 {
				m := l.prix * kit.Cents(l.rendu)
				ret.Lignes = append(ret.Lignes, commande.LigneRetournee{ProduitID: l.produit, Quantite: l.rendu, PrixUnitaire: l.prix, Montant: m})
				ret.Montant += m
			}
		}
		if len(ret.Lignes) > 0 {
			ret.ID, ret.CommandeID, ret.At = uuid.New(), id, v.at.Add(time.Hour)
			h.Retour = &ret
		}
		h.Demande = d
		hs = append(hs, h)
	}
	n, err := postgres.NewRepo(pool).InsererHistorique(ctx, postgres.Generation{Graine: 1, Jours: 1, ParJour: 1}, hs, true)
	require.NoError(t, err)
	require.Equal(t, len(ventes), n)
}

func rapport(t *testing.T, base, path string, q url.Values) map[string]any {
	t.Helper()
	r := kittest.Do(t, "GET", base+path+"?"+q.Encode(), nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	return r.Map(t)
}

func cents(c kit.Cents) float64 { return float64(c) / 100 }

func panier(ca kit.Cents, n int) float64 { return cents(commande.Moyenne(ca, int64(n))) }

func confirmer(t *testing.T, base, id string) {
	t.Helper()
	for _, s := range []string{"STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"} {
		r := transition(t, base, id, s, "", "saga-"+id+":"+s)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	}
}

// Orders made through the API: only CONFIRMEE ones count, and a return made
// through the API comes off the revenue and the units.
func TestRapports_APIOrdersConfirmedOnlyNetOfReturns(t *testing.T) {
	base, _ := start(t)
	a := create(t, base, enLigne(7))["id"].(string) // 2 × 19.99 + 1 × 5.00
	confirmer(t, base, a)
	r := kittest.Do(t, "POST", base+"/commande/"+a+"/retours",
		map[string]any{"lignes": []map[string]any{{"produit_id": 1, "quantite": 1}}}, "Idempotency-Key", "ret-a")
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	b := create(t, base, auComptoir(8, 2))["id"].(string)
	confirmer(t, base, b)
	c := create(t, base, auComptoir(9, 2))["id"].(string) // paid, not confirmed
	for _, s := range []string{"STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE"} {
		require.Equal(t, http.StatusOK, transition(t, base, c, s, "", "c:"+s).Status)
	}
	d := create(t, base, auComptoir(9, 3))["id"].(string)
	require.Equal(t, http.StatusOK, transition(t, base, d, "ANNULEE", "stock", "d:x").Status)

	v := rapport(t, base, "/rapports/ventes-par-magasin", nil)
	rows := v["magasins"].([]any)
	require.Len(t, rows, 6)
	enLigneRow := rows[5].(map[string]any)
	require.Nil(t, enLigneRow["magasin_id"])
	require.Equal(t, "en_ligne", enLigneRow["canal"])
	require.Equal(t, 24.99, enLigneRow["chiffre_affaires"], "44.98 minus the returned 19.99")
	require.Equal(t, 1.0, enLigneRow["nombre_ventes"])
	m2 := rows[1].(map[string]any)
	require.Equal(t, 2.0, m2["magasin_id"])
	require.Equal(t, 44.98, m2["chiffre_affaires"], "the PAYEE order of store 2 is not a sale yet")
	require.Equal(t, 1.0, m2["nombre_ventes"])
	require.Equal(t, 0.0, rows[2].(map[string]any)["nombre_ventes"], "store 3's order was cancelled")
	require.Equal(t, map[string]any{"chiffre_affaires": 69.97, "nombre_ventes": 2.0, "panier_moyen": 34.99}, v["total"])

	top := rapport(t, base, "/rapports/top-produits", url.Values{"par": {"quantite"}})["produits"].([]any)
	require.Equal(t, []any{
		map[string]any{"produit_id": 1.0, "quantite": 3.0, "chiffre_affaires": 59.97},
		map[string]any{"produit_id": 2.0, "quantite": 2.0, "chiffre_affaires": 10.0},
	}, top)
}

// Sales at chosen instants around a period of three Montréal days: every
// figure of every report is checked against sums the test makes itself.
func TestRapports_FiguresOverAPeriod(t *testing.T) {
	base, dbURL := start(t)
	loc, err := time.LoadLocation(commande.Fuseau)
	require.NoError(t, err)
	depuis := time.Date(2025, 1, 10, 0, 0, 0, 0, loc)
	jusqua := depuis.AddDate(0, 0, 3)
	us := time.Microsecond
	l := func(p int64, q int, prix kit.Cents, rendu int) ligneTest { return ligneTest{p, q, prix, rendu} }
	ventes := []venteTest{
		{1, depuis, []ligneTest{l(1, 2, 10000, 0), l(14, 3, 499, 1)}},                     // the first instant counts
		{1, depuis.Add(10 * time.Hour), []ligneTest{l(2, 1, 25000, 1)}},                   // all returned: 0 revenue, still a sale
		{3, depuis.Add(23*time.Hour + 59*time.Minute), []ligneTest{l(12, 4, 1299, 0)}},    // 23:59 Montréal is still the 10th
		{0, depuis.Add(20 * time.Hour), []ligneTest{l(1, 1, 10000, 0), l(7, 2, 3499, 0)}}, // online
		// nothing on the 11th
		{5, jusqua.Add(-us), []ligneTest{l(7, 1, 3499, 0), l(14, 10, 499, 2)}}, // the last instant counts
		{3, depuis.AddDate(0, 0, 2).Add(12 * time.Hour), []ligneTest{l(13, 2, 2499, 0)}},
		{0, depuis.AddDate(0, 0, 2).Add(time.Hour), []ligneTest{l(6, 1, 12999, 0)}},
		// outside the period
		{1, depuis.Add(-us), []ligneTest{l(1, 5, 10000, 0)}},
		{2, jusqua, []ligneTest{l(2, 5, 25000, 0)}},
	}
	ecrireHistorique(t, dbURL, ventes)
	// An order of the period that never got confirmed: created, then moved back in time.
	c := create(t, base, auComptoir(9, 4))["id"].(string)
	exec(t, dbURL, `UPDATE commandes SET cree_le = $2 WHERE id = $1`, c, depuis.Add(time.Hour))

	in := func(v venteTest) bool { return !v.at.Before(depuis) && v.at.Before(jusqua) }
	q := url.Values{"depuis": {depuis.Format(time.RFC3339)}, "jusqu_a": {jusqua.Format(time.RFC3339)}}

	// ventes-par-magasin and performance-magasins
	ca := map[int]kit.Cents{}
	n := map[int]int{}
	for _, v := range ventes {
		if in(v) {
			ca[v.magasin] += v.net()
			n[v.magasin]++
		}
	}
	vpm := rapport(t, base, "/rapports/ventes-par-magasin", q)
	require.Equal(t, depuis.UTC().Format(time.RFC3339), vpm["depuis"])
	var caTotal kit.Cents
	var nTotal int
	for i, key := range []int{1, 2, 3, 4, 5, 0} {
		row := vpm["magasins"].([]any)[i].(map[string]any)
		require.Equal(t, cents(ca[key]), row["chiffre_affaires"], "magasin %d", key)
		require.Equal(t, float64(n[key]), row["nombre_ventes"], "magasin %d", key)
		require.Equal(t, panier(ca[key], n[key]), row["panier_moyen"], "magasin %d", key)
		caTotal += ca[key]
		nTotal += n[key]
	}
	require.Equal(t, map[string]any{"chiffre_affaires": cents(caTotal), "nombre_ventes": float64(nTotal),
		"panier_moyen": panier(caTotal, nTotal)}, vpm["total"])

	perf := rapport(t, base, "/rapports/performance-magasins", q)
	caMagasins, nMagasins := caTotal-ca[0], nTotal-n[0]
	require.Equal(t, map[string]any{"chiffre_affaires": panier(caMagasins, 5), "nombre_ventes": float64(nMagasins) / 5,
		"panier_moyen": panier(caMagasins, nMagasins)}, perf["moyenne_chaine"])
	for i, row := range perf["magasins"].([]any) {
		row := row.(map[string]any)
		id := i + 1
		require.Equal(t, float64(id), row["magasin_id"])
		require.Equal(t, cents(ca[id]), row["chiffre_affaires"])
		require.Equal(t, float64(n[id]), row["nombre_ventes"])
		want := math.Round((float64(ca[id])/(float64(caMagasins)/5)-1)*1000) / 10
		require.InDelta(t, want, row["ecart_chiffre_affaires_pct"], 1e-9, "magasin %d", id)
	}
	require.Equal(t, -100.0, perf["magasins"].([]any)[1].(map[string]any)["ecart_chiffre_affaires_pct"], "store 2 sold nothing in the period")

	// top-produits, both rankings
	type pv struct {
		id int64
		q  int
		ca kit.Cents
	}
	byID := map[int64]*pv{}
	for _, v := range ventes {
		if !in(v) {
			continue
		}
		for _, l := range v.lignes {
			if byID[l.produit] == nil {
				byID[l.produit] = &pv{id: l.produit}
			}
			byID[l.produit].q += l.quantite - l.rendu
			byID[l.produit].ca += l.prix * kit.Cents(l.quantite-l.rendu)
		}
	}
	var all []pv
	for _, p := range byID {
		if p.q > 0 {
			all = append(all, *p)
		}
	}
	for _, par := range []string{"quantite", "chiffre_affaires"} {
		sort.Slice(all, func(i, j int) bool {
			a, b := all[i], all[j]
			ka, kb, sa, sb := int64(a.q), int64(b.q), int64(a.ca), int64(b.ca)
			if par == "chiffre_affaires" {
				ka, kb, sa, sb = int64(a.ca), int64(b.ca), int64(a.q), int64(b.q)
			}
			if ka != kb {
				return ka > kb
			}
			if sa != sb {
				return sa > sb
			}
			return a.id < b.id
		})
		limit := 3
		var want []any
		for _, p := range all[:limit] {
			want = append(want, map[string]any{"produit_id": float64(p.id), "quantite": float64(p.q), "chiffre_affaires": cents(p.ca)})
		}
		qq := url.Values{"depuis": q["depuis"], "jusqu_a": q["jusqu_a"], "par": {par}, "limit": {fmt.Sprint(limit)}}
		got := rapport(t, base, "/rapports/top-produits", qq)
		require.Equal(t, par, got["par"])
		require.Equal(t, want, got["produits"], par)
	}

	// chiffre-affaires-par-jour: three days, the empty one at 0, whole chain and one store
	for _, magasin := range []int{0, 1, 2} {
		qq := url.Values{"depuis": q["depuis"], "jusqu_a": q["jusqu_a"]}
		if magasin != 0 {
			qq.Set("magasin_id", fmt.Sprint(magasin))
		}
		var want []any
		for d := range 3 {
			jour := depuis.AddDate(0, 0, d)
			var caj kit.Cents
			var nj int
			for _, v := range ventes {
				if in(v) && !v.at.Before(jour) && v.at.Before(jour.AddDate(0, 0, 1)) && (magasin == 0 || v.magasin == magasin) {
					caj += v.net()
					nj++
				}
			}
			want = append(want, map[string]any{"jour": jour.Format("2006-01-02"), "chiffre_affaires": cents(caj), "nombre_ventes": float64(nj)})
		}
		got := rapport(t, base, "/rapports/chiffre-affaires-par-jour", qq)
		require.Equal(t, want, got["jours"], "magasin %d", magasin)
		require.Equal(t, 0.0, got["jours"].([]any)[1].(map[string]any)["nombre_ventes"])
	}
}

func TestRapports_BadInputChangesNothing(t *testing.T) {
	base, dbURL := start(t)
	before := rows(t, dbURL)
	q := func(path string, kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return path + "?" + v.Encode()
	}
	const a, b = "2025-01-10T00:00:00Z", "2025-01-20T00:00:00Z"
	var cases []kittest.BadInput
	for _, p := range []string{"/rapports/ventes-par-magasin", "/rapports/top-produits", "/rapports/chiffre-affaires-par-jour", "/rapports/performance-magasins"} {
		cases = append(cases,
			kittest.BadInput{Name: p + " reversed", Method: "GET", Path: q(p, "depuis", b, "jusqu_a", a), Status: 422, Field: "query.jusqu_a"},
			kittest.BadInput{Name: p + " empty", Method: "GET", Path: q(p, "depuis", a, "jusqu_a", a), Status: 422, Field: "query.jusqu_a"},
			kittest.BadInput{Name: p + " bad depuis", Method: "GET", Path: q(p, "depuis", "hier"), Status: 422, Field: "query.depuis"},
			kittest.BadInput{Name: p + " bad jusqu_a", Method: "GET", Path: q(p, "jusqu_a", "2025-13-01"), Status: 422, Field: "query.jusqu_a"},
			kittest.BadInput{Name: p + " future depuis", Method: "GET", Path: q(p, "depuis", "2999-01-01T00:00:00Z"), Status: 422, Field: "query.jusqu_a"},
		)
	}
	cases = append(cases,
		kittest.BadInput{Name: "par autre", Method: "GET", Path: q("/rapports/top-produits", "par", "autre"), Status: 422, Field: "query.par"},
		kittest.BadInput{Name: "limit 0", Method: "GET", Path: q("/rapports/top-produits", "limit", "0"), Status: 422, Field: "query.limit"},
		kittest.BadInput{Name: "limit 101", Method: "GET", Path: q("/rapports/top-produits", "limit", "101"), Status: 422, Field: "query.limit"},
		kittest.BadInput{Name: "limit text", Method: "GET", Path: q("/rapports/top-produits", "limit", "dix"), Status: 422, Field: "query.limit"},
		kittest.BadInput{Name: "magasin 6", Method: "GET", Path: q("/rapports/chiffre-affaires-par-jour", "magasin_id", "6"), Status: 422, Field: "query.magasin_id"},
		kittest.BadInput{Name: "magasin 0", Method: "GET", Path: q("/rapports/chiffre-affaires-par-jour", "magasin_id", "0"), Status: 422, Field: "query.magasin_id"},
		kittest.BadInput{Name: "per day over 366 days", Method: "GET",
			Path: q("/rapports/chiffre-affaires-par-jour", "depuis", "2020-01-01T00:00:00Z", "jusqu_a", "2025-01-01T00:00:00Z"), Status: 422, Field: "query.jusqu_a"},
	)
	kittest.RequireBadInputs(t, base, cases, func(t *testing.T) { require.Equal(t, before, rows(t, dbURL)) })
}
