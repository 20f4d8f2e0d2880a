package main

import (
	"net/http"
	"testing"

	"multimagasins/kit/kittest"
)

// FuzzPanier_Decoders sends any body and any Idempotency-Key to every route
// of panier that writes, through the real server and database against fake
// clients and stock services: adds as a service, quantities as the cart's
// own client. See kittest.FuzzRoutes for what every answer must be.
func FuzzPanier_Decoders(f *testing.F) {
	fl := newFleet(f)
	base := fl.start(f)
	if r := kittest.Do(f, "POST", base+"/panier", `{"client_id":1,"produit_id":3,"quantite":1}`); r.Status != http.StatusCreated {
		f.Fatalf("a line to change: %d %s", r.Status, r.Body)
	}

	add := `{"client_id":1,"produit_id":3,"quantite":2}`
	adds := []string{add, `{"client_id":7,"produit_id":1,"quantite":1}`, `{"client_id":8,"produit_id":2,"quantite":1}`}
	adds = append(adds, kittest.FuzzWith(f, add, `"client_id":1`, kittest.FuzzBad.Numbers)...)
	adds = append(adds, kittest.FuzzWith(f, add, `"produit_id":3`, kittest.FuzzBad.Numbers)...)
	adds = append(adds, kittest.FuzzWith(f, add, `"quantite":2`, kittest.FuzzBad.Texts)...)
	set := `{"quantite":4}`
	sets := append([]string{set, `{"quantite":4,"prix_unitaire":0.01}`}, kittest.FuzzWith(f, set, `4`, kittest.FuzzBad.Numbers)...)

	routes := []kittest.FuzzRoute{
		{Method: "POST", Path: "/panier", Seeds: adds},
		{Method: "PUT", Path: "/panier/1/lignes/3", Headers: kittest.As(f, kittest.Client(1)), Seeds: sets},
	}
	kittest.FuzzRoutes(f, base, routes, kittest.FuzzDB(f, fl.dbURL))
}
