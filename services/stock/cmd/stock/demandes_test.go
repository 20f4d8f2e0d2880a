package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// demande is the JSON of a supply request.
type demande struct {
	ID         int64  `json:"id"`
	MagasinID  int64  `json:"magasin_id"`
	MagasinNom string `json:"magasin_nom"`
	ProduitID  int64  `json:"produit_id"`
	ProduitNom string `json:"produit_nom"`
	Quantite   int64  `json:"quantite"`
	Statut     string `json:"statut"`
	Origine    string `json:"origine"`
	Motif      string `json:"motif"`
	MotifRefus string `json:"motif_refus"`
}

func createDemande(t *testing.T, base string, magasin, produit, quantite int64) demande {
	t.Helper()
	r := kittest.Do(t, "POST", base+"/magasins/"+itoa(magasin)+"/demandes",
		map[string]any{"produit_id": produit, "quantite": quantite, "motif": "vitrine vide"})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var d demande
	r.JSON(t, &d)
	return d
}

func approve(t *testing.T, base string, id int64) kittest.Response {
	t.Helper()
	return kittest.Do(t, "POST", base+"/demandes/"+itoa(id)+"/approuver", nil)
}

// sale reserves then confirms lignes at a store, as the counter-sale saga does.
func sale(t *testing.T, base, cle string, magasin int64, lignes ...[2]int64) {
	t.Helper()
	ls := make([]map[string]int64, len(lignes))
	for i, l := range lignes {
		ls[i] = map[string]int64{"produit_id": l[0], "quantite": l[1]}
	}
	r := kittest.Do(t, "POST", base+"/reservations", map[string]any{"cle": cle, "emplacement_id": magasin, "lignes": ls})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	c := kittest.Do(t, "POST", base+"/reservations/"+cle+"/confirmation", nil)
	require.Equal(t, http.StatusOK, c.Status, string(c.Body))
}

// stocked makes a product held by store magasin with quantite units, brought
// there from the centre by an approved request.
func stocked(t *testing.T, base string, magasin, quantite int64) int64 {
	t.Helper()
	p := newProduit(t, base, int(quantite)+100)
	d := createDemande(t, base, magasin, p, quantite)
	require.Equal(t, http.StatusOK, approve(t, base, d.ID).Status)
	return p
}

func queryInt(t *testing.T, dbURL, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	withConn(t, dbURL, func(ctx context.Context, c *pgx.Conn) {
		require.NoError(t, c.QueryRow(ctx, sql, args...).Scan(&n))
	})
	return n
}

func countAuto(t *testing.T, dbURL string, magasin, produit int64) int64 {
	t.Helper()
	return queryInt(t, dbURL, `SELECT count(*) FROM demandes WHERE magasin_id = $1 AND produit_id = $2 AND origine = 'automatique'`,
		magasin, produit)
}

// snapshotAppro adds the supply tables to what a bad request could change.
func snapshotAppro(t *testing.T, dbURL string) string {
	t.Helper()
	var s string
	withConn(t, dbURL, func(ctx context.Context, c *pgx.Conn) {
		require.NoError(t, c.QueryRow(ctx, `SELECT concat_ws(' ',
			(SELECT md5(string_agg(d::text, ',' ORDER BY id)) FROM demandes d),
			(SELECT md5(string_agg(s::text, ',' ORDER BY emplacement_id, produit_id)) FROM seuils s),
			(SELECT md5(string_agg(n::text, ',' ORDER BY emplacement_id, produit_id)) FROM niveaux n))`).Scan(&s))
	})
	return snapshot(t, dbURL) + " " + s
}

func TestDemandes_CreateListAndGet(t *testing.T) {
	base, _ := start(t)
	a := createDemande(t, base, 1, 3, 10)
	// Names come with the ids: a page listing requests makes no second call.
	require.Equal(t, demande{ID: a.ID, MagasinID: 1, MagasinNom: "Plateau", ProduitID: 3, ProduitNom: "Haut-parleur Bluetooth",
		Quantite: 10, Statut: "en_attente", Origine: "magasin", Motif: "vitrine vide"}, a)
	b := createDemande(t, base, 2, 3, 5)
	c := createDemande(t, base, 2, 4, 7)

	got := kittest.Do(t, "GET", base+"/demandes/"+itoa(b.ID), nil)
	require.Equal(t, http.StatusOK, got.Status)
	require.Contains(t, string(got.Body), `"cree_le"`)
	require.Contains(t, string(got.Body), `"modifie_le"`)

	ids := func(query string) []int64 {
		var page struct {
			Items []demande `json:"items"`
			Total int64     `json:"total"`
		}
		kittest.Do(t, "GET", base+"/demandes"+query, nil).JSON(t, &page)
		require.EqualValues(t, len(page.Items), page.Total, query)
		out := []int64{}
		for _, d := range page.Items {
			out = append(out, d.ID)
		}
		return out
	}
	require.Equal(t, []int64{c.ID, b.ID, a.ID}, ids(""), "newest first")
	require.Equal(t, []int64{c.ID, b.ID}, ids("?magasin_id=2"))
	require.Equal(t, []int64{b.ID, a.ID}, ids("?produit_id=3"))
	require.Equal(t, []int64{c.ID}, ids("?magasin_id=2&produit_id=4&statut=en_attente"))
	require.Equal(t, []int64{}, ids("?statut=livree"))

	// One pending request per product and store: the store waits for the answer.
	dup := kittest.Do(t, "POST", base+"/magasins/1/demandes", map[string]any{"produit_id": 3, "quantite": 1})
	kittest.RequireProblem(t, dup, http.StatusConflict, "body.produit_id")
}

