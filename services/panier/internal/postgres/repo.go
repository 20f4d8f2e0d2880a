// Package postgres stores carts in the panier schema. Every replica reads and
// writes here only, so any replica answers any request.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/kit/idem"
	"multimagasins/panier/internal/panier"
)

// Repo reads and writes cart lines.
type Repo struct{ pool *pgxpool.Pool }

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func lire(ctx context.Context, q querier, clientID int64) (panier.Panier, error) {
	rows, err := q.Query(ctx,
		`SELECT produit_id, quantite, prix_unitaire FROM panier_lignes WHERE client_id = $1 ORDER BY produit_id`, clientID)
	if err != nil {
		return panier.Panier{}, fmt.Errorf("read panier %d: %w", clientID, err)
	}
	lignes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (panier.Ligne, error) {
		var l panier.Ligne
		err := row.Scan(&l.ProduitID, &l.Quantite, &l.PrixUnitaire)
		return l, err
	})
	if err != nil {
		return panier.Panier{}, fmt.Errorf("read panier %d: %w", clientID, err)
	}
	return panier.Nouveau(clientID, lignes), nil
}

// Panier returns the client's cart, empty when it has no lines.
func (r *Repo) Panier(ctx context.Context, clientID int64) (panier.Panier, error) {
	return lire(ctx, r.pool, clientID)
}

// Quantite returns one line's quantity, or panier.ErrLigneAbsente.
func (r *Repo) Quantite(ctx context.Context, clientID, produitID int64) (int, error) {
	var q int
	err := r.pool.QueryRow(ctx,
		`SELECT quantite FROM panier_lignes WHERE client_id = $1 AND produit_id = $2`, clientID, produitID).Scan(&q)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, panier.ErrLigneAbsente
	}
	if err != nil {
		return 0, fmt.Errorf("read ligne %d/%d: %w", clientID, produitID, err)
	}
	return q, nil
}

// The insert and the increment are one statement, and the ceiling is part of
// it: concurrent adds on two replicas serialize on the row, and the one that
// would overflow matches nothing instead of writing. xmax = 0 only on a row
// this statement created.
const ajouter = `
INSERT INTO panier_lignes AS l (client_id, produit_id, quantite, prix_unitaire)
SELECT $1::bigint, $2::bigint, $3::integer, $4::bigint
WHERE $3::integer <= $5::integer
ON CONFLICT (client_id, produit_id) DO UPDATE
   SET quantite = l.quantite + EXCLUDED.quantite,
       prix_unitaire = EXCLUDED.prix_unitaire,
       modifie_le = now()
 WHERE l.quantite + EXCLUDED.quantite <= $5::integer
RETURNING (xmax = 0)`

// Ajouter adds a.Quantite to the line unless it would pass plafond
// (panier.ErrPlafond), and returns the cart as this write left it. Under a
// key, the key and that answer are written in the same transaction: a
// refusal rolls both back and frees the key, and a twin request waits on
// the key's row, then replays what the first one stored.
func (r *Repo) Ajouter(ctx context.Context, a panier.Ajout, prix kit.Cents, plafond int, cle idem.Key) (res panier.Resultat, err error) {
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if cle.Key != "" {
			stored, err := idem.Claim(ctx, tx, cle)
			switch {
			case errors.Is(err, idem.ErrReused):
				return panier.ErrCleReutilisee
			case err != nil:
				return err
			case stored != nil:
				res, err = rejoue(stored)
				return err
			}
		}
		if err := tx.QueryRow(ctx, ajouter, a.ClientID, a.ProduitID, a.Quantite, prix, plafond).Scan(&res.Nouvelle); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return panier.ErrPlafond
			}
			return fmt.Errorf("add ligne %d/%d: %w", a.ClientID, a.ProduitID, err)
		}
		if res.Panier, err = lire(ctx, tx, a.ClientID); err != nil || cle.Key == "" {
			return err
		}
		status := http.StatusOK
		if res.Nouvelle {
			status = http.StatusCreated
		}
		return idem.Keep(ctx, tx, cle, status, res.Panier)
	})
	return res, err
}

// Rejouer returns the add stored under cle, nil when there is none.
func (r *Repo) Rejouer(ctx context.Context, cle idem.Key) (*panier.Resultat, error) {
	stored, err := idem.Replay(ctx, r.pool, cle)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case errors.Is(err, idem.ErrReused):
		return nil, panier.ErrCleReutilisee
	case err != nil:
		return nil, err
	}
	res, err := rejoue(stored)
	return &res, err
}

// rejoue reads back the answer an add was stored with: the cart, and 201
// when it made the line.
func rejoue(a *idem.Answer) (panier.Resultat, error) {
	res := panier.Resultat{Nouvelle: a.Status == http.StatusCreated, Rejoue: true}
	if err := json.Unmarshal(a.Body, &res.Panier); err != nil {
		return res, fmt.Errorf("decode stored answer: %w", err)
	}
	return res, nil
}

// Fixer sets an existing line's quantity and price.
func (r *Repo) Fixer(ctx context.Context, clientID, produitID int64, quantite int, prix kit.Cents) (p panier.Panier, err error) {
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE panier_lignes SET quantite = $3, prix_unitaire = $4, modifie_le = now()
			 WHERE client_id = $1 AND produit_id = $2`, clientID, produitID, quantite, prix)
		if err != nil {
			return fmt.Errorf("set ligne %d/%d: %w", clientID, produitID, err)
		}
		if tag.RowsAffected() == 0 {
			return panier.ErrLigneAbsente
		}
		p, err = lire(ctx, tx, clientID)
		return err
	})
	return p, err
}

// Retirer deletes one line.
func (r *Repo) Retirer(ctx context.Context, clientID, produitID int64) error {
	tag, err := r.pool.Exec(ctx, `DELETE FROM panier_lignes WHERE client_id = $1 AND produit_id = $2`, clientID, produitID)
	if err != nil {
		return fmt.Errorf("remove ligne %d/%d: %w", clientID, produitID, err)
	}
	if tag.RowsAffected() == 0 {
		return panier.ErrLigneAbsente
	}
	return nil
}

// Vider deletes every line of the client's cart.
func (r *Repo) Vider(ctx context.Context, clientID int64) error {
	if _, err := r.pool.Exec(ctx, `DELETE FROM panier_lignes WHERE client_id = $1`, clientID); err != nil {
		return fmt.Errorf("empty panier %d: %w", clientID, err)
	}
	return nil
}
