package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/paiement/migrations"
)

func start(t *testing.T) (base, dbURL string) {
	t.Helper()
	dbURL = kittest.DB(t, "paiement", migrations.FS)
	return kittest.Start(t, run, map[string]string{"DATABASE_URL": dbURL}), dbURL
}

func charge(commande string, client int, montant, methode string) string {
	return fmt.Sprintf(`{"commande_id":%q,"client_id":%d,"montant":%s,"methode":%q}`, commande, client, montant, methode)
}

func pay(t *testing.T, base, key, body string) kittest.Response {
	t.Helper()
	return kittest.Do(t, "POST", base+"/paiements", body, "Idempotency-Key", key)
}

func refund(t *testing.T, base, id, key, body string) kittest.Response {
	t.Helper()
	return kittest.Do(t, "POST", base+"/paiements/"+id+"/remboursements", body, "Idempotency-Key", key)
}

func TestComptes_DefaultLimitThenCustomLimit(t *testing.T) {
	base, _ := start(t)

	got := kittest.Do(t, "GET", base+"/comptes/42", nil)
	require.Equal(t, http.StatusOK, got.Status, string(got.Body))
	require.JSONEq(t, `{"client_id":42,"limite":500.00}`, string(got.Body))

	put := kittest.Do(t, "PUT", base+"/comptes/42", `{"limite":100.00}`)
	require.Equal(t, http.StatusOK, put.Status, string(put.Body))
	require.JSONEq(t, `{"client_id":42,"limite":100.00}`, string(put.Body))
	require.JSONEq(t, `{"client_id":42,"limite":100.00}`, string(kittest.Do(t, "GET", base+"/comptes/42", nil).Body))
	require.JSONEq(t, `{"client_id":7,"limite":500.00}`, string(kittest.Do(t, "GET", base+"/comptes/7", nil).Body),
		"another client keeps the default")

	over := pay(t, base, "c42-1", charge(uuid.NewString(), 42, "100.01", "carte"))
	p := kittest.RequireProblem(t, over, http.StatusPaymentRequired, "body.montant")
	require.Equal(t, "montant 100.01 supérieur à la limite d'autorisation 100.00", p.Detail)
	require.Equal(t, http.StatusCreated, pay(t, base, "c42-2", charge(uuid.NewString(), 42, "100.00", "carte")).Status)

	// A zero limit refuses every card charge; cash is still taken.
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/comptes/42", `{"limite":0}`).Status)
	kittest.RequireProblem(t, pay(t, base, "c42-3", charge(uuid.NewString(), 42, "0.01", "carte")), 402, "body.montant")
	require.Equal(t, http.StatusCreated, pay(t, base, "c42-4", charge(uuid.NewString(), 42, "0.01", "comptant")).Status)
}

