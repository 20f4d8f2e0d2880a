package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/stock/migrations"
)

func start(t testing.TB) (base, dbURL string) {
	t.Helper()
	dbURL = kittest.DB(t, "stock", migrations.FS)
	return kittest.Start(t, run, map[string]string{"DATABASE_URL": dbURL}), dbURL
}

type niveau struct {
	Quantite, Reserve int64
}

// level reads a stock row straight from the database, not through the API.
func level(t *testing.T, dbURL string, emplacement, produit int64) niveau {
	t.Helper()
	var n niveau
	withConn(t, dbURL, func(ctx context.Context, c *pgx.Conn) {
		require.NoError(t, c.QueryRow(ctx,
			`SELECT quantite, reserve FROM niveaux WHERE emplacement_id = $1 AND produit_id = $2`,
			emplacement, produit).Scan(&n.Quantite, &n.Reserve))
	})
	return n
}

// snapshot sums up everything a bad request could change.
func snapshot(t *testing.T, dbURL string) string {
	t.Helper()
	var s string
	withConn(t, dbURL, func(ctx context.Context, c *pgx.Conn) {
		require.NoError(t, c.QueryRow(ctx, `SELECT concat_ws(' ',
			(SELECT count(*) FROM produits), (SELECT md5(string_agg(p::text, ',' ORDER BY id)) FROM produits p),
			(SELECT count(*) FROM niveaux), (SELECT sum(quantite) FROM niveaux), (SELECT sum(reserve) FROM niveaux),
			(SELECT count(*) FROM mouvements), (SELECT count(*) FROM reservations),
			(SELECT count(*) FROM reservation_lignes), (SELECT count(*) FROM idempotence))`).Scan(&s))
	})
	return s
}

func countMouvements(t *testing.T, dbURL, typ, reference string) int {
	t.Helper()
	var n int
	withConn(t, dbURL, func(ctx context.Context, c *pgx.Conn) {
		require.NoError(t, c.QueryRow(ctx,
			`SELECT count(*) FROM mouvements WHERE type = $1 AND reference = $2`, typ, reference).Scan(&n))
	})
	return n
}

func withConn(t *testing.T, dbURL string, f func(context.Context, *pgx.Conn)) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer c.Close(ctx)
	f(ctx, c)
}

// newProduit creates a product and receives quantite units of it at the centre.
func newProduit(t *testing.T, base string, quantite int) int64 {
	t.Helper()
	r := kittest.Do(t, "POST", base+"/produits", map[string]any{"nom": "Test " + t.Name(), "categorie": "Test", "prix": 10})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	id := int64(r.Map(t)["id"].(float64))
	if quantite > 0 {
		rec := kittest.Do(t, "POST", base+"/logistique/receptions", map[string]any{"produit_id": id, "quantite": quantite})
		require.Equal(t, http.StatusCreated, rec.Status, string(rec.Body))
	}
	return id
}

func reserve(t *testing.T, base, cle string, lignes ...[2]int64) kittest.Response {
	t.Helper()
	return kittest.Do(t, "POST", base+"/reservations", reservation(cle, lignes...))
}

// reserveRequest is reserve built for kittest.SendAll, to race it.
func reserveRequest(t *testing.T, base, cle string, lignes ...[2]int64) *http.Request {
	t.Helper()
	return kittest.Request(t, "POST", base+"/reservations", reservation(cle, lignes...))
}

func reservation(cle string, lignes ...[2]int64) map[string]any {
	ls := make([]map[string]int64, len(lignes))
	for i, l := range lignes {
		ls[i] = map[string]int64{"produit_id": l[0], "quantite": l[1]}
	}
	return map[string]any{"cle": cle, "lignes": ls}
}

// statuses are the status codes of answers, in their order.
func statuses(answers []kittest.Response) []int {
	out := make([]int, len(answers))
	for i, r := range answers {
		out[i] = r.Status
	}
	return out
}

