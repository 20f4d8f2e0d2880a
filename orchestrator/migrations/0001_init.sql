-- +goose Up
-- A saga row is the only source of truth for a saga's progress: the engine
-- writes it before and after every outbound call and resumes from it.
CREATE TABLE sagas (
    id               uuid        PRIMARY KEY,
    type             text        NOT NULL CHECK (type IN ('commande', 'vente', 'retour')),
    statut           text        NOT NULL CHECK (statut IN
                         ('CREEE', 'STOCK_VERIFIE', 'STOCK_RESERVE', 'PAYEE', 'CONFIRMEE', 'ANNULEE')),
    etape            text        NOT NULL DEFAULT '',
    -- A client's Idempotency-Key: the same key returns the same saga, never a second order.
    -- NULL when the client sent none (NULLs never collide).
    cle_idempotence  text        UNIQUE CHECK (length(cle_idempotence) BETWEEN 1 AND 200),
    requete          jsonb       NOT NULL,
    commande_id      uuid,
    motif            text        NOT NULL DEFAULT '',
    cree_le          timestamptz NOT NULL DEFAULT now(),
    modifie_le       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sagas_statut_idx ON sagas (statut, cree_le DESC);
CREATE INDEX sagas_cree_le_idx ON sagas (cree_le DESC);
CREATE INDEX sagas_commande_id_idx ON sagas (commande_id);
-- Recovery scans only the unfinished sagas, a handful among millions.
CREATE INDEX sagas_en_cours_idx ON sagas (modifie_le)
    WHERE statut NOT IN ('CONFIRMEE', 'ANNULEE');

-- The step log: one row per outbound call (an action or its compensation),
-- written before the call ('envoyee') and updated with its outcome.
CREATE TABLE saga_etapes (
    saga_id  uuid        NOT NULL REFERENCES sagas (id) ON DELETE CASCADE,
    n        integer     NOT NULL CHECK (n >= 1),
    etape    text        NOT NULL,
    sens     text        NOT NULL CHECK (sens IN ('action', 'compensation')),
    statut   text        NOT NULL CHECK (statut IN ('envoyee', 'reussie', 'echouee', 'inconnue')),
    reponse  jsonb,
    at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (saga_id, n)
);

-- +goose Down
DROP TABLE saga_etapes;
DROP TABLE sagas;
