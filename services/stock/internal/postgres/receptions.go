package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5"

	"multimagasins/kit/idem"
	"multimagasins/stock/internal/stock"
)

// Receive adds supplier goods to the centre and writes the ledger row. With an
// idempotency key the answer is stored in the same transaction, and a repeat
// returns it without receiving twice.
func (r *Repo) Receive(ctx context.Context, key string, rec stock.Reception) (stock.ReceptionResult, error) {
	var out stock.ReceptionResult
	k := idem.Key{Scope: "reception", Key: key, Fingerprint: idem.Fingerprint(rec)}
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if key != "" {
			stored, err := idem.Claim(ctx, tx, k)
			if errors.Is(err, idem.ErrReused) {
				return stock.ErrKeyReused
			}
			if err != nil {
				return err
			}
			if stored != nil {
				if err := json.Unmarshal(stored.Body, &out); err != nil {
					return fmt.Errorf("stored answer %s: %w", key, err)
				}
				return nil
			}
		}
		p, err := scanProduit(tx.QueryRow(ctx, `SELECT `+produitColumns+` FROM produits WHERE id = $1`, rec.ProduitID))
		if errors.Is(err, stock.ErrProduitNotFound) {
			return &stock.NotFoundErr{Field: "body.produit_id", Msg: fmt.Sprintf("product %d not found", rec.ProduitID), Value: rec.ProduitID}
		}
		if err != nil {
			return err
		}
		n := stock.Niveau{ProduitID: p.ID, Nom: p.Nom, Categorie: p.Categorie}
		err = tx.QueryRow(ctx,
			`INSERT INTO niveaux (emplacement_id, produit_id, quantite) VALUES ($1, $2, $3)
			 ON CONFLICT (emplacement_id, produit_id) DO UPDATE SET quantite = niveaux.quantite + EXCLUDED.quantite
			 RETURNING quantite, reserve`,
			stock.CentreID, rec.ProduitID, rec.Quantite).Scan(&n.Quantite, &n.Reserve)
		if err != nil {
			return fmt.Errorf("receive product %d: %w", rec.ProduitID, err)
		}
		n.Disponible = n.Quantite - n.Reserve
		m := stock.Mouvement{EmplacementID: stock.CentreID, ProduitID: rec.ProduitID, Type: stock.MvtReception,
			Quantite: rec.Quantite, Reference: rec.Reference, Acteur: stock.ActeurLogistique, Motif: "réception fournisseur"}
		err = tx.QueryRow(ctx,
			`INSERT INTO mouvements (emplacement_id, produit_id, type, quantite, reference, acteur, motif)
			 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, at`,
			m.EmplacementID, m.ProduitID, m.Type, m.Quantite, m.Reference, m.Acteur, m.Motif).Scan(&m.ID, &m.At)
		if err != nil {
			return fmt.Errorf("ledger reception: %w", err)
		}
		out = stock.ReceptionResult{Mouvement: m, Niveau: n}
		if key != "" {
			return idem.Keep(ctx, tx, k, http.StatusCreated, out)
		}
		return nil
	})
	return out, err
}
