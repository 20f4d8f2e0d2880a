package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"multimagasins/commande/internal/commande"
	"multimagasins/kit"
	"multimagasins/kit/idem"
)

// Retourner records a return of a confirmed order: the returned quantities on
// its lines, the return and its lines, and the answer under cle, in one
// transaction. The order row is locked first, so concurrent returns of one
// order are checked one after the other and never exceed what was sold.
// replay is true when cle already carried this return.
func (r *Repo) Retourner(ctx context.Context, id uuid.UUID, cle string, d commande.DemandeRetour) (ret commande.Retour, replay bool, err error) {
	k := key(cle, "retour|"+id.String()+d.Empreinte())
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		found, err := claim(ctx, tx, k, &ret)
		if err != nil || found {
			replay = found
			return err
		}
		var statut commande.Statut
		err = tx.QueryRow(ctx, `SELECT statut FROM commandes WHERE id = $1 FOR UPDATE`, id).Scan(&statut)
		if errors.Is(err, pgx.ErrNoRows) {
			return commande.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("lock commande %s: %w", id, err)
		}
		rows, err := tx.Query(ctx,
			`SELECT produit_id, quantite, prix_unitaire, quantite_retournee FROM commande_lignes
			 WHERE commande_id = $1 ORDER BY position`, id)
		if err != nil {
			return fmt.Errorf("read lignes %s: %w", id, err)
		}
		vendues, err := pgx.CollectRows(rows, scanLigne)
		if err != nil {
			return fmt.Errorf("read lignes %s: %w", id, err)
		}
		lignes, montant, err := commande.PreparerRetour(statut, vendues, d)
		if err != nil {
			return err
		}
		ret = commande.Retour{ID: uuid.New(), CommandeID: id, Lignes: lignes, Montant: montant}
		if ret.At, err = insertRetour(ctx, tx, ret); err != nil {
			return err
		}
		return idem.Keep(ctx, tx, k, http.StatusCreated, ret)
	})
	return ret, replay, err
}

// insertRetour writes the return, its lines and the returned quantities in
// one statement. The guard on quantite_retournee repeats the domain's check
// so that a line that would overflow is not updated and the count says so.
func insertRetour(ctx context.Context, tx pgx.Tx, ret commande.Retour) (time.Time, error) {
	produits := make([]int64, len(ret.Lignes))
	quantites := make([]int32, len(ret.Lignes))
	prix := make([]int64, len(ret.Lignes))
	for i, l := range ret.Lignes {
		produits[i], quantites[i], prix[i] = l.ProduitID, int32(l.Quantite), int64(l.PrixUnitaire)
	}
	var at time.Time
	var updated int
	err := tx.QueryRow(ctx,
		`WITH r AS (
		     INSERT INTO retours (id, commande_id, montant) VALUES ($1, $2, $3) RETURNING id, at
		 ), l AS (
		     INSERT INTO retour_lignes (retour_id, position, produit_id, quantite, prix_unitaire)
		     SELECT r.id, t.n - 1, t.p, t.q, t.u
		     FROM r, unnest($4::bigint[], $5::int[], $6::bigint[]) WITH ORDINALITY AS t(p, q, u, n)
		 ), u AS (
		     UPDATE commande_lignes cl SET quantite_retournee = cl.quantite_retournee + t.q
		     FROM unnest($4::bigint[], $5::int[]) AS t(p, q)
		     WHERE cl.commande_id = $2 AND cl.produit_id = t.p AND cl.quantite_retournee + t.q <= cl.quantite
		     RETURNING 1
		 ), c AS (
		     -- The reports read revenue net of returns from the order row alone.
		     UPDATE commandes SET montant_retourne = montant_retourne + $3 WHERE id = $2
		 )
		 SELECT r.at, (SELECT count(*) FROM u) FROM r`,
		ret.ID, ret.CommandeID, int64(ret.Montant), produits, quantites, prix).Scan(&at, &updated)
	if err != nil {
		return at, fmt.Errorf("insert retour %s: %w", ret.ID, err)
	}
	if updated != len(ret.Lignes) {
		return at, fmt.Errorf("retour %s: %d of %d lines updated; the order changed under its lock", ret.ID, updated, len(ret.Lignes))
	}
	return at.UTC(), nil
}

// ListRetours returns a page of an order's returns, oldest first, and whom
// the order belongs to, in one round trip.
func (r *Repo) ListRetours(ctx context.Context, id uuid.UUID, limit, offset int) (
	owner commande.Proprietaire, list []commande.Retour, total int64, err error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT client_id, magasin_id, (SELECT count(*) FROM retours WHERE commande_id = $1)
	         FROM commandes WHERE id = $1`, id)
	queueRetours(b, id, limit, offset)
	br := r.pool.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("list retours %s: %w", id, cerr)
		}
	}()
	err = br.QueryRow().Scan(&owner.ClientID, &owner.MagasinID, &total)
	if errors.Is(err, pgx.ErrNoRows) {
		return owner, nil, 0, commande.ErrNotFound
	}
	if err != nil {
		return owner, nil, 0, fmt.Errorf("count retours %s: %w", id, err)
	}
	list, err = scanRetours(br)
	return owner, list, total, err
}

// queueRetours asks for a page of an order's returns with their lines, in
// one query: each return's lines come as arrays, in the caller's order.
func queueRetours(b *pgx.Batch, id uuid.UUID, limit, offset int) {
	b.Queue(`SELECT r.id, r.commande_id, r.montant, r.at,
	                array_agg(l.produit_id ORDER BY l.position),
	                array_agg(l.quantite ORDER BY l.position),
	                array_agg(l.prix_unitaire ORDER BY l.position)
	         FROM (SELECT * FROM retours WHERE commande_id = $1 ORDER BY at, id LIMIT $2 OFFSET $3) r
	         JOIN retour_lignes l ON l.retour_id = r.id
	         GROUP BY r.id, r.commande_id, r.montant, r.at
	         ORDER BY r.at, r.id`, id, limit, offset)
}

func scanRetours(br pgx.BatchResults) ([]commande.Retour, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("read retours: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (commande.Retour, error) {
		var ret commande.Retour
		var montant int64
		var produits, prix []int64
		var quantites []int32
		if err := row.Scan(&ret.ID, &ret.CommandeID, &montant, &ret.At, &produits, &quantites, &prix); err != nil {
			return ret, err
		}
		ret.Montant, ret.At = kit.Cents(montant), ret.At.UTC()
		ret.Lignes = make([]commande.LigneRetournee, len(produits))
		for i := range produits {
			u := kit.Cents(prix[i])
			ret.Lignes[i] = commande.LigneRetournee{ProduitID: produits[i], Quantite: int(quantites[i]),
				PrixUnitaire: u, Montant: u * kit.Cents(quantites[i])}
		}
		return ret, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read retours: %w", err)
	}
	if list == nil {
		list = []commande.Retour{}
	}
	return list, nil
}
