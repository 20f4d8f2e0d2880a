package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

func TestProduits_ByIDsInOneCallWithTheOtherFilters(t *testing.T) {
	base, _ := start(t)
	page := kittest.Do(t, "GET", base+"/produits?ids=4,1,2,999999&limit=100", nil)
	require.Equal(t, http.StatusOK, page.Status, string(page.Body))
	m := page.Map(t)
	require.EqualValues(t, 3, m["total"], "an unknown id is simply absent")
	var got []float64
	for _, it := range m["items"].([]any) {
		p := it.(map[string]any)
		got = append(got, p["id"].(float64))
		require.Contains(t, p, "prix")
		require.Contains(t, p, "actif")
	}
	require.Equal(t, []float64{1, 2, 4}, got, "by id")

	// ids narrows the other filters, and the total counts every page.
	m = kittest.Do(t, "GET", base+"/produits?ids=1,2,4,5&categorie=maison", nil).Map(t)
	require.EqualValues(t, 2, m["total"])
	m = kittest.Do(t, "GET", base+"/produits?ids=1,2,3&limit=1&offset=1", nil).Map(t)
	require.EqualValues(t, 3, m["total"])
	require.EqualValues(t, 2, m["items"].([]any)[0].(map[string]any)["id"])
	m = kittest.Do(t, "GET", base+"/produits?ids=1,2,3&offset=10", nil).Map(t)
	require.EqualValues(t, 3, m["total"], "a page past the end still knows the total")
	require.Empty(t, m["items"])

	inactif := newProduit(t, base, 0)
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/produits/"+itoa(inactif),
		map[string]any{"nom": "Retiré", "categorie": "Test", "prix": 1, "actif": false}).Status)
	m = kittest.Do(t, "GET", base+"/produits?ids=1,"+itoa(inactif)+"&actif=false", nil).Map(t)
	require.EqualValues(t, 1, m["total"])

	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = itoa(int64(i + 1))
	}
	r := kittest.Do(t, "GET", base+"/produits?limit=500&ids="+strings.Join(hundred, ","), nil)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	for _, bad := range []string{
		"ids=1,a", "ids=1,,2", "ids=1.5", "ids=0", "ids=-3", "ids=" + strings.Join(hundred, ",") + ",101",
	} {
		kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/produits?"+bad, nil), 422, "query.ids")
	}
}

func retour(emplacement int64, reference string, lignes ...[2]int64) map[string]any {
	ls := make([]map[string]int64, len(lignes))
	for i, l := range lignes {
		ls[i] = map[string]int64{"produit_id": l[0], "quantite": l[1]}
	}
	return map[string]any{"emplacement_id": emplacement, "reference": reference, "lignes": ls}
}

