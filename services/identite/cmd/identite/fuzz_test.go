package main

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"multimagasins/kit/kittest"
)

// FuzzIdentite_Decoders sends any body and any Idempotency-Key to every
// route of identite that writes, through the real server and database
// against a fake clients service: the token endpoint as JSON, as a form and
// with HTTP Basic, sign-up, sign-out. See kittest.FuzzRoutes for what every answer
// must be. A 401 of the token endpoint may write: a wrong password counts
// towards the throttle, and a refresh token used again revokes its sign-in.
func FuzzIdentite_Decoders(f *testing.F) {
	base, dbURL := start(f, newFakeClients(f), nil)
	form := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, kittest.Anonymous...)
	basic := []string{"Content-Type", "application/x-www-form-urlencoded",
		"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte("orchestrator:"+orchestratorSecret))}

	jeton := `{"grant_type":"password","username":"caissier1","password":"` + DemoPassword + `"}`
	jetons := []string{jeton, `{"grant_type":"client_credentials","client_id":"panier","client_secret":"` + panierSecret + `"}`,
		`{"grant_type":"refresh_token","refresh_token":"pas-un-jeton"}`, `{"grant_type":"password","username":"caissier1","password":12345}`}
	jetons = append(jetons, kittest.FuzzWith(f, jeton, `"caissier1"`, kittest.FuzzBad.Texts)...)
	formes := []string{"grant_type=password&username=caissier1&password=" + DemoPassword,
		"grant_type=client_credentials&client_id=k6&client_secret=" + url.QueryEscape(k6Secret),
		"grant_type=password&username=a%00b&password=x", "grant_type=password&username=%ED%A0%80&password=x",
		"grant_type=password&username=%FF&password=x", "grant_type=password&password=x&username=" + strings.Repeat("u", 30<<10),
		"grant_type=%zz", "grant_type=password&grant_type=refresh_token"}
	inscription := `{"nom":"Eva","email":"eva@exemple.ca","mot_de_passe":"dix caracteres","adresse":"2 rue Ontario"}`
	inscriptions := append([]string{inscription, `{"nom":"Eva","email":"eva@exemple.ca","mot_de_passe":"neuf car."}`,
		`{"nom":"Eva","email":"eva@exemple.ca","mot_de_passe":"dix caracteres","role":"maison_mere"}`},
		kittest.FuzzWith(f, inscription, `"Eva"`, kittest.FuzzBad.Texts)...)
	inscriptions = append(inscriptions, kittest.FuzzWith(f, inscription, `"2 rue Ontario"`, kittest.FuzzBad.Texts)...)
	signIn := []int{http.StatusUnauthorized}
	revocation := `{"token":"un-jeton-de-rafraichissement"}`
	revocations := append([]string{revocation, `{"token":"x","token_type_hint":"access_token"}`},
		kittest.FuzzWith(f, revocation, `"un-jeton-de-rafraichissement"`, kittest.FuzzBad.Texts)...)

	routes := []kittest.FuzzRoute{
		{Method: "POST", Path: "/auth/jeton", Headers: kittest.Anonymous, Seeds: jetons, Writes: signIn},
		{Method: "POST", Path: "/auth/jeton", Headers: form, Seeds: formes, Writes: signIn},
		{Method: "POST", Path: "/auth/jeton", Headers: basic, Seeds: []string{"grant_type=client_credentials", "grant_type=password"}, Writes: signIn},
		{Method: "POST", Path: "/auth/inscription", Headers: kittest.Anonymous, Seeds: inscriptions},
		{Method: "POST", Path: "/auth/revocation", Headers: kittest.Anonymous, Seeds: revocations},
		{Method: "POST", Path: "/auth/revocation", Headers: form, Seeds: []string{"token=x", "token=a%00b", "token=%FF"}},
	}
	kittest.FuzzRoutes(f, base, routes, kittest.FuzzDB(f, dbURL))
}
