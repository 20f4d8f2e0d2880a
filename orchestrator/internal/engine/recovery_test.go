package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
	"multimagasins/orchestrator/internal/engine"
	"multimagasins/orchestrator/internal/fakes"
	"multimagasins/orchestrator/internal/postgres"
	"multimagasins/orchestrator/internal/saga"
	"multimagasins/orchestrator/internal/sagas"
	"multimagasins/orchestrator/migrations"
)

type bench struct {
	pool     *pgxpool.Pool
	repo     *postgres.Repo
	fleet    *fakes.Fleet
	identite *identite
	cfg      engine.Config
	reg      *prometheus.Registry
	eng      *engine.Engine // the last one made
}

// identite is the orchestrator's token source with switches: while it is
// down, no service token can be had, as when identite does not answer; while
// refused, the token is one the participants do not accept (401).
type identite struct {
	tokens  oauth2.TokenSource
	down    atomic.Bool
	refused atomic.Bool
}

func (i *identite) Token() (*oauth2.Token, error) {
	if i.down.Load() {
		return nil, errors.New("identite: connection refused")
	}
	if i.refused.Load() {
		return &oauth2.Token{AccessToken: "not.a.token"}, nil
	}
	return i.tokens.Token()
}

func newBench(t *testing.T) *bench {
	t.Helper()
	dbURL := kittest.DB(t, "orchestrator", migrations.FS)
	pool, err := kit.OpenDB(context.Background(), kit.Config{Service: "orchestrator", DatabaseURL: dbURL, DBMaxConns: 4},
		"orchestrator", migrations.FS, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	cfg := engine.Config{StepTimeout: 250 * time.Millisecond, Lease: 5 * time.Second, MaxTries: 4, MaxElapsed: time.Second,
		FirstBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, RecoveryInterval: time.Hour, RecoveryBatch: 8,
		AVerifierApres: 3, RepriseMax: 4 * time.Hour}
	return &bench{pool: pool, repo: postgres.NewRepo(pool), fleet: fakes.New(t), identite: &identite{tokens: fakes.Tokens(t)}, cfg: cfg}
}

// engine is one orchestrator process; cancelling life is its crash.
func (b *bench) engine(t *testing.T, life context.Context) *sagas.Service {
	t.Helper()
	u := b.fleet.URL
	p := sagas.New(sagas.URLs{Stock: u, Commande: u, Paiement: u, Panier: u, Clients: u}, time.Second, b.identite)
	b.reg = prometheus.NewRegistry()
	e, err := engine.New(life, b.repo, p.Definitions(), b.cfg, slog.New(slog.DiscardHandler), b.reg)
	require.NoError(t, err)
	b.eng = e
	return sagas.NewService(e, p)
}

// crashAt runs a checkout on a process that dies when route is called: the
// request is dropped unanswered and nothing more is written. It returns the
// saga, left with a lease that the test then lets expire.
func (b *bench) crashAt(t *testing.T, route string) *engine.Record {
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
	a, err := b.engine(t, life).Commande(context.Background(), "", saga.DemandeCommande{
		Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 2}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, a.Status)
	require.False(t, a.Reponse.Termine)

	// Time passes: the dead process's lease runs out.
	_, err = b.pool.Exec(context.Background(), `UPDATE sagas SET lease_until = now() - interval '1 second' WHERE id = $1`,
		a.Reponse.SagaID)
	require.NoError(t, err)
	rec, err := b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	return rec
}

func (b *bench) recover(t *testing.T) *engine.Engine {
	t.Helper()
	b.engine(t, context.Background())
	e := b.eng
	n, err := e.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = e.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 0, n, "a finished saga is not taken again")
	return e
}

// recoveries is saga_recoveries_total{etape} on the last engine made.
func (b *bench) recoveries(t *testing.T, etape string) float64 {
	t.Helper()
	mfs, err := b.reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != "saga_recoveries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "etape" && l.GetValue() == etape {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func journal(t *testing.T, b *bench, id uuid.UUID) []string {
	t.Helper()
	s, err := b.repo.Get(context.Background(), id)
	require.NoError(t, err)
	var log []string
	for _, a := range s.Journal {
		log = append(log, a.Sens+" "+a.Etape+" "+a.Statut)
	}
	return log
}

