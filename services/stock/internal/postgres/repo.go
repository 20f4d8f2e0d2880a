// Package postgres stores the catalogue, stock levels, reservations and the
// ledger in the stock schema.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/stock/internal/stock"
)

// Repo reads and writes the stock schema.
type Repo struct{ pool *pgxpool.Pool }

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

// where builds a filter from optional conditions, always with parameters:
// one plan per filter shape instead of "$1 IS NULL OR …" that defeats indexes.
type where struct {
	conds []string
	args  []any
}

// add appends a condition in which every "?" stands for arg, the next parameter.
func (w *where) add(cond string, arg any) {
	w.args = append(w.args, arg)
	w.conds = append(w.conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(w.args))))
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// page appends LIMIT and OFFSET parameters and returns the clause.
func (w *where) page(limit, offset int) string {
	w.args = append(w.args, limit, offset)
	n := len(w.args)
	return fmt.Sprintf(" LIMIT $%d OFFSET $%d", n-1, n)
}

// --- Products ---

const produitColumns = `id, nom, categorie, prix, description, actif`

func scanProduit(row pgx.Row) (stock.Produit, error) {
	var p stock.Produit
	err := row.Scan(&p.ID, &p.Nom, &p.Categorie, &p.Prix, &p.Description, &p.Actif)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, stock.ErrProduitNotFound
	}
	return p, err
}

// ListProduits returns a page of products, by id, and the number matching.
// The count rides along as a window over the same scan, so the saga's price
// look-up (?ids=…) is one round trip; only a page past the end needs a
// second query to learn the total.
func (r *Repo) ListProduits(ctx context.Context, f stock.ProduitFilter, limit, offset int) ([]stock.Produit, int64, error) {
	var w where
	if len(f.IDs) > 0 {
		w.add(`id = ANY(?)`, f.IDs)
	}
	if f.Q != "" {
		w.add(`lower(nom) LIKE ?`, kit.ContainsPattern(f.Q))
	}
	if f.Categorie != "" {
		w.add(`lower(categorie) = ?`, strings.ToLower(strings.TrimSpace(f.Categorie)))
	}
	if f.Actif != nil {
		w.add(`actif = ?`, *f.Actif)
	}
	filter := w.String()
	countArgs := slices.Clone(w.args)
	sql := `SELECT ` + produitColumns + `, count(*) OVER () FROM produits` + filter + ` ORDER BY id` + w.page(limit, offset)
	rows, err := r.pool.Query(ctx, sql, w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list produits: %w", err)
	}
	var total int64
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (stock.Produit, error) {
		var p stock.Produit
		err := row.Scan(&p.ID, &p.Nom, &p.Categorie, &p.Prix, &p.Description, &p.Actif, &total)
		return p, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list produits: %w", err)
	}
	if len(list) == 0 && offset > 0 {
		if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM produits`+filter, countArgs...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count produits: %w", err)
		}
	}
	return list, total, nil
}

// GetProduit returns one product.
func (r *Repo) GetProduit(ctx context.Context, id int64) (stock.Produit, error) {
	return scanProduit(r.pool.QueryRow(ctx, `SELECT `+produitColumns+` FROM produits WHERE id = $1`, id))
}

// CreateProduit inserts a product with no stock anywhere.
func (r *Repo) CreateProduit(ctx context.Context, f stock.ProduitFields) (stock.Produit, error) {
	return scanProduit(r.pool.QueryRow(ctx,
		`INSERT INTO produits (nom, categorie, prix, description, actif) VALUES ($1, $2, $3, $4, $5)
		 RETURNING `+produitColumns,
		f.Nom, f.Categorie, f.Prix, f.Description, f.IsActif()))
}

// UpdateProduit replaces a product's fields.
func (r *Repo) UpdateProduit(ctx context.Context, id int64, f stock.ProduitFields) (stock.Produit, error) {
	return scanProduit(r.pool.QueryRow(ctx,
		`UPDATE produits SET nom = $2, categorie = $3, prix = $4, description = $5, actif = $6
		 WHERE id = $1 RETURNING `+produitColumns,
		id, f.Nom, f.Categorie, f.Prix, f.Description, f.IsActif()))
}

// --- Locations and levels ---

// ListMagasins returns the stores (not the centre), by id, and their number,
// counted by a window over the same scan: one round trip.
func (r *Repo) ListMagasins(ctx context.Context, limit, offset int) ([]stock.Emplacement, int64, error) {
	var total int64
	rows, err := r.pool.Query(ctx,
		`SELECT id, nom, adresse, type, count(*) OVER () FROM emplacements WHERE type = 'magasin'
		 ORDER BY id LIMIT $1 OFFSET $2`,
		limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list magasins: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (stock.Emplacement, error) {
		var e stock.Emplacement
		err := row.Scan(&e.ID, &e.Nom, &e.Adresse, &e.Type, &total)
		return e, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list magasins: %w", err)
	}
	if len(list) == 0 && offset > 0 {
		if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM emplacements WHERE type = 'magasin'`).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count magasins: %w", err)
		}
	}
	return list, total, nil
}

