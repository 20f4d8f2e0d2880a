package main

import (
	"net/http"
	"testing"

	"multimagasins/kit/kittest"
)

// FuzzPaiement_Decoders sends any body and any Idempotency-Key to every
// route of paiement that writes, through the real server and database, as
// the saga and the head office do: see kittest.FuzzRoutes for what every answer must
// be. A 402 may write: a refused charge is stored, to be replayed.
func FuzzPaiement_Decoders(f *testing.F) {
	base, dbURL := start(f)
	paid := kittest.Do(f, "POST", base+"/paiements", charge("5b1d0f0e-8f3a-4c55-9e0b-2d6f3c1a9e77", 1, "20.00", "carte"),
		"Idempotency-Key", "setup:payer")
	if paid.Status != http.StatusCreated {
		f.Fatalf("a payment to refund: %d %s", paid.Status, paid.Body)
	}
	var p struct{ ID string }
	paid.JSON(f, &p)

	limite := `{"limite":750.00}`
	limites := append([]string{limite}, kittest.FuzzWith(f, limite, `750.00`, kittest.FuzzBad.Amounts)...)

	payer := charge("3f1c9a2e-5b7d-4e21-9c0a-7d2f1e8b6a44", 1, "10.00", "carte")
	payers := []string{payer, charge("7d4f9c2e-1b2a-4c3d-8e9f-0a1b2c3d4e5f", 2, "600.00", "carte"),
		charge("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", 3, "999999.99", "comptant")}
	payers = append(payers, kittest.FuzzWith(f, payer, `10.00`, kittest.FuzzBad.Amounts)...)
	payers = append(payers, kittest.FuzzWith(f, payer, `"client_id":1`, kittest.FuzzBad.Numbers)...)
	payers = append(payers, kittest.FuzzWith(f, payer, `"3f1c9a2e-5b7d-4e21-9c0a-7d2f1e8b6a44"`, kittest.FuzzBad.Texts)...)

	rembourse := `{"montant":1.00,"motif":"retour en magasin"}`
	rembourses := []string{rembourse, `{"montant":19.00}`}
	rembourses = append(rembourses, kittest.FuzzWith(f, rembourse, `1.00`, kittest.FuzzBad.Amounts)...)
	rembourses = append(rembourses, kittest.FuzzWith(f, rembourse, `"retour en magasin"`, kittest.FuzzBad.Texts)...)

	routes := []kittest.FuzzRoute{
		{Method: "PUT", Path: "/comptes/3", Seeds: limites},
		{Method: "POST", Path: "/paiements", Key: "fuzz:payer", Seeds: payers, Writes: []int{http.StatusPaymentRequired}},
		{Method: "POST", Path: "/paiements/" + p.ID + "/remboursements", Key: "fuzz:rembourser", Seeds: rembourses},
	}
	kittest.FuzzRoutes(f, base, routes, kittest.FuzzDB(f, dbURL))
}
