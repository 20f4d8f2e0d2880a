package engine

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
	"multimagasins/orchestrator/internal/fakes"
	"multimagasins/orchestrator/internal/participants"
	"multimagasins/orchestrator/internal/postgres"
	"multimagasins/orchestrator/internal/saga"
	"multimagasins/orchestrator/migrations"
)

type bench struct {
	pool  *pgxpool.Pool
	repo  *postgres.Repo
	fleet *fakes.Fleet
	cfg   Config
}

func newBench(t *testing.T) *bench {
	t.Helper()
	dbURL := kittest.DB(t, "orchestrator", migrations.FS)
	pool, err := kit.OpenDB(context.Background(), kit.Config{Service: "orchestrator", DatabaseURL: dbURL, DBMaxConns: 4},
		"orchestrator", migrations.FS, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	cfg := Config{StepTimeout: 250 * time.Millisecond, Lease: 5 * time.Second, MaxTries: 4, MaxElapsed: time.Second,
		FirstBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, RecoveryInterval: time.Hour, RecoveryBatch: 8}
	return &bench{pool: pool, repo: postgres.NewRepo(pool), fleet: fakes.New(t), cfg: cfg}
}

// engine is one orchestrator process; cancelling life is its crash.
func (b *bench) engine(life context.Context) *Engine {
	u := b.fleet.URL
	p := participants.New(participants.URLs{Stock: u, Commande: u, Paiement: u, Panier: u, Clients: u}, time.Second)
	return New(life, b.repo, p, b.cfg, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
}

// crashAt runs a checkout on a process that dies when route is called: the
// request is dropped unanswered and nothing more is written. It returns the
// saga, left with a lease that the test then lets expire.
func (b *bench) crashAt(t *testing.T, route string) *postgres.Record {
	t.Helper()
	life, crash := context.WithCancel(context.Background())
	var once atomic.Bool
	b.fleet.Fault(route, &fakes.Fault{Hook: func() bool {
		if once.CompareAndSwap(false, true) {
			crash()
			return true
		}
		return false
	}})
	a, err := b.engine(life).Commande(context.Background(), "", saga.DemandeCommande{
		Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 2}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, a.Status)
	require.False(t, a.Reponse.Termine)

	// Time passes: the dead process's lease runs out.
	_, err = b.pool.Exec(context.Background(), `UPDATE sagas SET lease_until = now() - interval '1 second' WHERE id = $1`,
		a.Reponse.SagaID)
	require.NoError(t, err)
	rec, err := b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	return rec
}

func (b *bench) recover(t *testing.T) *Engine {
	t.Helper()
	e := b.engine(context.Background())
	n, err := e.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = e.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 0, n, "a finished saga is not taken again")
	return e
}

func TestRecover_CompensatesASagaLeftAfterReserverStock(t *testing.T) {
	b := newBench(t)
	left := b.crashAt(t, "POST /paiements")
	require.Equal(t, saga.StockReserve, left.State.Statut)
	require.Equal(t, "payer", left.Etape)
	require.Equal(t, 48, b.fleet.Disponible(6, 1))

	e := b.recover(t)

	rec, err := b.repo.Record(context.Background(), left.ID)
	require.NoError(t, err)
	require.Equal(t, saga.Annulee, rec.State.Statut)
	require.Equal(t, http.StatusServiceUnavailable, rec.State.HTTP)
	require.Empty(t, b.fleet.Paiements(), "the charge never happened: paiement was asked by key, not charged")
	require.Equal(t, "liberee", b.fleet.Reservation(left.ID.String()+":reserver_stock"))
	require.Equal(t, 50, b.fleet.Disponible(6, 1))
	statut, _ := b.fleet.Commande(*rec.CommandeID)
	require.Equal(t, "ANNULEE", statut)
	require.InDelta(t, 1, testutil.ToFloat64(e.metrics.recoveries.WithLabelValues("payer")), 0)

	s, err := b.repo.Get(context.Background(), left.ID)
	require.NoError(t, err)
	var log []string
	for _, a := range s.Journal {
		log = append(log, a.Sens+" "+a.Etape+" "+a.Statut)
	}
	require.Equal(t, []string{"action creer_commande reussie", "action verifier_stock reussie",
		"action reserver_stock reussie", "action payer inconnue", "sondage payer reussie",
		"compensation reserver_stock reussie", "compensation creer_commande reussie"}, log)
}

func TestRecover_FinishesForwardASagaLeftAfterPayer(t *testing.T) {
	b := newBench(t)
	left := b.crashAt(t, "POST /reservations/{cle}/confirmation")
	require.Equal(t, saga.Payee, left.State.Statut)

	b.recover(t)

	rec, err := b.repo.Record(context.Background(), left.ID)
	require.NoError(t, err)
	require.Equal(t, saga.Confirmee, rec.State.Statut)
	require.Equal(t, http.StatusCreated, rec.State.HTTP)
	require.Len(t, b.fleet.Paiements(), 1)
	require.Equal(t, "confirmee", b.fleet.Reservation(left.ID.String()+":reserver_stock"))
	statut, _ := b.fleet.Commande(*rec.CommandeID)
	require.Equal(t, "CONFIRMEE", statut)
}

func TestRecover_AfterThePivotWaitsForTheParticipantThenFinishes(t *testing.T) {
	b := newBench(t)
	b.fleet.Fault("POST /commande/{id}/transitions", nil)
	down := &fakes.Fault{Fail: 1 << 20}
	b.fleet.Fault("POST /reservations/{cle}/confirmation", down)
	e := b.engine(context.Background())
	a, err := e.Commande(context.Background(), "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 2, Quantite: 1}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusServiceUnavailable, a.Status, "left for recovery after the pivot")
	require.Equal(t, saga.Payee, a.Reponse.Statut)

	// Still down: the worker tries, fails, and leaves it for the next pass.
	n, err := e.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)

	b.fleet.Fault("POST /reservations/{cle}/confirmation", nil) // stock is back
	n, err = e.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	rec, err := b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Equal(t, saga.Confirmee, rec.State.Statut)
	require.Equal(t, saga.Terminee, rec.State.Phase)
}

func TestRecover_LeavesALiveSagaAlone(t *testing.T) {
	b := newBench(t)
	rec := &postgres.Record{ID: uuid.New(), Type: saga.TypeCommande, Etape: "creer_commande", N: 1,
		Requete: []byte(`{}`), Empreinte: "x", CreeLe: time.Now(), State: saga.State{Phase: saga.EnCours, Statut: saga.Creee}}
	created, err := b.repo.Create(context.Background(), rec, postgres.Call{Etape: "creer_commande", Sens: "action"},
		uuid.New(), time.Minute)
	require.NoError(t, err)
	require.True(t, created)
	n, err := b.engine(context.Background()).Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 0, n, "its lease still runs")
}
