// Package postgres stores orders, their lines and history in the commande schema.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/commande/internal/commande"
	"multimagasins/kit"
	"multimagasins/kit/idem"
)

// Repo reads and writes orders.
type Repo struct{ pool *pgxpool.Pool }

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

// db is what both the pool and a transaction offer.
type db interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Create stores a new order in CREEE with its lines and first history row,
// and the Idempotency-Key (when cle is not empty) with the answer, in one
// transaction. replay is true when an earlier identical request made it.
func (r *Repo) Create(ctx context.Context, cle string, d commande.Demande) (c commande.Commande, replay bool, err error) {
	contenu := d.Empreinte()
	id := uuid.New()
	idPart := ""
	if d.ID != nil {
		id, idPart = *d.ID, d.ID.String()
	}
	k := key(cle, "creer|"+idPart+"|"+contenu)
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if cle != "" {
			found, err := claim(ctx, tx, k, &c)
			if err != nil || found {
				replay = found
				return err
			}
		}
		created, err := insertCommande(ctx, tx, id, d, contenu)
		if err != nil {
			return err
		}
		if !created {
			// The caller chose this id before: the same order is a retry, anything else a clash.
			var existing string
			if err := tx.QueryRow(ctx, `SELECT empreinte FROM commandes WHERE id = $1`, id).Scan(&existing); err != nil {
				return fmt.Errorf("read commande %s: %w", id, err)
			}
			if existing != contenu {
				return commande.ErrIDPris
			}
			replay = true
			if c, err = asCreated(ctx, tx, id); err != nil {
				return err
			}
		} else if c, err = get(ctx, tx, id); err != nil {
			return err
		}
		if cle != "" {
			return idem.Keep(ctx, tx, k, http.StatusCreated, c)
		}
		return nil
	})
	return c, replay, err
}

// Transition moves an order to vers, checked against the state machine on
// the locked row, writes its history row and stores cle with the answer, in
// one transaction. A repeat of cle replays the first answer.
func (r *Repo) Transition(ctx context.Context, id uuid.UUID, cle string, vers commande.Statut, motif string) (c commande.Commande, replay bool, err error) {
	k := key(cle, "transition|"+id.String()+"|"+string(vers)+"|"+motif)
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		found, err := claim(ctx, tx, k, &c)
		if err != nil || found {
			replay = found
			return err
		}
		var de commande.Statut
		err = tx.QueryRow(ctx, `SELECT statut FROM commandes WHERE id = $1 FOR UPDATE`, id).Scan(&de)
		if errors.Is(err, pgx.ErrNoRows) {
			return commande.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("lock commande %s: %w", id, err)
		}
		if err := commande.Transition(de, vers, motif); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx,
			`WITH u AS (UPDATE commandes SET statut = $2, modifie_le = now() WHERE id = $1 RETURNING id, cree_le),
			 -- A sale's lines join the reports when it is confirmed (see 0003_rapports.sql).
			 l AS (UPDATE commande_lignes SET vente_le = u.cree_le FROM u
			       WHERE commande_id = u.id AND $2 = 'CONFIRMEE')
			 INSERT INTO commande_historique (commande_id, statut, motif) SELECT id, $2, $3 FROM u`,
			id, string(vers), motif); err != nil {
			return fmt.Errorf("update commande %s: %w", id, err)
		}
		if c, err = get(ctx, tx, id); err != nil {
			return err
		}
		return idem.Keep(ctx, tx, k, http.StatusOK, c)
	})
	return c, replay, err
}

// Get returns one order with its lines and its whole history, oldest first.
func (r *Repo) Get(ctx context.Context, id uuid.UUID) (commande.Commande, error) {
	return get(ctx, r.pool, id)
}

// retoursMax bounds the returns GET /commande/{id} embeds; GET
// /commande/{id}/retours pages through any number.
const retoursMax = 500

const columns = `id, client_id, canal, magasin_id, statut, total, cree_le, modifie_le`