func TestSeed_PricesCentreStockAndStores(t *testing.T) {
	base, dbURL := start(t)
	for _, c := range []struct {
		id     int64
		prix   float64
		centre int64
	}{{1, 100.00, 1000}, {2, 250.00, 500}, {4, 75.00, 200}} {
		p := kittest.Do(t, "GET", base+"/produits/"+itoa(c.id), nil)
		require.Equal(t, http.StatusOK, p.Status)
		require.Contains(t, string(p.Body), fmt.Sprintf(`"prix":%.2f`, c.prix))
		require.Equal(t, niveau{c.centre, 0}, level(t, dbURL, 6, c.id))
	}
	produits := kittest.Do(t, "GET", base+"/produits?limit=500", nil).Map(t)
	require.GreaterOrEqual(t, produits["total"], float64(12))

	magasins := kittest.Do(t, "GET", base+"/magasins", nil).Map(t)
	require.EqualValues(t, 5, magasins["total"])
	var noms []string
	for _, m := range magasins["items"].([]any) {
		m := m.(map[string]any)
		noms = append(noms, m["nom"].(string))
		require.Contains(t, m["adresse"], "Montréal")
	}
	require.Equal(t, []string{"Plateau", "Rosemont", "Vieux-Port", "Verdun", "Saint-Laurent"}, noms)
	require.Equal(t, "Verdun", kittest.Do(t, "GET", base+"/magasins/4", nil).Map(t)["nom"])
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/magasins/6", nil), 404, "path.id")
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/magasins/7", nil), 404, "path.id")

	// Every product is stocked in every store and at the centre.
	for _, path := range []string{"/magasins/1/stock", "/magasins/5/stock", "/logistique/stock"} {
		page := kittest.Do(t, "GET", base+path+"?limit=500", nil).Map(t)
		require.Equal(t, produits["total"], page["total"], path)
		for _, it := range page["items"].([]any) {
			n := it.(map[string]any)
			require.Greater(t, n["quantite"], float64(0))
			require.Equal(t, n["quantite"].(float64)-n["reserve"].(float64), n["disponible"])
		}
	}
	sport := kittest.Do(t, "GET", base+"/logistique/stock?q=SPORT", nil).Map(t)
	require.EqualValues(t, 3, sport["total"], "q matches the category")
	require.EqualValues(t, 1, kittest.Do(t, "GET", base+"/magasins/2/stock?q=érable", nil).Map(t)["total"])
}

func TestProduits_CRUDRoundTripWithoutStock(t *testing.T) {
	base, _ := start(t)
	r := kittest.Do(t, "POST", base+"/produits", map[string]any{
		"nom": "  Raquette de badminton ", "categorie": "Sport", "prix": 24.5, "description": "Légère"})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), `"prix":24.50`)
	created := r.Map(t)
	require.Equal(t, "Raquette de badminton", created["nom"])
	require.Equal(t, true, created["actif"])
	pid := int64(created["id"].(float64))
	id := itoa(pid)

	require.EqualValues(t, 0, kittest.Do(t, "GET", base+"/logistique/stock?q=badminton", nil).Map(t)["total"])
	require.EqualValues(t, 0, kittest.Do(t, "GET", base+"/magasins/1/stock?q=badminton", nil).Map(t)["total"])
	require.Equal(t, "Sport", kittest.Do(t, "GET", base+"/produits/"+id, nil).Map(t)["categorie"])

	upd := kittest.Do(t, "PUT", base+"/produits/"+id, map[string]any{
		"nom": "Raquette", "categorie": "Sport", "prix": 29.99, "actif": false})
	require.Equal(t, http.StatusOK, upd.Status, string(upd.Body))
	require.Contains(t, string(upd.Body), `"prix":29.99`)
	require.Equal(t, false, upd.Map(t)["actif"])

	inactifs := kittest.Do(t, "GET", base+"/produits?actif=false", nil).Map(t)
	require.EqualValues(t, 1, inactifs["total"])
	require.EqualValues(t, 4, kittest.Do(t, "GET", base+"/produits?categorie=sport", nil).Map(t)["total"])
	require.EqualValues(t, 3, kittest.Do(t, "GET", base+"/produits?categorie=sport&actif=true", nil).Map(t)["total"])
	require.EqualValues(t, 1, kittest.Do(t, "GET", base+"/produits?q=RAQUETTE", nil).Map(t)["total"])
	page := kittest.Do(t, "GET", base+"/produits?limit=2&offset=2", nil).Map(t)
	require.Len(t, page["items"], 2)
	require.EqualValues(t, 3, page["items"].([]any)[0].(map[string]any)["id"])

	// An inactive product cannot be reserved.
	kittest.RequireProblem(t, reserve(t, base, "k-inactif", [2]int64{1, 1}, [2]int64{pid, 1}),
		422, "body.lignes[1].produit_id")
}

