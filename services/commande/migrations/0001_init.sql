-- +goose Up
CREATE TABLE commandes (
    id          uuid        PRIMARY KEY,
    client_id   bigint      NOT NULL CHECK (client_id >= 1),
    canal       text        NOT NULL CHECK (canal IN ('en_ligne', 'magasin')),
    magasin_id  integer     CHECK (magasin_id BETWEEN 1 AND 5),
    statut      text        NOT NULL CHECK (statut IN ('CREEE', 'STOCK_VERIFIE', 'STOCK_RESERVE', 'PAYEE', 'CONFIRMEE', 'ANNULEE')),
    total       bigint      NOT NULL CHECK (total > 0),
    -- Fingerprint of the content at creation: a retry with the same id is
    -- replayed, a different order reusing the id is refused.
    empreinte   text        NOT NULL,
    cree_le     timestamptz NOT NULL DEFAULT now(),
    modifie_le  timestamptz NOT NULL DEFAULT now(),
    -- A counter sale names its store; an online order is served by the centre.
    CONSTRAINT commandes_magasin_si_comptoir CHECK ((canal = 'magasin') = (magasin_id IS NOT NULL))
);
-- Every list filter has an index that also serves the newest-first order.
CREATE INDEX commandes_cree_le_idx   ON commandes (cree_le DESC, id DESC);
CREATE INDEX commandes_client_idx    ON commandes (client_id, cree_le DESC, id DESC);
CREATE INDEX commandes_statut_idx    ON commandes (statut, cree_le DESC, id DESC);
CREATE INDEX commandes_magasin_idx   ON commandes (magasin_id, cree_le DESC, id DESC) WHERE magasin_id IS NOT NULL;
CREATE INDEX commandes_canal_idx     ON commandes (canal, cree_le DESC, id DESC);

CREATE TABLE commande_lignes (
    commande_id    uuid    NOT NULL REFERENCES commandes (id) ON DELETE CASCADE,
    position       integer NOT NULL CHECK (position BETWEEN 0 AND 99),
    produit_id     bigint  NOT NULL CHECK (produit_id >= 1),
    quantite       integer NOT NULL CHECK (quantite BETWEEN 1 AND 10000),
    prix_unitaire  bigint  NOT NULL CHECK (prix_unitaire > 0),
    PRIMARY KEY (commande_id, position),
    UNIQUE (commande_id, produit_id)
);

CREATE TABLE commande_historique (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commande_id  uuid        NOT NULL REFERENCES commandes (id) ON DELETE CASCADE,
    statut       text        NOT NULL,
    motif        text        NOT NULL DEFAULT '',
    at           timestamptz NOT NULL DEFAULT now()
);
-- The state machine has no cycle, so an order enters each state at most once:
-- a second row for the same state would be a transition applied twice.
CREATE UNIQUE INDEX commande_historique_une_entree ON commande_historique (commande_id, statut);
CREATE INDEX commande_historique_commande_idx ON commande_historique (commande_id, id);

-- Answers to mutating calls, by Idempotency-Key, written by kit/idem in the
-- same transaction as the effect so a repeat replays them exactly. Creations
-- and transitions share one scope, so a key cannot serve both.
CREATE TABLE idempotence (
    portee     text        NOT NULL,
    cle        text        NOT NULL CHECK (length(cle) BETWEEN 1 AND 200),
    empreinte  text        NOT NULL,
    statut     integer,
    reponse    json,
    cree_le    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (portee, cle)
);

-- +goose Down
DROP TABLE idempotence;
DROP TABLE commande_historique;
DROP TABLE commande_lignes;
DROP TABLE commandes;
