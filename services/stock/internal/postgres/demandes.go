package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"multimagasins/stock/internal/stock"
)

// demandeColumns names the store and the product beside their ids: every
// page that lists requests shows names. Scalar subqueries rather than a join,
// so the same list serves SELECT, INSERT … RETURNING and UPDATE … RETURNING
// (and SELECT … FOR UPDATE locks the request row only).
const demandeColumns = `id, magasin_id, (SELECT e.nom FROM emplacements e WHERE e.id = demandes.magasin_id),
	produit_id, (SELECT p.nom FROM produits p WHERE p.id = demandes.produit_id),
	quantite, statut, origine, motif, motif_refus, cree_le, modifie_le`

func scanDemande(row pgx.Row) (stock.DemandeAppro, error) {
	var d stock.DemandeAppro
	err := row.Scan(&d.ID, &d.MagasinID, &d.MagasinNom, &d.ProduitID, &d.ProduitNom, &d.Quantite, &d.Statut, &d.Origine,
		&d.Motif, &d.MotifRefus, &d.CreeLe, &d.ModifieLe)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, stock.ErrDemandeNotFound
	}
	return d, err
}

// CreateDemande records a store's request. The store must be one of the five
// and the product one still sold; a second pending request for the same
// product at the same store is refused (ErrDemandeEnCours).
func (r *Repo) CreateDemande(ctx context.Context, magasinID int64, n stock.NouvelleDemandeAppro) (stock.DemandeAppro, error) {
	var d stock.DemandeAppro
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		e, err := getEmplacement(ctx, tx, magasinID)
		if errors.Is(err, stock.ErrEmplacementNotFound) || (err == nil && e.Type != stock.TypeMagasin) {
			return stock.ErrMagasinNotFound
		}
		if err != nil {
			return err
		}
		if err := checkCatalogue(ctx, tx, []stock.Ligne{{ProduitID: n.ProduitID, Quantite: n.Quantite}}, true); err != nil {
			return bodyProduit(err)
		}
		d, err = scanDemande(tx.QueryRow(ctx,
			`INSERT INTO demandes (magasin_id, produit_id, quantite, origine, motif) VALUES ($1, $2, $3, $4, $5)
			 ON CONFLICT (magasin_id, produit_id) WHERE statut = 'en_attente' DO NOTHING
			 RETURNING `+demandeColumns,
			magasinID, n.ProduitID, n.Quantite, stock.OrigineMagasin, n.Motif))
		if errors.Is(err, stock.ErrDemandeNotFound) {
			return stock.ErrDemandeEnCours
		}
		return err
	})
	return d, err
}

// bodyProduit renames the line-level field of checkCatalogue's errors to the
// request's own field.
func bodyProduit(err error) error {
	var nf *stock.NotFoundErr
	var fe *stock.FieldErr
	switch {
	case errors.As(err, &nf):
		nf.Field = "body.produit_id"
	case errors.As(err, &fe):
		fe.Field = "body.produit_id"
	}
	return err
}

// GetDemande returns one request.
func (r *Repo) GetDemande(ctx context.Context, id int64) (stock.DemandeAppro, error) {
	return scanDemande(r.pool.QueryRow(ctx, `SELECT `+demandeColumns+` FROM demandes WHERE id = $1`, id))
}

