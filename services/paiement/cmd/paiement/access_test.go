package main

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

// The access table (kittest.RequireAccess) with an unknown payment, so a
// refusal before the lookup is a 401 or 403, not a 404. Client 8 has
// nothing; client 9's payment and account come out of it untouched.
func TestAccess_EveryRouteFollowsItsRule(t *testing.T) {
	base, dbURL := start(t)
	require.Equal(t, http.StatusCreated, pay(t, base, "k9", charge(uuid.NewString(), 9, "10.00", "carte")).Status)
	require.Equal(t, http.StatusOK, kittest.Do(t, "PUT", base+"/comptes/9", `{"limite":100.00}`).Status)
	kittest.RequireAccess(t, base, map[string]string{"id": uuid.NewString(), "client_id": "8"}, kittest.DBUnchanged(t, dbURL))
}

// A client reads its own account and payments only; the saga and the head
// office read any.
func TestAccess_PaymentsAreReadByTheirClient(t *testing.T) {
	base, dbURL := start(t)
	r := pay(t, base, "k8", charge(uuid.NewString(), 8, "10.00", "carte"))
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	id := r.Map(t)["id"].(string)
	before := count(t, dbURL)

	as := func(p kit.Principal) []string { return kittest.As(t, p) }
	sept, huit := as(kittest.Client(7)), as(kittest.Client(8))
	get := func(path string, headers []string) kittest.Response {
		t.Helper()
		return kittest.Do(t, "GET", base+path, nil, headers...)
	}

	for _, path := range []string{"/paiements/" + id, "/paiements?client_id=8", "/paiements", "/comptes/8"} {
		a := get(path, sept)
		kittest.RequireProblem(t, a, http.StatusForbidden, "")
		require.NotContains(t, string(a.Body), id, "client 7 on %s: a refusal shows nothing of the payment", path)
	}
	kittest.RequireProblem(t, kittest.Do(t, "PUT", base+"/comptes/8", `{"limite":1000000}`, huit...), http.StatusForbidden, "")
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/paiements/"+id+"/remboursements", `{"montant":10.00}`,
		append(huit, "Idempotency-Key", "r8")...), http.StatusForbidden, "")
	kittest.RequireProblem(t, get("/paiements/"+id, kittest.Anonymous), http.StatusUnauthorized, "")
	kittest.RequireProblem(t, get("/paiements/"+uuid.NewString(), kittest.Anonymous), http.StatusUnauthorized, "")
	require.Equal(t, before, count(t, dbURL))

	require.Equal(t, id, get("/paiements/"+id, huit).Map(t)["id"])
	require.EqualValues(t, 1, get("/paiements?client_id=8", huit).Map(t)["total"])
	require.Equal(t, http.StatusOK, get("/comptes/8", huit).Status)
	for _, p := range []kit.Principal{kittest.MaisonMere, kittest.ServicePrincipal} {
		require.Equal(t, http.StatusOK, get("/paiements/"+id, as(p)).Status, p.Subject)
		require.EqualValues(t, 1, get("/paiements", as(p)).Map(t)["total"], p.Subject)
	}
	// A client's unknown payment is a 404: there is nothing to own.
	kittest.RequireProblem(t, get("/paiements/"+uuid.NewString(), huit), http.StatusNotFound, "path.id")
}
