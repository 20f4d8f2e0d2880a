package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"multimagasins/commande/internal/commande"
)

// Generation describes one run of the sales history generator.
type Generation struct {
	Graine  int64
	Jours   int
	ParJour int
}

// Generations counts the runs of the generator already recorded.
func (r *Repo) Generations(ctx context.Context) (int, error) {
	var n int
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM generations`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count generations: %w", err)
	}
	return n, nil
}

// InsererHistorique writes past sales as the saga leaves them (order
// CONFIRMEE, its lines, one history row per state, and returns with their
// lines) with COPY, and records the run, in one transaction. Unless force,
// it adds nothing when a run is already recorded: a second launch of the
// demo keeps the first history. inserted is the number of orders written.
func (r *Repo) InsererHistorique(ctx context.Context, g Generation, ventes []commande.VenteHistorique, force bool) (inserted int, err error) {
	err = pgx.BeginFunc(ctx, r.pool, func(tx pgx.Tx) error {
		// Two generators started together: the second waits, then sees the first's row.
		if _, err := tx.Exec(ctx, `LOCK TABLE generations IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock generations: %w", err)
		}
		var runs int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM generations`).Scan(&runs); err != nil {
			return fmt.Errorf("count generations: %w", err)
		}
		if runs > 0 && !force {
			return nil
		}
		if err := copyHistorique(ctx, tx, ventes); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO generations (graine, jours, par_jour, commandes) VALUES ($1, $2, $3, $4)`,
			g.Graine, g.Jours, g.ParJour, len(ventes)); err != nil {
			return fmt.Errorf("record generation: %w", err)
		}
		inserted = len(ventes)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if inserted > 0 {
		// Fresh statistics and visibility map: the reports' index-only scans
		// count on them, and autovacuum would take a while to come by.
		if _, err := r.pool.Exec(ctx, `VACUUM (ANALYZE) commandes, commande_lignes, retours`); err != nil {
			return inserted, fmt.Errorf("vacuum: %w", err)
		}
	}
	return inserted, nil
}

// etapes are the states a confirmed sale went through, in order.
var etapes = []commande.Statut{commande.Creee, commande.StockVerifie, commande.StockReserve, commande.Payee, commande.Confirmee}

func copyHistorique(ctx context.Context, tx pgx.Tx, ventes []commande.VenteHistorique) error {
	var cmds, lignes, hist, rets, retLignes [][]any
	for _, v := range ventes {
		d := v.Demande
		ls := d.LignesPrix()
		var retourne int64
		if v.Retour != nil {
			retourne = int64(v.Retour.Montant)
		}
		fin := v.CreeLe.Add(time.Duration(len(etapes)-1) * 15 * time.Millisecond)
		cmds = append(cmds, []any{*d.ID, d.ClientID, string(d.Canal), d.MagasinID, string(commande.Confirmee),
			int64(commande.Total(ls)), retourne, d.Empreinte(), v.CreeLe, fin})
		rendu := map[int64]int{}
		if v.Retour != nil {
			for i, l := range v.Retour.Lignes {
				rendu[l.ProduitID] = l.Quantite
				retLignes = append(retLignes, []any{v.Retour.ID, i, l.ProduitID, l.Quantite, int64(l.PrixUnitaire)})
			}
			rets = append(rets, []any{v.Retour.ID, *d.ID, int64(v.Retour.Montant), v.Retour.At})
		}
		for i, l := range ls {
			lignes = append(lignes, []any{*d.ID, i, l.ProduitID, l.Quantite, int64(l.PrixUnitaire), rendu[l.ProduitID], v.CreeLe})
		}
		for i, s := range etapes {
			hist = append(hist, []any{*d.ID, string(s), "", v.CreeLe.Add(time.Duration(i) * 15 * time.Millisecond)})
		}
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"commandes", []string{"id", "client_id", "canal", "magasin_id", "statut", "total", "montant_retourne", "empreinte", "cree_le", "modifie_le"}, cmds},
		{"commande_lignes", []string{"commande_id", "position", "produit_id", "quantite", "prix_unitaire", "quantite_retournee", "vente_le"}, lignes},
		{"commande_historique", []string{"commande_id", "statut", "motif", "at"}, hist},
		{"retours", []string{"id", "commande_id", "montant", "at"}, rets},
		{"retour_lignes", []string{"retour_id", "position", "produit_id", "quantite", "prix_unitaire"}, retLignes},
	}
	for _, c := range copies {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", c.table, err)
		}
	}
	return nil
}