// ListDemandes returns a page of requests, newest first.
func (r *Repo) ListDemandes(ctx context.Context, f stock.DemandeFilter, limit, offset int) ([]stock.DemandeAppro, int64, error) {
	var w where
	if f.Statut != "" {
		w.add(`statut = ?`, f.Statut)
	}
	if f.MagasinID != 0 {
		w.add(`magasin_id = ?`, f.MagasinID)
	}
	if f.ProduitID != 0 {
		w.add(`produit_id = ?`, f.ProduitID)
	}
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM demandes`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count demandes: %w", err)
	}
	rows, err := r.pool.Query(ctx, `SELECT `+demandeColumns+` FROM demandes`+w.String()+` ORDER BY id DESC`+w.page(limit, offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list demandes: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (stock.DemandeAppro, error) { return scanDemande(row) })
	return list, total, err
}

// lockDemande reads a request and locks it, so concurrent decisions on one
// request act once: the losers wait, then see it decided.
func lockDemande(ctx context.Context, tx pgx.Tx, id int64) (stock.DemandeAppro, error) {
	d, err := scanDemande(tx.QueryRow(ctx, `SELECT `+demandeColumns+` FROM demandes WHERE id = $1 FOR UPDATE`, id))
	if err != nil {
		return d, err
	}
	return d, stock.CanDecide(d.Statut)
}

// ApproveDemande moves the requested units from the centre to the store in one
// transaction, with a transfert ledger row on each side, and marks the request
// livree. When the centre lacks the units nothing moves (CentreInsuffisant).
func (r *Repo) ApproveDemande(ctx context.Context, id int64) (stock.DemandeAppro, error) {
	var d stock.DemandeAppro
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		var err error
		if d, err = lockDemande(ctx, tx, id); err != nil {
			return err
		}
		ref := "demande:" + strconv.FormatInt(d.ID, 10)
		l := []stock.Ligne{{ProduitID: d.ProduitID, Quantite: d.Quantite}}
		if err := insertMouvements(ctx, tx, stock.CentreID, mvt{stock.MvtTransfert, ref, stock.ActeurLogistique,
			fmt.Sprintf("sortie vers le magasin %d", d.MagasinID)}, l); err != nil {
			return err
		}
		if err := insertMouvements(ctx, tx, d.MagasinID, mvt{stock.MvtTransfert, ref, stock.ActeurLogistique,
			"entrée depuis le centre logistique"}, l); err != nil {
			return err
		}
		// The stock rows come last, in one statement: centre first, then the
		// store (made if the product had none there). The request row changes
		// after them, so a sale's automatic request that waits on it never
		// holds a stock row this transaction needs.
		batch := &pgx.Batch{}
		batch.Queue(`WITH centre AS (
			UPDATE niveaux SET quantite = quantite - $3
			WHERE emplacement_id = $4 AND produit_id = $2 AND quantite - reserve >= $3
			RETURNING produit_id)
			INSERT INTO niveaux (emplacement_id, produit_id, quantite) SELECT $1, produit_id, $3 FROM centre
			ON CONFLICT (emplacement_id, produit_id) DO UPDATE SET quantite = niveaux.quantite + EXCLUDED.quantite`,
			d.MagasinID, d.ProduitID, d.Quantite, stock.CentreID)
		batch.Queue(`UPDATE demandes SET statut = $2, modifie_le = now() WHERE id = $1 RETURNING `+demandeColumns,
			d.ID, stock.DemandeLivree)
		br := tx.SendBatch(ctx, batch)
		tag, err := br.Exec()
		if err != nil {
			_ = br.Close()
			return fmt.Errorf("transfer %s: %w", ref, err)
		}
		moved := tag.RowsAffected() == 1
		d, err = scanDemande(br.QueryRow())
		if err := errors.Join(err, br.Close()); err != nil {
			return fmt.Errorf("deliver %s: %w", ref, err)
		}
		if !moved {
			var dispo int64
			err := tx.QueryRow(ctx,
				`SELECT COALESCE(max(quantite - reserve), 0) FROM niveaux WHERE emplacement_id = $1 AND produit_id = $2`,
				stock.CentreID, d.ProduitID).Scan(&dispo)
			if err != nil {
				return fmt.Errorf("read centre stock of product %d: %w", d.ProduitID, err)
			}
			return &stock.CentreInsuffisant{ProduitID: d.ProduitID, Demande: d.Quantite, Disponible: dispo}
		}
		return nil
	})
	return d, err
}

// RefuseDemande closes a pending request without moving anything.
func (r *Repo) RefuseDemande(ctx context.Context, id int64, motif string) (stock.DemandeAppro, error) {
	var d stock.DemandeAppro
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if _, err := lockDemande(ctx, tx, id); err != nil {
			return err
		}
		var err error
		d, err = scanDemande(tx.QueryRow(ctx,
			`UPDATE demandes SET statut = $2, motif_refus = $3, modifie_le = now() WHERE id = $1 RETURNING `+demandeColumns,
			id, stock.DemandeRefusee, motif))
		return err
	})
	return d, err
}

// --- Thresholds ---

// ListSeuils returns a page of thresholds for every (location, product), set
// or not, by location then product.
func (r *Repo) ListSeuils(ctx context.Context, f stock.SeuilFilter, limit, offset int) ([]stock.Seuil, int64, error) {
	var w where
	if f.EmplacementID != 0 {
		w.add(`e.id = ?`, f.EmplacementID)
	}
	if f.ProduitID != 0 {
		w.add(`p.id = ?`, f.ProduitID)
	}
	from := ` FROM emplacements e CROSS JOIN produits p
		LEFT JOIN seuils s ON s.emplacement_id = e.id AND s.produit_id = p.id` + w.String()
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*)`+from, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count seuils: %w", err)
	}
	rows, err := r.pool.Query(ctx, `SELECT e.id, p.id, `+seuilSQL+from+` ORDER BY e.id, p.id`+w.page(limit, offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list seuils: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[stock.Seuil])
	return list, total, err
}

