package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// The access table (kittest.RequireAccess) about client 7, who does not
// exist, so a refusal before the lookup is a 401 or 403, not a 404. The
// guest client of the migrations comes out of it untouched.
func TestAccess_EveryRouteByEveryCaller(t *testing.T) {
	base, dbURL := start(t)
	kittest.RequireAccess(t, base, map[string]string{"id": "7"}, kittest.DBUnchanged(t, dbURL))
}

func newClient(t *testing.T, base, nom string) int64 {
	t.Helper()
	r := kittest.Do(t, "POST", base+"/clients", map[string]any{"nom": nom, "email": uuid.NewString()[:8] + "@exemple.ca"})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	return int64(r.Map(t)["id"].(float64))
}

func TestAccess_AClientReadsAndChangesOnlyItsOwnAccount(t *testing.T) {
	base, dbURL := start(t)
	a, b := newClient(t, base, "Client A"), newClient(t, base, "Client B")
	asA := kittest.As(t, kittest.Client(a))
	bURL := base + "/clients/" + itoa(b)
	before := kittest.Do(t, "GET", bURL, nil)
	require.Equal(t, http.StatusOK, before.Status)
	unchanged := kittest.DBUnchanged(t, dbURL)

	for _, c := range []struct {
		method, url string
		body        any
	}{
		{"GET", bURL, nil},
		{"PUT", bURL, map[string]any{"nom": "Pris par A", "email": "a-prend-b@exemple.ca"}},
		{"DELETE", bURL, nil},
		{"GET", base + "/clients/999999999", nil}, // not even whether it exists
		{"GET", base + "/clients?q=client", nil},
		{"POST", base + "/clients", map[string]any{"nom": "Par A", "email": "par-a@exemple.ca"}},
	} {
		kittest.RequireProblem(t, kittest.Do(t, c.method, c.url, c.body, asA...), http.StatusForbidden, "")
	}
	require.Equal(t, before.Body, kittest.Do(t, "GET", bURL, nil).Body, "B's account is untouched")
	unchanged(t)

	// Its own account it reads and changes.
	aURL := base + "/clients/" + itoa(a)
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", aURL, nil, asA...).Status)
	upd := kittest.Do(t, "PUT", aURL, map[string]any{"nom": "A renommé", "email": "a@exemple.ca"}, asA...)
	require.Equal(t, http.StatusOK, upd.Status, string(upd.Body))
	require.Equal(t, "A renommé", upd.Map(t)["nom"])
}

func TestAccess_RefusedBeforeValidationAndLookup(t *testing.T) {
	base, _ := start(t)
	anon := kittest.Anonymous
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/clients", `{"nom":`, anon...), http.StatusUnauthorized, "")
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/clients/999999999", nil, anon...), http.StatusUnauthorized, "")
	kittest.RequireProblem(t, kittest.Do(t, "PUT", base+"/clients/abc", `{}`, anon...), http.StatusUnauthorized, "")
	// The same calls with the right role get the validation and lookup answers.
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/clients", `{"nom":`), http.StatusBadRequest, "")
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/clients/999999999", nil), http.StatusNotFound, "path.id")
}

func TestCreate_AnIdempotencyKeyReplaysTheFirstAnswer(t *testing.T) {
	base, dbURL := start(t)
	// identite's sign-up calls as a service.
	asService := kittest.As(t, kittest.ServicePrincipal)
	key := "inscription:" + uuid.NewString()
	body := map[string]any{"nom": "Inscrite", "email": "inscrite@exemple.ca"}
	post := func(key string, body any) kittest.Response {
		return kittest.Do(t, "POST", base+"/clients", body, append([]string{"Idempotency-Key", key}, asService...)...)
	}

	first := post(key, body)
	require.Equal(t, http.StatusCreated, first.Status, string(first.Body))
	n := countClients(t, dbURL)
	again := post(key, map[string]any{"nom": " Inscrite ", "email": "inscrite@exemple.ca"}) // the same, as normalized
	require.Equal(t, http.StatusCreated, again.Status, string(again.Body))
	require.Equal(t, first.Body, again.Body, "the same id, the same answer")
	require.Equal(t, n, countClients(t, dbURL))

	other := post(key, map[string]any{"nom": "Autre", "email": "autre@exemple.ca"})
	kittest.RequireProblem(t, other, http.StatusUnprocessableEntity, "header.Idempotency-Key")
	require.Equal(t, n, countClients(t, dbURL))

	kittest.RequireProblem(t, post(strings.Repeat("k", 201), body), http.StatusUnprocessableEntity, "header.Idempotency-Key")

	// A refusal keeps nothing under its key: the retry with a free email works.
	k2 := "inscription:" + uuid.NewString()
	kittest.RequireProblem(t, post(k2, body), http.StatusConflict, "body.email")
	ok := post(k2, map[string]any{"nom": "Inscrite", "email": "inscrite-2@exemple.ca"})
	require.Equal(t, http.StatusCreated, ok.Status, string(ok.Body))

	// Without a key, the same body is a new request (here, a taken email).
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/clients", body, asService...), http.StatusConflict, "body.email")
}

func TestCreate_ConcurrentRepeatsOfOneKeyCreateOneAccount(t *testing.T) {
	base, dbURL := start(t)
	key := "inscription:" + uuid.NewString()
	n := countClients(t, dbURL)
	reqs := make([]*http.Request, 8)
	for i := range reqs {
		reqs[i] = kittest.Request(t, "POST", base+"/clients", map[string]any{"nom": "Pressée", "email": "pressee@exemple.ca"},
			"Idempotency-Key", key)
	}
	answers := kittest.SendAll(t, reqs)
	for _, a := range answers {
		require.Equal(t, http.StatusCreated, a.Status, string(a.Body))
		require.Equal(t, answers[0].Body, a.Body)
	}
	require.Equal(t, n+1, countClients(t, dbURL))
}