// GetEmplacement returns a store or the centre.
func (r *Repo) GetEmplacement(ctx context.Context, id int64) (stock.Emplacement, error) {
	return getEmplacement(ctx, r.pool, id)
}

func getEmplacement(ctx context.Context, q querier, id int64) (stock.Emplacement, error) {
	var e stock.Emplacement
	err := q.QueryRow(ctx, `SELECT id, nom, adresse, type FROM emplacements WHERE id = $1`, id).
		Scan(&e.ID, &e.Nom, &e.Adresse, &e.Type)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, stock.ErrEmplacementNotFound
	}
	return e, err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// seuilSQL is the threshold of the (s: seuils) row joined, the default when
// none is set. The default is a Go constant, so every query and the code agree.
var seuilSQL = `COALESCE(s.seuil, ` + strconv.FormatInt(stock.SeuilParDefaut, 10) + `)`

// ListNiveaux returns a page of the products held at a location, by product
// id, narrowed by f, each with its threshold (the default when none is set).
func (r *Repo) ListNiveaux(ctx context.Context, emplacementID int64, f stock.NiveauFilter, limit, offset int) ([]stock.Niveau, int64, error) {
	return r.niveaux(ctx, emplacementID, false, f, limit, offset)
}

// ListNiveauxMagasin is ListNiveaux for a store, or stock.ErrMagasinNotFound
// when id is no store (the centre is none).
func (r *Repo) ListNiveauxMagasin(ctx context.Context, magasinID int64, f stock.NiveauFilter, limit, offset int) ([]stock.Niveau, int64, error) {
	return r.niveaux(ctx, magasinID, true, f, limit, offset)
}

// niveaux reads the page and the number of rows matching in one scan (a
// window count), and with magasin the check that the location is a store,
// which PostgreSQL runs once for the whole query: one round trip where
// there were three. Only an empty page asks again, to count past the end or
// to tell an empty store from no store.
func (r *Repo) niveaux(ctx context.Context, emplacementID int64, magasin bool, f stock.NiveauFilter, limit, offset int) ([]stock.Niveau, int64, error) {
	var w where
	w.add(`n.emplacement_id = ?`, emplacementID)
	if magasin {
		w.add(`EXISTS (SELECT 1 FROM emplacements e WHERE e.id = ? AND e.type = '`+stock.TypeMagasin+`')`, emplacementID)
	}
	if f.Q != "" {
		w.add(`(lower(p.nom) LIKE ? OR lower(p.categorie) LIKE ?)`, kit.ContainsPattern(f.Q))
	}
	if f.Categorie != "" {
		w.add(`lower(p.categorie) = ?`, strings.ToLower(strings.TrimSpace(f.Categorie)))
	}
	switch f.Niveau {
	case stock.NiveauRupture:
		w.add(`n.quantite - n.reserve <= ?`, stock.SeuilRupture)
	case stock.NiveauSurplus:
		w.add(`n.quantite >= ?`, stock.SeuilSurplus)
	case stock.NiveauBas:
		w.conds = append(w.conds, `n.quantite - n.reserve < `+seuilSQL)
	}
	from := ` FROM niveaux n JOIN produits p ON p.id = n.produit_id
		LEFT JOIN seuils s ON s.emplacement_id = n.emplacement_id AND s.produit_id = n.produit_id` + w.String()
	countArgs := slices.Clone(w.args)
	sql := `SELECT p.id, p.nom, p.categorie, n.quantite, n.reserve, n.quantite - n.reserve, ` + seuilSQL +
		`, count(*) OVER ()` + from + ` ORDER BY p.id` + w.page(limit, offset)
	rows, err := r.pool.Query(ctx, sql, w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list niveaux: %w", err)
	}
	var total int64
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (stock.Niveau, error) {
		var n stock.Niveau
		err := row.Scan(&n.ProduitID, &n.Nom, &n.Categorie, &n.Quantite, &n.Reserve, &n.Disponible, &n.Seuil, &total)
		return n, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list niveaux: %w", err)
	}
	if len(list) > 0 {
		return list, total, nil
	}
	if magasin {
		e, err := getEmplacement(ctx, r.pool, emplacementID)
		if errors.Is(err, stock.ErrEmplacementNotFound) || err == nil && e.Type != stock.TypeMagasin {
			return nil, 0, stock.ErrMagasinNotFound
		}
		if err != nil {
			return nil, 0, fmt.Errorf("magasin %d: %w", emplacementID, err)
		}
	}
	if offset > 0 {
		if err := r.pool.QueryRow(ctx, `SELECT count(*)`+from, countArgs...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count niveaux: %w", err)
		}
	}
	return list, total, nil
}

