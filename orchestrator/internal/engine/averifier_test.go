package engine_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
	"multimagasins/orchestrator/internal/fakes"
	"multimagasins/orchestrator/internal/saga"
)

// metric is the value of name{label=value} on the last engine made (a
// counter or a gauge); -1 when there is no such series.
func (b *bench) metric(t *testing.T, name, label, value string) float64 {
	t.Helper()
	mfs, err := b.reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					if m.GetGauge() != nil {
						return m.GetGauge().GetValue()
					}
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return -1
}

// timePasses brings the end of a saga's wait (its backoff) to now.
func (b *bench) timePasses(t *testing.T, id uuid.UUID) {
	t.Helper()
	_, err := b.pool.Exec(context.Background(), `UPDATE sagas SET lease_until = now() - interval '1 second' WHERE id = $1`, id)
	require.NoError(t, err)
}

// recoverOne runs one pass of the worker and says whether it took a saga.
func (b *bench) recoverOne(t *testing.T) bool {
	t.Helper()
	n, err := b.eng.Recover(context.Background())
	require.NoError(t, err)
	return n == 1
}

func (b *bench) aVerifier(t *testing.T) []saga.Saga {
	t.Helper()
	items, total, err := b.repo.List(context.Background(), saga.Filtre{AVerifier: true}, 50, 0)
	require.NoError(t, err)
	require.EqualValues(t, len(items), total)
	return items
}

// A refund refused after the pivot (someone refunded the payment by hand)
// is no longer retried every pass forever: after N attempts the saga is à
// vérifier, head office's list and the gauge show it, recovery tries it less
// often, and once paiement accepts the refund the saga finishes as usual.
func TestAVerifier_ARefundRefusedAfterThePivotNeedsAPersonThenFinishes(t *testing.T) {
	b := newBench(t)
	svc := b.engine(t, context.Background())
	ctx := context.Background()
	sale, err := svc.Commande(ctx, "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 2}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, sale.Status)

	const remboursement = "POST /paiements/{id}/remboursements"
	b.fleet.Fault(remboursement, &fakes.Fault{Fail: 1 << 20, Status: http.StatusConflict})
	a, err := svc.Retour(kit.WithPrincipal(ctx, kittest.Caissier(3)), "", saga.DemandeRetour{CommandeID: *sale.Reponse.CommandeID})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, a.Status, "recorded and restocked, not refunded: not over")
	require.Equal(t, saga.Restocke, a.Reponse.Statut)
	require.False(t, a.Reponse.Termine)
	require.Equal(t, b.cfg.RecoveryInterval, a.RetryAfter)
	id := a.Reponse.SagaID

	n := b.cfg.AVerifierApres
	for i := 1; i < n; i++ {
		require.True(t, b.recoverOne(t), "pass %d: taken again at once", i)
		rec, err := b.repo.Record(ctx, id)
		require.NoError(t, err)
		require.Equal(t, i, rec.Reprises)
		require.Nil(t, rec.AVerifierDepuis, "pass %d: not yet", i)
	}
	require.Empty(t, b.aVerifier(t))
	require.Zero(t, b.metric(t, "saga_a_verifier", "type", "retour"))

	// The Nth attempt: à vérifier, with the reason.
	require.True(t, b.recoverOne(t))
	rec, err := b.repo.Record(ctx, id)
	require.NoError(t, err)
	require.Equal(t, n, rec.Reprises)
	require.NotNil(t, rec.AVerifierDepuis)
	require.Contains(t, rec.DerniereErreur, "action rembourser")
	require.Contains(t, rec.DerniereErreur, "409")
	require.Equal(t, saga.EnCours, rec.State.Phase, "still waiting on the refund, as before")
	require.Equal(t, saga.Restocke, rec.State.Statut, "the public states are unchanged")
	require.InDelta(t, 1, b.metric(t, "saga_a_verifier", "type", "retour"), 0)
	require.InDelta(t, 0, b.metric(t, "saga_a_verifier", "type", "commande"), 0)
	require.InDelta(t, 1, b.metric(t, "saga_a_verifier_total", "type", "retour"), 0)

	list := b.aVerifier(t)
	require.Len(t, list, 1)
	s := list[0]
	require.Equal(t, id, s.SagaID)
	require.True(t, s.AVerifier)
	require.Equal(t, http.StatusAccepted, s.ReponseHTTP)
	require.Equal(t, "rembourser", *s.EtapeEnAttente)
	require.Equal(t, "rembourser", s.EtapeAtteinte)
	require.Equal(t, rec.DerniereErreur, s.DerniereErreur)
	require.WithinDuration(t, time.Now().Add(2*b.cfg.RecoveryInterval), *s.ProchaineReprise, time.Minute,
		"the first wait once à vérifier: twice the worker's pass")

	// Less often now: the next pass leaves it alone until its wait is over.
	require.False(t, b.recoverOne(t))
	b.timePasses(t, id)
	require.True(t, b.recoverOne(t))
	rec, err = b.repo.Record(ctx, id)
	require.NoError(t, err)
	require.Equal(t, n+1, rec.Reprises)
	require.NotNil(t, rec.AVerifierDepuis)
	require.WithinDuration(t, time.Now().Add(b.cfg.RepriseMax), rec.ProchaineReprise, time.Minute, "doubled, capped")
	require.InDelta(t, 1, b.metric(t, "saga_a_verifier_total", "type", "retour"), 0, "entered once")

	// A person sorts it out with paiement: the refund is accepted now.
	b.fleet.Fault(remboursement, nil)
	b.timePasses(t, id)
	require.True(t, b.recoverOne(t))
	rec, err = b.repo.Record(ctx, id)
	require.NoError(t, err)
	require.Equal(t, saga.Terminee, rec.State.Phase)
	require.Equal(t, saga.Confirmee, rec.State.Statut)
	require.Equal(t, http.StatusCreated, rec.State.HTTP)
	require.Nil(t, rec.AVerifierDepuis)
	require.Zero(t, rec.Reprises)
	require.Empty(t, b.aVerifier(t))
	require.Zero(t, b.metric(t, "saga_a_verifier", "type", "retour"))
	p := b.fleet.Paiements()[0]
	require.Equal(t, p.Montant, p.Rembourse, "refunded once, in full")
	require.False(t, b.recoverOne(t), "nothing left to recover")
}