func TestPaiements_CardIsLimitedAndCashIsNot(t *testing.T) {
	base, _ := start(t)
	commande := uuid.NewString()

	under := pay(t, base, "k-under", charge(commande, 1, "499.99", "carte"))
	require.Equal(t, http.StatusCreated, under.Status, string(under.Body))
	ok := under.Map(t)
	require.Equal(t, "accepte", ok["statut"])
	require.Equal(t, commande, ok["commande_id"])
	require.Equal(t, "", ok["motif"])
	require.Equal(t, []any{}, ok["remboursements"])

	over := pay(t, base, "k-over", charge(uuid.NewString(), 1, "750.00", "carte"))
	p := kittest.RequireProblem(t, over, http.StatusPaymentRequired, "body.montant")
	require.Equal(t, "montant 750.00 supérieur à la limite d'autorisation 500.00", p.Detail)

	cash := pay(t, base, "k-cash", charge(uuid.NewString(), 1, "9999.99", "comptant"))
	require.Equal(t, http.StatusCreated, cash.Status, string(cash.Body))
	require.Equal(t, "accepte", cash.Map(t)["statut"])

	// The refusal is stored too, and reachable by its key or its status.
	refused := kittest.Do(t, "GET", base+"/paiements?cle=k-over", nil).Map(t)
	require.EqualValues(t, 1, refused["total"])
	row := refused["items"].([]any)[0].(map[string]any)
	require.Equal(t, "refuse", row["statut"])
	require.Equal(t, p.Detail, row["motif"])
	require.EqualValues(t, 1, kittest.Do(t, "GET", base+"/paiements?statut=refuse", nil).Map(t)["total"])
	require.EqualValues(t, 3, kittest.Do(t, "GET", base+"/paiements?client_id=1", nil).Map(t)["total"])
	byOrder := kittest.Do(t, "GET", base+"/paiements?commande_id="+commande, nil).Map(t)
	require.EqualValues(t, 1, byOrder["total"])

	// Newest first, paginated.
	page := kittest.Do(t, "GET", base+"/paiements?limit=2", nil).Map(t)
	require.EqualValues(t, 3, page["total"])
	items := page["items"].([]any)
	require.Len(t, items, 2)
	require.Equal(t, "k-cash", items[0].(map[string]any)["cle"])
	require.Equal(t, "k-over", items[1].(map[string]any)["cle"])

	got := kittest.Do(t, "GET", base+"/paiements/"+ok["id"].(string), nil)
	require.Equal(t, http.StatusOK, got.Status)
	require.JSONEq(t, string(under.Body), string(got.Body))

	metrics := string(kittest.Do(t, "GET", base+"/metrics", nil).Body)
	require.Contains(t, metrics, `paiements_total{resultat="accepte"} 2`)
	require.Contains(t, metrics, `paiements_total{resultat="refuse"} 1`)
	require.Contains(t, metrics, `paiements_montant_cents_total{resultat="accepte"} 1.049998e+06`)
	require.Contains(t, metrics, `paiements_montant_cents_total{resultat="refuse"} 75000`)
}

func TestPaiements_OneAcceptedChargePerOrder(t *testing.T) {
	base, _ := start(t)
	commande := uuid.NewString()

	// A refusal leaves the order free for another attempt.
	kittest.RequireProblem(t, pay(t, base, "a1", charge(commande, 1, "600.00", "carte")), 402, "body.montant")
	require.Equal(t, http.StatusCreated, pay(t, base, "a2", charge(commande, 1, "600.00", "comptant")).Status)
	kittest.RequireProblem(t, pay(t, base, "a3", charge(commande, 1, "600.00", "comptant")), 409, "body.commande_id")
	kittest.RequireProblem(t, pay(t, base, "a4", charge(commande, 1, "5.00", "carte")), 409, "body.commande_id")
	require.EqualValues(t, 2, kittest.Do(t, "GET", base+"/paiements?commande_id="+commande, nil).Map(t)["total"])
	// The key of a conflicting charge was not used up: it still works for another order.
	require.Equal(t, http.StatusCreated, pay(t, base, "a3", charge(uuid.NewString(), 1, "600.00", "comptant")).Status)
}

