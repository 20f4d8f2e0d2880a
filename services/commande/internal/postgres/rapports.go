package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"multimagasins/commande/internal/commande"
	"multimagasins/kit"
)

// Each report is one aggregate query over the confirmed sales of a period,
// answered from one covering index: commandes_confirmees_idx for the orders,
// commande_lignes_vente_idx for the lines (vente_le is set only on confirmation).
const (
	sqlSommesParMagasin = `
SELECT coalesce(magasin_id, 0), sum(total - montant_retourne)::bigint, count(*)
FROM commandes
WHERE statut = 'CONFIRMEE' AND cree_le >= $1 AND cree_le < $2
GROUP BY 1`

	sqlTopProduits = `
SELECT produit_id, sum(quantite - quantite_retournee)::bigint AS quantite,
       sum((quantite - quantite_retournee)::bigint * prix_unitaire)::bigint AS chiffre_affaires
FROM commande_lignes
WHERE vente_le >= $1 AND vente_le < $2
GROUP BY produit_id
HAVING sum(quantite - quantite_retournee) > 0
ORDER BY %s, produit_id
LIMIT $3`

	// Days are Montréal days: the series runs from the day holding depuis to
	// the day holding the last instant before jusqu_a, and every day of it
	// gets a row, with zeros when nothing sold.
	sqlParJour = `
WITH jours AS (
    SELECT generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE $4),
                           date_trunc('day', ($2::timestamptz - interval '1 microsecond') AT TIME ZONE $4),
                           interval '1 day') AS jour
), ventes AS (
    SELECT date_trunc('day', cree_le AT TIME ZONE $4) AS jour,
           sum(total - montant_retourne)::bigint AS ca, count(*) AS n
    FROM commandes
    WHERE statut = 'CONFIRMEE' AND cree_le >= $1 AND cree_le < $2 AND ($3::int IS NULL OR magasin_id = $3)
    GROUP BY 1
)
SELECT to_char(j.jour, 'YYYY-MM-DD'), coalesce(v.ca, 0), coalesce(v.n, 0)
FROM jours j LEFT JOIN ventes v USING (jour)
ORDER BY j.jour`
)

// ordreTop is the ORDER BY of each ranking: fixed strings, never input.
var ordreTop = map[commande.Classement]string{
	commande.ParQuantite:        "quantite DESC, chiffre_affaires DESC",
	commande.ParChiffreAffaires: "chiffre_affaires DESC, quantite DESC",
}

// SommesParMagasin adds up the confirmed sales of the period per store id
// (0 for online), net of returns.
func (r *Repo) SommesParMagasin(ctx context.Context, p commande.Periode) (map[int]commande.Agregat, error) {
	rows, err := r.pool.Query(ctx, sqlSommesParMagasin, p.Depuis, p.JusquA)
	if err != nil {
		return nil, fmt.Errorf("sommes par magasin: %w", err)
	}
	defer rows.Close()
	out := map[int]commande.Agregat{}
	for rows.Next() {
		var id int
		var ca, n int64
		if err := rows.Scan(&id, &ca, &n); err != nil {
			return nil, fmt.Errorf("sommes par magasin: %w", err)
		}
		out[id] = commande.Agregat{ChiffreAffaires: kit.Cents(ca), NombreVentes: n}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sommes par magasin: %w", err)
	}
	return out, nil
}

// TopProduits ranks the products sold in the period, net of returns.
func (r *Repo) TopProduits(ctx context.Context, p commande.Periode, par commande.Classement, limit int) ([]commande.ProduitVendu, error) {
	ordre, ok := ordreTop[par]
	if !ok {
		return nil, fmt.Errorf("top produits: unknown ranking %q", par)
	}
	rows, err := r.pool.Query(ctx, fmt.Sprintf(sqlTopProduits, ordre), p.Depuis, p.JusquA, limit)
	if err != nil {
		return nil, fmt.Errorf("top produits: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (commande.ProduitVendu, error) {
		var v commande.ProduitVendu
		var ca int64
		err := row.Scan(&v.ProduitID, &v.Quantite, &ca)
		v.ChiffreAffaires = kit.Cents(ca)
		return v, err
	})
	if err != nil {
		return nil, fmt.Errorf("top produits: %w", err)
	}
	if list == nil {
		list = []commande.ProduitVendu{}
	}
	return list, nil
}

// ParJour gives every Montréal day of the period its confirmed sales, for
// one store or (magasin nil) the whole chain.
func (r *Repo) ParJour(ctx context.Context, p commande.Periode, magasin *int) ([]commande.Jour, error) {
	rows, err := r.pool.Query(ctx, sqlParJour, p.Depuis, p.JusquA, magasin, commande.Fuseau)
	if err != nil {
		return nil, fmt.Errorf("chiffre d'affaires par jour: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (commande.Jour, error) {
		var j commande.Jour
		var ca int64
		err := row.Scan(&j.Jour, &ca, &j.NombreVentes)
		j.ChiffreAffaires = kit.Cents(ca)
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("chiffre d'affaires par jour: %w", err)
	}
	if list == nil {
		list = []commande.Jour{}
	}
	return list, nil
}

// Plans runs EXPLAIN (ANALYZE, BUFFERS) on each report's query with the
// period p, for docs/performance.md; keyed by report path.
func (r *Repo) Plans(ctx context.Context, p commande.Periode) (map[string]string, error) {
	magasin := 3
	queries := []struct {
		name, sql string
		args      []any
	}{
		{"ventes-par-magasin, performance-magasins", sqlSommesParMagasin, []any{p.Depuis, p.JusquA}},
		{"top-produits", fmt.Sprintf(sqlTopProduits, ordreTop[commande.ParChiffreAffaires]), []any{p.Depuis, p.JusquA, 10}},
		{"chiffre-affaires-par-jour", sqlParJour, []any{p.Depuis, p.JusquA, nil, commande.Fuseau}},
		{"chiffre-affaires-par-jour?magasin_id=3", sqlParJour, []any{p.Depuis, p.JusquA, &magasin, commande.Fuseau}},
	}
	out := map[string]string{}
	for _, q := range queries {
		rows, err := r.pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q.sql, q.args...)
		if err != nil {
			return nil, fmt.Errorf("explain %s: %w", q.name, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, fmt.Errorf("explain %s: %w", q.name, err)
		}
		out[q.name] = strings.Join(lines, "\n")
	}
	return out, nil
}