func TestDemandes_ApproveMovesStockCentreToStoreWithTwoLedgerRows(t *testing.T) {
	base, dbURL := start(t)
	p := newProduit(t, base, 50)
	d := createDemande(t, base, 3, p, 30)

	r := approve(t, base, d.ID)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var got demande
	r.JSON(t, &got)
	require.Equal(t, "livree", got.Statut)
	require.Equal(t, niveau{20, 0}, level(t, dbURL, 6, p))
	require.Equal(t, niveau{30, 0}, level(t, dbURL, 3, p))

	var page struct {
		Items []map[string]any `json:"items"`
	}
	kittest.Do(t, "GET", base+"/mouvements?reference=demande:"+itoa(d.ID), nil).JSON(t, &page)
	require.Len(t, page.Items, 2)
	sides := map[float64]float64{}
	for _, m := range page.Items {
		require.Equal(t, "transfert", m["type"])
		require.Equal(t, "logistique", m["acteur"])
		require.NotEmpty(t, m["motif"])
		require.EqualValues(t, 30, m["quantite"])
		sides[m["emplacement_id"].(float64)]++
	}
	require.Equal(t, map[float64]float64{3: 1, 6: 1}, sides, "one row at the centre, one at the store")

	// Approving again is a conflict and moves nothing.
	kittest.RequireProblem(t, approve(t, base, d.ID), http.StatusConflict, "path.id")
	require.Equal(t, niveau{30, 0}, level(t, dbURL, 3, p))
}

func TestDemandes_CentreShortIsAConflictSayingWhatIsAvailable(t *testing.T) {
	base, dbURL := start(t)
	p := newProduit(t, base, 10)
	d := createDemande(t, base, 1, p, 11)
	before := snapshotAppro(t, dbURL)
	r := approve(t, base, d.ID)
	pb := kittest.RequireProblem(t, r, http.StatusConflict, "path.id")
	require.Contains(t, pb.Detail, "only 10 available")
	require.Equal(t, []float64{10}, errorValues(t, r))
	require.Equal(t, before, snapshotAppro(t, dbURL), "nothing moved")
	require.Equal(t, "en_attente", kittest.Do(t, "GET", base+"/demandes/"+itoa(d.ID), nil).Map(t)["statut"])

	// Reserved units are not available either.
	p2 := newProduit(t, base, 10)
	garde := kittest.Do(t, "POST", base+"/reservations", map[string]any{"cle": "garde", "lignes": []map[string]int64{{"produit_id": p2, "quantite": 4}}})
	require.Equal(t, http.StatusCreated, garde.Status)
	d2 := createDemande(t, base, 1, p2, 7)
	r = approve(t, base, d2.ID)
	kittest.RequireProblem(t, r, http.StatusConflict, "path.id")
	require.Equal(t, []float64{6}, errorValues(t, r))
	require.Equal(t, niveau{10, 4}, level(t, dbURL, 6, p2))
}

// errorValues are the values of a problem's errors.
func errorValues(t *testing.T, r kittest.Response) []float64 {
	t.Helper()
	var p struct {
		Errors []struct {
			Value float64 `json:"value"`
		} `json:"errors"`
	}
	r.JSON(t, &p)
	out := []float64{}
	for _, e := range p.Errors {
		out = append(out, e.Value)
	}
	return out
}

func TestDemandes_ConcurrentApprovalsTransferOnce(t *testing.T) {
	base, dbURL := start(t)
	p := newProduit(t, base, 100)
	d := createDemande(t, base, 4, p, 25)
	const n = 20
	approvals := make([]*http.Request, n)
	for i := range approvals {
		approvals[i] = kittest.Request(t, "POST", base+"/demandes/"+itoa(d.ID)+"/approuver", nil)
	}
	count := map[int]int{}
	for _, s := range statuses(kittest.SendAll(t, approvals)) {
		count[s]++
	}
	require.Equal(t, map[int]int{http.StatusOK: 1, http.StatusConflict: n - 1}, count)
	require.Equal(t, niveau{75, 0}, level(t, dbURL, 6, p))
	require.Equal(t, niveau{25, 0}, level(t, dbURL, 4, p))
	require.Equal(t, 2, countMouvements(t, dbURL, "transfert", "demande:"+itoa(d.ID)))
}

