-- +goose Up
-- A client with no row here has the default limit (500.00, the seed's threshold).
CREATE TABLE comptes (
    client_id   bigint      PRIMARY KEY CHECK (client_id > 0),
    limite      bigint      NOT NULL CHECK (limite >= 0),
    modifie_le  timestamptz NOT NULL DEFAULT now()
);

-- Refused charges are kept too: the refusal is an answer the saga may ask for again.
CREATE TABLE paiements (
    id           uuid        PRIMARY KEY,
    commande_id  uuid        NOT NULL,
    client_id    bigint      NOT NULL CHECK (client_id > 0),
    montant      bigint      NOT NULL CHECK (montant > 0 AND montant <= 100000000),
    methode      text        NOT NULL CHECK (methode IN ('carte', 'comptant')),
    statut       text        NOT NULL CHECK (statut IN ('accepte', 'refuse', 'rembourse', 'partiellement_rembourse')),
    motif        text        NOT NULL DEFAULT '',
    rembourse    bigint      NOT NULL DEFAULT 0 CHECK (rembourse >= 0 AND rembourse <= montant),
    cle          text        NOT NULL UNIQUE,
    cree_le      timestamptz NOT NULL DEFAULT now(),
    CHECK (statut <> 'refuse' OR rembourse = 0)
);
-- An order is charged at most once, whatever the key: a refunded charge still
-- holds its order, only a refusal leaves it free for another attempt.
CREATE UNIQUE INDEX paiements_commande_payee_key ON paiements (commande_id) WHERE statut <> 'refuse';
CREATE INDEX paiements_commande_idx ON paiements (commande_id, cree_le DESC, id DESC);
CREATE INDEX paiements_client_idx ON paiements (client_id, cree_le DESC, id DESC);
CREATE INDEX paiements_statut_idx ON paiements (statut, cree_le DESC, id DESC);
CREATE INDEX paiements_cree_le_idx ON paiements (cree_le DESC, id DESC);

CREATE TABLE remboursements (
    id           uuid        PRIMARY KEY,
    paiement_id  uuid        NOT NULL REFERENCES paiements (id),
    montant      bigint      NOT NULL CHECK (montant > 0),
    motif        text        NOT NULL DEFAULT '',
    cle          text        NOT NULL UNIQUE,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX remboursements_paiement_idx ON remboursements (paiement_id, at, id);

-- The answer given under each Idempotency-Key (scope paiement or
-- remboursement), written by kit/idem in the same transaction as the effect so
-- a repeat replays it. json (not jsonb) keeps the bytes as sent.
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
DROP TABLE remboursements;
DROP TABLE paiements;
DROP TABLE comptes;
