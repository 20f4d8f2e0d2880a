package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// confirmee makes an order and walks it to CONFIRMEE, as the saga does.
func confirmee(t *testing.T, base string, body any) string {
	t.Helper()
	id := create(t, base, body)["id"].(string)
	for _, s := range []string{"STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"} {
		r := transition(t, base, id, s, "", "saga-"+id+":"+s)
		require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	}
	return id
}

func retourner(t *testing.T, base, id, cle string, lignes ...[2]int) kittest.Response {
	t.Helper()
	r, err := kittest.Send(retourRequest(t, base, id, cle, lignes...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// retourRequest is retourner built on the test goroutine, to send from another.
func retourRequest(t *testing.T, base, id, cle string, lignes ...[2]int) *http.Request {
	t.Helper()
	ls := make([]map[string]int, len(lignes))
	for i, l := range lignes {
		ls[i] = map[string]int{"produit_id": l[0], "quantite": l[1]}
	}
	return kittest.Request(t, "POST", base+"/commande/"+id+"/retours", map[string]any{"lignes": ls}, "Idempotency-Key", cle)
}

// retourRows counts what a return writes, so a refused one can be shown to write nothing.
func retourRows(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var s string
	require.NoError(t, conn.QueryRow(ctx, `SELECT concat_ws(' ',
		(SELECT count(*) FROM retours), (SELECT count(*) FROM retour_lignes),
		(SELECT sum(quantite_retournee) FROM commande_lignes), (SELECT count(*) FROM idempotence),
		(SELECT string_agg(statut, ',' ORDER BY id) FROM commandes))`).Scan(&s))
	return s
}

func TestRetour_PartialReturnsAtTheSalePriceUpToWhatWasSold(t *testing.T) {
	base, dbURL := start(t)
	id := confirmee(t, base, enLigne(7)) // product 1 ×2 at 19.99, product 2 ×1 at 5.00

	r := retourner(t, base, id, "saga-r1:retour_commande", [2]int{2, 1}, [2]int{1, 1})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	ret := r.Map(t)
	_, err := uuid.Parse(ret["id"].(string))
	require.NoError(t, err)
	require.Equal(t, id, ret["commande_id"])
	require.Equal(t, 24.99, ret["montant"])
	require.NotEmpty(t, ret["at"])
	require.Equal(t, []any{
		map[string]any{"produit_id": 2.0, "quantite": 1.0, "prix_unitaire": 5.0, "montant": 5.0},
		map[string]any{"produit_id": 1.0, "quantite": 1.0, "prix_unitaire": 19.99, "montant": 19.99},
	}, ret["lignes"])

	// Same key and body: the first answer again, nothing recorded twice.
	before := retourRows(t, dbURL)
	again := retourner(t, base, id, "saga-r1:retour_commande", [2]int{2, 1}, [2]int{1, 1})
	require.Equal(t, http.StatusCreated, again.Status, string(again.Body))
	require.JSONEq(t, string(r.Body), string(again.Body))
	require.Equal(t, before, retourRows(t, dbURL))
	// Same key, another return: refused, nothing recorded.
	kittest.RequireProblem(t, retourner(t, base, id, "saga-r1:retour_commande", [2]int{1, 1}), 422, "header.Idempotency-Key")
	require.Equal(t, before, retourRows(t, dbURL))

	// Product 2 is all back, product 1 has one left: asking more is a 409 that says how many.
	p := kittest.RequireProblem(t, retourner(t, base, id, "r2", [2]int{1, 1}, [2]int{2, 1}), 409, "body.lignes[1].quantite")
	require.Contains(t, p.Errors[0].Message, "only 0 of product 2")
	p = kittest.RequireProblem(t, retourner(t, base, id, "r3", [2]int{1, 2}), 409, "body.lignes[0].quantite")
	require.Contains(t, p.Errors[0].Message, "only 1 of product 1")
	require.Equal(t, before, retourRows(t, dbURL))

	second := retourner(t, base, id, "r4", [2]int{1, 1})
	require.Equal(t, http.StatusCreated, second.Status, string(second.Body))

	c := kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)
	require.Equal(t, "CONFIRMEE", c["statut"], "a return does not change the sale's state")
	require.Equal(t, 44.98, c["total"])
	require.Equal(t, 44.98, c["total_retourne"])
	for _, l := range c["lignes"].([]any) {
		l := l.(map[string]any)
		require.Equal(t, l["quantite"], l["quantite_retournee"])
	}
	retours := c["retours"].([]any)
	require.Len(t, retours, 2)
	require.Equal(t, ret["id"], retours[0].(map[string]any)["id"], "oldest first")
	require.Equal(t, 19.99, retours[1].(map[string]any)["montant"])

	page := kittest.Do(t, "GET", base+"/commande/"+id+"/retours?limit=1&offset=1", nil).Map(t)
	require.EqualValues(t, 2, page["total"])
	require.Equal(t, second.Map(t), page["items"].([]any)[0])
	list := kittest.Do(t, "GET", base+"/commandes?client_id=7", nil).Map(t)
	require.Equal(t, 44.98, list["items"].([]any)[0].(map[string]any)["total_retourne"])

	// An order with no return shows zeros and no retours.
	other := confirmee(t, base, enLigne(8))
	o := kittest.Do(t, "GET", base+"/commande/"+other, nil).Map(t)
	require.Equal(t, 0.0, o["total_retourne"])
	require.NotContains(t, o, "retours")
	require.EqualValues(t, 0, kittest.Do(t, "GET", base+"/commande/"+other+"/retours", nil).Map(t)["total"])
}

func TestRetour_OnlyAConfirmedOrderTakesReturns(t *testing.T) {
	base, dbURL := start(t)
	id := create(t, base, enLigne(1))["id"].(string)
	annulee := create(t, base, enLigne(2))["id"].(string)
	require.Equal(t, http.StatusOK, transition(t, base, annulee, "ANNULEE", "paiement refusé", "a1").Status)
	refused := func(order, cle, etat string) {
		t.Helper()
		before := retourRows(t, dbURL)
		p := kittest.RequireProblem(t, retourner(t, base, order, cle, [2]int{1, 1}), 409, "path.id")
		require.Contains(t, p.Detail, etat)
		require.Contains(t, p.Detail, "CONFIRMEE")
		require.Equal(t, before, retourRows(t, dbURL))
	}
	refused(id, "early-CREEE", "CREEE")
	for _, s := range []string{"STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE"} {
		require.Equal(t, http.StatusOK, transition(t, base, id, s, "", "t:"+s).Status)
		refused(id, "early-"+s, s)
	}
	refused(annulee, "x", "ANNULEE")
	// Once confirmed, a key refused earlier is free: the refusal stored nothing.
	require.Equal(t, http.StatusOK, transition(t, base, id, "CONFIRMEE", "", "t:CONFIRMEE").Status)
	r := retourner(t, base, id, "early-PAYEE", [2]int{1, 1})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
}

func TestRetour_ConcurrentReturnsNeverExceedWhatWasSold(t *testing.T) {
	base, dbURL := start(t)
	id := confirmee(t, base, enLigne(3, map[string]any{"produit_id": 9, "quantite": 5, "prix_unitaire": 12.5}))
	const n = 20
	racers := make([]*http.Request, n)
	for i := range racers {
		racers[i] = retourRequest(t, base, id, fmt.Sprintf("racer-%d", i), [2]int{9, 1})
	}
	count := map[int]int{}
	for _, r := range kittest.SendAll(t, racers) {
		count[r.Status]++
	}
	require.Equal(t, map[int]int{http.StatusCreated: 5, http.StatusConflict: n - 5}, count)
	c := kittest.Do(t, "GET", base+"/commande/"+id, nil).Map(t)
	require.EqualValues(t, 5, c["lignes"].([]any)[0].(map[string]any)["quantite_retournee"])
	require.Equal(t, 62.5, c["total_retourne"])
	require.Len(t, c["retours"], 5)
	require.Contains(t, retourRows(t, dbURL), "5 5 5 ")
}

func TestRetour_BadInputIsAProblemNamingTheFieldAndChangesNothing(t *testing.T) {
	base, dbURL := start(t)
	id := confirmee(t, base, enLigne(1))
	path := "/commande/" + id + "/retours"
	line := `{"produit_id":1,"quantite":1}`
	body := func(lignes string) string { return `{"lignes":[` + lignes + `]}` }
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf(`{"produit_id":%d,"quantite":1}`, i+1)
	}
	key := []string{"Idempotency-Key", "bad"}
	unknown := uuid.NewString()
	cases := []kittest.BadInput{
		{Name: "malformed JSON", Method: "POST", Path: path, Body: `{"lignes":[`, Headers: key, Status: 400},
		{Name: "not JSON", Method: "POST", Path: path, Body: `lignes=1`, Headers: key, Status: 400},
		{Name: "unknown field", Method: "POST", Path: path, Body: `{"lignes":[` + line + `],"motif":"x"}`, Headers: key, Status: 422, Field: "body.motif"},
		{Name: "unknown line field", Method: "POST", Path: path, Body: body(`{"produit_id":1,"quantite":1,"prix_unitaire":1}`), Headers: key, Status: 422, Field: "body.lignes[0].prix_unitaire"},
		{Name: "missing lignes", Method: "POST", Path: path, Body: `{}`, Headers: key, Status: 422, Field: "body.lignes"},
		{Name: "empty lignes", Method: "POST", Path: path, Body: body(``), Headers: key, Status: 422, Field: "body.lignes"},
		{Name: "101 lines", Method: "POST", Path: path, Body: body(strings.Join(many, ",")), Headers: key, Status: 422, Field: "body.lignes"},
		{Name: "lignes not a list", Method: "POST", Path: path, Body: `{"lignes":{"produit_id":1}}`, Headers: key, Status: 422, Field: "body.lignes"},
		{Name: "quantite 0", Method: "POST", Path: path, Body: body(`{"produit_id":1,"quantite":0}`), Headers: key, Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "quantite -1", Method: "POST", Path: path, Body: body(line + `,{"produit_id":2,"quantite":-1}`), Headers: key, Status: 422, Field: "body.lignes[1].quantite"},
		{Name: "quantite fractional", Method: "POST", Path: path, Body: body(`{"produit_id":1,"quantite":1.5}`), Headers: key, Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "quantite as text", Method: "POST", Path: path, Body: body(`{"produit_id":1,"quantite":"1"}`), Headers: key, Status: 422, Field: "body.lignes[0].quantite"},
		{Name: "produit 0", Method: "POST", Path: path, Body: body(`{"produit_id":0,"quantite":1}`), Headers: key, Status: 422, Field: "body.lignes[0].produit_id"},
		{Name: "produit not in the order", Method: "POST", Path: path, Body: body(line + `,{"produit_id":3,"quantite":1}`), Headers: key, Status: 422, Field: "body.lignes[1].produit_id"},
		{Name: "same product twice", Method: "POST", Path: path, Body: body(line + `,` + line), Headers: key, Status: 422, Field: "body.lignes[1].produit_id"},
		{Name: "more than sold", Method: "POST", Path: path, Body: body(`{"produit_id":1,"quantite":3}`), Headers: key, Status: 409, Field: "body.lignes[0].quantite"},
		{Name: "missing key", Method: "POST", Path: path, Body: body(line), Status: 422, Field: "header.Idempotency-Key"},
		{Name: "blank key", Method: "POST", Path: path, Body: body(line), Headers: []string{"Idempotency-Key", "  "}, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "key too long", Method: "POST", Path: path, Body: body(line), Headers: []string{"Idempotency-Key", strings.Repeat("k", 201)}, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "unknown order", Method: "POST", Path: "/commande/" + unknown + "/retours", Body: body(line), Headers: key, Status: 404, Field: "path.id"},
		{Name: "malformed order id", Method: "POST", Path: "/commande/abc/retours", Body: body(line), Headers: key, Status: 422, Field: "path.id"},
		{Name: "body over the limit", Method: "POST", Path: path, Body: `{"lignes":[` + line + `],"x":"` + strings.Repeat("x", 70<<10) + `"}`, Headers: key, Status: 413},
		{Name: "list unknown order", Method: "GET", Path: "/commande/" + unknown + "/retours", Status: 404, Field: "path.id"},
	}
	before, counts := retourRows(t, dbURL), rows(t, dbURL)
	kittest.RequireBadInputs(t, base, cases)
	require.Equal(t, before, retourRows(t, dbURL))
	require.Equal(t, counts, rows(t, dbURL))
	// The refused requests did not burn the key.
	r := kittest.Do(t, "POST", base+path, body(line), key...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
}
