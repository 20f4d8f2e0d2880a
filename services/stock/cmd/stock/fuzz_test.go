package main

import (
	"net/http"
	"strings"
	"testing"

	"multimagasins/kit/kittest"
)

// FuzzStock_Decoders sends any body and any Idempotency-Key to every route
// of stock that writes, through the real server and database, as the head
// office and the saga do; a route without a body gets the input as its
// path's key or id. See kittest.FuzzRoutes for what every answer must be.
func FuzzStock_Decoders(f *testing.F) {
	base, dbURL := start(f)
	demande := func(produit string) string {
		r := kittest.Do(f, "POST", base+"/magasins/2/demandes", `{"produit_id":`+produit+`,"quantite":5}`)
		if r.Status != http.StatusCreated {
			f.Fatalf("a supply request: %d %s", r.Status, r.Body)
		}
		var d struct{ ID int64 }
		r.JSON(f, &d)
		return itoa(d.ID)
	}
	approuver, refuser := demande("1"), demande("2")
	if r := kittest.Do(f, "POST", base+"/reservations", `{"cle":"fuzz-reservee","lignes":[{"produit_id":1,"quantite":1}]}`); r.Status != http.StatusCreated {
		f.Fatalf("a reservation: %d %s", r.Status, r.Body)
	}

	produit := `{"nom":"Tablette 10 pouces","categorie":"Électronique","prix":199.99,"description":"Écran 10 pouces","actif":true}`
	produits := append([]string{produit, `{"nom":"Câble","categorie":"Accessoires","prix":1}`},
		kittest.FuzzWith(f, produit, `"Tablette 10 pouces"`, kittest.FuzzBad.Texts)...)
	produits = append(produits, kittest.FuzzWith(f, produit, `199.99`, kittest.FuzzBad.Amounts)...)
	remplace := append([]string{produit}, kittest.FuzzWith(f, produit, `"Écran 10 pouces"`, kittest.FuzzBad.Texts)...)

	reception := `{"produit_id":1,"quantite":5,"reference":"BL-2025-001"}`
	receptions := append([]string{reception}, kittest.FuzzWith(f, reception, `"produit_id":1`, kittest.FuzzBad.Numbers)...)
	receptions = append(receptions, kittest.FuzzWith(f, reception, `"BL-2025-001"`, kittest.FuzzBad.Texts)...)

	lignes := `[{"produit_id":1,"quantite":1}]`
	retour := `{"emplacement_id":6,"reference":"7d4f9c2e","lignes":` + lignes + `}`
	retours := append([]string{retour}, kittest.FuzzWith(f, retour, lignes, kittest.FuzzBad.Lists)...)
	retours = append(retours, kittest.FuzzWith(f, retour, `"7d4f9c2e"`, kittest.FuzzBad.Texts)...)
	retours = append(retours, kittest.FuzzWith(f, retour, `"emplacement_id":6`, kittest.FuzzBad.Numbers)...)
	dispo := `{"emplacement_id":6,"lignes":` + lignes + `}`
	dispos := append([]string{dispo}, kittest.FuzzWith(f, dispo, lignes, kittest.FuzzBad.Lists)...)
	dispos = append(dispos, kittest.FuzzWith(f, dispo, `"produit_id":1`, kittest.FuzzBad.Numbers)...)
	reservation := `{"cle":"fuzz-1","reference":"commande-1","lignes":` + lignes + `}`
	reservations := append([]string{reservation, strings.Replace(reservation, lignes,
		`[{"produit_id":1,"quantite":1},{"produit_id":1,"quantite":2}]`, 1)}, kittest.FuzzWith(f, reservation, lignes, kittest.FuzzBad.Lists)...)
	reservations = append(reservations, kittest.FuzzWith(f, reservation, `"fuzz-1"`, kittest.FuzzBad.Texts)...)
	cles := []string{"fuzz-reservee", "inconnue", "", "a/b", "a\x00b", "a\xffb", "\xed\xa0\x80", strings.Repeat("k", 201)}
	ids := []string{approuver, "0", "abc", "424242", "9223372036854775807"}

	appro := `{"produit_id":3,"quantite":5,"motif":"vitrine vide"}`
	appros := append([]string{appro}, kittest.FuzzWith(f, appro, `"quantite":5`, kittest.FuzzBad.Numbers)...)
	appros = append(appros, kittest.FuzzWith(f, appro, `"vitrine vide"`, kittest.FuzzBad.Texts)...)
	refus := `{"motif":"budget épuisé"}`
	refusals := append([]string{refus, `{"motif":"   "}`}, kittest.FuzzWith(f, refus, `"budget épuisé"`, kittest.FuzzBad.Texts)...)
	seuil := `{"seuil":10}`
	seuils := append([]string{seuil}, kittest.FuzzWith(f, seuil, `10`, kittest.FuzzBad.Numbers)...)

	routes := []kittest.FuzzRoute{
		{Method: "POST", Path: "/produits", Seeds: produits},
		{Method: "PUT", Path: "/produits/1", Seeds: remplace},
		{Method: "POST", Path: "/logistique/receptions", Seeds: receptions},
		{Method: "POST", Path: "/retours", Key: "fuzz:retour", Seeds: retours},
		{Method: "POST", Path: "/disponibilites", Seeds: dispos},
		{Method: "POST", Path: "/reservations", Seeds: reservations},
		{Method: "POST", Path: "/reservations/%s/liberation", InPath: true, Seeds: cles},
		{Method: "POST", Path: "/reservations/%s/confirmation", InPath: true, Seeds: cles},
		{Method: "POST", Path: "/magasins/2/demandes", Seeds: appros},
		{Method: "POST", Path: "/demandes/%s/approuver", InPath: true, Seeds: ids},
		{Method: "POST", Path: "/demandes/" + refuser + "/refuser", Seeds: refusals},
		{Method: "PUT", Path: "/emplacements/2/seuils/1", Seeds: seuils},
	}
	kittest.FuzzRoutes(f, base, routes, kittest.FuzzDB(f, dbURL))
}
