-- +goose Up
-- What has come back of each line. The check is the last line of defence:
-- whatever the code does, no line is returned beyond what was sold.
ALTER TABLE commande_lignes
    ADD COLUMN quantite_retournee integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT commande_lignes_retour_borne CHECK (quantite_retournee BETWEEN 0 AND quantite);

-- One row per return of a confirmed order, with its lines priced as sold.
CREATE TABLE retours (
    id           uuid        PRIMARY KEY,
    commande_id  uuid        NOT NULL REFERENCES commandes (id) ON DELETE CASCADE,
    montant      bigint      NOT NULL CHECK (montant > 0), -- cents
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retours_commande_idx ON retours (commande_id, at, id);

CREATE TABLE retour_lignes (
    retour_id      uuid    NOT NULL REFERENCES retours (id) ON DELETE CASCADE,
    position       integer NOT NULL CHECK (position BETWEEN 0 AND 99),
    produit_id     bigint  NOT NULL CHECK (produit_id >= 1),
    quantite       integer NOT NULL CHECK (quantite BETWEEN 1 AND 10000),
    prix_unitaire  bigint  NOT NULL CHECK (prix_unitaire > 0),
    PRIMARY KEY (retour_id, position),
    UNIQUE (retour_id, produit_id)
);

-- +goose Down
DROP TABLE retour_lignes;
DROP TABLE retours;
ALTER TABLE commande_lignes DROP COLUMN quantite_retournee;
