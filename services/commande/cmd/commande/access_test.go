package main

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

// The access table (kittest.RequireAccess) with an unknown order, so a
// refusal before the lookup is a 401 or 403, not a 404. Client 8 and
// magasin 2 have no orders; the orders of others come out of it untouched.
func TestAccess_EveryRouteFollowsItsRule(t *testing.T) {
	base, dbURL := start(t)
	confirmee(t, base, enLigne(9))
	create(t, base, auComptoir(9, 3))
	examples := map[string]string{"id": uuid.NewString(), "client_id": "8", "magasin_id": "2"}
	kittest.RequireAccess(t, base, examples, kittest.DBUnchanged(t, dbURL))
}

// A client reads its own orders only, a caissier its store's counter sales
// only; the saga and the head office read any.
func TestAccess_OrdersAreReadByTheirClientAndStore(t *testing.T) {
	base, dbURL := start(t)
	enLigne8 := confirmee(t, base, enLigne(8))
	require.Equal(t, http.StatusCreated, retourner(t, base, enLigne8, "retour-1", [2]int{1, 1}).Status)
	comptoir8 := create(t, base, auComptoir(8, 2))["id"].(string)
	before := rows(t, dbURL)

	as := func(p kit.Principal) []string { return kittest.As(t, p) }
	sept, huit := as(kittest.Client(7)), as(kittest.Client(8))
	caisse1, caisse2 := as(kittest.Caissier(1)), as(kittest.Caissier(2))
	get := func(path string, headers []string) kittest.Response {
		t.Helper()
		return kittest.Do(t, "GET", base+path, nil, headers...)
	}

	refused := []struct {
		who     string
		headers []string
		path    string
	}{
		{"client 7", sept, "/commande/" + enLigne8},
		{"client 7", sept, "/commande/" + enLigne8 + "/retours"},
		{"client 7", sept, "/commande/" + comptoir8},
		{"client 7", sept, "/commandes?client_id=8"},
		{"client 7", sept, "/commandes"},
		{"caissier 1", caisse1, "/commandes?magasin_id=2"},
		{"caissier 1", caisse1, "/commandes"},
		{"caissier 1", caisse1, "/commandes?client_id=8"},
		{"caissier 1", caisse1, "/commande/" + comptoir8},
		{"caissier 1", caisse1, "/commande/" + comptoir8 + "/retours"},
		{"caissier 2", caisse2, "/commande/" + enLigne8}, // an online order belongs to no store
	}
	for _, r := range refused {
		a := get(r.path, r.headers)
		kittest.RequireProblem(t, a, http.StatusForbidden, "")
		require.NotContains(t, string(a.Body), "lignes", "%s on %s: a refusal shows nothing of the order", r.who, r.path)
	}
	kittest.RequireProblem(t, get("/commande/"+enLigne8, kittest.Anonymous), http.StatusUnauthorized, "")
	kittest.RequireProblem(t, get("/commande/"+uuid.NewString(), kittest.Anonymous), http.StatusUnauthorized, "")
	require.Equal(t, before, rows(t, dbURL))

	for _, path := range []string{"/commande/" + enLigne8, "/commande/" + enLigne8 + "/retours", "/commande/" + comptoir8} {
		require.Equal(t, http.StatusOK, get(path, huit).Status, "client 8 reads %s", path)
	}
	require.EqualValues(t, 2, get("/commandes?client_id=8", huit).Map(t)["total"])
	require.EqualValues(t, 1, get("/commande/"+enLigne8+"/retours", huit).Map(t)["total"])
	require.Equal(t, http.StatusOK, get("/commande/"+comptoir8, caisse2).Status)
	require.Equal(t, http.StatusOK, get("/commande/"+comptoir8+"/retours", caisse2).Status)
	require.EqualValues(t, 1, get("/commandes?magasin_id=2", caisse2).Map(t)["total"])
	for _, p := range []kit.Principal{kittest.MaisonMere, kittest.ServicePrincipal} {
		require.EqualValues(t, 2, get("/commandes", as(p)).Map(t)["total"], p.Subject)
		require.Equal(t, http.StatusOK, get("/commande/"+enLigne8, as(p)).Status, p.Subject)
	}
	// A client's own unknown order is a 404: there is nothing to own.
	kittest.RequireProblem(t, get("/commande/"+uuid.NewString(), huit), http.StatusNotFound, "path.id")
}
