-- +goose Up
-- Staff sign in with a login; a caissier is bound to one magasin.
CREATE TABLE personnel (
    login         text        PRIMARY KEY CHECK (login ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    nom           text        NOT NULL CHECK (length(nom) BETWEEN 1 AND 200),
    roles         text[]      NOT NULL CHECK (cardinality(roles) > 0
                                  AND roles <@ ARRAY['caissier', 'logistique', 'maison_mere']::text[]),
    magasin_id    bigint      CHECK (magasin_id > 0),
    mot_de_passe  text        NOT NULL CHECK (left(mot_de_passe, 10) = '$argon2id$'),
    actif         boolean     NOT NULL DEFAULT true,
    cree_le       timestamptz NOT NULL DEFAULT now(),
    modifie_le    timestamptz NOT NULL DEFAULT now(),
    CHECK (('caissier' = ANY (roles)) = (magasin_id IS NOT NULL))
);

-- Customers sign in with their email. A sign-up is written here first, with
-- client_id NULL, then made at the clients service under the Idempotency-Key
-- inscription:<inscription>, then client_id is set: a crash in between is
-- resumed by the same email and password. The fields are kept so the resumed
-- call sends the same body.
CREATE TABLE comptes_clients (
    inscription   uuid        PRIMARY KEY,
    email         text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    nom           text        NOT NULL CHECK (length(nom) BETWEEN 1 AND 200),
    telephone     text        NOT NULL DEFAULT '',
    adresse       text        NOT NULL DEFAULT '',
    mot_de_passe  text        NOT NULL CHECK (left(mot_de_passe, 10) = '$argon2id$'),
    client_id     bigint      UNIQUE CHECK (client_id > 0),
    cree_le       timestamptz NOT NULL DEFAULT now(),
    modifie_le    timestamptz NOT NULL DEFAULT now()
);
-- Unique whatever the case, as at the clients service.
CREATE UNIQUE INDEX comptes_clients_email_key ON comptes_clients (lower(email));

-- One sign-in: its refresh tokens form a family that lives at most
-- expire_le. Reusing a rotated token revokes the whole family.
CREATE TABLE familles (
    id            uuid        PRIMARY KEY,
    sujet         text        NOT NULL,
    cree_le       timestamptz NOT NULL DEFAULT now(),
    expire_le     timestamptz NOT NULL,
    revoquee_le   timestamptz
);
CREATE INDEX familles_expire_le_idx ON familles (expire_le);

-- Only the SHA-256 of each opaque token is kept. A token is used once: its
-- exchange sets utilise_le and writes the next one.
CREATE TABLE jetons (
    empreinte     bytea       PRIMARY KEY CHECK (length(empreinte) = 32),
    famille       uuid        NOT NULL REFERENCES familles (id) ON DELETE CASCADE,
    emis_le       timestamptz NOT NULL DEFAULT now(),
    utilise_le    timestamptz
);
CREATE INDEX jetons_famille_idx ON jetons (famille);

-- Failed password sign-ins, per account (compte:<login or email>) and per
-- address (adresse:<ip>), counted within a window that starts at the first
-- failure; reaching the limit sets bloque_jusqua.
CREATE TABLE echecs (
    cle           text        PRIMARY KEY,
    echecs        integer     NOT NULL CHECK (echecs > 0),
    debut         timestamptz NOT NULL,
    bloque_jusqua timestamptz
);
CREATE INDEX echecs_debut_idx ON echecs (debut);

-- +goose Down
DROP TABLE echecs;
DROP TABLE jetons;
DROP TABLE familles;
DROP TABLE comptes_clients;
DROP TABLE personnel;