func TestRecover_CompensatesASagaWhosePaymentNeverHappened(t *testing.T) {
	b := newBench(t)
	left := b.crashAt(t, "POST /paiements")
	// Only the start was written: recovery knows the saga may be anywhere.
	require.Equal(t, saga.Creee, left.State.Statut)
	require.Equal(t, "reserver_stock", left.Etape)
	require.Equal(t, 48, b.fleet.Disponible(6, 1))

	b.recover(t)

	rec, err := b.repo.Record(context.Background(), left.ID)
	require.NoError(t, err)
	require.Equal(t, saga.Annulee, rec.State.Statut)
	require.Equal(t, http.StatusServiceUnavailable, rec.State.HTTP)
	require.Empty(t, b.fleet.Paiements(), "the charge never happened: paiement was asked by key, not charged")
	require.Equal(t, "liberee", b.fleet.Reservation(left.ID.String()+":reserver_stock"))
	require.Equal(t, 50, b.fleet.Disponible(6, 1))
	statut, historique := b.fleet.Commande(*rec.CommandeID)
	require.Equal(t, "ANNULEE", statut)
	require.Equal(t, []string{"CREEE", "ANNULEE"}, historique)
	require.InDelta(t, 1, b.recoveries(t, "reserver_stock"), 0)
	// The crashed driver's calls died with it; the log holds what recovery did.
	require.Equal(t, []string{"sondage payer reussie", "compensation reserver_stock reussie",
		"action enregistrer_commande reussie"}, journal(t, b, left.ID))
}

func TestRecover_FinishesForwardASagaWhosePaymentHappened(t *testing.T) {
	b := newBench(t)
	left := b.crashAt(t, "POST /reservations/{cle}/confirmation")

	b.recover(t)

	rec, err := b.repo.Record(context.Background(), left.ID)
	require.NoError(t, err)
	require.Equal(t, saga.Confirmee, rec.State.Statut)
	require.Equal(t, http.StatusCreated, rec.State.HTTP)
	require.Len(t, b.fleet.Paiements(), 1, "the charge was replayed under its key, not made again")
	require.Equal(t, "confirmee", b.fleet.Reservation(left.ID.String()+":reserver_stock"))
	statut, historique := b.fleet.Commande(*rec.CommandeID)
	require.Equal(t, "CONFIRMEE", statut)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, historique,
		"the same history as a run without a crash")
	var etats []saga.Statut
	for _, e := range rec.Etats {
		etats = append(etats, e.Etat)
	}
	require.Equal(t, []saga.Statut{saga.Creee, saga.StockVerifie, saga.StockReserve, saga.Payee, saga.Confirmee}, etats)
}

func TestRecover_AfterThePivotWaitsForTheParticipantThenFinishes(t *testing.T) {
	b := newBench(t)
	down := &fakes.Fault{Fail: 1 << 20}
	b.fleet.Fault("POST /reservations/{cle}/confirmation", down)
	svc := b.engine(t, context.Background())
	e := b.eng
	a, err := svc.Commande(context.Background(), "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 2, Quantite: 1}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, a.Status, "left for recovery after the pivot")
	require.Equal(t, saga.Payee, a.Reponse.Statut)
	statut, _ := b.fleet.Commande(*a.Reponse.CommandeID)
	require.Empty(t, statut, "commande shows no state the saga has not finished with")

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
	statut, historique := b.fleet.Commande(*a.Reponse.CommandeID)
	require.Equal(t, "CONFIRMEE", statut)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, historique)
}

func TestRecover_LeavesALiveSagaAlone(t *testing.T) {
	b := newBench(t)
	rec := &engine.Record{ID: uuid.New(), Type: saga.TypeCommande, Etape: "reserver_stock",
		Requete: []byte(`{}`), Empreinte: "x", CreeLe: time.Now(), State: saga.State{Phase: saga.EnCours, Statut: saga.Creee}}
	created, err := b.repo.Create(context.Background(), rec, uuid.New(), time.Minute)
	require.NoError(t, err)
	require.True(t, created)
	b.engine(t, context.Background())
	n, err := b.eng.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 0, n, "its lease still runs")
}

// identiteDownAt makes identite stop answering as route is called: that call
// got its token and goes through, the next ones cannot get one.
func (b *bench) identiteDownAt(route string) {
	b.fleet.Fault(route, &fakes.Fault{Hook: func() bool {
		b.identite.down.Store(true)
		return false
	}})
}

// sent counts the calls of route the fleet let in.
func (b *bench) sent(route string) int {
	n := 0
	for _, c := range b.fleet.Calls() {
		if c.Route == route && c.Refusee == 0 {
			n++
		}
	}
	return n
}

func TestTokens_IdentiteDownAtThePivotLeavesTheSagaWaitingNotRefused(t *testing.T) {
	b := newBench(t)
	b.identiteDownAt("POST /reservations")
	svc := b.engine(t, context.Background())
	a, err := svc.Commande(context.Background(), "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 2}}})
	require.NoError(t, err)
	// No token, so no charge was sent: that is no answer, not paiement's refusal
	// (which would have cancelled the saga at once, 402).
	require.Equal(t, http.StatusAccepted, a.Status)
	require.False(t, a.Reponse.Termine)
	require.Equal(t, saga.StockReserve, a.Reponse.Statut)
	require.Zero(t, b.sent("POST /paiements"), "nothing was sent without a token")
	require.Equal(t, "active", b.fleet.Reservation(a.Reponse.SagaID.String()+":reserver_stock"))

	// Still down: recovery cannot even ask paiement, and waits.
	n, err := b.eng.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	rec, err := b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.NotEqual(t, saga.Terminee, rec.State.Phase)
	require.Equal(t, 48, b.fleet.Disponible(6, 1), "the reservation is kept while the saga waits")

	// identite is back: the probe finds no charge, so the reservation is released.
	b.identite.down.Store(false)
	n, err = b.eng.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	rec, err = b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Equal(t, saga.Terminee, rec.State.Phase)
	require.Equal(t, saga.Annulee, rec.State.Statut)
	require.Empty(t, b.fleet.Paiements())
	require.Equal(t, 50, b.fleet.Disponible(6, 1), "nothing lost: every unit is back")
	statut, historique := b.fleet.Commande(*rec.CommandeID)
	require.Equal(t, "ANNULEE", statut)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "ANNULEE"}, historique)
}