func scanCommande(row pgx.Row) (commande.Commande, error) {
	var c commande.Commande
	var total int64
	err := row.Scan(&c.ID, &c.ClientID, &c.Canal, &c.MagasinID, &c.Statut, &total, &c.CreeLe, &c.ModifieLe)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, commande.ErrNotFound
	}
	c.Total, c.CreeLe, c.ModifieLe = kit.Cents(total), c.CreeLe.UTC(), c.ModifieLe.UTC()
	return c, err
}

// get reads an order, its lines and its history in one round trip.
func get(ctx context.Context, q db, id uuid.UUID) (c commande.Commande, err error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT `+columns+` FROM commandes WHERE id = $1`, id)
	b.Queue(`SELECT produit_id, quantite, prix_unitaire, quantite_retournee FROM commande_lignes
	         WHERE commande_id = $1 ORDER BY position`, id)
	b.Queue(`SELECT statut, motif, at FROM commande_historique WHERE commande_id = $1 ORDER BY id`, id)
	queueRetours(b, id, retoursMax, 0)
	br := q.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("read commande %s: %w", id, cerr)
		}
	}()
	if c, err = scanCommande(br.QueryRow()); err != nil {
		return c, err
	}
	rows, err := br.Query()
	if err != nil {
		return c, fmt.Errorf("read lignes: %w", err)
	}
	if c.Lignes, err = pgx.CollectRows(rows, scanLigne); err != nil {
		return c, fmt.Errorf("read lignes: %w", err)
	}
	rows, err = br.Query()
	if err != nil {
		return c, fmt.Errorf("read historique: %w", err)
	}
	c.Historique, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (commande.Evenement, error) {
		var e commande.Evenement
		err := row.Scan(&e.Statut, &e.Motif, &e.At)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return c, fmt.Errorf("read historique: %w", err)
	}
	c.TotalRetourne = commande.TotalRetourne(c.Lignes)
	if c.Retours, err = scanRetours(br); err != nil {
		return c, err
	}
	return c, nil
}

// asCreated is the order as its creation answered it: lines never change
// and the first history row is the creation, so the 201 can be rebuilt
// exactly for a retry that names the same id.
func asCreated(ctx context.Context, q db, id uuid.UUID) (commande.Commande, error) {
	c, err := get(ctx, q, id)
	if err != nil {
		return c, err
	}
	c.Statut, c.ModifieLe = commande.Creee, c.CreeLe
	c.Historique = c.Historique[:min(1, len(c.Historique))]
	for i := range c.Lignes {
		c.Lignes[i].QuantiteRetournee = 0
	}
	c.TotalRetourne, c.Retours = 0, nil
	return c, nil
}

func scanLigne(row pgx.CollectableRow) (commande.Ligne, error) {
	var l commande.Ligne
	var prix int64
	err := row.Scan(&l.ProduitID, &l.Quantite, &prix, &l.QuantiteRetournee)
	l.PrixUnitaire = kit.Cents(prix)
	l.SousTotal = l.PrixUnitaire * kit.Cents(l.Quantite)
	return l, err
}

// insertCommande writes the order, its lines and its first history row in
// one statement; created is false when an order already has this id.
func insertCommande(ctx context.Context, tx pgx.Tx, id uuid.UUID, d commande.Demande, empreinte string) (created bool, err error) {
	lignes := d.LignesPrix()
	produits := make([]int64, len(lignes))
	quantites := make([]int32, len(lignes))
	prix := make([]int64, len(lignes))
	for i, l := range lignes {
		produits[i], quantites[i], prix[i] = l.ProduitID, int32(l.Quantite), int64(l.PrixUnitaire)
	}
	var n int
	err = tx.QueryRow(ctx,
		`WITH c AS (
		     INSERT INTO commandes (id, client_id, canal, magasin_id, statut, total, empreinte)
		     VALUES ($1, $2, $3, $4, 'CREEE', $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id
		 ), l AS (
		     -- unnest keeps the array order; WITH ORDINALITY numbers the lines from 1.
		     INSERT INTO commande_lignes (commande_id, position, produit_id, quantite, prix_unitaire)
		     SELECT c.id, t.n - 1, t.p, t.q, t.u
		     FROM c, unnest($7::bigint[], $8::int[], $9::bigint[]) WITH ORDINALITY AS t(p, q, u, n)
		 ), h AS (
		     INSERT INTO commande_historique (commande_id, statut) SELECT id, 'CREEE' FROM c
		 )
		 SELECT count(*) FROM c`,
		id, d.ClientID, string(d.Canal), d.MagasinID, int64(commande.Total(lignes)), empreinte,
		produits, quantites, prix).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("insert commande %s: %w", id, err)
	}
	return n == 1, nil
}

// key puts cle in the one scope creations and transitions share: a key that
// made an order cannot also move one. request names the operation and its content.
func key(cle, request string) idem.Key {
	return idem.Key{Scope: "commande", Key: cle, Fingerprint: idem.Fingerprint(request)}
}

// claim takes k for the transaction, or, on a repeat, decodes the first answer
// into out (found).
func claim(ctx context.Context, tx pgx.Tx, k idem.Key, out any) (found bool, err error) {
	stored, err := idem.Claim(ctx, tx, k)
	if errors.Is(err, idem.ErrReused) {
		return false, commande.ErrCleReutilisee
	}
	if err != nil || stored == nil {
		return false, err
	}
	if err := json.Unmarshal(stored.Body, out); err != nil {
		return false, fmt.Errorf("decode stored answer: %w", err)
	}
	return true, nil
}

// List returns a page of orders, newest first, each with its lines (read in
// one query for the whole page) and without its history.
func (r *Repo) List(ctx context.Context, f commande.Filtre, limit, offset int) ([]commande.Commande, int64, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.ClientID != 0 {
		add("client_id = ?", f.ClientID)
	}
	if f.Statut != "" {
		add("statut = ?", string(f.Statut))
	}
	if f.MagasinID != 0 {
		add("magasin_id = ?", f.MagasinID)
	}
	if f.Canal != "" {
		add("canal = ?", string(f.Canal))
	}
	if !f.Depuis.IsZero() {
		add("cree_le >= ?", f.Depuis)
	}
	if !f.JusquA.IsZero() {
		add("cree_le < ?", f.JusquA)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM commandes`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count commandes: %w", err)
	}
	n := len(args)
	rows, err := r.pool.Query(ctx, `SELECT `+columns+` FROM commandes`+where+
		` ORDER BY cree_le DESC, id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2),
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list commandes: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (commande.Commande, error) { return scanCommande(row) })
	if err != nil || len(list) == 0 {
		return list, total, err
	}
	ids := make([]uuid.UUID, len(list))
	at := make(map[uuid.UUID]int, len(list))
	for i, c := range list {
		ids[i], at[c.ID] = c.ID, i
		list[i].Lignes = []commande.Ligne{}
	}
	rows, err = r.pool.Query(ctx,
		`SELECT commande_id, produit_id, quantite, prix_unitaire, quantite_retournee FROM commande_lignes
		 WHERE commande_id = ANY($1) ORDER BY commande_id, position`, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("list lignes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var l commande.Ligne
		var prix int64
		if err := rows.Scan(&id, &l.ProduitID, &l.Quantite, &prix, &l.QuantiteRetournee); err != nil {
			return nil, 0, fmt.Errorf("list lignes: %w", err)
		}
		l.PrixUnitaire = kit.Cents(prix)
		l.SousTotal = l.PrixUnitaire * kit.Cents(l.Quantite)
		i := at[id]
		list[i].Lignes = append(list[i].Lignes, l)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list lignes: %w", err)
	}
	for i := range list {
		list[i].TotalRetourne = commande.TotalRetourne(list[i].Lignes)
	}
	return list, total, nil
}