// SetSeuil sets the threshold of one product at one location.
func (r *Repo) SetSeuil(ctx context.Context, s stock.Seuil) (stock.Seuil, error) {
	_, err := r.pool.Exec(ctx,
		`INSERT INTO seuils (emplacement_id, produit_id, seuil) VALUES ($1, $2, $3)
		 ON CONFLICT (emplacement_id, produit_id) DO UPDATE SET seuil = EXCLUDED.seuil`,
		s.EmplacementID, s.ProduitID, s.Seuil)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" { // foreign_key_violation: which one says the constraint
		if pgErr.ConstraintName == "seuils_emplacement_id_fkey" {
			return s, stock.ErrEmplacementNotFound
		}
		return s, stock.ErrProduitNotFound
	}
	if err != nil {
		return s, fmt.Errorf("set seuil: %w", err)
	}
	return s, nil
}

// --- Reports ---

// Rapport returns a page of (location, product) rows, by location then
// product: with disponible <= seuil for ruptures, quantite >= seuil for surplus.
// niveaux is locations × products, small enough to scan: an index on its
// quantities would make every stock update of a sale non-HOT.
func (r *Repo) Rapport(ctx context.Context, surplus bool, seuil, emplacementID int64, limit, offset int) ([]stock.LigneRapport, int64, error) {
	var w where
	if surplus {
		w.add(`n.quantite >= ?`, seuil)
	} else {
		w.add(`n.quantite - n.reserve <= ?`, seuil)
	}
	if emplacementID != 0 {
		w.add(`n.emplacement_id = ?`, emplacementID)
	}
	from := ` FROM niveaux n JOIN emplacements e ON e.id = n.emplacement_id JOIN produits p ON p.id = n.produit_id` + w.String()
	var total int64
	if err := r.pool.QueryRow(ctx, `SELECT count(*)`+from, w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count rapport: %w", err)
	}
	rows, err := r.pool.Query(ctx,
		`SELECT n.emplacement_id, e.nom, p.id, p.nom, p.categorie, n.quantite, n.reserve, n.quantite - n.reserve`+from+
			` ORDER BY n.emplacement_id, p.id`+w.page(limit, offset), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("rapport: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[stock.LigneRapport])
	return list, total, err
}

// EnAttente counts the pending requests of each of the five stores (zero
// included) and returns a page of them, oldest first: the queue to work through.
func (r *Repo) EnAttente(ctx context.Context, limit, offset int) ([]stock.EnAttenteMagasin, []stock.DemandeAppro, int64, error) {
	rows, err := r.pool.Query(ctx,
		`SELECT e.id, e.nom, count(d.id), COALESCE(sum(d.quantite), 0)
		 FROM emplacements e LEFT JOIN demandes d ON d.magasin_id = e.id AND d.statut = $1
		 WHERE e.type = 'magasin' GROUP BY e.id, e.nom ORDER BY e.id`, stock.DemandeEnAttente)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("pending per store: %w", err)
	}
	magasins, err := pgx.CollectRows(rows, pgx.RowToStructByPos[stock.EnAttenteMagasin])
	if err != nil {
		return nil, nil, 0, fmt.Errorf("pending per store: %w", err)
	}
	var total int64
	for _, m := range magasins {
		total += m.EnAttente
	}
	rows, err = r.pool.Query(ctx,
		`SELECT `+demandeColumns+` FROM demandes WHERE statut = $1 ORDER BY id LIMIT $2 OFFSET $3`,
		stock.DemandeEnAttente, limit, offset)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("pending requests: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (stock.DemandeAppro, error) { return scanDemande(row) })
	return magasins, list, total, err
}
