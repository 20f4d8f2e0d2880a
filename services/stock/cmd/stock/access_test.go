package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// The access table (kittest.RequireAccess): store and location 1 are
// caissier 1's, there is no request yet, and the seeded stock comes out of
// it untouched. The reservation is released beforehand: releasing an
// unknown key leaves a tombstone, releasing it again changes nothing.
func TestAccess_EveryRouteByEveryCaller(t *testing.T) {
	base, dbURL := start(t)
	require.Equal(t, http.StatusOK, kittest.Do(t, "POST", base+"/reservations/acces-liberee/liberation", nil).Status)
	kittest.RequireAccess(t, base, map[string]string{
		"id":             "1", // a store, a location, a product, a request
		"produit_id":     "1",
		"cle":            "acces-liberee",
		"magasin_id":     "1",
		"emplacement_id": "1",
	}, kittest.DBUnchanged(t, dbURL))
}

// demandeAs asks for stock for magasin with the headers of a caller.
func demandeAs(t *testing.T, base string, magasin, produit int64, headers ...string) kittest.Response {
	t.Helper()
	return kittest.Do(t, "POST", base+"/magasins/"+itoa(magasin)+"/demandes",
		map[string]any{"produit_id": produit, "quantite": 2, "motif": "vitrine"}, headers...)
}

func TestAccess_ACaissierActsOnlyForItsStore(t *testing.T) {
	base, dbURL := start(t)
	as1 := kittest.As(t, kittest.Caissier(1))
	as2 := kittest.As(t, kittest.Caissier(2))
	count := func(magasin int64) int64 {
		return queryInt(t, dbURL, `SELECT count(*) FROM demandes WHERE magasin_id = $1`, magasin)
	}

	// A request for another store: refused, and no row.
	kittest.RequireProblem(t, demandeAs(t, base, 2, 3, as1...), http.StatusForbidden, "")
	require.Zero(t, count(2))
	// Its own store's.
	r := demandeAs(t, base, 1, 3, as1...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var own demande
	r.JSON(t, &own)
	require.EqualValues(t, 1, own.MagasinID)
	r = demandeAs(t, base, 2, 3, as2...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var other demande
	r.JSON(t, &other)

	// Read by id: only the row tells the store, so the lookup comes first;
	// another store's request is refused all the same.
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+"/demandes/"+itoa(own.ID), nil, as1...).Status)
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/demandes/"+itoa(other.ID), nil, as1...), http.StatusForbidden, "")
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+"/demandes/"+itoa(other.ID), nil, as2...).Status)
	require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+"/demandes/"+itoa(other.ID), nil, kittest.As(t, kittest.Logistique)...).Status)

	// Lists: a caissier names its store, and sees only it.
	var page struct {
		Items []demande `json:"items"`
	}
	l := kittest.Do(t, "GET", base+"/demandes?magasin_id=1", nil, as1...)
	require.Equal(t, http.StatusOK, l.Status, string(l.Body))
	l.JSON(t, &page)
	require.Len(t, page.Items, 1)
	require.Equal(t, own.ID, page.Items[0].ID)
	for _, target := range []string{"/demandes", "/demandes?magasin_id=2", "/mouvements", "/mouvements?emplacement_id=2",
		"/mouvements?emplacement_id=6", "/seuils", "/seuils?emplacement_id=2"} {
		kittest.RequireProblem(t, kittest.Do(t, "GET", base+target, nil, as1...), http.StatusForbidden, "")
	}
	for _, target := range []string{"/mouvements?emplacement_id=1", "/seuils?emplacement_id=1", "/logistique/stock",
		"/magasins/2/stock"} {
		r := kittest.Do(t, "GET", base+target, nil, as1...)
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", target, r.Body)
	}

	// What only logistique and head office decide.
	before := snapshotAppro(t, dbURL)
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/demandes/"+itoa(own.ID)+"/approuver", nil, as1...), http.StatusForbidden, "")
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/demandes/"+itoa(own.ID)+"/refuser",
		map[string]any{"motif": "non"}, as1...), http.StatusForbidden, "")
	kittest.RequireProblem(t, kittest.Do(t, "PUT", base+"/emplacements/1/seuils/3", map[string]any{"seuil": 1}, as1...),
		http.StatusForbidden, "")
	require.Equal(t, before, snapshotAppro(t, dbURL))
}

func TestAccess_RefusedBeforeValidationAndLookup(t *testing.T) {
	base, _ := start(t)
	anon := kittest.Anonymous
	asClient := kittest.As(t, kittest.Client(7))
	for _, c := range []struct {
		method, target string
		body           any
		headers        []string
		want           int
	}{
		{"GET", "/demandes/999999999", nil, anon, http.StatusUnauthorized},
		{"GET", "/reservations/inconnue", nil, anon, http.StatusUnauthorized},
		{"POST", "/produits", `{"nom":`, anon, http.StatusUnauthorized},
		{"POST", "/reservations", `{"cle":"x","lignes":[]}`, anon, http.StatusUnauthorized},
		{"POST", "/magasins/0/demandes", `{}`, anon, http.StatusUnauthorized},
		{"GET", "/demandes/999999999", nil, asClient, http.StatusForbidden},
		{"PUT", "/produits/999999999", `{"prix":"beaucoup"}`, asClient, http.StatusForbidden},
		{"POST", "/magasins/abc/demandes", `{}`, kittest.As(t, kittest.Caissier(1)), http.StatusForbidden},
	} {
		kittest.RequireProblem(t, kittest.Do(t, c.method, base+c.target, c.body, c.headers...), c.want, "")
	}
	// With the right role, the same calls reach validation and lookup.
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/demandes/999999999", nil), http.StatusNotFound, "path.id")
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/produits", `{"nom":`), http.StatusBadRequest, "")
}

func TestAccess_ThePublicReadsNeedNoToken(t *testing.T) {
	base, _ := start(t)
	anon := kittest.Anonymous
	for _, target := range []string{"/produits", "/produits/1", "/magasins", "/magasins/1", "/magasins/1/stock"} {
		r := kittest.Do(t, "GET", base+target, nil, anon...)
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", target, r.Body)
	}
	r := kittest.Do(t, "POST", base+"/disponibilites",
		map[string]any{"emplacement_id": 1, "lignes": []map[string]any{{"produit_id": 1, "quantite": 1}}}, anon...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	// A token that does not verify is refused even there.
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/produits", nil, "Authorization", "Bearer faux"),
		http.StatusUnauthorized, "")
}
