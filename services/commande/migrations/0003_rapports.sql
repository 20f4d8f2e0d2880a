-- +goose Up
-- What has been returned of each order, kept in the same transaction as the
-- return itself: the head-office reports read revenue net of returns from the
-- orders alone, without joining every return of the period.
ALTER TABLE commandes ADD COLUMN montant_retourne bigint NOT NULL DEFAULT 0; -- cents
UPDATE commandes c SET montant_retourne = r.montant
FROM (SELECT commande_id, sum(montant) AS montant FROM retours GROUP BY commande_id) r
WHERE r.commande_id = c.id;
ALTER TABLE commandes ADD CONSTRAINT commandes_retour_borne CHECK (montant_retourne BETWEEN 0 AND total);

-- Every report reads confirmed orders of a period: an index-only scan of this
-- one answers ventes-par-magasin, chiffre-affaires-par-jour and
-- performance-magasins, and gives top-produits its orders.
CREATE INDEX commandes_confirmees_idx ON commandes (cree_le)
    INCLUDE (magasin_id, total, montant_retourne, id) WHERE statut = 'CONFIRMEE';
-- A line of a confirmed order carries the order's cree_le (set by the
-- transition to CONFIRMEE, a final state; NULL before): top-produits then
-- reads the lines of a period from this index alone instead of joining a
-- month of orders to their lines.
ALTER TABLE commande_lignes ADD COLUMN vente_le timestamptz;
UPDATE commande_lignes l SET vente_le = c.cree_le
FROM commandes c WHERE c.id = l.commande_id AND c.statut = 'CONFIRMEE';
CREATE INDEX commande_lignes_vente_idx ON commande_lignes (vente_le)
    INCLUDE (produit_id, quantite, prix_unitaire, quantite_retournee) WHERE vente_le IS NOT NULL;

-- One row per run of the sales history generator (cmd/generer): a second run
-- finds it and adds nothing unless forced.
CREATE TABLE generations (
    id          integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    graine      bigint      NOT NULL,
    jours       integer     NOT NULL CHECK (jours >= 1),
    par_jour    integer     NOT NULL CHECK (par_jour >= 1),
    commandes   integer     NOT NULL CHECK (commandes >= 0),
    cree_le     timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE generations;
DROP INDEX commande_lignes_vente_idx;
ALTER TABLE commande_lignes DROP COLUMN vente_le;
DROP INDEX commandes_confirmees_idx;
ALTER TABLE commandes DROP CONSTRAINT commandes_retour_borne;
ALTER TABLE commandes DROP COLUMN montant_retourne;