func statutDemande(t *testing.T, base string, id int64) string {
	t.Helper()
	var d demande
	r := kittest.Do(t, "GET", base+"/demandes/"+itoa(id), nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	r.JSON(t, &d)
	return d.Statut
}

func TestDemandes_RefuseNeedsAMotifAndClosesTheRequest(t *testing.T) {
	base, dbURL := start(t)
	p := newProduit(t, base, 100)
	d := createDemande(t, base, 5, p, 10)
	path := base + "/demandes/" + itoa(d.ID) + "/refuser"
	kittest.RequireProblem(t, kittest.Do(t, "POST", path, map[string]any{}), 422, "body.motif")
	kittest.RequireProblem(t, kittest.Do(t, "POST", path, map[string]any{"motif": ""}), 422, "body.motif")
	kittest.RequireProblem(t, kittest.Do(t, "POST", path, map[string]any{"motif": "   "}), 422, "body.motif")

	require.Equal(t, "en_attente", statutDemande(t, base, d.ID), "a refusal without a reason changes nothing")

	r := kittest.Do(t, "POST", path, map[string]any{"motif": "  budget épuisé "})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var got demande
	r.JSON(t, &got)
	require.Equal(t, "refusee", got.Statut)
	require.Equal(t, "budget épuisé", got.MotifRefus, "the reason is kept trimmed")
	require.Equal(t, "Saint-Laurent", got.MagasinNom, "an update's answer names the store too")
	require.Equal(t, "Test "+t.Name(), got.ProduitNom)

	before := snapshotAppro(t, dbURL)
	kittest.RequireProblem(t, approve(t, base, d.ID), http.StatusConflict, "path.id")
	kittest.RequireProblem(t, kittest.Do(t, "POST", path, map[string]any{"motif": "encore"}), http.StatusConflict, "path.id")
	require.Equal(t, before, snapshotAppro(t, dbURL))

	// Once refused, the store may ask again.
	createDemande(t, base, 5, p, 5)
}

func TestSeuils_DefaultTwentyAndHeadOfficeChangesThem(t *testing.T) {
	base, _ := start(t)
	seuil := func(emp, produit int64) float64 {
		page := kittest.Do(t, "GET", fmt.Sprintf("%s/seuils?emplacement_id=%d&produit_id=%d", base, emp, produit), nil).Map(t)
		require.EqualValues(t, 1, page["total"])
		return page["items"].([]any)[0].(map[string]any)["seuil"].(float64)
	}
	require.EqualValues(t, 20, seuil(2, 5))
	all := kittest.Do(t, "GET", base+"/seuils?limit=500", nil).Map(t)
	require.EqualValues(t, 6*14, all["total"], "every location × product")

	r := kittest.Do(t, "PUT", base+"/emplacements/2/seuils/5", map[string]any{"seuil": 35})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, map[string]any{"emplacement_id": 2.0, "produit_id": 5.0, "seuil": 35.0}, r.Map(t))
	require.EqualValues(t, 35, seuil(2, 5))
	require.EqualValues(t, 20, seuil(3, 5), "other stores keep theirs")
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/emplacements/2/seuils/5", map[string]any{"seuil": 0}).Status)
	require.EqualValues(t, 0, seuil(2, 5))

	// Stock rows show the threshold.
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/emplacements/6/seuils/1", map[string]any{"seuil": 999}).Status)
	row := kittest.Do(t, "GET", base+"/logistique/stock?limit=1", nil).Map(t)["items"].([]any)[0].(map[string]any)
	require.EqualValues(t, 999, row["seuil"])
	require.EqualValues(t, 20, kittest.Do(t, "GET", base+"/magasins/1/stock?limit=1", nil).Map(t)["items"].([]any)[0].(map[string]any)["seuil"])
}

