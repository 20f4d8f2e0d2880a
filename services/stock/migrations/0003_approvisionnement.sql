-- +goose Up
-- Who and why for every ledger row. Rows written before this migration get
-- the actor their writer had: the saga reserves, sells and takes returns, the
-- centre receives.
ALTER TABLE mouvements
    ADD COLUMN acteur text NOT NULL DEFAULT 'systeme' CHECK (length(acteur) BETWEEN 1 AND 100),
    ADD COLUMN motif  text NOT NULL DEFAULT '' CHECK (length(motif) <= 500);
UPDATE mouvements SET acteur = CASE WHEN type = 'reception' THEN 'logistique' ELSE 'saga' END
WHERE type IN ('reception', 'reservation', 'liberation', 'vente', 'retour');
-- GET /mouvements?depuis=&jusqu_a= (reference= already has its index).
CREATE INDEX mouvements_at_idx ON mouvements (at);

-- Minimum stock per (location, product). No row means the default (20,
-- set in code); the seed needs none.
CREATE TABLE seuils (
    emplacement_id  bigint NOT NULL REFERENCES emplacements (id),
    produit_id      bigint NOT NULL REFERENCES produits (id),
    seuil           bigint NOT NULL CHECK (seuil BETWEEN 0 AND 100000),
    PRIMARY KEY (emplacement_id, produit_id)
);
CREATE INDEX seuils_produit_idx ON seuils (produit_id);

-- Supply requests from a store to the centre. An approval delivers at once,
-- so approuvee exists only for the life cycle's sake.
CREATE TABLE demandes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    magasin_id  bigint NOT NULL REFERENCES emplacements (id),
    produit_id  bigint NOT NULL REFERENCES produits (id),
    quantite    bigint NOT NULL CHECK (quantite BETWEEN 1 AND 200000),
    statut      text   NOT NULL DEFAULT 'en_attente' CHECK (statut IN ('en_attente', 'approuvee', 'refusee', 'livree')),
    origine     text   NOT NULL CHECK (origine IN ('magasin', 'automatique')),
    motif       text   NOT NULL DEFAULT '' CHECK (length(motif) <= 500),
    motif_refus text   NOT NULL DEFAULT '' CHECK (length(motif_refus) <= 500),
    cree_le     timestamptz NOT NULL DEFAULT now(),
    modifie_le  timestamptz NOT NULL DEFAULT now()
);
-- At most one pending request per (store, product): automatic replenishment
-- relies on it (ON CONFLICT DO NOTHING), whatever the concurrency.
CREATE UNIQUE INDEX demandes_une_en_attente_idx ON demandes (magasin_id, produit_id) WHERE statut = 'en_attente';
-- Newest first under every filter of GET /demandes.
CREATE INDEX demandes_statut_idx ON demandes (statut, id DESC);
CREATE INDEX demandes_magasin_idx ON demandes (magasin_id, id DESC);
CREATE INDEX demandes_produit_idx ON demandes (produit_id, id DESC);

-- +goose Down
DROP TABLE demandes;
DROP TABLE seuils;
DROP INDEX mouvements_at_idx;
ALTER TABLE mouvements DROP COLUMN motif, DROP COLUMN acteur;