func TestIdempotence_ReplaysTheFirstAnswer(t *testing.T) {
	base, dbURL := start(t)
	commande := uuid.NewString()
	body := charge(commande, 1, "100.00", "carte")

	first := pay(t, base, "saga-1:payer", body)
	require.Equal(t, http.StatusCreated, first.Status, string(first.Body))
	// Same request, other spacing and field order: still a repeat.
	again := pay(t, base, "saga-1:payer",
		fmt.Sprintf(`{ "methode":"carte", "montant":100.00, "client_id":1, "commande_id":%q }`, commande))
	require.Equal(t, first.Status, again.Status)
	require.Equal(t, string(first.Body), string(again.Body))

	refusedBody := charge(uuid.NewString(), 1, "800.00", "carte")
	refused := pay(t, base, "saga-2:payer", refusedBody)
	kittest.RequireProblem(t, refused, 402, "body.montant")
	replayed := pay(t, base, "saga-2:payer", refusedBody)
	require.Equal(t, refused.Status, replayed.Status)
	require.Equal(t, string(refused.Body), string(replayed.Body))
	require.Equal(t, "application/problem+json", replayed.Header.Get("Content-Type"))

	// The same key with another request is a caller bug, not a repeat.
	kittest.RequireProblem(t, pay(t, base, "saga-1:payer", charge(commande, 1, "100.01", "carte")),
		422, "header.Idempotency-Key")
	kittest.RequireProblem(t, pay(t, base, "saga-2:payer", charge(uuid.NewString(), 1, "800.00", "carte")),
		422, "header.Idempotency-Key")

	id := first.Map(t)["id"].(string)
	r1 := refund(t, base, id, "saga-1:rembourser", `{"montant":30.00,"motif":"retour"}`)
	require.Equal(t, http.StatusCreated, r1.Status, string(r1.Body))
	r2 := refund(t, base, id, "saga-1:rembourser", `{"motif":"retour","montant":30}`)
	require.Equal(t, http.StatusCreated, r2.Status)
	require.Equal(t, string(r1.Body), string(r2.Body))
	kittest.RequireProblem(t, refund(t, base, id, "saga-1:rembourser", `{"montant":31.00,"motif":"retour"}`),
		422, "header.Idempotency-Key")

	p := kittest.Do(t, "GET", base+"/paiements/"+id, nil).Map(t)
	require.Equal(t, "partiellement_rembourse", p["statut"])
	require.EqualValues(t, 30, p["rembourse"])
	require.Len(t, p["remboursements"], 1)

	// The charge's replay is the answer it first got, not today's state.
	require.Equal(t, string(first.Body), string(pay(t, base, "saga-1:payer", body).Body))

	metrics := string(kittest.Do(t, "GET", base+"/metrics", nil).Body)
	require.Contains(t, metrics, `paiements_total{resultat="accepte"} 1`)
	require.Contains(t, metrics, `paiements_total{resultat="refuse"} 1`)
	require.Contains(t, metrics, "remboursements_total 1")
	require.Equal(t, counts{comptes: 0, paiements: 2, remboursements: 1, idempotence: 3, rembourse: 3000}, count(t, dbURL))
}

func TestRemboursements_UpToTheChargeAndNoFurther(t *testing.T) {
	base, dbURL := start(t)
	ok := pay(t, base, "p1", charge(uuid.NewString(), 1, "50.00", "carte"))
	id := ok.Map(t)["id"].(string)

	r := refund(t, base, id, "r1", `{"montant":20.00}`)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	rb := r.Map(t)
	require.Equal(t, id, rb["paiement_id"])
	require.EqualValues(t, 20, rb["montant"])
	require.Equal(t, "", rb["motif"])

	over := kittest.RequireProblem(t, refund(t, base, id, "r2", `{"montant":30.01}`), 409, "body.montant")
	require.Contains(t, over.Detail, "reste remboursable 30.00")

	require.Equal(t, http.StatusCreated, refund(t, base, id, "r3", `{"montant":30.00,"motif":"solde"}`).Status)
	p := kittest.Do(t, "GET", base+"/paiements/"+id, nil).Map(t)
	require.Equal(t, "rembourse", p["statut"])
	require.EqualValues(t, 50, p["rembourse"])
	require.Len(t, p["remboursements"], 2)
	kittest.RequireProblem(t, refund(t, base, id, "r4", `{"montant":0.01}`), 409, "body.montant")

	refused := pay(t, base, "p2", charge(uuid.NewString(), 1, "900.00", "carte"))
	kittest.RequireProblem(t, refused, 402, "body.montant")
	refusedID := strings.TrimPrefix(refused.Map(t)["instance"].(string), "/paiements/")
	kittest.RequireProblem(t, refund(t, base, refusedID, "r5", `{"montant":1.00}`), 409, "path.id")

	require.Equal(t, counts{paiements: 2, remboursements: 2, idempotence: 4, rembourse: 5000}, count(t, dbURL))
	requireMoneyAddsUp(t, dbURL)
}