func TestTokens_IdentiteDownBeforeThePivotCompensatesOnceItIsBack(t *testing.T) {
	b := newBench(t)
	// The catalogue read got its token; the reservation cannot.
	b.identiteDownAt("GET /produits")
	svc := b.engine(t, context.Background())
	a, err := svc.Commande(context.Background(), "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 2}}})
	require.NoError(t, err)
	// Its outcome unknown, the reservation is undone, which needs a token too:
	// the saga waits in compensation.
	require.Equal(t, http.StatusAccepted, a.Status)
	require.False(t, a.Reponse.Termine)
	require.Zero(t, b.sent("POST /reservations"))
	rec, err := b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Equal(t, saga.Compensation, rec.State.Phase)

	b.identite.down.Store(false)
	n, err := b.eng.Recover(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	rec, err = b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Equal(t, saga.Annulee, rec.State.Statut)
	require.Equal(t, saga.Terminee, rec.State.Phase)
	require.Equal(t, "tombe", b.fleet.Reservation(a.Reponse.SagaID.String()+":reserver_stock"),
		"the release came first and left a tombstone: a late reservation would reserve nothing")
	require.Equal(t, 50, b.fleet.Disponible(6, 1))
	statut, _ := b.fleet.Commande(*rec.CommandeID)
	require.Equal(t, "ANNULEE", statut)
}

func TestTokens_IdentiteDownAfterThePivotFinishesForwardOnceItIsBack(t *testing.T) {
	b := newBench(t)
	b.identiteDownAt("POST /paiements")
	svc := b.engine(t, context.Background())
	a, err := svc.Commande(context.Background(), "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 2}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, a.Status)
	require.Equal(t, saga.Payee, a.Reponse.Statut)

	b.identite.down.Store(false)
	_, err = b.eng.Recover(context.Background())
	require.NoError(t, err)
	rec, err := b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Equal(t, saga.Confirmee, rec.State.Statut)
	require.Len(t, b.fleet.Paiements(), 1, "charged once")
	require.Equal(t, "confirmee", b.fleet.Reservation(a.Reponse.SagaID.String()+":reserver_stock"))
}

func TestTokens_AParticipantRefusingTheTokenIsNoAnswer(t *testing.T) {
	b := newBench(t)
	// A participant that cannot check the token (identite's keys not fetched
	// yet, a key rotated) answers 401 before reading anything: the saga must
	// not take it for paiement's refusal of the charge.
	b.fleet.Fault("POST /reservations", &fakes.Fault{Hook: func() bool {
		b.identite.refused.Store(true)
		return false
	}})
	svc := b.engine(t, context.Background())
	a, err := svc.Commande(context.Background(), "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 1}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, a.Status, "waits for recovery (202), not a 402")
	require.False(t, a.Reponse.Termine)
	require.Equal(t, saga.StockReserve, a.Reponse.Statut)
	require.Empty(t, b.fleet.Paiements())
	refused := 0
	for _, c := range b.fleet.Calls() {
		if c.Route == "POST /paiements" {
			require.Equal(t, http.StatusUnauthorized, c.Refusee)
			refused++
		}
	}
	require.GreaterOrEqual(t, refused, 2, "retried as no answer, not taken as a refusal")

	b.identite.refused.Store(false)
	_, err = b.eng.Recover(context.Background())
	require.NoError(t, err)
	rec, err := b.repo.Record(context.Background(), a.Reponse.SagaID)
	require.NoError(t, err)
	require.Equal(t, saga.Annulee, rec.State.Statut)
	require.Equal(t, 50, b.fleet.Disponible(6, 1))
}

func TestTokens_NoTokenBeforeTheSagaCreatesNothing(t *testing.T) {
	b := newBench(t)
	b.identite.down.Store(true)
	svc := b.engine(t, context.Background())
	_, err := svc.Commande(context.Background(), "", saga.DemandeCommande{Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 1}}})
	var unavailable *saga.UnavailableError
	require.ErrorAs(t, err, &unavailable, "the catalogue could not be read: 503, nothing created")
	require.Empty(t, b.fleet.Calls())
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM sagas`).Scan(&n))
	require.Zero(t, n)
}
