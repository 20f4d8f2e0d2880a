// Package postgres stores accounts, payments, refunds and idempotency keys in
// the paiement schema.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/kit/idem"
	"multimagasins/paiement/internal/paiement"
)

// Repo reads and writes the paiement schema.
type Repo struct{ pool *pgxpool.Pool }

// NewRepo returns a Repo over pool.
func NewRepo(pool *pgxpool.Pool) *Repo { return &Repo{pool: pool} }

// Compte returns a client's account, with the default limit when it has none.
func (r *Repo) Compte(ctx context.Context, clientID int64) (paiement.Compte, error) {
	c := paiement.Compte{ClientID: clientID}
	err := r.pool.QueryRow(ctx, `SELECT limite FROM comptes WHERE client_id = $1`, clientID).Scan(&c.Limite)
	if errors.Is(err, pgx.ErrNoRows) {
		c.Limite, err = paiement.LimiteParDefaut, nil
	}
	if err != nil {
		return c, fmt.Errorf("read account %d: %w", clientID, err)
	}
	return c, nil
}

// SetLimite sets a client's authorization limit.
func (r *Repo) SetLimite(ctx context.Context, clientID int64, limite kit.Cents) (paiement.Compte, error) {
	c := paiement.Compte{ClientID: clientID}
	err := r.pool.QueryRow(ctx,
		`INSERT INTO comptes (client_id, limite) VALUES ($1, $2)
		 ON CONFLICT (client_id) DO UPDATE SET limite = EXCLUDED.limite, modifie_le = now()
		 RETURNING limite`, clientID, limite).Scan(&c.Limite)
	if err != nil {
		return c, fmt.Errorf("set limit %d: %w", clientID, err)
	}
	return c, nil
}

const columns = `id, commande_id, client_id, montant, methode, statut, motif, rembourse, cle, cree_le`

func scan(row pgx.Row) (paiement.Paiement, error) {
	var p paiement.Paiement
	err := row.Scan(&p.ID, &p.CommandeID, &p.ClientID, &p.Montant, &p.Methode, &p.Statut, &p.Motif,
		&p.Rembourse, &p.Cle, &p.CreeLe)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, paiement.ErrNotFound
	}
	p.CreeLe = p.CreeLe.UTC()
	p.Remboursements = []paiement.Remboursement{}
	return p, err
}

// Payer decides and records a charge under its key: the decision (accepted
// or refused) from the client's limit, then the payment row with its key and
// the answer rendered by render, in one statement, so one commit. A repeat
// of the key gets the stored answer. A second accepted charge for the same
// order is ErrCommandeDejaPayee and leaves nothing behind.
func (r *Repo) Payer(ctx context.Context, d paiement.Demande, k idem.Key, render paiement.Rendu[paiement.Paiement]) (paiement.Reponse, error) {
	compte, err := r.Compte(ctx, d.ClientID)
	if err != nil {
		return paiement.Reponse{}, err
	}
	statut, motif := paiement.Autoriser(d, compte.Limite)
	p := paiement.Paiement{ID: uuid.New(), CommandeID: d.CommandeID, ClientID: d.ClientID, Montant: d.Montant,
		Methode: d.Methode, Statut: statut, Motif: motif, Cle: k.Key,
		CreeLe: time.Now().UTC().Truncate(time.Microsecond), Remboursements: []paiement.Remboursement{}}
	status, body, err := render(p)
	if err != nil {
		return paiement.Reponse{}, fmt.Errorf("render answer: %w", err)
	}
	var n int
	err = r.pool.QueryRow(ctx, `WITH `+idem.Claimed(1)+`, p AS (
		    INSERT INTO paiements (id, commande_id, client_id, montant, methode, statut, motif, cle, cree_le)
		    SELECT $6, $7, $8, $9, $10, $11, $12, $13, $14 FROM k RETURNING 1
		) SELECT count(*) FROM p`,
		append(k.Args(status, body), p.ID, p.CommandeID, p.ClientID, p.Montant, p.Methode, p.Statut, p.Motif,
			p.Cle, p.CreeLe)...).Scan(&n)
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &pg) && pg.Code == "23505" && pg.ConstraintName == "paiements_commande_payee_key":
		return paiement.Reponse{}, paiement.ErrCommandeDejaPayee
	case err != nil:
		return paiement.Reponse{}, fmt.Errorf("insert payment: %w", err)
	case n == 1:
		return paiement.Reponse{Status: status, Body: body}, nil
	}
	stored, err := idem.Replay(ctx, r.pool, k)
	if errors.Is(err, idem.ErrReused) {
		return paiement.Reponse{}, paiement.ErrCleReutilisee
	}
	if err != nil {
		return paiement.Reponse{}, err
	}
	return paiement.Reponse{Status: stored.Status, Body: stored.Body, Rejouee: true}, nil
}