// --- Ledger ---

// ListMouvements returns a page of ledger rows, newest first.
func (r *Repo) ListMouvements(ctx context.Context, f stock.MouvementFilter, limit, offset int) ([]stock.Mouvement, int64, error) {
	var w where
	if f.EmplacementID != 0 {
		w.add(`emplacement_id = ?`, f.EmplacementID)
	}
	if f.ProduitID != 0 {
		w.add(`produit_id = ?`, f.ProduitID)
	}
	if f.Type != "" {
		w.add(`type = ?`, f.Type)
	}
	if f.Reference != "" {
		w.add(`reference = ?`, f.Reference)
	}
	if !f.Depuis.IsZero() {
		w.add(`at >= ?`, f.Depuis)
	}
	if !f.JusquA.IsZero() {
		w.add(`at < ?`, f.JusquA)
	}
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM mouvements`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count mouvements: %w", err)
	}
	sql := `SELECT ` + mouvementColumns + ` FROM mouvements` + w.String() +
		` ORDER BY id DESC` + w.page(limit, offset)
	rows, err := r.pool.Query(ctx, sql, w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list mouvements: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanMouvement)
	return list, total, err
}

const mouvementColumns = `id, emplacement_id, produit_id, type, quantite, reference, acteur, motif, at`

func scanMouvement(row pgx.CollectableRow) (stock.Mouvement, error) {
	var m stock.Mouvement
	err := row.Scan(&m.ID, &m.EmplacementID, &m.ProduitID, &m.Type, &m.Quantite, &m.Reference, &m.Acteur, &m.Motif, &m.At)
	return m, err
}

// mvt is who and why of the ledger rows a writer adds.
type mvt struct {
	typ, reference, acteur, motif string
}

// insertMouvements writes one ledger row per line in a single statement.
func insertMouvements(ctx context.Context, tx pgx.Tx, emplacementID int64, m mvt, lignes []stock.Ligne) error {
	q := mouvementsQuery(emplacementID, m, lignes)
	if _, err := tx.Exec(ctx, q.SQL, q.Arguments...); err != nil {
		return fmt.Errorf("ledger %s: %w", m.typ, err)
	}
	return nil
}

// mouvementsQuery is insertMouvements as a statement, to send in a batch.
func mouvementsQuery(emplacementID int64, m mvt, lignes []stock.Ligne) pgx.QueuedQuery {
	ids := make([]int64, len(lignes))
	qs := make([]int64, len(lignes))
	for i, l := range lignes {
		ids[i], qs[i] = l.ProduitID, l.Quantite
	}
	return pgx.QueuedQuery{SQL: `INSERT INTO mouvements (emplacement_id, produit_id, type, quantite, reference, acteur, motif)
		 SELECT $1, p, $2, q, $3, $6, $7 FROM unnest($4::bigint[], $5::bigint[]) AS l(p, q)`,
		Arguments: []any{emplacementID, m.typ, m.reference, ids, qs, m.acteur, m.motif}}
}
