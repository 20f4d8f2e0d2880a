package fakes_test

import (
	"testing"

	"multimagasins/kit/api/participantstest"
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
	// Twice on the same fleet, as on a shared one: the suite leaves the stock as it found it.
	for _, passage := range []string{"premier", "second"} {
		t.Run(passage, func(t *testing.T) {
			f.SetPanier(fixture.Client, panier)
			participantstest.Contract(t, participantstest.At(f.URL), fixture)
		})
	}
}
