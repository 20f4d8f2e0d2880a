-- +goose Up
-- A saga row is the only source of truth for a saga's progress. The engine
-- updates it, with the step log, in one transaction before and after every
-- outbound call, and the recovery worker resumes from it.
CREATE TABLE sagas (
    id               uuid        PRIMARY KEY,
    type             text        NOT NULL CHECK (type IN ('commande', 'vente', 'retour')),
    statut           text        NOT NULL CHECK (statut IN ('CREEE', 'STOCK_VERIFIE', 'STOCK_RESERVE', 'PAYEE',
                                     'RETOUR_ENREGISTRE', 'RESTOCKE', 'CONFIRMEE', 'ANNULEE')),
    -- The pure state machine's state: which call is pending (phase, pas).
    phase            text        NOT NULL CHECK (phase IN ('en_cours', 'sondage', 'compensation', 'terminee')),
    pas              integer     NOT NULL CHECK (pas >= 0),
    incertain        boolean     NOT NULL DEFAULT false,
    etape            text        NOT NULL,
    motif            text        NOT NULL DEFAULT '',
    code_motif       text        NOT NULL DEFAULT '',
    http_status      integer     NOT NULL DEFAULT 0,
    -- A client's Idempotency-Key: the same key returns the same saga, never a
    -- second order. NULL when the client sent none (NULLs never collide).
    cle_idempotence  text        UNIQUE CHECK (length(cle_idempotence) BETWEEN 1 AND 200),
    empreinte        text        NOT NULL,
    requete          jsonb       NOT NULL,
    -- What the steps share (priced lines, location, payment...).
    donnees          jsonb       NOT NULL,
    -- Chosen by the saga and stored here before creer_commande is called, so
    -- a crash between the two cannot make a second order.
    commande_id      uuid,
    total            bigint      NOT NULL DEFAULT 0 CHECK (total >= 0),
    etats            jsonb       NOT NULL DEFAULT '[]',
    n_etapes         integer     NOT NULL DEFAULT 0,
    -- The driver (a live request or the recovery worker) holds a lease,
    -- renewed at each step; recovery takes only sagas whose lease expired.
    lease_owner      uuid,
    lease_until      timestamptz,
    cree_le          timestamptz NOT NULL DEFAULT now(),
    modifie_le       timestamptz NOT NULL DEFAULT now(),
    termine_le       timestamptz,
    CHECK ((phase = 'terminee') = (lease_until IS NULL))
);
CREATE INDEX sagas_cree_le_idx ON sagas (cree_le DESC, id);
CREATE INDEX sagas_statut_idx ON sagas (statut, cree_le DESC);
CREATE INDEX sagas_type_idx ON sagas (type, cree_le DESC);
CREATE INDEX sagas_commande_id_idx ON sagas (commande_id);
-- Recovery scans only the unfinished sagas, a handful among millions.
CREATE INDEX sagas_reprise_idx ON sagas (lease_until) WHERE phase <> 'terminee';

-- The step log: one row per outbound step call (an action, its compensation
-- or a probe), written before the call ('envoyee') and completed after it.
CREATE TABLE saga_etapes (
    saga_id      uuid        NOT NULL REFERENCES sagas (id) ON DELETE CASCADE,
    n            integer     NOT NULL CHECK (n >= 1),
    etape        text        NOT NULL,
    sens         text        NOT NULL CHECK (sens IN ('action', 'compensation', 'sondage')),
    statut       text        NOT NULL CHECK (statut IN ('envoyee', 'reussie', 'echouee', 'inconnue')),
    tentatives   integer     NOT NULL DEFAULT 0,
    http_status  integer,
    reponse      jsonb,
    envoyee_le   timestamptz NOT NULL DEFAULT now(),
    recue_le     timestamptz,
    PRIMARY KEY (saga_id, n)
);

-- +goose Down
DROP TABLE saga_etapes;
DROP TABLE sagas;