// The money hammer: concurrent refunds never give back more than was taken,
// and concurrent charges never take an order's money twice.
func TestConcurrency_MoneyAddsUp(t *testing.T) {
	base, dbURL := start(t)
	ok := pay(t, base, "hammer", charge(uuid.NewString(), 1, "100.00", "carte"))
	require.Equal(t, http.StatusCreated, ok.Status, string(ok.Body))
	id := ok.Map(t)["id"].(string)

	refunds := hammer(40, func(i int) (int, string) {
		return post(base+"/paiements/"+id+"/remboursements", fmt.Sprintf("refund-%d", i), `{"montant":10.00}`)
	})
	require.Equal(t, 10, refunds[http.StatusCreated], "statuses %v", refunds)
	require.Equal(t, 30, refunds[http.StatusConflict], "statuses %v", refunds)
	p := kittest.Do(t, "GET", base+"/paiements/"+id, nil).Map(t)
	require.Equal(t, "rembourse", p["statut"])
	require.EqualValues(t, 100, p["rembourse"])
	require.Len(t, p["remboursements"], 10)

	commande := uuid.NewString()
	charges := hammer(20, func(i int) (int, string) {
		return post(base+"/paiements", fmt.Sprintf("charge-%d", i), charge(commande, 1, "10.00", "carte"))
	})
	require.Equal(t, 1, charges[http.StatusCreated], "statuses %v", charges)
	require.Equal(t, 19, charges[http.StatusConflict], "statuses %v", charges)

	// The same key sent 20 times at once is one charge with one answer.
	sameBody := charge(uuid.NewString(), 1, "10.00", "carte")
	var (
		mu      sync.Mutex
		answers = map[string]int{}
	)
	same := hammer(20, func(int) (int, string) {
		status, body := post(base+"/paiements", "same-key", sameBody)
		mu.Lock()
		answers[body]++
		mu.Unlock()
		return status, body
	})
	require.Equal(t, 20, same[http.StatusCreated], "statuses %v", same)
	require.Len(t, answers, 1, "every repeat gets the first answer")

	require.EqualValues(t, 1,
		kittest.Do(t, "GET", base+"/paiements?statut=accepte&commande_id="+commande, nil).Map(t)["total"])
	requireMoneyAddsUp(t, dbURL)
	metrics := string(kittest.Do(t, "GET", base+"/metrics", nil).Body)
	require.Contains(t, metrics, "remboursements_total 10")
	require.Contains(t, metrics, `paiements_total{resultat="accepte"} 3`)
}

