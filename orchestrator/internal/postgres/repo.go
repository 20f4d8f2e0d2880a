// Package postgres stores sagas and their step log in the orchestrator schema.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/saga"
)

// Repo reads and writes sagas.
type Repo struct{ pool *pgxpool.Pool }

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

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
	N          int // the step-log row of the pending call
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

// Call is a step-log row to open, before its call is sent.
type Call struct {
	Etape string
	Sens  string // action, compensation, sondage
}

// Outcome completes the step-log row N with what the participant answered.
type Outcome struct {
	N          int
	Statut     string // reussie, echouee, inconnue
	Tentatives int
	HTTPStatus int // 0: no answer (timeout, connection error)
	Reponse    []byte
	// OnlyIfSent leaves a row that already has an outcome as it is (recovery
	// marks as unknown the call a crashed driver left 'envoyee').
	OnlyIfSent bool
}

// Create inserts a new saga with its first step-log row, the call about to
// be made, in one transaction. With a client key already used it inserts
// nothing and returns false.
func (r *Repo) Create(ctx context.Context, rec *Record, first Call, owner uuid.UUID, lease time.Duration) (bool, error) {
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	st := rec.State
	tag, err := tx.Exec(ctx, `INSERT INTO sagas (id, type, statut, phase, pas, incertain, etape, motif, code_motif,
		http_status, cle_idempotence, empreinte, requete, donnees, commande_id, total, etats, n_etapes,
		lease_owner, lease_until, cree_le)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
		        now() + $20::interval, $21)
		ON CONFLICT (cle_idempotence) DO NOTHING`,
		rec.ID, rec.Type, st.Statut, st.Phase, st.Pas, st.Incertain, rec.Etape, st.Motif, st.Code, st.HTTP,
		rec.Cle, rec.Empreinte, rec.Requete, rec.Donnees, rec.CommandeID, int64(rec.Donnees.Total), etatsJSON(rec.Etats),
		rec.N, owner, lease, rec.CreeLe)
	if err != nil {
		return false, fmt.Errorf("insert saga: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO saga_etapes (saga_id, n, etape, sens, statut) VALUES ($1, $2, $3, $4, 'envoyee')`,
		rec.ID, rec.N, first.Etape, first.Sens); err != nil {
		return false, fmt.Errorf("insert first step: %w", err)
	}
	return true, tx.Commit(ctx)
}

// Write is one transaction of the engine: the outcome of the call just made,
// the saga's new state and, when another call follows, its step-log row.
type Write struct {
	Owner   uuid.UUID
	Lease   time.Duration
	Done    *Outcome
	Next    *Call
	Release bool // suspended: let the recovery worker take it at its next pass
}

// Advance applies w to rec, which already holds the new state. Only the
// holder of the lease may write; anyone else gets ErrLeaseLost.
func (r *Repo) Advance(ctx context.Context, rec *Record, w Write) error {
	tx, err := r.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	if d := w.Done; d != nil {
		var status *int
		if d.HTTPStatus != 0 {
			status = &d.HTTPStatus
		}
		reponse := d.Reponse
		if len(reponse) == 0 {
			reponse = nil
		}
		if _, err := tx.Exec(ctx, `UPDATE saga_etapes SET statut = $3, tentatives = $4, http_status = $5,
			reponse = $6, recue_le = now() WHERE saga_id = $1 AND n = $2 AND (NOT $7 OR statut = 'envoyee')`,
			rec.ID, d.N, d.Statut, d.Tentatives, status, reponse, d.OnlyIfSent); err != nil {
			return fmt.Errorf("complete step %d: %w", d.N, err)
		}
	}
	if w.Next != nil {
		rec.N++
		rec.Etape = w.Next.Etape
		if _, err := tx.Exec(ctx, `INSERT INTO saga_etapes (saga_id, n, etape, sens, statut) VALUES ($1, $2, $3, $4, 'envoyee')`,
			rec.ID, rec.N, w.Next.Etape, w.Next.Sens); err != nil {
			return fmt.Errorf("open step %d: %w", rec.N, err)
		}
	}
	st := rec.State
	tag, err := tx.Exec(ctx, `UPDATE sagas SET statut = $3, phase = $4, pas = $5, incertain = $6, etape = $7,
		motif = $8, code_motif = $9, http_status = $10, donnees = $11, total = $12, etats = $13, n_etapes = $14,
		modifie_le = now(),
		termine_le = CASE WHEN $4 = 'terminee' THEN now() END,
		lease_until = CASE WHEN $4 = 'terminee' THEN NULL WHEN $15 THEN now() ELSE now() + $16::interval END
		WHERE id = $1 AND lease_owner = $2`,
		rec.ID, w.Owner, st.Statut, st.Phase, st.Pas, st.Incertain, rec.Etape, st.Motif, st.Code, st.HTTP,
		rec.Donnees, int64(rec.Donnees.Total), etatsJSON(rec.Etats), rec.N, w.Release, w.Lease)
	if err != nil {
		return fmt.Errorf("update saga: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrLeaseLost
	}
	return tx.Commit(ctx)
}

// Claim takes up to limit unfinished sagas whose lease expired, for owner.
// SKIP LOCKED lets several orchestrators recover side by side without
// waiting on each other or taking the same saga twice.
func (r *Repo) Claim(ctx context.Context, owner uuid.UUID, lease time.Duration, limit int) ([]*Record, error) {
	rows, err := r.pool.Query(ctx, `UPDATE sagas SET lease_owner = $1, lease_until = now() + $2::interval
		WHERE id IN (SELECT id FROM sagas WHERE phase <> 'terminee' AND lease_until < now()
		             ORDER BY lease_until LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING `+recordColumns, owner, lease, limit)
	if err != nil {
		return nil, fmt.Errorf("claim sagas: %w", err)
	}
	return pgx.CollectRows(rows, scanRecord)
}

// ByKey returns the saga started under a client's Idempotency-Key.
func (r *Repo) ByKey(ctx context.Context, cle string) (*Record, error) {
	rows, err := r.pool.Query(ctx, `SELECT `+recordColumns+` FROM sagas WHERE cle_idempotence = $1`, cle)
	if err != nil {
		return nil, err
	}
	rec, err := pgx.CollectExactlyOneRow(rows, scanRecord)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, saga.ErrNotFound
	}
	return rec, err
}

// Record returns one saga as the engine sees it.
func (r *Repo) Record(ctx context.Context, id uuid.UUID) (*Record, error) {
	rows, err := r.pool.Query(ctx, `SELECT `+recordColumns+` FROM sagas WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	rec, err := pgx.CollectExactlyOneRow(rows, scanRecord)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, saga.ErrNotFound
	}
	return rec, err
}

const recordColumns = `id, type, commande_id, statut, phase, pas, incertain, etape, motif, code_motif, http_status,
	donnees, etats, n_etapes, cle_idempotence, empreinte, requete, cree_le`

func scanRecord(row pgx.CollectableRow) (*Record, error) {
	var rec Record
	st := &rec.State
	err := row.Scan(&rec.ID, &rec.Type, &rec.CommandeID, &st.Statut, &st.Phase, &st.Pas, &st.Incertain, &rec.Etape,
		&st.Motif, &st.Code, &st.HTTP, &rec.Donnees, &rec.Etats, &rec.N, &rec.Cle, &rec.Empreinte, &rec.Requete, &rec.CreeLe)
	return &rec, err
}

// etatsJSON stores the history with the instants the engine saw, so the answer
// it built in memory and the stored saga agree.
func etatsJSON(etats []saga.Etat) []byte {
	if etats == nil {
		etats = []saga.Etat{}
	}
	b, _ := json.Marshal(etats)
	return b
}

const columns = `id, type, commande_id, statut, motif, total, etats, phase, http_status, etape, cle_idempotence,
	cree_le, modifie_le`

func scan(row pgx.Row, extra ...any) (saga.Saga, error) {
	var s saga.Saga
	var total int64
	dest := append([]any{&s.SagaID, &s.Type, &s.CommandeID, &s.Statut, &s.Motif, &total, &s.Etapes, &s.Phase,
		&s.HTTPStatus, &s.Etape, &s.CleIdempotence, &s.CreeLe, &s.ModifieLe}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, saga.ErrNotFound
	}
	s.Total = kit.Cents(total)
	s.Termine = s.Phase == saga.Terminee
	if s.Etapes == nil {
		s.Etapes = []saga.Etat{}
	}
	return s, err
}

// Get returns one saga with its request and its step log, oldest call first.
func (r *Repo) Get(ctx context.Context, id uuid.UUID) (saga.Saga, error) {
	var requete []byte
	s, err := scan(r.pool.QueryRow(ctx, `SELECT `+columns+`, requete FROM sagas WHERE id = $1`, id), &requete)
	if err != nil {
		return s, err
	}
	s.Requete = requete
	rows, err := r.pool.Query(ctx, `SELECT n, etape, sens, statut, tentatives, http_status, reponse, envoyee_le, recue_le
		FROM saga_etapes WHERE saga_id = $1 ORDER BY n`, id)
	if err != nil {
		return s, fmt.Errorf("saga %s steps: %w", id, err)
	}
	s.Journal, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (saga.Appel, error) {
		var a saga.Appel
		var reponse []byte
		err := row.Scan(&a.N, &a.Etape, &a.Sens, &a.Statut, &a.Tentatives, &a.HTTPStatus, &reponse, &a.EnvoyeeLe, &a.RecueLe)
		a.Reponse = reponse
		return a, err
	})
	if s.Journal == nil {
		s.Journal = []saga.Appel{}
	}
	return s, err
}

// Filtre narrows a saga list; empty values do not filter.
type Filtre struct {
	Statut saga.Statut
	Type   string
}

// List returns a page of sagas, newest first.
func (r *Repo) List(ctx context.Context, f Filtre, limit, offset int) ([]saga.Saga, int64, error) {
	const where = ` WHERE ($1 = '' OR statut = $1) AND ($2 = '' OR type = $2)`
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM sagas`+where, string(f.Statut), f.Type).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sagas: %w", err)
	}
	rows, err := r.pool.Query(ctx,
		`SELECT `+columns+` FROM sagas`+where+` ORDER BY cree_le DESC, id LIMIT $3 OFFSET $4`,
		string(f.Statut), f.Type, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list sagas: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (saga.Saga, error) { return scan(row) })
	return list, total, err
}
