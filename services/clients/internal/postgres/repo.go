// Package postgres stores client accounts in the clients schema.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/clients/internal/clients"
	"multimagasins/kit"
	"multimagasins/kit/idem"
)

// Repo reads and writes clients.
type Repo struct{ pool *pgxpool.Pool }

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

const columns = `id, nom, email, telephone, adresse, cree_le, modifie_le`

func scan(row pgx.Row) (clients.Client, error) {
	var c clients.Client
	err := row.Scan(&c.ID, &c.Nom, &c.Email, &c.Telephone, &c.Adresse, &c.CreeLe, &c.ModifieLe)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, clients.ErrNotFound
	}
	return c, err
}

// Create inserts a client; a taken email (any case) is ErrEmailTaken.
func (r *Repo) Create(ctx context.Context, f clients.Fields) (clients.Client, error) {
	return insert(ctx, r.pool, f)
}

// CreateOnce is Create under an Idempotency-Key: the key, the account and
// the answer are written in one transaction, so a sign-up retried after its
// answer was lost gets the account it made, and a failure (a taken email)
// frees the key for a retry. replay is true when an earlier request with the
// same key and fields made the account; other fields are ErrCleReutilisee.
func (r *Repo) CreateOnce(ctx context.Context, k idem.Key, f clients.Fields) (c clients.Client, replay bool, err error) {
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		stored, err := idem.Claim(ctx, tx, k)
		switch {
		case errors.Is(err, idem.ErrReused):
			return clients.ErrCleReutilisee
		case err != nil:
			return err
		case stored != nil:
			replay = true
			if err := json.Unmarshal(stored.Body, &c); err != nil {
				return fmt.Errorf("decode stored answer for %s: %w", k.Key, err)
			}
			return nil
		}
		if c, err = insert(ctx, tx, f); err != nil {
			return err
		}
		return idem.Keep(ctx, tx, k, http.StatusCreated, c)
	})
	return c, replay, err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func insert(ctx context.Context, q querier, f clients.Fields) (clients.Client, error) {
	c, err := scan(q.QueryRow(ctx,
		`INSERT INTO clients (nom, email, telephone, adresse) VALUES ($1, $2, $3, $4) RETURNING `+columns,
		f.Nom, f.Email, f.Telephone, f.Adresse))
	return c, mapErr(err)
}

// Get returns one client.
func (r *Repo) Get(ctx context.Context, id int64) (clients.Client, error) {
	return scan(r.pool.QueryRow(ctx, `SELECT `+columns+` FROM clients WHERE id = $1`, id))
}

// List returns a page of clients whose name or email contains q (any case), by id.
func (r *Repo) List(ctx context.Context, q string, limit, offset int) ([]clients.Client, int64, error) {
	pattern := kit.ContainsPattern(q)
	const where = ` WHERE lower(nom) LIKE $1 OR lower(email) LIKE $1`
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM clients`+where, pattern).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count clients: %w", err)
	}
	rows, err := r.pool.Query(ctx, `SELECT `+columns+` FROM clients`+where+` ORDER BY id LIMIT $2 OFFSET $3`,
		pattern, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list clients: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (clients.Client, error) { return scan(row) })
	return list, total, err
}

// Update replaces the editable fields of a client.
func (r *Repo) Update(ctx context.Context, id int64, f clients.Fields) (clients.Client, error) {
	c, err := scan(r.pool.QueryRow(ctx,
		`UPDATE clients SET nom = $2, email = $3, telephone = $4, adresse = $5, modifie_le = now()
		 WHERE id = $1 RETURNING `+columns,
		id, f.Nom, f.Email, f.Telephone, f.Adresse))
	return c, mapErr(err)
}

// Delete removes a client; the guest account stays.
func (r *Repo) Delete(ctx context.Context, id int64) error {
	if id == clients.GuestID {
		return clients.ErrGuestProtected
	}
	tag, err := r.pool.Exec(ctx, `DELETE FROM clients WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete client %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return clients.ErrNotFound
	}
	return nil
}

func mapErr(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return clients.ErrEmailTaken
	}
	return err
}
