-- +goose Up
-- The Idempotency-Key of POST /panier and its answer (kit/idem), written in
-- the transaction that grows the line: a retried add replays the cart the
-- first one left instead of adding again.
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