// The live request's own wait does not count: only recovery's attempts do,
// and an attempt that moves the saga to another call starts the count again.
func TestAVerifier_AnAttemptThatMovesTheSagaCountsAgain(t *testing.T) {
	b := newBench(t)
	b.fleet.Fault("POST /reservations/{cle}/confirmation", &fakes.Fault{Fail: 1 << 20})
	svc := b.engine(t, context.Background())
	a, err := svc.Commande(context.Background(), "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 2, Quantite: 1}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, a.Status)
	rec, err := b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Zero(t, rec.Reprises)
	require.Equal(t, "confirmer", rec.Etape)
	require.Equal(t, "confirmer", rec.EtapeAtteinte)

	require.True(t, b.recoverOne(t))
	require.True(t, b.recoverOne(t))
	rec, err = b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Equal(t, 2, rec.Reprises)

	// stock is back, commande is not: stuck at the closing call now.
	b.fleet.Fault("POST /reservations/{cle}/confirmation", nil)
	b.fleet.Fault("POST /commandes", &fakes.Fault{Fail: 1 << 20, Status: http.StatusUnprocessableEntity})
	require.True(t, b.recoverOne(t))
	rec, err = b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Equal(t, saga.Cloture, rec.State.Phase)
	require.Equal(t, "enregistrer_commande", rec.Etape)
	require.Equal(t, "confirmer", rec.EtapeAtteinte,
		"the furthest step called: vider_panier made no call (no cart), and the closing call is not a step")
	require.Equal(t, 1, rec.Reprises, "stuck somewhere else: counted from one")
	require.Nil(t, rec.AVerifierDepuis)
	require.Contains(t, rec.DerniereErreur, "enregistrer_commande")
}

// A repeat of a client's key while the saga waits for recovery answers
// 202 at once with the same saga: nobody drives it, there is nothing to wait for.
func TestIdempotency_ARepeatWhileTheSagaWaitsIs202AtOnce(t *testing.T) {
	b := newBench(t)
	b.fleet.Fault("POST /reservations/{cle}/confirmation", &fakes.Fault{Fail: 1 << 20})
	svc := b.engine(t, context.Background())
	d := saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 2, Quantite: 1}}}
	first, err := svc.Commande(context.Background(), "cle-1", d)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, first.Status)

	t0 := time.Now()
	again, err := svc.Commande(context.Background(), "cle-1", d)
	require.NoError(t, err)
	require.Less(t, time.Since(t0), b.cfg.Lease/2, "not held for a lease")
	require.Equal(t, http.StatusAccepted, again.Status)
	require.Equal(t, first.Reponse.SagaID, again.Reponse.SagaID)
	require.False(t, again.Reponse.Termine)
	require.Len(t, b.fleet.Paiements(), 1, "charged once")

	b.fleet.Fault("POST /reservations/{cle}/confirmation", nil)
	require.True(t, b.recoverOne(t))
	done, err := svc.Commande(context.Background(), "cle-1", d)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, done.Status, "once over, the repeat answers its final status")
	require.True(t, done.Reponse.Termine)
}