func TestAutoReplenishment_OneRequestWhenASaleTakesTheStoreBelowItsThreshold(t *testing.T) {
	base, dbURL := start(t)
	p := stocked(t, base, 1, 25)

	sale(t, base, "v1", 1, [2]int64{p, 5}) // 20 left: not below 20
	require.EqualValues(t, 0, countAuto(t, dbURL, 1, p))

	sale(t, base, "v2", 1, [2]int64{p, 1}) // 19 left
	require.EqualValues(t, 1, countAuto(t, dbURL, 1, p))
	var page struct {
		Items []demande `json:"items"`
	}
	kittest.Do(t, "GET", fmt.Sprintf("%s/demandes?magasin_id=1&produit_id=%d&statut=en_attente", base, p), nil).JSON(t, &page)
	require.Len(t, page.Items, 1)
	auto := page.Items[0]
	require.Equal(t, "automatique", auto.Origine)
	require.EqualValues(t, 2*20-19, auto.Quantite)
	require.Contains(t, auto.Motif, "19")

	sale(t, base, "v3", 1, [2]int64{p, 4}) // still pending: no second one
	require.EqualValues(t, 1, countAuto(t, dbURL, 1, p))

	// Once delivered, the next sale below the threshold asks again.
	require.Equal(t, http.StatusOK, approve(t, base, auto.ID).Status)
	require.Equal(t, niveau{15 + 21, 0}, level(t, dbURL, 1, p))
	sale(t, base, "v4", 1, [2]int64{p, 20}) // 16 left
	require.EqualValues(t, 2, countAuto(t, dbURL, 1, p))

	// The threshold is the one head office set; the centre never asks.
	q := stocked(t, base, 2, 30)
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/emplacements/2/seuils/"+itoa(q), map[string]any{"seuil": 5}).Status)
	sale(t, base, "v5", 2, [2]int64{q, 20}) // 10 left, above 5
	require.EqualValues(t, 0, countAuto(t, dbURL, 2, q))
	sale(t, base, "v6", 6, [2]int64{q, 60}) // centre at 0
	require.EqualValues(t, 0, queryInt(t, dbURL, `SELECT count(*) FROM demandes WHERE magasin_id = 6`))

	// A release is not a sale.
	r := kittest.Do(t, "POST", base+"/reservations", map[string]any{"cle": "l1", "emplacement_id": 2,
		"lignes": []map[string]int64{{"produit_id": q, "quantite": 8}}})
	require.Equal(t, http.StatusCreated, r.Status)
	require.Equal(t, http.StatusOK, kittest.Do(t, "POST", base+"/reservations/l1/liberation", nil).Status)
	require.EqualValues(t, 0, countAuto(t, dbURL, 2, q))

	// Ledger rows of the saga say who.
	var mv struct {
		Items []map[string]any `json:"items"`
	}
	kittest.Do(t, "GET", base+"/mouvements?reference=v2", nil).JSON(t, &mv)
	require.Len(t, mv.Items, 2)
	for _, m := range mv.Items {
		require.Equal(t, "saga", m["acteur"])
	}
}

func TestAutoReplenishment_ConcurrentSalesCreateOneRequest(t *testing.T) {
	base, dbURL := start(t)
	p := stocked(t, base, 3, 40)
	other := stocked(t, base, 3, 40)
	const n = 10
	for i := range n {
		r := kittest.Do(t, "POST", base+"/reservations", map[string]any{"cle": fmt.Sprintf("c%d", i), "emplacement_id": 3,
			"lignes": []map[string]int64{{"produit_id": p, "quantite": 3}, {"produit_id": other, "quantite": 3}}})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	}
	confirmations := make([]*http.Request, n)
	for i := range confirmations {
		confirmations[i] = kittest.Request(t, "POST", fmt.Sprintf("%s/reservations/c%d/confirmation", base, i), nil)
	}
	for _, s := range statuses(kittest.SendAll(t, confirmations)) {
		require.Equal(t, http.StatusOK, s)
	}
	require.Equal(t, niveau{10, 0}, level(t, dbURL, 3, p))
	require.EqualValues(t, 1, countAuto(t, dbURL, 3, p))
	require.EqualValues(t, 1, countAuto(t, dbURL, 3, other))
}

// levels reads every stock row of the database with its threshold.
type row struct {
	emp, produit, quantite, reserve, seuil int64
	categorie                              string
}

func allLevels(t *testing.T, dbURL string) []row {
	t.Helper()
	var out []row
	withConn(t, dbURL, func(ctx context.Context, c *pgx.Conn) {
		rows, err := c.Query(ctx, `SELECT n.emplacement_id, n.produit_id, n.quantite, n.reserve, p.categorie,
			COALESCE((SELECT seuil FROM seuils s WHERE s.emplacement_id = n.emplacement_id AND s.produit_id = n.produit_id), 20)
			FROM niveaux n JOIN produits p ON p.id = n.produit_id`)
		require.NoError(t, err)
		for rows.Next() {
			var r row
			require.NoError(t, rows.Scan(&r.emp, &r.produit, &r.quantite, &r.reserve, &r.categorie, &r.seuil))
			out = append(out, r)
		}
		require.NoError(t, rows.Err())
	})
	return out
}

// keys is what a page of stock rows names: "emplacement/produit".
func keys(t *testing.T, base, path string, emp int64) []string {
	t.Helper()
	page := kittest.Do(t, "GET", base+path, nil).Map(t)
	out := []string{}
	for _, it := range page["items"].([]any) {
		m := it.(map[string]any)
		e := emp
		if v, ok := m["emplacement_id"]; ok {
			e = int64(v.(float64))
		}
		out = append(out, fmt.Sprintf("%d/%d", e, int64(m["produit_id"].(float64))))
	}
	require.EqualValues(t, len(out), page["total"], path)
	sort.Strings(out)
	return out
}

