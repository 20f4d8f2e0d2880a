package engine

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"multimagasins/orchestrator/internal/saga"
)

// Store is what the engine needs from storage; package postgres implements it.
type Store interface {
	// Create inserts a new saga, leased to owner. With a client key already
	// used it inserts nothing and returns false.
	Create(ctx context.Context, rec *Record, owner uuid.UUID, lease time.Duration) (bool, error)
	// Save writes rec's state, its history and the step-log rows not yet
	// written (rec.Journal), in one transaction, and renews or releases the
	// lease. Only the holder of the lease may write; anyone else gets ErrLeaseLost.
	Save(ctx context.Context, rec *Record, w Write) error
	// Claim takes up to limit unfinished sagas whose lease expired, for owner.
	Claim(ctx context.Context, owner uuid.UUID, lease time.Duration, limit int) ([]*Record, error)
	// ByKey returns the saga started under a client's Idempotency-Key (saga.ErrNotFound).
	ByKey(ctx context.Context, cle string) (*Record, error)
	// Record returns one saga as the engine drives it (saga.ErrNotFound).
	Record(ctx context.Context, id uuid.UUID) (*Record, error)
	// AVerifier counts the unfinished sagas à vérifier, by type.
	AVerifier(ctx context.Context) (map[string]int, error)
}

// ErrLeaseLost is a write by a driver whose lease another driver took over
// (a live request slower than its lease, picked up by recovery): it must stop.
var ErrLeaseLost = errors.New("saga lease lost to another driver")

// Record is a saga as the engine drives it.
type Record struct {
	ID         uuid.UUID
	Type       string
	CommandeID *uuid.UUID
	State      saga.State
	Etape      string // the step whose call is pending (saga.EnAttente); the last one once terminee
	// EtapeAtteinte is the furthest step whose action was called, kept
	// apart from Etape so a saga compensating still says how far it went.
	EtapeAtteinte string
	Donnees       saga.Donnees
	Etats         []saga.Etat
	N             int          // step-log rows already stored
	Journal       []saga.Appel // step-log rows made since, written by the next Save
	Cle           *string
	Empreinte     string
	Requete       []byte
	CreeLe        time.Time
	// What recovery keeps about a saga it could not finish (saga.Reprise).
	Reprises        int
	AVerifierDepuis *time.Time // set while the saga is à vérifier
	DerniereErreur  string     // the last error a call met
	// Read only: whether a driver (a live request or the recovery worker)
	// holds the saga's lease now, and when recovery may take it next.
	Pilotee          bool
	ProchaineReprise time.Time
}

// suivi is what the pure retry policy needs of rec.
func (r *Record) suivi() saga.Suivi {
	return saga.Suivi{Tentatives: r.Reprises, AVerifier: r.AVerifierDepuis != nil}
}

// Reponse is the answer the saga gives in its current state.
func (r *Record) Reponse() saga.Reponse {
	etats := r.Etats
	if etats == nil {
		etats = []saga.Etat{}
	}
	return saga.Reponse{SagaID: r.ID, Type: r.Type, CommandeID: r.CommandeID, Statut: r.State.Statut,
		Motif: r.State.Motif, Total: r.Donnees.Total, Etapes: etats, Termine: r.State.Phase == saga.Terminee}
}

// Write says how a Save treats the lease.
type Write struct {
	Owner uuid.UUID
	Lease time.Duration
	// Release: the saga waits for recovery. The driver lets go of it, and
	// the worker may take it once Retard has passed (0: at its next pass).
	Release bool
	Retard  time.Duration
}
