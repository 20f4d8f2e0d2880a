package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"multimagasins/kit/kittest"
)

// FuzzOrchestrator_Decoders sends any body and any Idempotency-Key to every
// saga route, through the real server and database against the fake
// participants, as the guest, a client and a caissier. See kittest.FuzzRoutes for
// what every answer must be. A 402 or 409 is a saga that ran and ended
// ANNULEE, recorded, and answered with the saga (annulee); a return the
// commande service refuses ends so with 422.
func FuzzOrchestrator_Decoders(f *testing.F) {
	// Far above the tests' 250 ms: a step that times out while the fuzzer
	// loads both cores would undo a saga as a 503 that says nothing of the input.
	fx := start(f, "STEP_TIMEOUT", "5s")
	client2, caissier1 := kittest.As(f, kittest.Client(2)), kittest.As(f, kittest.Caissier(1))
	fx.fleet.SetPanier(2, map[int64]int{1: 1, 2: 1})
	vente := `{"magasin_id":1,"methode":"comptant","produits":[{"produit_id":1,"quantite":1},{"produit_id":2,"quantite":1}]}`
	sold := kittest.Do(f, "POST", fx.base+"/saga/vente", vente, caissier1...)
	if sold.Status != http.StatusCreated {
		f.Fatalf("a sale to return: %d %s", sold.Status, sold.Body)
	}
	var s struct {
		CommandeID string `json:"commande_id"`
	}
	sold.JSON(f, &s)

	lignes := `[{"produit_id":1,"quantite":1},{"produit_id":2,"quantite":2}]`
	commande := `{"produits":` + lignes + `}`
	commandes := append([]string{commande, `{"produits":[{"produit_id":99,"quantite":1}]}`, `{"produits":[{"produit_id":5,"quantite":1}]}`,
		`{"produits":[{"produit_id":4,"quantite":51}]}`, // more than any place has: 409
		`{"produits":[{"produit_id":4,"quantite":30}]}`, // 2999.70 by card, over the guest's limit: 402
		`{"produits":[{"produit_id":1,"quantite":1},{"produit_id":1,"quantite":2}]}`}, kittest.FuzzWith(f, commande, lignes, kittest.FuzzBad.Lists)...)
	commandes = append(commandes, kittest.FuzzWith(f, commande, `"quantite":1`, kittest.FuzzBad.Numbers)...)
	commandes = append(commandes, kittest.FuzzWith(f, commande, `"produit_id":1`, kittest.FuzzBad.Texts)...)
	duClient := `{"client_id":2,"produits":` + lignes + `}`
	duClients := append([]string{duClient}, kittest.FuzzWith(f, duClient, `"client_id":2`, kittest.FuzzBad.Numbers)...)
	panier := `{"client_id":2}`
	paniers := append([]string{panier}, kittest.FuzzWith(f, panier, `2`, append(kittest.FuzzBad.Numbers, kittest.FuzzBad.Texts...))...)
	ventes := append([]string{vente, strings.Replace(vente, "comptant", "carte", 1),
		`{"magasin_id":1,"methode":"carte","produits":[{"produit_id":4,"quantite":10}]}`}, kittest.FuzzWith(f, vente, `"comptant"`, kittest.FuzzBad.Texts)...)
	ventes = append(ventes, kittest.FuzzWith(f, vente, `"magasin_id":1`, kittest.FuzzBad.Numbers)...)
	retour := `{"commande_id":"` + s.CommandeID + `","lignes":[{"produit_id":1,"quantite":1}]}`
	retours := append([]string{retour, `{"commande_id":"` + s.CommandeID + `"}`},
		kittest.FuzzWith(f, retour, `"`+s.CommandeID+`"`, append(kittest.FuzzBad.Texts, `"3f1c9a2e-5b7d-4e21-9c0a-7d2f1e8b6a44"`))...)
	retours = append(retours, kittest.FuzzWith(f, retour, `[{"produit_id":1,"quantite":1}]`, kittest.FuzzBad.Lists)...)

	saga := []int{http.StatusPaymentRequired, http.StatusConflict}
	routes := []kittest.FuzzRoute{
		{Method: "POST", Path: "/saga/commande/", Headers: kittest.Anonymous, Key: "fuzz", Seeds: commandes, Writes: saga, Outcome: annulee},
		{Method: "POST", Path: "/saga/commande", Headers: client2, Key: "fuzz", Seeds: duClients, Writes: saga, Outcome: annulee},
		{Method: "POST", Path: "/commande", Headers: client2, Key: "fuzz", Seeds: paniers, Writes: saga, Outcome: annulee},
		{Method: "POST", Path: "/saga/vente", Headers: caissier1, Key: "fuzz", Seeds: ventes, Writes: saga, Outcome: annulee},
		{Method: "POST", Path: "/saga/retour", Headers: caissier1, Key: "fuzz", Seeds: retours,
			Writes: append(saga, http.StatusUnprocessableEntity), Outcome: annulee},
	}
	kittest.FuzzRoutes(f, fx.base, routes, func(t testing.TB) func(*testing.T) {
		before := fx.sagasAndWrites(t)
		return func(t *testing.T) {
			t.Helper()
			if now := fx.sagasAndWrites(t); now != before {
				t.Fatalf("sagas and participant writes went from %s to %s", before, now)
			}
		}
	})
}

// annulee says whether a is a saga's own answer, which docs/api.md gives a
// saga that ran and ended ANNULEE (402 payment refused, 409 stock short or a
// return refused, 422 a return found invalid), and fails the test if it
// claims to be one and is not. Anything else must be a problem.
func annulee(t *testing.T, a kittest.Response) bool {
	t.Helper()
	if strings.HasPrefix(a.Header.Get("Content-Type"), "application/problem+json") {
		return false
	}
	var s struct {
		SagaID  string `json:"saga_id"`
		Statut  string `json:"statut"`
		Termine bool   `json:"termine"`
	}
	a.JSON(t, &s)
	if !slices.Contains([]int{http.StatusPaymentRequired, http.StatusConflict, http.StatusUnprocessableEntity}, a.Status) ||
		s.SagaID == "" || s.Statut != "ANNULEE" || !s.Termine {
		t.Fatalf("%d %s: neither a problem nor a saga that ended ANNULEE: %.300s", a.Status, a.Header.Get("Content-Type"), a.Body)
	}
	return true
}

// sagasAndWrites is how many sagas there are and how many calls that write
// the participants received: what a refused request must leave alone.
func (f fixture) sagasAndWrites(t testing.TB) string {
	t.Helper()
	r := kittest.Do(t, "GET", f.base+"/sagas?limit=1", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /sagas: %d %s", r.Status, r.Body)
	}
	var page struct{ Total int64 }
	r.JSON(t, &page)
	return fmt.Sprintf("%d sagas, %d writes", page.Total, len(f.fleet.Routes()))
}