func TestBadInput_IsAProblemAndChangesNothing(t *testing.T) {
	base, dbURL := start(t)
	accepted := pay(t, base, "ok", charge(uuid.NewString(), 1, "20.00", "carte")).Map(t)["id"].(string)
	refused := pay(t, base, "non", charge(uuid.NewString(), 1, "600.00", "carte"))
	refusedID := strings.TrimPrefix(refused.Map(t)["instance"].(string), "/paiements/")
	require.Equal(t, http.StatusCreated, refund(t, base, accepted, "r-ok", `{"montant":20.00}`).Status)

	good := charge(uuid.NewString(), 1, "10.00", "carte")
	huge := `{"commande_id":"` + strings.Repeat("x", 70<<10) + `"}`
	key := []string{"Idempotency-Key", "nouvelle-cle"}
	refunds := "/paiements/" + accepted + "/remboursements"
	cases := []struct {
		name    string
		method  string
		path    string
		body    string
		headers []string
		status  int
		field   string
	}{
		{"charge: malformed JSON", "POST", "/paiements", `{"montant":`, key, 400, ""},
		{"charge: not JSON", "POST", "/paiements", `montant=10`, key, 400, ""},
		{"charge: unknown field", "POST", "/paiements",
			strings.Replace(good, `{`, `{"pourboire":5,`, 1), key, 422, "body.pourboire"},
		{"charge: montant as text", "POST", "/paiements",
			strings.Replace(good, `10.00`, `"10.00"`, 1), key, 422, "body.montant"},
		{"charge: client_id as text", "POST", "/paiements",
			strings.Replace(good, `"client_id":1`, `"client_id":"1"`, 1), key, 422, "body.client_id"},
		{"charge: montant 0", "POST", "/paiements", charge(uuid.NewString(), 1, "0", "carte"), key, 422, "body.montant"},
		{"charge: montant -1", "POST", "/paiements", charge(uuid.NewString(), 1, "-1", "carte"), key, 422, "body.montant"},
		{"charge: montant 1.234", "POST", "/paiements", charge(uuid.NewString(), 1, "1.234", "carte"), key, 422, "body.montant"},
		{"charge: montant 1e3", "POST", "/paiements", charge(uuid.NewString(), 1, "1e3", "carte"), key, 422, "body.montant"},
		{"charge: montant over the max", "POST", "/paiements",
			charge(uuid.NewString(), 1, "1000000.01", "comptant"), key, 422, "body.montant"},
		{"charge: methode cheque", "POST", "/paiements", charge(uuid.NewString(), 1, "10.00", "cheque"), key, 422, "body.methode"},
		{"charge: commande_id not a uuid", "POST", "/paiements", charge("commande-1", 1, "10.00", "carte"), key, 422, "body.commande_id"},
		{"charge: nil commande_id", "POST", "/paiements", charge(uuid.Nil.String(), 1, "10.00", "carte"), key, 422, "body.commande_id"},
		{"charge: client_id 0", "POST", "/paiements", charge(uuid.NewString(), 0, "10.00", "carte"), key, 422, "body.client_id"},
		{"charge: missing montant", "POST", "/paiements",
			fmt.Sprintf(`{"commande_id":%q,"client_id":1,"methode":"carte"}`, uuid.NewString()), key, 422, "body.montant"},
		{"charge: missing Idempotency-Key", "POST", "/paiements", good, nil, 422, "header.Idempotency-Key"},
		{"charge: empty Idempotency-Key", "POST", "/paiements", good, []string{"Idempotency-Key", ""}, 422, "header.Idempotency-Key"},
		{"charge: body over the limit", "POST", "/paiements", huge, key, 413, ""},
		{"refund: malformed JSON", "POST", refunds, `{"montant":`, key, 400, ""},
		{"refund: unknown field", "POST", refunds, `{"montant":1.00,"taxe":1}`, key, 422, "body.taxe"},
		{"refund: montant as text", "POST", refunds, `{"montant":"1.00"}`, key, 422, "body.montant"},
		{"refund: montant 0", "POST", refunds, `{"montant":0}`, key, 422, "body.montant"},
		{"refund: montant -1", "POST", refunds, `{"montant":-1}`, key, 422, "body.montant"},
		{"refund: montant 1.234", "POST", refunds, `{"montant":1.234}`, key, 422, "body.montant"},
		{"refund: motif too long", "POST", refunds, `{"montant":1.00,"motif":"` + strings.Repeat("m", 501) + `"}`, key, 422, "body.motif"},
		{"refund: missing Idempotency-Key", "POST", refunds, `{"montant":1.00}`, nil, 422, "header.Idempotency-Key"},
		{"refund: unknown payment", "POST", "/paiements/" + uuid.NewString() + "/remboursements", `{"montant":1.00}`, key, 404, "path.id"},
		{"refund: id not a uuid", "POST", "/paiements/abc/remboursements", `{"montant":1.00}`, key, 422, "path.id"},
		{"refund: more than remains", "POST", refunds, `{"montant":0.01}`, key, 409, "body.montant"},
		{"refund: a refused payment", "POST", "/paiements/" + refusedID + "/remboursements", `{"montant":1.00}`, key, 409, "path.id"},
		{"refund: body over the limit", "POST", refunds, `{"motif":"` + strings.Repeat("x", 70<<10) + `"}`, key, 413, ""},
		{"get: unknown payment", "GET", "/paiements/" + uuid.NewString(), "", nil, 404, "path.id"},
		{"get: id not a uuid", "GET", "/paiements/123", "", nil, 422, "path.id"},
		{"list: commande_id not a uuid", "GET", "/paiements?commande_id=abc", "", nil, 422, "query.commande_id"},
		{"list: unknown statut", "GET", "/paiements?statut=perdu", "", nil, 422, "query.statut"},
		{"list: client_id 0", "GET", "/paiements?client_id=0", "", nil, 422, "query.client_id"},
		{"list: client_id as text", "GET", "/paiements?client_id=un", "", nil, 422, "query.client_id"},
		{"list: limit 0", "GET", "/paiements?limit=0", "", nil, 422, "query.limit"},
		{"compte: client_id 0", "GET", "/comptes/0", "", nil, 422, "path.client_id"},
		{"compte: client_id as text", "GET", "/comptes/abc", "", nil, 422, "path.client_id"},
		{"limite: malformed JSON", "PUT", "/comptes/3", `{"limite":`, nil, 400, ""},
		{"limite: unknown field", "PUT", "/comptes/3", `{"limite":1.00,"plafond":2}`, nil, 422, "body.plafond"},
		{"limite: as text", "PUT", "/comptes/3", `{"limite":"1.00"}`, nil, 422, "body.limite"},
		{"limite: negative", "PUT", "/comptes/3", `{"limite":-1}`, nil, 422, "body.limite"},
		{"limite: 1.234", "PUT", "/comptes/3", `{"limite":1.234}`, nil, 422, "body.limite"},
		{"limite: missing", "PUT", "/comptes/3", `{}`, nil, 422, "body.limite"},
		{"limite: client_id 0", "PUT", "/comptes/0", `{"limite":1.00}`, nil, 422, "path.client_id"},
		{"limite: body over the limit", "PUT", "/comptes/3", `{"x":"` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, ""},
		{"unknown route", "GET", "/paiement", "", nil, 404, ""},
	}
	before := count(t, dbURL)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != "" {
				body = c.body
			}
			kittest.RequireProblem(t, kittest.Do(t, c.method, base+c.path, body, c.headers...), c.status, c.field)
		})
	}
	require.Equal(t, before, count(t, dbURL))
	requireMoneyAddsUp(t, dbURL)
}

