package main

import (
	"net/http"
	"testing"

	"multimagasins/kit/kittest"
)

// FuzzClients_Decoders sends any body and any Idempotency-Key to every route
// of clients that writes, through the real server and database, as the
// head office: see kittest.FuzzRoutes for what every answer must be.
func FuzzClients_Decoders(f *testing.F) {
	base, dbURL := start(f)
	made := kittest.Do(f, "POST", base+"/clients", `{"nom":"Fuzz","email":"fuzz@exemple.ca"}`)
	if made.Status != http.StatusCreated {
		f.Fatalf("a client to update: %d %s", made.Status, made.Body)
	}
	var c struct{ ID int64 }
	made.JSON(f, &c)

	valid := `{"nom":"Ana Tremblay","email":"ana@exemple.ca","telephone":"514-555-0101","adresse":"1 rue Saint-Denis"}`
	seeds := []string{valid, `{"nom":"  Léa  ","email":" Lea@Exemple.CA "}`,
		`{"nom":"Ana","email":"ana@exemple.ca","client_id":9223372036854775807}`}
	seeds = append(seeds, kittest.FuzzWith(f, valid, `"Ana Tremblay"`, kittest.FuzzBad.Texts)...)
	routes := []kittest.FuzzRoute{
		{Method: "POST", Path: "/clients", Seeds: seeds},
		{Method: "PUT", Path: "/clients/" + itoa(c.ID), Seeds: seeds},
	}
	kittest.FuzzRoutes(f, base, routes, kittest.FuzzDB(f, dbURL))
}
