package main

import (
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

func start(t testing.TB) (base, dbURL string) {
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

// A return after a goodwill refund: with jusqu_au_reste the refund is capped
// at what is left, in the transaction that reads it; nothing left answers 200
// with 0.00 and no refund row; a repeat of the key is the same answer.
func TestRemboursements_JusquAuResteRefundsWhatIsLeft(t *testing.T) {
	base, dbURL := start(t)
	ok := pay(t, base, "p1", charge(uuid.NewString(), 1, "200.00", "carte"))
	require.Equal(t, http.StatusCreated, ok.Status, string(ok.Body))
	id := ok.Map(t)["id"].(string)
	require.Equal(t, http.StatusCreated, refund(t, base, id, "geste", `{"montant":10.00,"motif":"geste commercial"}`).Status)

	// Without the flag, beyond the rest is still a 409.
	over := kittest.RequireProblem(t, refund(t, base, id, "sans", `{"montant":200.00}`), 409, "body.montant")
	require.Contains(t, over.Detail, "reste remboursable 190.00")
	kittest.RequireProblem(t, refund(t, base, id, "faux", `{"montant":200.00,"jusqu_au_reste":false}`), 409, "body.montant")

	const retour = `{"montant":200.00,"motif":"retour","jusqu_au_reste":true}`
	capped := refund(t, base, id, "saga-1:rembourser", retour)
	require.Equal(t, http.StatusCreated, capped.Status, string(capped.Body))
	rb := capped.Map(t)
	require.EqualValues(t, 190, rb["montant"], "what was left, not what was asked")
	require.NotEqual(t, uuid.Nil.String(), rb["id"])
	again := refund(t, base, id, "saga-1:rembourser", retour)
	require.Equal(t, http.StatusCreated, again.Status)
	require.Equal(t, string(capped.Body), string(again.Body), "a repeat is the same answer, not a second cap")

	p := kittest.Do(t, "GET", base+"/paiements/"+id, nil).Map(t)
	require.Equal(t, "rembourse", p["statut"])
	require.EqualValues(t, 200, p["rembourse"])
	require.Len(t, p["remboursements"], 2)

	// Nothing left: 200, montant 0.00, the nil id, no row; replayed as such.
	rien := refund(t, base, id, "saga-2:rembourser", retour)
	require.Equal(t, http.StatusOK, rien.Status, string(rien.Body))
	zero := rien.Map(t)
	require.EqualValues(t, 0, zero["montant"])
	require.Equal(t, uuid.Nil.String(), zero["id"])
	require.Equal(t, id, zero["paiement_id"])
	replay := refund(t, base, id, "saga-2:rembourser", retour)
	require.Equal(t, http.StatusOK, replay.Status)
	require.Equal(t, string(rien.Body), string(replay.Body))
	// The flag is part of the request: the same key without it is another request.
	kittest.RequireProblem(t, refund(t, base, id, "saga-2:rembourser", `{"montant":200.00,"motif":"retour"}`),
		422, "header.Idempotency-Key")
	// A refused charge has nothing to refund, flag or not.
	refused := pay(t, base, "p2", charge(uuid.NewString(), 1, "900.00", "carte"))
	refusedID := strings.TrimPrefix(refused.Map(t)["instance"].(string), "/paiements/")
	kittest.RequireProblem(t, refund(t, base, refusedID, "r5", retour), 409, "path.id")

	require.Equal(t, counts{paiements: 2, remboursements: 2, idempotence: 5, rembourse: 20000}, count(t, dbURL))
	requireMoneyAddsUp(t, dbURL)

	// Concurrent capped refunds of 10.00 on 95.00: nine of 10.00, one of the
	// last 5.00, every other one nothing; never more than was taken.
	hb := pay(t, base, "hammer", charge(uuid.NewString(), 1, "95.00", "carte"))
	hid := hb.Map(t)["id"].(string)
	statuses := hammer(30, func(i int) (int, string) {
		return post(base+"/paiements/"+hid+"/remboursements", fmt.Sprintf("cap-%d", i), `{"montant":10.00,"jusqu_au_reste":true}`)
	})
	require.Equal(t, map[int]int{http.StatusCreated: 10, http.StatusOK: 20}, statuses)
	hp := kittest.Do(t, "GET", base+"/paiements/"+hid, nil).Map(t)
	require.Equal(t, "rembourse", hp["statut"])
	require.EqualValues(t, 95, hp["rembourse"])
	require.Len(t, hp["remboursements"], 10)
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
	cases := []kittest.BadInput{
		{Name: "charge: malformed JSON", Method: "POST", Path: "/paiements", Body: `{"montant":`, Headers: key, Status: 400},
		{Name: "charge: not JSON", Method: "POST", Path: "/paiements", Body: `montant=10`, Headers: key, Status: 400},
		{Name: "charge: unknown field", Method: "POST", Path: "/paiements",
			Body: strings.Replace(good, `{`, `{"pourboire":5,`, 1), Headers: key, Status: 422, Field: "body.pourboire"},
		{Name: "charge: montant as text", Method: "POST", Path: "/paiements",
			Body: strings.Replace(good, `10.00`, `"10.00"`, 1), Headers: key, Status: 422, Field: "body.montant"},
		{Name: "charge: client_id as text", Method: "POST", Path: "/paiements",
			Body: strings.Replace(good, `"client_id":1`, `"client_id":"1"`, 1), Headers: key, Status: 422, Field: "body.client_id"},
		{Name: "charge: montant 0", Method: "POST", Path: "/paiements", Body: charge(uuid.NewString(), 1, "0", "carte"), Headers: key, Status: 422, Field: "body.montant"},
		{Name: "charge: montant -1", Method: "POST", Path: "/paiements", Body: charge(uuid.NewString(), 1, "-1", "carte"), Headers: key, Status: 422, Field: "body.montant"},
		{Name: "charge: montant 1.234", Method: "POST", Path: "/paiements", Body: charge(uuid.NewString(), 1, "1.234", "carte"), Headers: key, Status: 422, Field: "body.montant"},
		{Name: "charge: montant 1e3", Method: "POST", Path: "/paiements", Body: charge(uuid.NewString(), 1, "1e3", "carte"), Headers: key, Status: 422, Field: "body.montant"},
		{Name: "charge: montant over the max", Method: "POST", Path: "/paiements",
			Body: charge(uuid.NewString(), 1, "1000000.01", "comptant"), Headers: key, Status: 422, Field: "body.montant"},
		{Name: "charge: methode cheque", Method: "POST", Path: "/paiements", Body: charge(uuid.NewString(), 1, "10.00", "cheque"), Headers: key, Status: 422, Field: "body.methode"},
		{Name: "charge: commande_id not a uuid", Method: "POST", Path: "/paiements", Body: charge("commande-1", 1, "10.00", "carte"), Headers: key, Status: 422, Field: "body.commande_id"},
		{Name: "charge: nil commande_id", Method: "POST", Path: "/paiements", Body: charge(uuid.Nil.String(), 1, "10.00", "carte"), Headers: key, Status: 422, Field: "body.commande_id"},
		{Name: "charge: client_id 0", Method: "POST", Path: "/paiements", Body: charge(uuid.NewString(), 0, "10.00", "carte"), Headers: key, Status: 422, Field: "body.client_id"},
		{Name: "charge: missing montant", Method: "POST", Path: "/paiements",
			Body: fmt.Sprintf(`{"commande_id":%q,"client_id":1,"methode":"carte"}`, uuid.NewString()), Headers: key, Status: 422, Field: "body.montant"},
		{Name: "charge: missing Idempotency-Key", Method: "POST", Path: "/paiements", Body: good, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "charge: empty Idempotency-Key", Method: "POST", Path: "/paiements", Body: good, Headers: []string{"Idempotency-Key", ""}, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "charge: body over the limit", Method: "POST", Path: "/paiements", Body: huge, Headers: key, Status: 413},
		{Name: "refund: malformed JSON", Method: "POST", Path: refunds, Body: `{"montant":`, Headers: key, Status: 400},
		{Name: "refund: unknown field", Method: "POST", Path: refunds, Body: `{"montant":1.00,"taxe":1}`, Headers: key, Status: 422, Field: "body.taxe"},
		{Name: "refund: montant as text", Method: "POST", Path: refunds, Body: `{"montant":"1.00"}`, Headers: key, Status: 422, Field: "body.montant"},
		{Name: "refund: montant 0", Method: "POST", Path: refunds, Body: `{"montant":0}`, Headers: key, Status: 422, Field: "body.montant"},
		{Name: "refund: montant -1", Method: "POST", Path: refunds, Body: `{"montant":-1}`, Headers: key, Status: 422, Field: "body.montant"},
		{Name: "refund: montant 1.234", Method: "POST", Path: refunds, Body: `{"montant":1.234}`, Headers: key, Status: 422, Field: "body.montant"},
		{Name: "refund: motif too long", Method: "POST", Path: refunds, Body: `{"montant":1.00,"motif":"` + strings.Repeat("m", 501) + `"}`, Headers: key, Status: 422, Field: "body.motif"},
		{Name: "refund: missing Idempotency-Key", Method: "POST", Path: refunds, Body: `{"montant":1.00}`, Status: 422, Field: "header.Idempotency-Key"},
		{Name: "refund: unknown payment", Method: "POST", Path: "/paiements/" + uuid.NewString() + "/remboursements", Body: `{"montant":1.00}`, Headers: key, Status: 404, Field: "path.id"},
		{Name: "refund: id not a uuid", Method: "POST", Path: "/paiements/abc/remboursements", Body: `{"montant":1.00}`, Headers: key, Status: 422, Field: "path.id"},
		{Name: "refund: more than remains", Method: "POST", Path: refunds, Body: `{"montant":0.01}`, Headers: key, Status: 409, Field: "body.montant"},
		{Name: "refund: a refused payment", Method: "POST", Path: "/paiements/" + refusedID + "/remboursements", Body: `{"montant":1.00}`, Headers: key, Status: 409, Field: "path.id"},
		{Name: "refund: body over the limit", Method: "POST", Path: refunds, Body: `{"motif":"` + strings.Repeat("x", 70<<10) + `"}`, Headers: key, Status: 413},
		{Name: "get: unknown payment", Method: "GET", Path: "/paiements/" + uuid.NewString(), Status: 404, Field: "path.id"},
		{Name: "get: id not a uuid", Method: "GET", Path: "/paiements/123", Status: 422, Field: "path.id"},
		{Name: "list: commande_id not a uuid", Method: "GET", Path: "/paiements?commande_id=abc", Status: 422, Field: "query.commande_id"},
		{Name: "list: unknown statut", Method: "GET", Path: "/paiements?statut=perdu", Status: 422, Field: "query.statut"},
		{Name: "list: client_id 0", Method: "GET", Path: "/paiements?client_id=0", Status: 422, Field: "query.client_id"},
		{Name: "list: client_id as text", Method: "GET", Path: "/paiements?client_id=un", Status: 422, Field: "query.client_id"},
		{Name: "list: limit 0", Method: "GET", Path: "/paiements?limit=0", Status: 422, Field: "query.limit"},
		{Name: "compte: client_id 0", Method: "GET", Path: "/comptes/0", Status: 422, Field: "path.client_id"},
		{Name: "compte: client_id as text", Method: "GET", Path: "/comptes/abc", Status: 422, Field: "path.client_id"},
		{Name: "limite: malformed JSON", Method: "PUT", Path: "/comptes/3", Body: `{"limite":`, Status: 400},
		{Name: "limite: unknown field", Method: "PUT", Path: "/comptes/3", Body: `{"limite":1.00,"plafond":2}`, Status: 422, Field: "body.plafond"},
		{Name: "limite: as text", Method: "PUT", Path: "/comptes/3", Body: `{"limite":"1.00"}`, Status: 422, Field: "body.limite"},
		{Name: "limite: negative", Method: "PUT", Path: "/comptes/3", Body: `{"limite":-1}`, Status: 422, Field: "body.limite"},
		{Name: "limite: 1.234", Method: "PUT", Path: "/comptes/3", Body: `{"limite":1.234}`, Status: 422, Field: "body.limite"},
		{Name: "limite: missing", Method: "PUT", Path: "/comptes/3", Body: `{}`, Status: 422, Field: "body.limite"},
		{Name: "limite: client_id 0", Method: "PUT", Path: "/comptes/0", Body: `{"limite":1.00}`, Status: 422, Field: "path.client_id"},
		{Name: "limite: body over the limit", Method: "PUT", Path: "/comptes/3", Body: `{"x":"` + strings.Repeat("x", 70<<10) + `"}`, Status: 413},
		{Name: "unknown route", Method: "GET", Path: "/paiement", Status: 404},
		{Name: "unknown method", Method: "DELETE", Path: "/paiements", Status: 405},
		{Name: "charge: client_id 2^63-1", Method: "POST", Path: "/paiements",
			Body: strings.Replace(good, `"client_id":1`, `"client_id":9223372036854775807`, 1), Headers: key, Status: 422, Field: "body.client_id"},
		{Name: "charge: commande_id with NUL", Method: "POST", Path: "/paiements",
			Body: charge(`\u0000`, 1, "10.00", "carte"), Headers: key, Status: 422, Field: "body.commande_id"},
		{Name: "charge: null body", Method: "POST", Path: "/paiements", Body: `null`, Headers: key, Status: 422},
		{Name: "compte: client_id 2^63-1", Method: "GET", Path: "/comptes/9223372036854775807", Status: 422, Field: "path.client_id"},
		{Name: "list: cle with NUL", Method: "GET", Path: "/paiements?cle=a%00b", Status: 422, Field: "query.cle"},
		{Name: "list: cle not UTF-8", Method: "GET", Path: "/paiements?cle=%FF", Status: 422, Field: "query.cle"},
	}
	cases = append(cases, kittest.TextCases("refund: motif", "POST", refunds, "body.motif", func(s string) string {
		return `{"montant":1.00,"motif":"` + s + `"}`
	}, key...)...)
	cases = append(cases, kittest.KeyCases("charge", "POST", "/paiements", good)...)
	cases = append(cases, kittest.KeyCases("refund", "POST", refunds, `{"montant":1.00}`)...)
	before := count(t, dbURL)
	kittest.RequireBadInputs(t, base, cases)
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
	req, err := kittest.NewRequest(context.Background(), "POST", url, body, "Idempotency-Key", key)
	if err != nil {
		return -1, err.Error()
	}
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
