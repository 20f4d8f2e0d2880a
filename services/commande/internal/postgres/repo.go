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
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
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
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Create stores a new order with its lines and history (CREEE now, or the
// history a saga recorded) and the Idempotency-Key (when cle is not empty)
// with the answer. The common case is one statement, so one round trip and
// one commit; an id already taken goes the slow way, in a transaction that
// tells a retry of the same order from a clash. replay is true when an
// earlier identical request made the order.
func (r *Repo) Create(ctx context.Context, cle string, d commande.Demande) (c commande.Commande, replay bool, err error) {
	contenu := d.Empreinte()
	id := uuid.New()
	idPart := ""
	if d.ID != nil {
		id, idPart = *d.ID, d.ID.String()
	}
	c = d.Nouvelle(id, d.Evenements(time.Now().UTC().Truncate(time.Microsecond)))
	var k *idem.Key
	var answer []byte
	if cle != "" {
		kk := key(cle, "creer|"+idPart+"|"+contenu)
		k = &kk
		if answer, err = json.Marshal(c); err != nil {
			return c, false, fmt.Errorf("encode answer: %w", err)
		}
	}
	created, err := insertCommande(ctx, r.pool, c, contenu, k, answer)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "commandes_pkey":
		return r.createTaken(ctx, k, d, contenu, id)
	case err != nil:
		return c, false, err
	case created:
		return c, false, nil
	}
	// The key was there: the first answer, or a different request under it.
	stored, err := idem.Replay(ctx, r.pool, *k)
	if errors.Is(err, idem.ErrReused) {
		return c, false, commande.ErrCleReutilisee
	}
	if err != nil {
		return c, false, err
	}
	var first commande.Commande
	if err := json.Unmarshal(stored.Body, &first); err != nil {
		return c, false, fmt.Errorf("decode stored answer: %w", err)
	}
	return first, true, nil
}

// createTaken answers a creation whose id an order already has: the same
// order is a retry and gets it back; anything else is a clash.
func (r *Repo) createTaken(ctx context.Context, k *idem.Key, d commande.Demande, contenu string, id uuid.UUID) (c commande.Commande, replay bool, err error) {
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if k != nil {
			found, err := claim(ctx, tx, *k, &c)
			if err != nil || found {
				replay = found
				return err
			}
		}
		var existing string
		if err := tx.QueryRow(ctx, `SELECT empreinte FROM commandes WHERE id = $1`, id).Scan(&existing); err != nil {
			return fmt.Errorf("read commande %s: %w", id, err)
		}
		if existing != contenu {
			return commande.ErrIDPris
		}
		replay = true
		if len(d.Historique) > 0 {
			c, err = get(ctx, tx, id)
		} else {
			c, err = asCreated(ctx, tx, id)
		}
		if err != nil || k == nil {
			return err
		}
		return idem.Keep(ctx, tx, *k, http.StatusCreated, c)
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

// insertCommande writes the order c, its lines and its history in one
// statement, with the key k and its answer when k is not nil; created is
// false when the key was already there (nothing is written then).
func insertCommande(ctx context.Context, q db, c commande.Commande, empreinte string, k *idem.Key, answer []byte) (created bool, err error) {
	produits := make([]int64, len(c.Lignes))
	quantites := make([]int32, len(c.Lignes))
	prix := make([]int64, len(c.Lignes))
	for i, l := range c.Lignes {
		produits[i], quantites[i], prix[i] = l.ProduitID, int32(l.Quantite), int64(l.PrixUnitaire)
	}
	statuts := make([]string, len(c.Historique))
	motifs := make([]string, len(c.Historique))
	ats := make([]time.Time, len(c.Historique))
	for i, e := range c.Historique {
		statuts[i], motifs[i], ats[i] = string(e.Statut), e.Motif, e.At
	}
	// Without a key, a one-row k stands in for the claim.
	claim := `k AS (SELECT 1)`
	args := []any{c.ID, c.ClientID, string(c.Canal), c.MagasinID, string(c.Statut), int64(c.Total), empreinte,
		c.CreeLe, c.ModifieLe, produits, quantites, prix, statuts, motifs, ats}
	if k != nil {
		claim = idem.Claimed(len(args) + 1)
		args = append(args, k.Args(http.StatusCreated, answer)...)
	}
	var n int
	err = q.QueryRow(ctx,
		`WITH `+claim+`, c AS (
		     INSERT INTO commandes (id, client_id, canal, magasin_id, statut, total, empreinte, cree_le, modifie_le)
		     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 FROM k RETURNING id, statut, cree_le
		 ), l AS (
		     -- unnest keeps the array order; WITH ORDINALITY numbers the lines from 1.
		     -- A confirmed sale's lines join the reports (see 0003_rapports.sql).
		     INSERT INTO commande_lignes (commande_id, position, produit_id, quantite, prix_unitaire, vente_le)
		     SELECT c.id, t.n - 1, t.p, t.q, t.u, CASE WHEN c.statut = 'CONFIRMEE' THEN c.cree_le END
		     FROM c, unnest($10::bigint[], $11::int[], $12::bigint[]) WITH ORDINALITY AS t(p, q, u, n)
		 ), h AS (
		     INSERT INTO commande_historique (commande_id, statut, motif, at)
		     SELECT c.id, t.s, t.m, t.a FROM c, unnest($13::text[], $14::text[], $15::timestamptz[]) WITH ORDINALITY AS t(s, m, a, n)
		     ORDER BY t.n
		 )
		 SELECT count(*) FROM c`, args...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("insert commande %s: %w", c.ID, err)
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
