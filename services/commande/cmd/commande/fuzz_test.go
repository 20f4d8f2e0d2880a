package main

import (
	"net/http"
	"testing"

	"multimagasins/kit/kittest"
)

// FuzzCommande_Decoders sends any body and any Idempotency-Key to every
// route of commande that writes, through the real server and database, as
// the saga does (a service token): see kittest.FuzzRoutes for what every answer must be.
func FuzzCommande_Decoders(f *testing.F) {
	base, dbURL := serve(f)
	order := func(statuts ...string) string {
		r := kittest.Do(f, "POST", base+"/commandes", `{"client_id":1,"canal":"en_ligne","lignes":[`+
			`{"produit_id":1,"quantite":2,"prix_unitaire":19.99},{"produit_id":2,"quantite":1,"prix_unitaire":5}]}`)
		if r.Status != http.StatusCreated {
			f.Fatalf("an order: %d %s", r.Status, r.Body)
		}
		var c struct{ ID string }
		r.JSON(f, &c)
		for _, s := range statuts {
			if a := kittest.Do(f, "POST", base+"/commande/"+c.ID+"/transitions", `{"statut":"`+s+`"}`,
				"Idempotency-Key", "setup:"+c.ID+":"+s); a.Status != http.StatusOK {
				f.Fatalf("%s: %d %s", s, a.Status, a.Body)
			}
		}
		return c.ID
	}
	creee, confirmee := order(), order("STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE")

	create := `{"client_id":1,"canal":"en_ligne","lignes":[{"produit_id":1,"quantite":2,"prix_unitaire":19.99}]}`
	creates := []string{create,
		`{"client_id":7,"canal":"magasin","magasin_id":2,"lignes":[{"produit_id":3,"quantite":1,"prix_unitaire":5}]}`,
		`{"id":"3f1c9a2e-5b7d-4e21-9c0a-7d2f1e8b6a44","client_id":1,"canal":"en_ligne","lignes":[{"produit_id":1,"quantite":1,"prix_unitaire":1.00}],` +
			`"historique":[{"statut":"CREEE","at":"2025-01-01T00:00:00Z"},{"statut":"ANNULEE","motif":"rupture","at":"2025-01-01T00:00:01Z"}]}`,
		`{"client_id":1,"canal":"en_ligne","lignes":[{"produit_id":1,"quantite":1,"prix_unitaire":1},{"produit_id":1,"quantite":1,"prix_unitaire":1}]}`,
	}
	creates = append(creates, kittest.FuzzWith(f, create, `"en_ligne"`, kittest.FuzzBad.Texts)...)
	creates = append(creates, kittest.FuzzWith(f, create, `19.99`, kittest.FuzzBad.Amounts)...)
	creates = append(creates, kittest.FuzzWith(f, create, `"client_id":1`, kittest.FuzzBad.Numbers)...)
	creates = append(creates, kittest.FuzzWith(f, create, `"produit_id":1`, []string{"424242", "9223372036854775807"})...)
	creates = append(creates, kittest.FuzzWith(f, create, `[{"produit_id":1,"quantite":2,"prix_unitaire":19.99}]`, kittest.FuzzBad.Lists)...)

	transition := `{"statut":"ANNULEE","motif":"rupture de stock"}`
	transitions := append([]string{transition, `{"statut":"STOCK_VERIFIE"}`, `{"statut":"LIVREE"}`},
		kittest.FuzzWith(f, transition, `"rupture de stock"`, kittest.FuzzBad.Texts)...)

	retour := `{"lignes":[{"produit_id":1,"quantite":1}]}`
	retours := append([]string{retour, `{"lignes":[{"produit_id":2,"quantite":1},{"produit_id":1,"quantite":1}]}`},
		kittest.FuzzWith(f, retour, `[{"produit_id":1,"quantite":1}]`, kittest.FuzzBad.Lists)...)
	retours = append(retours, kittest.FuzzWith(f, retour, `"quantite":1`, kittest.FuzzBad.Numbers)...)

	routes := []kittest.FuzzRoute{
		{Method: "POST", Path: "/commandes", Seeds: creates},
		{Method: "POST", Path: "/commande/" + creee + "/transitions", Key: "fuzz:transition", Seeds: transitions},
		{Method: "POST", Path: "/commande/" + confirmee + "/retours", Key: "fuzz:retour", Seeds: retours},
	}
	kittest.FuzzRoutes(f, base, routes, kittest.FuzzDB(f, dbURL))
}