func TestReceptions_RaiseCentreStockAndWriteLedger(t *testing.T) {
	base, dbURL := start(t)
	before := level(t, dbURL, 6, 3)
	r := kittest.Do(t, "POST", base+"/logistique/receptions",
		map[string]any{"produit_id": 3, "quantite": 40, "reference": "BL-2024-001"})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	require.Equal(t, niveau{before.Quantite + 40, 0}, level(t, dbURL, 6, 3))
	require.Equal(t, 1, countMouvements(t, dbURL, "reception", "BL-2024-001"))

	ledger := kittest.Do(t, "GET", base+"/mouvements?produit_id=3&type=reception&emplacement_id=6", nil).Map(t)
	require.EqualValues(t, 1, ledger["total"])
	row := ledger["items"].([]any)[0].(map[string]any)
	require.EqualValues(t, 40, row["quantite"])
	require.Equal(t, "BL-2024-001", row["reference"])
	require.NotEmpty(t, row["at"])

	// A new product gets its first stock row at the centre.
	id := newProduit(t, base, 7)
	require.Equal(t, niveau{7, 0}, level(t, dbURL, 6, id))

	// Same key, same body: the first answer again and no second reception.
	body := map[string]any{"produit_id": 5, "quantite": 3}
	first := kittest.Do(t, "POST", base+"/logistique/receptions", body, "Idempotency-Key", "rec-1")
	again := kittest.Do(t, "POST", base+"/logistique/receptions", body, "Idempotency-Key", "rec-1")
	require.Equal(t, http.StatusCreated, first.Status, string(first.Body))
	require.Equal(t, http.StatusCreated, again.Status)
	require.JSONEq(t, string(first.Body), string(again.Body))
	require.EqualValues(t, 1, kittest.Do(t, "GET", base+"/mouvements?produit_id=5&type=reception", nil).Map(t)["total"])
	other := kittest.Do(t, "POST", base+"/logistique/receptions",
		map[string]any{"produit_id": 5, "quantite": 4}, "Idempotency-Key", "rec-1")
	kittest.RequireProblem(t, other, 422, "header.Idempotency-Key")
}

func TestReservation_AllOrNothingWhenOneLineLacksStock(t *testing.T) {
	base, dbURL := start(t)
	before := snapshot(t, dbURL)
	r := reserve(t, base, "saga-1:reserver_stock", [2]int64{1, 2}, [2]int64{2, 999})
	p := kittest.RequireProblem(t, r, http.StatusConflict, "body.lignes[1].quantite")
	require.Len(t, p.Errors, 1, "only the short line is named")
	require.Contains(t, p.Errors[0].Message, "only 500 available")
	require.Equal(t, before, snapshot(t, dbURL), "nothing reserved on the line that had stock")
	require.Equal(t, niveau{1000, 0}, level(t, dbURL, 6, 1))
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/reservations/saga-1:reserver_stock", nil), 404, "path.cle")

	// Both lines short: both named, in the caller's order.
	r = reserve(t, base, "saga-2:reserver_stock", [2]int64{4, 201}, [2]int64{1, 1}, [2]int64{2, 501})
	p = kittest.RequireProblem(t, r, http.StatusConflict, "body.lignes[0].quantite")
	require.Len(t, p.Errors, 2)
	require.Equal(t, "body.lignes[2].quantite", p.Errors[1].Location)

	// The seed's third checkout: 10 × product 4 is reserved (payment refuses it later).
	ok := kittest.Do(t, "POST", base+"/reservations", map[string]any{
		"cle": "saga-3:reserver_stock", "reference": "commande-3", "lignes": []map[string]int{{"produit_id": 4, "quantite": 10}}})
	require.Equal(t, http.StatusCreated, ok.Status, string(ok.Body))
	res := ok.Map(t)
	require.Equal(t, "active", res["statut"])
	require.EqualValues(t, 6, res["emplacement_id"])
	require.Equal(t, "commande-3", res["reference"])
	require.Equal(t, niveau{200, 10}, level(t, dbURL, 6, 4))
	require.Equal(t, 1, countMouvements(t, dbURL, "reservation", "commande-3"))

	// A store's stock is separate from the centre's.
	store := kittest.Do(t, "POST", base+"/reservations", map[string]any{
		"cle": "vente-1", "emplacement_id": 2, "lignes": []map[string]int{{"produit_id": 4, "quantite": 1}}})
	require.Equal(t, http.StatusCreated, store.Status, string(store.Body))
	require.EqualValues(t, 1, level(t, dbURL, 2, 4).Reserve)
	require.EqualValues(t, 10, level(t, dbURL, 6, 4).Reserve)
}

