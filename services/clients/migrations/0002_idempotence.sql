-- +goose Up
-- The Idempotency-Key of POST /clients and its answer (kit/idem): identite's
-- sign-up retries with the same key, and must get the account it made.
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
