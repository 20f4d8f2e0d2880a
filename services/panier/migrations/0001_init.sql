-- +goose Up
-- A client's open cart is the set of its lines: no cart row to create first,
-- so the first add and a concurrent second add cannot race on it.
CREATE TABLE panier_lignes (
    client_id     bigint      NOT NULL CHECK (client_id > 0),
    produit_id    bigint      NOT NULL CHECK (produit_id > 0),
    quantite      integer     NOT NULL CHECK (quantite BETWEEN 1 AND 1000),
    prix_unitaire bigint      NOT NULL CHECK (prix_unitaire >= 0),
    ajoute_le     timestamptz NOT NULL DEFAULT now(),
    modifie_le    timestamptz NOT NULL DEFAULT now(),
    -- Also the index every read uses: all the lines of one client.
    PRIMARY KEY (client_id, produit_id)
);

-- +goose Down
DROP TABLE panier_lignes;
