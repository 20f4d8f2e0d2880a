package fakes_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/api/participantstest"
	"multimagasins/kit/kittest"
	"multimagasins/orchestrator/internal/fakes"
)

// The fake passes the same contract as the real participants (test/e2e runs
// it against them): what the sagas rely on, the fake does too.
func TestFleet_KeepsTheParticipantsContract(t *testing.T) {
	f := fakes.New(t)
	panier := map[int64]int{1: 2, 4: 1}
	fixture := participantstest.Fixture{
		Produit: 1, Prix: 19_99, Disponible: 50, Autre: 2, Inactif: 5, Inconnu: 999_999,
		Client: 2, Panier: panier, ClientInconnu: 999_999,
	}
	// With the orchestrator's service token, as its sagas call.
	participants := participantstest.At(f.URL, kit.WithTokens(fakes.Tokens(t)))
	// Twice on the same fleet, as on a shared one: the suite leaves the stock as it found it.
	for _, passage := range []string{"premier", "second"} {
		t.Run(passage, func(t *testing.T) {
			f.SetPanier(fixture.Client, panier)
			participantstest.Contract(t, participants, fixture)
		})
	}
	for _, c := range f.Calls() {
		require.Equal(t, "service:orchestrator", c.Subject, "%s", c.Route)
		require.Zero(t, c.Refusee, "%s", c.Route)
	}
}

// Like the participants, the fake acts only for a service token: a call
// without one is a 401, with another role a 403, and neither does anything.
func TestFleet_WantsAServiceToken(t *testing.T) {
	f := fakes.New(t)
	reservation := map[string]any{"cle": "k:reserver_stock", "emplacement_id": 6, "reference": "r",
		"lignes": []any{map[string]any{"produit_id": 1, "quantite": 1}}}
	for _, c := range []struct {
		name    string
		headers []string
		status  int
	}{
		{"anonyme", kittest.Anonymous, http.StatusUnauthorized},
		{"jeton faux", []string{"Authorization", "Bearer abc.def.ghi"}, http.StatusUnauthorized},
		{"client", kittest.As(t, kittest.Client(2)), http.StatusForbidden},
		{"caissier", kittest.As(t, kittest.Caissier(1)), http.StatusForbidden},
		{"maison mère", kittest.As(t, kittest.MaisonMere), http.StatusForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			kittest.RequireProblem(t, kittest.Do(t, "POST", f.URL+"/reservations", reservation, c.headers...), c.status, "")
			require.Equal(t, 50, f.Disponible(6, 1), "nothing reserved")
		})
	}
	r := kittest.Do(t, "POST", f.URL+"/reservations", reservation, kittest.As(t, kittest.ServicePrincipal)...)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	require.Equal(t, 49, f.Disponible(6, 1))
}
