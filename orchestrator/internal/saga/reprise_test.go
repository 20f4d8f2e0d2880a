package saga_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/orchestrator/internal/saga"
)

// Recovery's decision after an attempt that left the saga waiting, attempt
// by attempt: N stuck at the same call make it à vérifier, then the waits
// double from twice the worker's pass up to the cap.
func TestRelancer_NAttemptsStuckAtOneCallMakeItAVerifierThenBackOff(t *testing.T) {
	p := saga.Reprise{Seuil: 3, Intervalle: 2 * time.Second, Plafond: time.Minute}
	want := []struct {
		tentatives int
		aVerifier  bool
		wait       time.Duration
	}{
		{1, false, 0}, // the worker's next pass
		{2, false, 0},
		{3, true, 4 * time.Second}, // the Nth: à vérifier
		{4, true, 8 * time.Second},
		{5, true, 16 * time.Second},
		{6, true, 32 * time.Second},
		{7, true, time.Minute}, // capped
		{8, true, time.Minute},
	}
	var s saga.Suivi
	for i, w := range want {
		var wait time.Duration
		s, wait = p.Relancer(s, false)
		require.Equal(t, saga.Suivi{Tentatives: w.tentatives, AVerifier: w.aVerifier}, s, "attempt %d", i+1)
		require.Equal(t, w.wait, wait, "attempt %d", i+1)
	}
}

func TestRelancer_AnAttemptThatMovesTheSagaCountsAgainFromOne(t *testing.T) {
	p := saga.Reprise{Seuil: 3, Intervalle: 2 * time.Second, Plafond: time.Minute}
	cases := []struct {
		avant   saga.Suivi
		progres bool
		apres   saga.Suivi
		wait    time.Duration
	}{
		// Stuck at a new call (the person fixed one refusal, the next step
		// refuses too): not à vérifier until it is stuck N times there.
		{saga.Suivi{Tentatives: 12, AVerifier: true}, true, saga.Suivi{Tentatives: 1}, 0},
		{saga.Suivi{Tentatives: 2}, true, saga.Suivi{Tentatives: 1}, 0},
		{saga.Suivi{}, true, saga.Suivi{Tentatives: 1}, 0},
		// Still stuck where it was: the count goes on.
		{saga.Suivi{Tentatives: 12, AVerifier: true}, false, saga.Suivi{Tentatives: 13, AVerifier: true}, time.Minute},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v/%v", c.avant, c.progres), func(t *testing.T) {
			s, wait := p.Relancer(c.avant, c.progres)
			require.Equal(t, c.apres, s)
			require.Equal(t, c.wait, wait)
		})
	}
}

func TestRelancer_EdgeCases(t *testing.T) {
	// N = 1: the first attempt that fails is enough.
	s, wait := saga.Reprise{Seuil: 1, Intervalle: time.Second, Plafond: time.Minute}.Relancer(saga.Suivi{}, false)
	require.Equal(t, saga.Suivi{Tentatives: 1, AVerifier: true}, s)
	require.Equal(t, 2*time.Second, wait)
	// Thousands of attempts: capped, no overflow.
	s, wait = saga.Reprise{Seuil: 10, Intervalle: 2 * time.Second, Plafond: 5 * time.Minute}.Relancer(saga.Suivi{Tentatives: 5000, AVerifier: true}, false)
	require.Equal(t, 5001, s.Tentatives)
	require.Equal(t, 5*time.Minute, wait)
}

// The step a saga waits on, as GET /sagas shows it (etape_en_attente).
func TestEnAttente_NamesThePendingCall(t *testing.T) {
	cases := []struct {
		typ   string
		phase saga.Phase
		pas   int
		want  string
	}{
		{saga.TypeCommande, saga.EnCours, 0, "reserver_stock"},
		{saga.TypeCommande, saga.EnCours, 2, "confirmer"},
		{saga.TypeCommande, saga.Sondage, 0, "payer"}, // the probe of the pivot, whatever pas
		{saga.TypeCommande, saga.Compensation, 0, "reserver_stock"},
		{saga.TypeCommande, saga.Cloture, 4, "enregistrer_commande"},
		{saga.TypeCommande, saga.Terminee, 4, ""},
		{saga.TypeRetour, saga.EnCours, 2, "rembourser"},
		{saga.TypeRetour, saga.EnCours, 3, ""}, // no closing call
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%d", c.typ, c.phase, c.pas), func(t *testing.T) {
			require.Equal(t, c.want, saga.EnAttente(defs[c.typ], saga.State{Phase: c.phase, Pas: c.pas}))
		})
	}
}