func TestReservation_ReplayReleaseAndConfirmAreIdempotent(t *testing.T) {
	base, dbURL := start(t)
	first := reserve(t, base, "k1", [2]int64{2, 1}, [2]int64{1, 1})
	require.Equal(t, http.StatusCreated, first.Status, string(first.Body))
	again := reserve(t, base, "k1", [2]int64{1, 1}, [2]int64{2, 1}) // same lines, any order
	require.Equal(t, http.StatusCreated, again.Status)
	require.Equal(t, string(first.Body), string(again.Body))
	require.Equal(t, niveau{1000, 1}, level(t, dbURL, 6, 1))
	kittest.RequireProblem(t, reserve(t, base, "k1", [2]int64{1, 2}), 422, "body.cle")

	got := kittest.Do(t, "GET", base+"/reservations/k1", nil).Map(t)
	require.Len(t, got["lignes"], 2)

	for range 3 {
		c := kittest.Do(t, "POST", base+"/reservations/k1/confirmation", nil)
		require.Equal(t, http.StatusOK, c.Status, string(c.Body))
		require.Equal(t, "confirmee", c.Map(t)["statut"])
	}
	require.Equal(t, niveau{999, 0}, level(t, dbURL, 6, 1))
	require.Equal(t, niveau{499, 0}, level(t, dbURL, 6, 2))
	require.Equal(t, 2, countMouvements(t, dbURL, "vente", "k1"))
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/reservations/k1/liberation", nil), 409, "path.cle")

	require.Equal(t, http.StatusCreated, reserve(t, base, "k2", [2]int64{4, 10}).Status)
	for range 3 {
		l := kittest.Do(t, "POST", base+"/reservations/k2/liberation", nil)
		require.Equal(t, http.StatusOK, l.Status, string(l.Body))
		require.Equal(t, "liberee", l.Map(t)["statut"])
	}
	require.Equal(t, niveau{200, 0}, level(t, dbURL, 6, 4))
	require.Equal(t, 1, countMouvements(t, dbURL, "liberation", "k2"))
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/reservations/k2/confirmation", nil), 409, "path.cle")
	kittest.RequireProblem(t, reserve(t, base, "k2", [2]int64{4, 10}), 409, "body.cle")
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/reservations/nope/confirmation", nil), 404, "path.cle")

	metrics := string(kittest.Do(t, "GET", base+"/metrics", nil).Body)
	for _, want := range []string{
		`stock_reservations_total{resultat="reservee"} 2`,
		`stock_reservations_total{resultat="confirmee"} 1`,
		`stock_reservations_total{resultat="liberee"} 1`,
	} {
		require.Contains(t, metrics, want)
	}
}

func TestReservation_ReleaseBeforeCreateLeavesATombstone(t *testing.T) {
	base, dbURL := start(t)
	rel := kittest.Do(t, "POST", base+"/reservations/saga-9:reserver_stock/liberation", nil)
	require.Equal(t, http.StatusOK, rel.Status, string(rel.Body))
	tomb := rel.Map(t)
	require.Equal(t, "liberee", tomb["statut"])
	require.Empty(t, tomb["lignes"])
	require.Nil(t, tomb["emplacement_id"])
	require.Equal(t, http.StatusOK, kittest.Do(t, "POST", base+"/reservations/saga-9:reserver_stock/liberation", nil).Status)

	before := snapshot(t, dbURL)
	late := reserve(t, base, "saga-9:reserver_stock", [2]int64{1, 3})
	p := kittest.RequireProblem(t, late, http.StatusConflict, "body.cle")
	require.Contains(t, p.Detail, "already released")
	require.Equal(t, before, snapshot(t, dbURL), "the late create reserved nothing")
	require.Equal(t, "liberee", kittest.Do(t, "GET", base+"/reservations/saga-9:reserver_stock", nil).Map(t)["statut"])
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/reservations/saga-9:reserver_stock/confirmation", nil), 409, "path.cle")
}

