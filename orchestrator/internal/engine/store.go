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
	Etape      string
	Donnees    saga.Donnees
	Etats      []saga.Etat
	N          int          // step-log rows already stored
	Journal    []saga.Appel // step-log rows made since, written by the next Save
	Cle        *string
	Empreinte  string
	Requete    []byte
	CreeLe     time.Time
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
	Owner   uuid.UUID
	Lease   time.Duration
	Release bool // suspended: let the recovery worker take it at its next pass
}