// Rembourser refunds part of a payment under its key, in one transaction: the
// payment is locked, the refund checked against (or, with jusqu_au_reste,
// capped at) what remains, then the refund row, the payment's new total and
// status, and the answer are written together.
func (r *Repo) Rembourser(ctx context.Context, id uuid.UUID, d paiement.DemandeRemboursement, k idem.Key,
	render paiement.Rendu[paiement.Remboursement]) (paiement.Reponse, error) {
	var ans paiement.Reponse
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		var err error
		if ans, err = claim(ctx, tx, k); err != nil || ans.Rejouee {
			return err
		}
		p, err := scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM paiements WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		avant := p.Rembourse
		p, montant, err := p.Appliquer(d)
		if err != nil {
			return err
		}
		if montant == 0 {
			// jusqu_au_reste with nothing left: no refund row (a refund is
			// money given back), only the answer kept under the key.
			rb := paiement.Remboursement{PaiementID: p.ID, Motif: d.Motif, At: time.Now().UTC().Truncate(time.Microsecond)}
			return answer(ctx, tx, k, rb, render, &ans)
		}
		var rb paiement.Remboursement
		err = tx.QueryRow(ctx,
			`INSERT INTO remboursements (id, paiement_id, montant, motif, cle) VALUES ($1, $2, $3, $4, $5)
			 RETURNING id, paiement_id, montant, motif, at`,
			uuid.New(), p.ID, montant, d.Motif, k.Key).Scan(&rb.ID, &rb.PaiementID, &rb.Montant, &rb.Motif, &rb.At)
		if err != nil {
			return fmt.Errorf("insert refund: %w", err)
		}
		rb.At = rb.At.UTC()
		// The row is locked, so the total read above is still current; the
		// guard turns a lost update into an error should the lock ever go.
		tag, err := tx.Exec(ctx, `UPDATE paiements SET rembourse = $2, statut = $3 WHERE id = $1 AND rembourse = $4`,
			p.ID, p.Rembourse, p.Statut, avant)
		if err != nil {
			return fmt.Errorf("update payment %s: %w", p.ID, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("update payment %s: refunded total changed under the lock", p.ID)
		}
		return answer(ctx, tx, k, rb, render, &ans)
	})
	return ans, err
}

// answer renders v and stores the answer under k, in the transaction of the effect.
func answer[T any](ctx context.Context, tx pgx.Tx, k idem.Key, v T, render paiement.Rendu[T], ans *paiement.Reponse) error {
	status, body, err := render(v)
	if err != nil {
		return fmt.Errorf("render answer: %w", err)
	}
	*ans = paiement.Reponse{Status: status, Body: body}
	return idem.Keep(ctx, tx, k, status, body)
}

// claim takes k, or gives the stored answer of a repeat as ours to replay.
func claim(ctx context.Context, tx pgx.Tx, k idem.Key) (paiement.Reponse, error) {
	stored, err := idem.Claim(ctx, tx, k)
	if errors.Is(err, idem.ErrReused) {
		return paiement.Reponse{}, paiement.ErrCleReutilisee
	}
	if err != nil || stored == nil {
		return paiement.Reponse{}, err
	}
	return paiement.Reponse{Status: stored.Status, Body: stored.Body, Rejouee: true}, nil
}

// Get returns one payment with its refunds.
func (r *Repo) Get(ctx context.Context, id uuid.UUID) (paiement.Paiement, error) {
	p, err := scan(r.pool.QueryRow(ctx, `SELECT `+columns+` FROM paiements WHERE id = $1`, id))
	if err != nil {
		return p, err
	}
	list := []paiement.Paiement{p}
	if err := r.withRefunds(ctx, list); err != nil {
		return p, err
	}
	return list[0], nil
}

// List returns a page of payments, newest first, with their refunds.
func (r *Repo) List(ctx context.Context, f paiement.Filtre, limit, offset int) ([]paiement.Paiement, int64, error) {
	// Only the filters given go into the SQL, so each query can use its own index.
	var (
		conds []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.Replace(cond, "?", "$"+strconv.Itoa(len(args)), 1))
	}
	if f.CommandeID != uuid.Nil {
		add("commande_id = ?", f.CommandeID)
	}
	if f.ClientID != 0 {
		add("client_id = ?", f.ClientID)
	}
	if f.Statut != "" {
		add("statut = ?", f.Statut)
	}
	if f.Cle != "" {
		add("cle = ?", f.Cle)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM paiements`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count payments: %w", err)
	}
	n := len(args)
	rows, err := r.pool.Query(ctx, `SELECT `+columns+` FROM paiements`+where+
		` ORDER BY cree_le DESC, id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2),
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list payments: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (paiement.Paiement, error) { return scan(row) })
	if err != nil {
		return nil, 0, fmt.Errorf("list payments: %w", err)
	}
	return list, total, r.withRefunds(ctx, list)
}

// withRefunds loads the refunds of every payment in list with one query.
func (r *Repo) withRefunds(ctx context.Context, list []paiement.Paiement) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(list))
	at := make(map[uuid.UUID]int, len(list))
	for i, p := range list {
		ids[i], at[p.ID] = p.ID, i
	}
	rows, err := r.pool.Query(ctx,
		`SELECT id, paiement_id, montant, motif, at FROM remboursements WHERE paiement_id = ANY($1) ORDER BY at, id`, ids)
	if err != nil {
		return fmt.Errorf("list refunds: %w", err)
	}
	var rb paiement.Remboursement
	_, err = pgx.ForEachRow(rows, []any{&rb.ID, &rb.PaiementID, &rb.Montant, &rb.Motif, &rb.At}, func() error {
		rb.At = rb.At.UTC()
		i := at[rb.PaiementID]
		list[i].Remboursements = append(list[i].Remboursements, rb)
		return nil
	})
	if err != nil {
		return fmt.Errorf("list refunds: %w", err)
	}
	return nil
}