func TestDisponibilites_ReadOnlyVerification(t *testing.T) {
	base, dbURL := start(t)
	before := snapshot(t, dbURL)
	r := kittest.Do(t, "POST", base+"/disponibilites", map[string]any{
		"lignes": []map[string]int{{"produit_id": 2, "quantite": 999}, {"produit_id": 1, "quantite": 1}}})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.JSONEq(t, `{"suffisant":false,"lignes":[{"produit_id":2,"quantite":999,"disponible":500},
		{"produit_id":1,"quantite":1,"disponible":1000}]}`, string(r.Body))
	ok := kittest.Do(t, "POST", base+"/disponibilites", map[string]any{
		"emplacement_id": 3, "lignes": []map[string]int{{"produit_id": 1, "quantite": 1}}}).Map(t)
	require.Equal(t, true, ok["suffisant"])
	require.Equal(t, before, snapshot(t, dbURL))
}

// Many buyers race for the last units: exactly as many win as there are
// units, and the stock never goes below zero.
func TestReservation_ConcurrentReservationsNeverOversell(t *testing.T) {
	base, dbURL := start(t)
	id := newProduit(t, base, 5)

	hammer := make([]*http.Request, 50)
	for i := range hammer {
		hammer[i] = reserveRequest(t, base, "hammer-"+strconv.Itoa(i), [2]int64{id, 1})
	}
	won := statuses(kittest.SendAll(t, hammer))
	counts := map[int]int{}
	for _, s := range won {
		counts[s]++
	}
	require.Equal(t, map[int]int{http.StatusCreated: 5, http.StatusConflict: 45}, counts)
	require.Equal(t, niveau{5, 5}, level(t, dbURL, 6, id))
	stockPage := kittest.Do(t, "GET", base+"/logistique/stock?q="+strings.ReplaceAll(t.Name(), "_", "%5F"), nil).Map(t)
	require.EqualValues(t, 0, stockPage["items"].([]any)[0].(map[string]any)["disponible"])

	winner := ""
	for i, s := range won {
		if s == http.StatusCreated {
			winner = "hammer-" + strconv.Itoa(i)
			break
		}
	}
	// Releases and confirmations of one key race: the first to lock it decides,
	// the others either repeat that outcome (200) or are refused (409).
	decisions := make([]*http.Request, 20)
	for i := range decisions {
		action := "/confirmation"
		if i%2 == 1 {
			action = "/liberation"
		}
		decisions[i] = kittest.Request(t, "POST", base+"/reservations/"+winner+action, nil)
	}
	results := kittest.SendAll(t, decisions)
	final := kittest.Do(t, "GET", base+"/reservations/"+winner, nil).Map(t)["statut"]
	for i, r := range results {
		confirming := i%2 == 0
		if (final == "confirmee") == confirming {
			require.Equal(t, http.StatusOK, r.Status, string(r.Body))
		} else {
			require.Equal(t, http.StatusConflict, r.Status, string(r.Body))
		}
	}
	ventes, liberations := countMouvements(t, dbURL, "vente", winner), countMouvements(t, dbURL, "liberation", winner)
	if final == "confirmee" {
		require.Equal(t, [2]int{1, 0}, [2]int{ventes, liberations})
		require.Equal(t, niveau{4, 4}, level(t, dbURL, 6, id))
	} else {
		require.Equal(t, "liberee", final)
		require.Equal(t, [2]int{0, 1}, [2]int{ventes, liberations})
		require.Equal(t, niveau{5, 4}, level(t, dbURL, 6, id))
	}

	// Twenty confirmations of another key: one sale.
	other := ""
	for i, s := range won {
		if k := "hammer-" + strconv.Itoa(i); s == http.StatusCreated && k != winner {
			other = k
			break
		}
	}
	confirmations := make([]*http.Request, 20)
	for i := range confirmations {
		confirmations[i] = kittest.Request(t, "POST", base+"/reservations/"+other+"/confirmation", nil)
	}
	for _, r := range kittest.SendAll(t, confirmations) {
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	}
	require.Equal(t, 1, countMouvements(t, dbURL, "vente", other))
	n := level(t, dbURL, 6, id)
	require.EqualValues(t, 3, n.Reserve)
	require.GreaterOrEqual(t, n.Quantite, n.Reserve)
}

// The same key sent by many callers at once (a retried saga step) reserves once.
func TestReservation_ConcurrentRepeatsOfOneKeyReserveOnce(t *testing.T) {
	base, dbURL := start(t)
	repeats := make([]*http.Request, 20)
	for i := range repeats {
		repeats[i] = reserveRequest(t, base, "same-key", [2]int64{1, 2})
	}
	answers := kittest.SendAll(t, repeats)
	for _, r := range answers {
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
		require.Equal(t, string(answers[0].Body), string(r.Body))
	}
	require.Equal(t, niveau{1000, 2}, level(t, dbURL, 6, 1))
	require.Equal(t, 1, countMouvements(t, dbURL, "reservation", "same-key"))
}

