// Package postgres stores sagas and their step log in the orchestrator schema.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/orchestrator/internal/saga"
)

// Repo reads and writes sagas.
type Repo struct{ pool *pgxpool.Pool }

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

const columns = `id, type, statut, etape, cle_idempotence, commande_id, motif, cree_le, modifie_le`

func scan(row pgx.Row, extra ...any) (saga.Saga, error) {
	var s saga.Saga
	dest := append([]any{&s.ID, &s.Type, &s.Statut, &s.Etape, &s.CleIdempotence, &s.CommandeID,
		&s.Motif, &s.CreeLe, &s.ModifieLe}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, saga.ErrNotFound
	}
	return s, err
}

// Get returns one saga with its request and its step log, oldest step first.
func (r *Repo) Get(ctx context.Context, id uuid.UUID) (saga.Saga, error) {
	var requete []byte
	s, err := scan(r.pool.QueryRow(ctx, `SELECT `+columns+`, requete FROM sagas WHERE id = $1`, id), &requete)
	if err != nil {
		return s, err
	}
	s.Requete = requete
	rows, err := r.pool.Query(ctx,
		`SELECT n, etape, sens, statut, reponse, at FROM saga_etapes WHERE saga_id = $1 ORDER BY n`, id)
	if err != nil {
		return s, fmt.Errorf("saga %s steps: %w", id, err)
	}
	s.Etapes, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (saga.Etape, error) {
		var e saga.Etape
		var reponse []byte
		err := row.Scan(&e.N, &e.Etape, &e.Sens, &e.Statut, &reponse, &e.At)
		e.Reponse = reponse
		return e, err
	})
	if s.Etapes == nil {
		s.Etapes = []saga.Etape{}
	}
	return s, err
}

// List returns a page of sagas, newest first, in statut when it is not empty.
func (r *Repo) List(ctx context.Context, statut saga.Statut, limit, offset int) ([]saga.Saga, int64, error) {
	const where = ` WHERE ($1 = '' OR statut = $1)`
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM sagas`+where, string(statut)).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sagas: %w", err)
	}
	rows, err := r.pool.Query(ctx,
		`SELECT `+columns+` FROM sagas`+where+` ORDER BY cree_le DESC, id LIMIT $2 OFFSET $3`,
		string(statut), limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list sagas: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (saga.Saga, error) { return scan(row) })
	return list, total, err
}