func TestRetours_RestockTheLocationWriteTheLedgerAndReplay(t *testing.T) {
	base, dbURL := start(t)
	sansStock := newProduit(t, base, 0) // no row at store 2 yet
	before1, before3 := level(t, dbURL, 2, 1), level(t, dbURL, 2, 3)
	body := retour(2, "cmd-42", [2]int64{3, 2}, [2]int64{sansStock, 4}, [2]int64{1, 1})

	first := kittest.Do(t, "POST", base+"/retours", body, "Idempotency-Key", "saga-9:restocker")
	require.Equal(t, http.StatusCreated, first.Status, string(first.Body))
	out := first.Map(t)
	require.EqualValues(t, 2, out["emplacement_id"])
	require.Equal(t, "cmd-42", out["reference"])
	require.Len(t, out["lignes"], 3)
	mvts := out["mouvements"].([]any)
	require.Len(t, mvts, 3)
	for i, want := range []int64{1, 3, sansStock} {
		m := mvts[i].(map[string]any)
		require.EqualValues(t, want, m["produit_id"])
		require.Equal(t, "retour", m["type"])
		require.Equal(t, "cmd-42", m["reference"])
		require.EqualValues(t, 2, m["emplacement_id"])
	}
	require.Equal(t, niveau{before1.Quantite + 1, before1.Reserve}, level(t, dbURL, 2, 1))
	require.Equal(t, niveau{before3.Quantite + 2, before3.Reserve}, level(t, dbURL, 2, 3))
	require.Equal(t, niveau{4, 0}, level(t, dbURL, 2, sansStock))
	require.Equal(t, 3, countMouvements(t, dbURL, "retour", "cmd-42"))

	// A repeat, even with the lines in another order, replays and moves nothing.
	snap := snapshot(t, dbURL)
	again := kittest.Do(t, "POST", base+"/retours",
		retour(2, "cmd-42", [2]int64{1, 1}, [2]int64{3, 2}, [2]int64{sansStock, 4}), "Idempotency-Key", "saga-9:restocker")
	require.Equal(t, http.StatusCreated, again.Status, string(again.Body))
	require.JSONEq(t, string(first.Body), string(again.Body))
	require.Equal(t, snap, snapshot(t, dbURL))

	// The same key for another return is a caller's bug: refused, nothing moves.
	for _, other := range []map[string]any{
		retour(2, "cmd-42", [2]int64{3, 3}, [2]int64{sansStock, 4}, [2]int64{1, 1}),
		retour(3, "cmd-42", [2]int64{3, 2}, [2]int64{sansStock, 4}, [2]int64{1, 1}),
		retour(2, "cmd-43", [2]int64{3, 2}, [2]int64{sansStock, 4}, [2]int64{1, 1}),
	} {
		kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/retours", other, "Idempotency-Key", "saga-9:restocker"),
			422, "header.Idempotency-Key")
	}
	require.Equal(t, snap, snapshot(t, dbURL))

	// A withdrawn product sold earlier can still come back, to the centre too.
	inactif := newProduit(t, base, 5)
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/produits/"+itoa(inactif),
		map[string]any{"nom": "Retiré", "categorie": "Test", "prix": 1, "actif": false}).Status)
	r := kittest.Do(t, "POST", base+"/retours", retour(6, "cmd-44", [2]int64{inactif, 2}), "Idempotency-Key", "k2")
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	require.Equal(t, niveau{7, 0}, level(t, dbURL, 6, inactif))

	ledger := kittest.Do(t, "GET", base+"/mouvements?type=retour&emplacement_id=2", nil).Map(t)
	require.EqualValues(t, 3, ledger["total"])
}

func TestRetours_ConcurrentRepeatsOfOneKeyRestockOnce(t *testing.T) {
	base, dbURL := start(t)
	before := level(t, dbURL, 4, 7)
	body := retour(4, "cmd-c", [2]int64{7, 3})
	repeats := make([]*http.Request, 10)
	for i := range repeats {
		repeats[i] = kittest.Request(t, "POST", base+"/retours", body, "Idempotency-Key", "one-key")
	}
	for _, r := range kittest.SendAll(t, repeats) {
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	}
	require.Equal(t, niveau{before.Quantite + 3, before.Reserve}, level(t, dbURL, 4, 7))
	require.Equal(t, 1, countMouvements(t, dbURL, "retour", "cmd-c"))
}