func want(levels []row, keep func(row) bool) []string {
	out := []string{}
	for _, r := range levels {
		if keep(r) {
			out = append(out, fmt.Sprintf("%d/%d", r.emp, r.produit))
		}
	}
	sort.Strings(out)
	return out
}

// variedLevels leaves stock rows on every side of each limit.
func variedLevels(t *testing.T, base string) {
	t.Helper()
	low := stocked(t, base, 1, 4)          // store 1: 4 (rupture, bas)
	mid := stocked(t, base, 1, 15)         // store 1: 15 (bas)
	stocked(t, base, 2, 120)               // store 2: 120 (surplus)
	sale(t, base, "r1", 1, [2]int64{1, 1}) // seed stock moves a little
	r := kittest.Do(t, "POST", base+"/reservations", map[string]any{"cle": "r2", "emplacement_id": 1,
		"lignes": []map[string]int64{{"produit_id": mid, "quantite": 11}}}) // disponible 4, quantite 15
	require.Equal(t, http.StatusCreated, r.Status)
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/emplacements/1/seuils/"+itoa(low), map[string]any{"seuil": 3}).Status)
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/emplacements/1/seuils/3", map[string]any{"seuil": 90}).Status)
}

func TestStock_NiveauAndCategorieFilters(t *testing.T) {
	base, dbURL := start(t)
	variedLevels(t, base)
	levels := allLevels(t, dbURL)
	for _, emp := range []int64{1, 2, 6} {
		path := "/magasins/" + itoa(emp) + "/stock?limit=500"
		if emp == 6 {
			path = "/logistique/stock?limit=500"
		}
		at := func(keep func(row) bool) []string {
			return want(levels, func(r row) bool { return r.emp == emp && keep(r) })
		}
		require.Equal(t, at(func(r row) bool { return r.quantite-r.reserve <= 5 }), keys(t, base, path+"&niveau=rupture", emp))
		require.Equal(t, at(func(r row) bool { return r.quantite-r.reserve < r.seuil }), keys(t, base, path+"&niveau=bas", emp))
		require.Equal(t, at(func(r row) bool { return r.quantite >= 100 }), keys(t, base, path+"&niveau=surplus", emp))
		require.Equal(t, at(func(r row) bool { return r.categorie == "Maison" }), keys(t, base, path+"&categorie=maison", emp))
		require.Equal(t, at(func(r row) bool { return r.categorie == "Test" && r.quantite-r.reserve < r.seuil }),
			keys(t, base, path+"&categorie=TEST&niveau=bas&q=test", emp))
	}
	// The limits do cut: store 1 has rows on both sides.
	require.NotEmpty(t, keys(t, base, "/magasins/1/stock?niveau=rupture", 1))
	require.NotEmpty(t, keys(t, base, "/magasins/1/stock?niveau=bas", 1))
	require.NotEmpty(t, keys(t, base, "/magasins/2/stock?niveau=surplus", 2))
}

func TestRapports_RupturesSurplusAndPendingRequests(t *testing.T) {
	base, dbURL := start(t)
	variedLevels(t, base)
	levels := allLevels(t, dbURL)
	require.Equal(t, want(levels, func(r row) bool { return r.quantite-r.reserve <= 5 }),
		keys(t, base, "/rapports/ruptures?limit=500", 0))
	require.Equal(t, want(levels, func(r row) bool { return r.quantite-r.reserve <= 30 }),
		keys(t, base, "/rapports/ruptures?limit=500&seuil=30", 0))
	require.Equal(t, want(levels, func(r row) bool { return r.emp == 1 && r.quantite-r.reserve <= 5 }),
		keys(t, base, "/rapports/ruptures?limit=500&emplacement_id=1", 0))
	require.Equal(t, want(levels, func(r row) bool { return r.quantite >= 100 }),
		keys(t, base, "/rapports/surplus?limit=500", 0))
	require.Equal(t, want(levels, func(r row) bool { return r.emp == 6 && r.quantite >= 70 }),
		keys(t, base, "/rapports/surplus?limit=500&seuil=70&emplacement_id=6", 0))
	ligne := kittest.Do(t, "GET", base+"/rapports/ruptures?emplacement_id=1&limit=1", nil).Map(t)["items"].([]any)[0].(map[string]any)
	require.Equal(t, "Plateau", ligne["emplacement_nom"])
	require.NotEmpty(t, ligne["nom"])
	require.NotEmpty(t, ligne["categorie"])

	// Pending requests: whatever the variedLevels sales left, plus these.
	createDemande(t, base, 4, 2, 10)
	createDemande(t, base, 4, 3, 5)
	d := createDemande(t, base, 5, 2, 7)
	require.Equal(t, http.StatusOK, kittest.Do(t, "POST", base+"/demandes/"+itoa(d.ID)+"/refuser", map[string]any{"motif": "non"}).Status)
	createDemande(t, base, 5, 2, 8)
	var rep struct {
		EnAttente int64 `json:"en_attente"`
		Magasins  []struct {
			MagasinID int64  `json:"magasin_id"`
			Nom       string `json:"nom"`
			EnAttente int64  `json:"en_attente"`
			Quantite  int64  `json:"quantite"`
		} `json:"magasins"`
		Demandes struct {
			Items []demande `json:"items"`
			Total int64     `json:"total"`
		} `json:"demandes"`
	}
	kittest.Do(t, "GET", base+"/rapports/demandes-en-attente?limit=2", nil).JSON(t, &rep)
	total := queryInt(t, dbURL, `SELECT count(*) FROM demandes WHERE statut = 'en_attente'`)
	require.Equal(t, total, rep.EnAttente)
	require.Equal(t, total, rep.Demandes.Total)
	require.Len(t, rep.Demandes.Items, 2)
	require.Less(t, rep.Demandes.Items[0].ID, rep.Demandes.Items[1].ID, "oldest first")
	require.Len(t, rep.Magasins, 5)
	for _, m := range rep.Magasins {
		n := queryInt(t, dbURL, `SELECT count(*) FROM demandes WHERE statut = 'en_attente' AND magasin_id = $1`, m.MagasinID)
		q := queryInt(t, dbURL, `SELECT COALESCE(sum(quantite), 0) FROM demandes WHERE statut = 'en_attente' AND magasin_id = $1`, m.MagasinID)
		require.Equal(t, n, m.EnAttente, m.Nom)
		require.Equal(t, q, m.Quantite, m.Nom)
	}
	require.EqualValues(t, 2, rep.Magasins[3].EnAttente)
	require.EqualValues(t, 15, rep.Magasins[3].Quantite)
	require.EqualValues(t, 1, rep.Magasins[4].EnAttente)
}

