package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// The access table (kittest.RequireAccess): client 8 has an empty cart;
// the guest's full one comes out of it untouched.
func TestAccess_EveryRouteFollowsItsRule(t *testing.T) {
	f := newFleet(t)
	base := f.start(t)
	require.Equal(t, http.StatusCreated, add(t, base, 1, 3, 2).Status)
	kittest.RequireAccess(t, base, map[string]string{"client_id": "8", "produit_id": "3"}, kittest.DBUnchanged(t, f.dbURL))
}

// A client sees and changes its own cart only, and is refused before panier
// asks clients or stock anything.
func TestAccess_AClientTouchesOnlyItsOwnCart(t *testing.T) {
	f := newFleet(t)
	base := f.start(t)
	huit, sept := kittest.As(t, kittest.Client(8)), kittest.As(t, kittest.Client(7))
	require.Equal(t, http.StatusCreated, add(t, base, 8, 3, 2, huit...).Status)
	before, lookups := lignes(t, f.dbURL), f.clientLookups.Load()

	refused := []struct {
		method, path string
		body         any
	}{
		{"GET", "/panier/8", nil},
		{"POST", "/panier", map[string]any{"client_id": 8, "produit_id": 1, "quantite": 1}},
		{"PUT", "/panier/8/lignes/3", map[string]any{"quantite": 5}},
		{"DELETE", "/panier/8/lignes/3", nil},
		{"DELETE", "/panier/8", nil},
	}
	for _, r := range refused {
		a := kittest.Do(t, r.method, base+r.path, r.body, sept...)
		kittest.RequireProblem(t, a, http.StatusForbidden, "")
		require.NotContains(t, string(a.Body), "19.99", "%s %s: a refusal shows nothing of the cart", r.method, r.path)
	}
	require.Equal(t, before, lignes(t, f.dbURL))
	require.Equal(t, lookups, f.clientLookups.Load(), "refused before asking clients")

	// Anonymous is 401 before the body is read.
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/panier", `{"client_id":8,"quantite":"deux"}`, kittest.Anonymous...),
		http.StatusUnauthorized, "")
	require.Equal(t, before, lignes(t, f.dbURL))

	own := decode(t, kittest.Do(t, "GET", base+"/panier/8", nil, huit...))
	require.Equal(t, []ligne{{3, 2, "19.99"}}, own.Lignes)
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+"/panier/8", nil, kittest.As(t, kittest.ServicePrincipal)...).Status,
		"the checkout reads any cart")
}