func TestRetours_BadInputIsAProblemNamingTheFieldAndChangesNothing(t *testing.T) {
	base, dbURL := start(t)
	line := `{"produit_id":1,"quantite":1}`
	body := func(lignes string) string {
		return `{"emplacement_id":1,"reference":"cmd-1","lignes":[` + lignes + `]}`
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf(`{"produit_id":%d,"quantite":1}`, i+1)
	}
	key := []string{"Idempotency-Key", "bad-1"}
	cases := []kittest.BadInput{
		{Name: "malformed JSON", Method: "POST", Path: "/retours", Body: `{"emplacement_id":1,`, Headers: key, Status: 400},
		{Name: "not JSON", Method: "POST", Path: "/retours", Body: `emplacement_id=1`, Headers: key, Status: 400},
		{Name: "unknown field", Method: "POST", Path: "/retours", Body: `{"emplacement_id":1,"reference":"cmd-1","motif":"x","lignes":[` + line + `]}`, Headers: key, Status: 422, Field: "body.motif"},
		{Name: "unknown line field", Method: "POST", Path: "/retours", Body: body(`{"produit_id":1,"quantite":1,"prix":2}`), Headers: key, Status: 422, Field: "body.lignes[0].prix"},
		{Name: "emplacement as text", Method: "POST", Path: "/retours", Body: `{"emplacement_id":"1","reference":"cmd-1","lignes":[` + line + `]}`, Headers: key, Status: 422, Field: "body.emplacement_id"},
		{Name: "missing emplacement", Method: "POST", Path: "/retours", Body: `{"reference":"cmd-1","lignes":[` + line + `]}`, Headers: key, Status: 422, Field: "body.emplacement_id"},
		{Name: "emplacement 0", Method: "POST", Path: "/retours", Body: `{"emplacement_id":0,"reference":"cmd-1","lignes":[` + line + `]}`, Headers: key, Status: 422, Field: "body.emplacement_id"},
		{Name: "unknown emplacement", Method: "POST", Path: "/retours", Body: `{"emplacement_id":7,"reference":"cmd-1","lignes":[` + line + `]}`, Headers: key, Status: 404, Field: "body.emplacement_id"},
		{Name: "missing reference", Method: "POST", Path: "/retours", Body: `{"emplacement_id":1,"lignes":[` + line + `]}`, Headers: key, Status: 422, Field: "body.reference"},
		{Name: "empty reference", Method: "POST", Path: "/retours", Body: `{"emplacement_id":1,"reference":"","lignes":[` + line + `]}`, Headers: key, Status: 422, Field: "body.reference"},
		{Name: "blank reference", Method: "POST", Path: "/retours", Body: `{"emplacement_id":1,"reference":"   ","lignes":[` + line + `]}`, Headers: key, Status: 422, Field: "body.reference"},
		{Name: "reference too long", Method: "POST", Path: "/retours", Body: `{"emplacement_id":1,"reference":"` + strings.Repeat("r", 201) + `","lignes":[` + line + `]}`, Headers: key, Status: 422, Field: "body.reference"},
		{Name: "no lines", Method: "POST", Path: "/retours", Body: body(``), Headers: key, Status: 422, Field: "body.lignes"},
		{Name: "101 lines", Method: "POST", Path: "/retours", Body: body(strings.Join(many, ",")), Headers: key, Status: 422, Field: "body.lignes"},
		{Name: "lines not a list", Method: "POST", Path: "/retours", Body: `{"emplacement_id":1,"reference":"cmd-1","lignes":{"produit_id":1}}`, Headers: key, Status: 422, Field: "body.lignes"},
		{Name: "quantite 0", Method: "POST", Path: "/retours", Body: body(`{"produit_id":1,"quantite":0}`), Headers: key, Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "quantite -1", Method: "POST", Path: "/retours", Body: body(line + `,{"produit_id":2,"quantite":-1}`), Headers: key, Status: 422, Field: "body.lignes[1].quantite"},
		{Name: "quantite fractional", Method: "POST", Path: "/retours", Body: body(`{"produit_id":1,"quantite":1.5}`), Headers: key, Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "quantite as text", Method: "POST", Path: "/retours", Body: body(`{"produit_id":1,"quantite":"1"}`), Headers: key, Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "produit 0", Method: "POST", Path: "/retours", Body: body(`{"produit_id":0,"quantite":1}`), Headers: key, Status: 422, Field: "body.lignes[0].produit_id"},
		{Name: "unknown product", Method: "POST", Path: "/retours", Body: body(line + `,{"produit_id":999999,"quantite":1}`), Headers: key, Status: 404, Field: "body.lignes[1].produit_id"},
		{Name: "same product twice", Method: "POST", Path: "/retours", Body: body(line + `,` + line), Headers: key, Status: 422, Field: "body.lignes[1].produit_id"},
		{Name: "missing key", Method: "POST", Path: "/retours", Body: body(line), Status: 422, Field: "header.Idempotency-Key"},
		{Name: "key with a space", Method: "POST", Path: "/retours", Body: body(line), Headers: []string{"Idempotency-Key", "a b"}, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "key too long", Method: "POST", Path: "/retours", Body: body(line), Headers: []string{"Idempotency-Key", strings.Repeat("k", 201)}, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "body over the limit", Method: "POST", Path: "/retours", Body: `{"emplacement_id":1,"reference":"` + strings.Repeat("x", 70<<10) + `","lignes":[` + line + `]}`, Headers: key, Status: 413},
	}
	before := snapshot(t, dbURL)
	kittest.RequireBadInputs(t, base, cases)
	require.Equal(t, before, snapshot(t, dbURL))
	// The refused requests did not burn the key.
	r := kittest.Do(t, "POST", base+"/retours", body(line), key...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
}