func TestMouvements_ActeurMotifReferenceAndPeriod(t *testing.T) {
	base, _ := start(t)
	p := newProduit(t, base, 40) // a reception: logistique
	var page struct {
		Items []map[string]any `json:"items"`
		Total int64            `json:"total"`
	}
	kittest.Do(t, "GET", base+"/mouvements?type=reception&produit_id="+itoa(p), nil).JSON(t, &page)
	require.Len(t, page.Items, 1)
	require.Equal(t, "logistique", page.Items[0]["acteur"])
	require.NotEmpty(t, page.Items[0]["motif"])

	at := page.Items[0]["at"].(string)
	ts, err := time.Parse(time.RFC3339Nano, at)
	require.NoError(t, err)
	q := func(v url.Values) int64 {
		kittest.Do(t, "GET", base+"/mouvements?"+v.Encode(), nil).JSON(t, &page)
		return page.Total
	}
	pid := itoa(p)
	require.EqualValues(t, 1, q(url.Values{"produit_id": {pid}, "depuis": {ts.Format(time.RFC3339Nano)}}))
	require.EqualValues(t, 0, q(url.Values{"produit_id": {pid}, "jusqu_a": {ts.Format(time.RFC3339Nano)}}), "jusqu_a is exclusive")
	require.EqualValues(t, 1, q(url.Values{"produit_id": {pid}, "depuis": {ts.Add(-time.Hour).Format(time.RFC3339)},
		"jusqu_a": {ts.Add(time.Hour).Format(time.RFC3339)}}))
	require.EqualValues(t, 0, q(url.Values{"produit_id": {pid}, "depuis": {ts.Add(time.Hour).Format(time.RFC3339)}}))
	require.EqualValues(t, 0, q(url.Values{"reference": {"rien"}}))
}