func TestMouvements_FilteredNewestFirst(t *testing.T) {
	base, _ := start(t)
	require.Equal(t, http.StatusCreated, reserve(t, base, "m1", [2]int64{1, 1}, [2]int64{3, 2}).Status)
	require.Equal(t, http.StatusOK, kittest.Do(t, "POST", base+"/reservations/m1/confirmation", nil).Status)
	all := kittest.Do(t, "GET", base+"/mouvements?limit=1", nil).Map(t)
	require.EqualValues(t, 4, all["total"])
	require.Len(t, all["items"], 1)
	require.Equal(t, "vente", all["items"].([]any)[0].(map[string]any)["type"])
	byProduct := kittest.Do(t, "GET", base+"/mouvements?produit_id=3", nil).Map(t)
	require.EqualValues(t, 2, byProduct["total"])
	items := byProduct["items"].([]any)
	require.Greater(t, items[0].(map[string]any)["id"], items[1].(map[string]any)["id"])
	require.EqualValues(t, 0, kittest.Do(t, "GET", base+"/mouvements?emplacement_id=1", nil).Map(t)["total"])
}

func TestBadInput_IsAProblemNamingTheFieldAndChangesNothing(t *testing.T) {
	base, dbURL := start(t)
	inactif := newProduit(t, base, 10)
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/produits/"+itoa(inactif),
		map[string]any{"nom": "Inactif", "categorie": "Test", "prix": 1, "actif": false}).Status)
	reservation := func(lignes string) string { return `{"cle":"bad","lignes":` + lignes + `}` }
	huge := `{"cle":"big","lignes":[{"produit_id":1,"quantite":1}],"reference":"` + strings.Repeat("x", 70<<10) + `"}`
	cases := []kittest.BadInput{
		{Name: "produit malformed JSON", Method: "POST", Path: "/produits", Body: `{"nom":"A",`, Status: 400},
		{Name: "produit unknown field", Method: "POST", Path: "/produits", Body: `{"nom":"A","categorie":"B","prix":1,"stock":3}`, Status: 422, Field: "body.stock"},
		{Name: "produit prix as text", Method: "POST", Path: "/produits", Body: `{"nom":"A","categorie":"B","prix":"1"}`, Status: 422, Field: "body.prix"},
		{Name: "produit prix zero", Method: "POST", Path: "/produits", Body: `{"nom":"A","categorie":"B","prix":0}`, Status: 422, Field: "body.prix"},
		{Name: "produit prix negative", Method: "POST", Path: "/produits", Body: `{"nom":"A","categorie":"B","prix":-1}`, Status: 422, Field: "body.prix"},
		{Name: "produit prix three decimals", Method: "POST", Path: "/produits", Body: `{"nom":"A","categorie":"B","prix":1.234}`, Status: 422, Field: "body.prix"},
		{Name: "produit blank name", Method: "POST", Path: "/produits", Body: `{"nom":"  ","categorie":"B","prix":1}`, Status: 422, Field: "body.nom"},
		{Name: "produit missing categorie", Method: "POST", Path: "/produits", Body: `{"nom":"A","prix":1}`, Status: 422, Field: "body.categorie"},
		{Name: "produit unknown id", Method: "PUT", Path: "/produits/999999", Body: `{"nom":"A","categorie":"B","prix":1}`, Status: 404, Field: "path.id"},
		{Name: "produit id not a number", Method: "GET", Path: "/produits/abc", Status: 422, Field: "path.id"},
		{Name: "produit body over limit", Method: "POST", Path: "/produits", Body: `{"nom":"A","categorie":"B","prix":1,"description":"` + strings.Repeat("x", 70<<10) + `"}`, Status: 413},
		{Name: "produits actif not bool", Method: "GET", Path: "/produits?actif=peut-etre", Status: 422, Field: "query.actif"},
		{Name: "produits limit zero", Method: "GET", Path: "/produits?limit=0", Status: 422, Field: "query.limit"},
		{Name: "magasin centre", Method: "GET", Path: "/magasins/6", Status: 404, Field: "path.id"},
		{Name: "magasin stock unknown", Method: "GET", Path: "/magasins/99/stock", Status: 404, Field: "path.id"},
		{Name: "magasin negative id", Method: "GET", Path: "/magasins/-1", Status: 422, Field: "path.id"},
		{Name: "reception malformed", Method: "POST", Path: "/logistique/receptions", Body: `{"produit_id":1,`, Status: 400},
		{Name: "reception quantite zero", Method: "POST", Path: "/logistique/receptions", Body: `{"produit_id":1,"quantite":0}`, Status: 422, Field: "body.quantite"},
		{Name: "reception quantite negative", Method: "POST", Path: "/logistique/receptions", Body: `{"produit_id":1,"quantite":-1}`, Status: 422, Field: "body.quantite"},
		{Name: "reception quantite too big", Method: "POST", Path: "/logistique/receptions", Body: `{"produit_id":1,"quantite":100001}`, Status: 422, Field: "body.quantite"},
		{Name: "reception quantite as text", Method: "POST", Path: "/logistique/receptions", Body: `{"produit_id":1,"quantite":"5"}`, Status: 422, Field: "body.quantite"},
		{Name: "reception unknown product", Method: "POST", Path: "/logistique/receptions", Body: `{"produit_id":999999,"quantite":5}`, Status: 404, Field: "body.produit_id"},
		{Name: "reception unknown field", Method: "POST", Path: "/logistique/receptions", Body: `{"produit_id":1,"quantite":5,"magasin":2}`, Status: 422, Field: "body.magasin"},
		{Name: "reservation malformed", Method: "POST", Path: "/reservations", Body: `{"cle":"bad","lignes":[`, Status: 400},
		{Name: "reservation no lines", Method: "POST", Path: "/reservations", Body: reservation(`[]`), Status: 422, Field: "body.lignes"},
		{Name: "reservation missing key", Method: "POST", Path: "/reservations", Body: `{"lignes":[{"produit_id":1,"quantite":1}]}`, Status: 422, Field: "body.cle"},
		{Name: "reservation empty key", Method: "POST", Path: "/reservations", Body: `{"cle":"","lignes":[{"produit_id":1,"quantite":1}]}`, Status: 422, Field: "body.cle"},
		{Name: "reservation quantite zero", Method: "POST", Path: "/reservations", Body: reservation(`[{"produit_id":1,"quantite":0}]`), Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "reservation quantite negative", Method: "POST", Path: "/reservations", Body: reservation(`[{"produit_id":1,"quantite":1},{"produit_id":2,"quantite":-1}]`), Status: 422, Field: "body.lignes[1].quantite"},
		{Name: "reservation quantite fractional", Method: "POST", Path: "/reservations", Body: reservation(`[{"produit_id":1,"quantite":1.5}]`), Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "reservation unknown product", Method: "POST", Path: "/reservations", Body: reservation(`[{"produit_id":1,"quantite":1},{"produit_id":999999,"quantite":1}]`), Status: 404, Field: "body.lignes[1].produit_id"},
		{Name: "reservation inactive product", Method: "POST", Path: "/reservations", Body: reservation(`[{"produit_id":` + itoa(inactif) + `,"quantite":1}]`), Status: 422, Field: "body.lignes[0].produit_id"},
		{Name: "reservation same product twice", Method: "POST", Path: "/reservations", Body: reservation(`[{"produit_id":1,"quantite":1},{"produit_id":1,"quantite":2}]`), Status: 422, Field: "body.lignes[1].produit_id"},
		{Name: "reservation unknown location", Method: "POST", Path: "/reservations", Body: `{"cle":"bad","emplacement_id":99,"lignes":[{"produit_id":1,"quantite":1}]}`, Status: 404, Field: "body.emplacement_id"},
		{Name: "reservation unknown field", Method: "POST", Path: "/reservations", Body: `{"cle":"bad","lignes":[{"produit_id":1,"quantite":1,"prix":3}]}`, Status: 422, Field: "body.lignes[0].prix"},
		{Name: "reservation insufficient", Method: "POST", Path: "/reservations", Body: reservation(`[{"produit_id":1,"quantite":1},{"produit_id":2,"quantite":999}]`), Status: 409, Field: "body.lignes[1].quantite"},
		{Name: "reservation over body limit", Method: "POST", Path: "/reservations", Body: huge, Status: 413},
		{Name: "reservation key with a slash", Method: "POST", Path: "/reservations", Body: `{"cle":"a/b","lignes":[{"produit_id":1,"quantite":1}]}`, Status: 422, Field: "body.cle"},
		{Name: "reservation key with a space", Method: "POST", Path: "/reservations", Body: `{"cle":"a b","lignes":[{"produit_id":1,"quantite":1}]}`, Status: 422, Field: "body.cle"},
		{Name: "reservation key too long", Method: "GET", Path: "/reservations/" + strings.Repeat("k", 201), Status: 422, Field: "path.cle"},
		{Name: "confirmation unknown key", Method: "POST", Path: "/reservations/inconnue/confirmation", Status: 404, Field: "path.cle"},
		{Name: "reservation unknown key", Method: "GET", Path: "/reservations/inconnue", Status: 404, Field: "path.cle"},
		{Name: "disponibilites quantite zero", Method: "POST", Path: "/disponibilites", Body: `{"lignes":[{"produit_id":1,"quantite":0}]}`, Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "disponibilites unknown product", Method: "POST", Path: "/disponibilites", Body: `{"lignes":[{"produit_id":424242,"quantite":1}]}`, Status: 404, Field: "body.lignes[0].produit_id"},
		{Name: "disponibilites wrong type", Method: "POST", Path: "/disponibilites", Body: `{"lignes":{"produit_id":1}}`, Status: 422, Field: "body.lignes"},
		{Name: "mouvements unknown type", Method: "GET", Path: "/mouvements?type=vol", Status: 422, Field: "query.type"},
		{Name: "mouvements negative location", Method: "GET", Path: "/mouvements?emplacement_id=-1", Status: 422, Field: "query.emplacement_id"},
		{Name: "unknown route", Method: "GET", Path: "/stocks", Status: 404},
		{Name: "unknown method", Method: "DELETE", Path: "/produits/1", Status: 405},
		{Name: "reservation key with NUL in the path", Method: "GET", Path: "/reservations/a%00b", Status: 422, Field: "path.cle"},
		{Name: "release key not UTF-8", Method: "POST", Path: "/reservations/a%FF/liberation", Status: 422, Field: "path.cle"},
		{Name: "produits search with NUL", Method: "GET", Path: "/produits?q=%00", Status: 422, Field: "query.q"},
		{Name: "mouvements reference with NUL", Method: "GET", Path: "/mouvements?reference=a%00", Status: 422, Field: "query.reference"},
		{Name: "reception produit 2^63-1", Method: "POST", Path: "/logistique/receptions", Body: `{"produit_id":9223372036854775807,"quantite":5}`, Status: 422, Field: "body.produit_id"},
		kittest.NullList("reservation", "POST", "/reservations", "body.lignes", reservation),
		kittest.NullList("disponibilites", "POST", "/disponibilites", "body.lignes", func(l string) string { return `{"lignes":` + l + `}` }),
		{Name: "disponibilites no lines", Method: "POST", Path: "/disponibilites", Body: `{"lignes":[]}`, Status: 422, Field: "body.lignes"},
	}
	cases = append(cases, kittest.TextCases("reservation cle", "POST", "/reservations", "body.cle", func(s string) string {
		return `{"cle":"` + s + `","lignes":[{"produit_id":1,"quantite":1}]}`
	})...)
	cases = append(cases, kittest.TextCases("reservation reference", "POST", "/reservations", "body.reference", func(s string) string {
		return `{"cle":"bad","reference":"` + s + `","lignes":[{"produit_id":1,"quantite":1}]}`
	})...)
	cases = append(cases, kittest.TextCases("reception reference", "POST", "/logistique/receptions", "body.reference", func(s string) string {
		return `{"produit_id":1,"quantite":5,"reference":"` + s + `"}`
	})...)
	cases = append(cases, kittest.TextCases("produit nom", "POST", "/produits", "body.nom", func(s string) string {
		return `{"nom":"` + s + `","categorie":"B","prix":1}`
	})...)
	cases = append(cases, kittest.TextCases("produit description", "PUT", "/produits/1", "body.description", func(s string) string {
		return `{"nom":"A","categorie":"B","prix":1,"description":"` + s + `"}`
	})...)
	cases = append(cases, kittest.KeyCases("reception", "POST", "/logistique/receptions", `{"produit_id":1,"quantite":5}`)...)
	before := snapshot(t, dbURL)
	kittest.RequireBadInputs(t, base, cases)
	require.Equal(t, before, snapshot(t, dbURL))
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+"/readyz", nil).Status, "still serving")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