// hammer runs f n times at once and counts the statuses.
func hammer(n int, f func(i int) (int, string)) map[int]int {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	for i := range n {
		wg.Go(func() {
			status, _ := f(i)
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return statuses
}

// post is safe to call from any goroutine (kittest.Do fails the test, which only the test goroutine may do).
func post(url, key, body string) (int, string) {
	req, err := http.NewRequest("POST", url, bytes.NewReader([]byte(body)))
	if err != nil {
		return -1, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type counts struct {
	comptes, paiements, remboursements, idempotence int
	rembourse                                       int64
}

func count(t *testing.T, dbURL string) counts {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var c counts
	require.NoError(t, conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM comptes), (SELECT count(*) FROM paiements), (SELECT count(*) FROM remboursements),
		(SELECT count(*) FROM idempotence), (SELECT coalesce(sum(rembourse), 0) FROM paiements)`).
		Scan(&c.comptes, &c.paiements, &c.remboursements, &c.idempotence, &c.rembourse))
	return c
}

// requireMoneyAddsUp checks, for every payment, that its refunds add up to
// its refunded total and never exceed what was charged.
func requireMoneyAddsUp(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT p.id::text, p.montant, p.rembourse, coalesce(sum(r.montant), 0)
		FROM paiements p LEFT JOIN remboursements r ON r.paiement_id = p.id
		GROUP BY p.id
		HAVING coalesce(sum(r.montant), 0) > p.montant OR coalesce(sum(r.montant), 0) <> p.rembourse
		    OR (p.statut = 'refuse' AND count(r.id) > 0)`)
	require.NoError(t, err)
	bad, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		var id string
		var montant, rembourse, sum int64
		err := row.Scan(&id, &montant, &rembourse, &sum)
		return fmt.Sprintf("%s charged %d, refunded total %d, refunds %d", id, montant, rembourse, sum), err
	})
	require.NoError(t, err)
	require.Empty(t, bad)
}