func TestApprovisionnement_BadInputIsAProblemAndChangesNothing(t *testing.T) {
	base, dbURL := start(t)
	inactif := newProduit(t, base, 10)
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/produits/"+itoa(inactif),
		map[string]any{"nom": "Inactif", "categorie": "Test", "prix": 1, "actif": false}).Status)
	pending := createDemande(t, base, 1, 2, 5)
	short := createDemande(t, base, 1, 4, 100000)
	refused := createDemande(t, base, 2, 2, 5)
	require.Equal(t, http.StatusOK, kittest.Do(t, "POST", base+"/demandes/"+itoa(refused.ID)+"/refuser", map[string]any{"motif": "non"}).Status)
	big := strings.Repeat("x", 70<<10)
	demandes := "/magasins/1/demandes"
	cases := []kittest.BadInput{
		{Name: "demande malformed", Method: "POST", Path: demandes, Body: `{"produit_id":1,`, Status: 400},
		{Name: "demande unknown field", Method: "POST", Path: demandes, Body: `{"produit_id":1,"quantite":1,"prix":3}`, Status: 422, Field: "body.prix"},
		{Name: "demande quantite zero", Method: "POST", Path: demandes, Body: `{"produit_id":1,"quantite":0}`, Status: 422, Field: "body.quantite"},
		{Name: "demande quantite negative", Method: "POST", Path: demandes, Body: `{"produit_id":1,"quantite":-3}`, Status: 422, Field: "body.quantite"},
		{Name: "demande quantite too big", Method: "POST", Path: demandes, Body: `{"produit_id":1,"quantite":100001}`, Status: 422, Field: "body.quantite"},
		{Name: "demande quantite as text", Method: "POST", Path: demandes, Body: `{"produit_id":1,"quantite":"2"}`, Status: 422, Field: "body.quantite"},
		{Name: "demande quantite fractional", Method: "POST", Path: demandes, Body: `{"produit_id":1,"quantite":1.5}`, Status: 422, Field: "body.quantite"},
		{Name: "demande missing produit", Method: "POST", Path: demandes, Body: `{"quantite":1}`, Status: 422, Field: "body.produit_id"},
		{Name: "demande unknown produit", Method: "POST", Path: demandes, Body: `{"produit_id":999999,"quantite":1}`, Status: 404, Field: "body.produit_id"},
		{Name: "demande inactive produit", Method: "POST", Path: demandes, Body: `{"produit_id":` + itoa(inactif) + `,"quantite":1}`, Status: 422, Field: "body.produit_id"},
		{Name: "demande already pending", Method: "POST", Path: demandes, Body: `{"produit_id":2,"quantite":1}`, Status: 409, Field: "body.produit_id"},
		{Name: "demande motif too long", Method: "POST", Path: demandes, Body: `{"produit_id":1,"quantite":1,"motif":"` + strings.Repeat("m", 501) + `"}`, Status: 422, Field: "body.motif"},
		{Name: "demande at the centre", Method: "POST", Path: "/magasins/6/demandes", Body: `{"produit_id":1,"quantite":1}`, Status: 404, Field: "path.id"},
		{Name: "demande unknown store", Method: "POST", Path: "/magasins/99/demandes", Body: `{"produit_id":1,"quantite":1}`, Status: 404, Field: "path.id"},
		{Name: "demande store not a number", Method: "POST", Path: "/magasins/un/demandes", Body: `{"produit_id":1,"quantite":1}`, Status: 422, Field: "path.id"},
		{Name: "demande over body limit", Method: "POST", Path: demandes, Body: `{"produit_id":1,"quantite":1,"motif":"` + big + `"}`, Status: 413},
		{Name: "demandes unknown statut", Method: "GET", Path: "/demandes?statut=perdue", Status: 422, Field: "query.statut"},
		{Name: "demandes negative store", Method: "GET", Path: "/demandes?magasin_id=-1", Status: 422, Field: "query.magasin_id"},
		{Name: "demandes produit as text", Method: "GET", Path: "/demandes?produit_id=abc", Status: 422, Field: "query.produit_id"},
		{Name: "demandes limit too big", Method: "GET", Path: "/demandes?limit=501", Status: 422, Field: "query.limit"},
		{Name: "demande unknown id", Method: "GET", Path: "/demandes/999999", Status: 404, Field: "path.id"},
		{Name: "demande id zero", Method: "GET", Path: "/demandes/0", Status: 422, Field: "path.id"},
		{Name: "approve unknown", Method: "POST", Path: "/demandes/999999/approuver", Status: 404, Field: "path.id"},
		{Name: "approve id as text", Method: "POST", Path: "/demandes/x/approuver", Status: 422, Field: "path.id"},
		{Name: "approve centre short", Method: "POST", Path: "/demandes/" + itoa(short.ID) + "/approuver", Status: 409, Field: "path.id"},
		{Name: "approve refused", Method: "POST", Path: "/demandes/" + itoa(refused.ID) + "/approuver", Status: 409, Field: "path.id"},
		{Name: "refuse without body", Method: "POST", Path: "/demandes/" + itoa(pending.ID) + "/refuser", Status: 400},
		{Name: "refuse malformed", Method: "POST", Path: "/demandes/" + itoa(pending.ID) + "/refuser", Body: `{"motif":`, Status: 400},
		{Name: "refuse no motif", Method: "POST", Path: "/demandes/" + itoa(pending.ID) + "/refuser", Body: `{}`, Status: 422, Field: "body.motif"},
		{Name: "refuse blank motif", Method: "POST", Path: "/demandes/" + itoa(pending.ID) + "/refuser", Body: `{"motif":"  "}`, Status: 422, Field: "body.motif"},
		{Name: "refuse motif too long", Method: "POST", Path: "/demandes/" + itoa(pending.ID) + "/refuser", Body: `{"motif":"` + strings.Repeat("m", 501) + `"}`, Status: 422, Field: "body.motif"},
		{Name: "refuse motif as number", Method: "POST", Path: "/demandes/" + itoa(pending.ID) + "/refuser", Body: `{"motif":3}`, Status: 422, Field: "body.motif"},
		{Name: "refuse unknown field", Method: "POST", Path: "/demandes/" + itoa(pending.ID) + "/refuser", Body: `{"motif":"a","par":"b"}`, Status: 422, Field: "body.par"},
		{Name: "refuse unknown", Method: "POST", Path: "/demandes/999999/refuser", Body: `{"motif":"a"}`, Status: 404, Field: "path.id"},
		{Name: "refuse refused", Method: "POST", Path: "/demandes/" + itoa(refused.ID) + "/refuser", Body: `{"motif":"a"}`, Status: 409, Field: "path.id"},
		{Name: "seuils negative location", Method: "GET", Path: "/seuils?emplacement_id=-2", Status: 422, Field: "query.emplacement_id"},
		{Name: "seuils produit as text", Method: "GET", Path: "/seuils?produit_id=un", Status: 422, Field: "query.produit_id"},
		{Name: "seuil negative", Method: "PUT", Path: "/emplacements/1/seuils/1", Body: `{"seuil":-1}`, Status: 422, Field: "body.seuil"},
		{Name: "seuil too big", Method: "PUT", Path: "/emplacements/1/seuils/1", Body: `{"seuil":100001}`, Status: 422, Field: "body.seuil"},
		{Name: "seuil as text", Method: "PUT", Path: "/emplacements/1/seuils/1", Body: `{"seuil":"5"}`, Status: 422, Field: "body.seuil"},
		{Name: "seuil missing", Method: "PUT", Path: "/emplacements/1/seuils/1", Body: `{}`, Status: 422, Field: "body.seuil"},
		{Name: "seuil unknown field", Method: "PUT", Path: "/emplacements/1/seuils/1", Body: `{"seuil":5,"max":9}`, Status: 422, Field: "body.max"},
		{Name: "seuil malformed", Method: "PUT", Path: "/emplacements/1/seuils/1", Body: `{"seuil":`, Status: 400},
		{Name: "seuil unknown location", Method: "PUT", Path: "/emplacements/99/seuils/1", Body: `{"seuil":5}`, Status: 404, Field: "path.id"},
		{Name: "seuil unknown produit", Method: "PUT", Path: "/emplacements/1/seuils/999999", Body: `{"seuil":5}`, Status: 404, Field: "path.produit_id"},
		{Name: "seuil produit zero", Method: "PUT", Path: "/emplacements/1/seuils/0", Body: `{"seuil":5}`, Status: 422, Field: "path.produit_id"},
		{Name: "stock unknown niveau", Method: "GET", Path: "/magasins/1/stock?niveau=vide", Status: 422, Field: "query.niveau"},
		{Name: "centre unknown niveau", Method: "GET", Path: "/logistique/stock?niveau=haut", Status: 422, Field: "query.niveau"},
		{Name: "stock categorie too long", Method: "GET", Path: "/logistique/stock?categorie=" + strings.Repeat("c", 101), Status: 422, Field: "query.categorie"},
		{Name: "mouvements depuis not a time", Method: "GET", Path: "/mouvements?depuis=hier", Status: 422, Field: "query.depuis"},
		{Name: "mouvements jusqu_a before depuis", Method: "GET", Path: "/mouvements?depuis=2025-02-01T00:00:00Z&jusqu_a=2025-01-01T00:00:00Z", Status: 422, Field: "query.jusqu_a"},
		{Name: "mouvements reference too long", Method: "GET", Path: "/mouvements?reference=" + strings.Repeat("r", 201), Status: 422, Field: "query.reference"},
		{Name: "ruptures negative seuil", Method: "GET", Path: "/rapports/ruptures?seuil=-1", Status: 422, Field: "query.seuil"},
		{Name: "ruptures seuil as text", Method: "GET", Path: "/rapports/ruptures?seuil=cinq", Status: 422, Field: "query.seuil"},
		{Name: "ruptures negative location", Method: "GET", Path: "/rapports/ruptures?emplacement_id=0", Status: 422, Field: "query.emplacement_id"},
		{Name: "surplus seuil too big", Method: "GET", Path: "/rapports/surplus?seuil=100001", Status: 422, Field: "query.seuil"},
		{Name: "surplus offset negative", Method: "GET", Path: "/rapports/surplus?offset=-1", Status: 422, Field: "query.offset"},
		{Name: "en attente limit zero", Method: "GET", Path: "/rapports/demandes-en-attente?limit=0", Status: 422, Field: "query.limit"},
	}
	cases = append(cases, kittest.TextCases("demande motif", "POST", demandes, "body.motif", func(s string) string {
		return `{"produit_id":1,"quantite":1,"motif":"` + s + `"}`
	})...)
	cases = append(cases, kittest.TextCases("refuse motif", "POST", "/demandes/"+itoa(pending.ID)+"/refuser", "body.motif", func(s string) string {
		return `{"motif":"` + s + `"}`
	})...)
	before := snapshotAppro(t, dbURL)
	kittest.RequireBadInputs(t, base, cases, func(t *testing.T) {
		require.Equal(t, before, snapshotAppro(t, dbURL))
	})
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+"/readyz", nil).Status, "still serving")
}
