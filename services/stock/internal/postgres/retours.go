package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/jackc/pgx/v5"

	"multimagasins/kit/idem"
	"multimagasins/stock/internal/stock"
)

// Return puts returned goods back on a location's shelf: the stock rows (made
// when the product had none there), one retour ledger row per line and the
// answer under key, in one transaction. replay is true when key already
// carried this return and its stored answer is given back.
func (r *Repo) Return(ctx context.Context, key string, n stock.NouveauRetour) (out stock.Retour, replay bool, err error) {
	canon := n.Canonical()
	k := idem.Key{Scope: "retour", Key: key, Fingerprint: idem.Fingerprint(canon)}
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		replay = false
		stored, err := idem.Claim(ctx, tx, k)
		if errors.Is(err, idem.ErrReused) {
			return stock.ErrKeyReused
		}
		if err != nil {
			return err
		}
		if stored != nil {
			replay = true
			if err := json.Unmarshal(stored.Body, &out); err != nil {
				return fmt.Errorf("stored answer %s: %w", key, err)
			}
			return nil
		}
		if err := checkEmplacement(ctx, tx, n.EmplacementID); err != nil {
			return err
		}
		if err := checkCatalogue(ctx, tx, n.Lignes, false); err != nil {
			return err
		}
		// By product id, the lock order of reservations, so a return never
		// deadlocks with a reservation at the same location.
		ids := make([]int64, len(canon.Lignes))
		qs := make([]int64, len(canon.Lignes))
		for i, l := range canon.Lignes {
			ids[i], qs[i] = l.ProduitID, l.Quantite
		}
		_, err = tx.Exec(ctx,
			`INSERT INTO niveaux (emplacement_id, produit_id, quantite)
			 SELECT $1, p, q FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS l(p, q, i) ORDER BY i
			 ON CONFLICT (emplacement_id, produit_id) DO UPDATE SET quantite = niveaux.quantite + EXCLUDED.quantite`,
			n.EmplacementID, ids, qs)
		if err != nil {
			return fmt.Errorf("restock %s: %w", n.Reference, err)
		}
		rows, err := tx.Query(ctx,
			`INSERT INTO mouvements (emplacement_id, produit_id, type, quantite, reference, acteur, motif)
			 SELECT $1, p, $2, q, $3, $6, $7 FROM unnest($4::bigint[], $5::bigint[]) WITH ORDINALITY AS l(p, q, i) ORDER BY i
			 RETURNING `+mouvementColumns,
			n.EmplacementID, stock.MvtRetour, n.Reference, ids, qs, stock.ActeurSaga, "retour client")
		if err != nil {
			return fmt.Errorf("ledger retour %s: %w", n.Reference, err)
		}
		mvts, err := pgx.CollectRows(rows, scanMouvement)
		if err != nil {
			return fmt.Errorf("ledger retour %s: %w", n.Reference, err)
		}
		// RETURNING promises no order.
		slices.SortFunc(mvts, func(a, b stock.Mouvement) int { return cmp.Compare(a.ProduitID, b.ProduitID) })
		out = stock.Retour{EmplacementID: n.EmplacementID, Reference: n.Reference, Lignes: n.Lignes, Mouvements: mvts}
		return idem.Keep(ctx, tx, k, http.StatusCreated, out)
	})
	return out, replay, err
}
