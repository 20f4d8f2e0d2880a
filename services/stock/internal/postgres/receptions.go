package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"multimagasins/stock/internal/stock"
)

// Receive adds supplier goods to the centre and writes the ledger row. With an
// idempotency key the answer is stored in the same transaction, and a repeat
// returns it without receiving twice.
func (r *Repo) Receive(ctx context.Context, key string, rec stock.Reception) (stock.ReceptionResult, error) {
	var out stock.ReceptionResult
	err := pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		if key != "" {
			found, err := claimKey(ctx, tx, key, "reception", fingerprint(rec), &out)
			if err != nil || found {
				return err
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
			Quantite: rec.Quantite, Reference: rec.Reference}
		err = tx.QueryRow(ctx,
			`INSERT INTO mouvements (emplacement_id, produit_id, type, quantite, reference) VALUES ($1, $2, $3, $4, $5)
			 RETURNING id, at`,
			m.EmplacementID, m.ProduitID, m.Type, m.Quantite, m.Reference).Scan(&m.ID, &m.At)
		if err != nil {
			return fmt.Errorf("ledger reception: %w", err)
		}
		out = stock.ReceptionResult{Mouvement: m, Niveau: n}
		if key != "" {
			return storeAnswer(ctx, tx, key, 201, out)
		}
		return nil
	})
	return out, err
}

func fingerprint(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// claimKey records key for operation, or, when it was already used, decodes
// the stored answer into out (found) or refuses a different request under it.
// A concurrent call with the same key waits on the insert until the first
// commits, so the effect happens once.
func claimKey(ctx context.Context, tx pgx.Tx, key, operation, empreinte string, out any) (found bool, err error) {
	tag, err := tx.Exec(ctx,
		`INSERT INTO idempotence (cle, operation, empreinte, statut, reponse) VALUES ($1, $2, $3, 0, 'null')
		 ON CONFLICT (cle) DO NOTHING`, key, operation, empreinte)
	if err != nil {
		return false, fmt.Errorf("claim key %s: %w", key, err)
	}
	if tag.RowsAffected() == 1 {
		return false, nil
	}
	var op, stored string
	var body []byte
	err = tx.QueryRow(ctx, `SELECT operation, empreinte, reponse FROM idempotence WHERE cle = $1`, key).Scan(&op, &stored, &body)
	if err != nil {
		return false, fmt.Errorf("read key %s: %w", key, err)
	}
	if op != operation || stored != empreinte {
		return false, stock.ErrKeyReused
	}
	if err := json.Unmarshal(body, out); err != nil {
		return false, fmt.Errorf("stored answer %s: %w", key, err)
	}
	return true, nil
}

func storeAnswer(ctx context.Context, tx pgx.Tx, key string, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE idempotence SET statut = $2, reponse = $3 WHERE cle = $1`, key, status, body)
	if err != nil {
		return fmt.Errorf("store answer %s: %w", key, err)
	}
	return nil
}
