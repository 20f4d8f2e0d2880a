-- +goose Up
-- What recovery keeps about a saga it cannot finish (docs/saga.md, "À vérifier"):
-- its attempts in a row stuck at the same call, since when it is à vérifier
-- (after N of them; NULL otherwise) and the last error a call met. The
-- furthest step the saga called is kept apart from the step pending, so a
-- saga compensating still says how far it went.
ALTER TABLE sagas
    ADD COLUMN etape_atteinte    text        NOT NULL DEFAULT '',
    ADD COLUMN reprises          integer     NOT NULL DEFAULT 0 CHECK (reprises >= 0),
    ADD COLUMN a_verifier_depuis timestamptz,
    ADD COLUMN derniere_erreur   text        NOT NULL DEFAULT '';
-- Only unfinished sagas are ever à vérifier: the engine clears the mark as
-- the saga ends. Head office's list and the metric read this index alone.
CREATE INDEX sagas_a_verifier_idx ON sagas (a_verifier_depuis) WHERE a_verifier_depuis IS NOT NULL;

-- +goose Down
DROP INDEX sagas_a_verifier_idx;
ALTER TABLE sagas DROP COLUMN derniere_erreur, DROP COLUMN a_verifier_depuis, DROP COLUMN reprises,
    DROP COLUMN etape_atteinte;
