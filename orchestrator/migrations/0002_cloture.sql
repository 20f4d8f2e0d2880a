-- +goose Up
-- The closing call (phase 'cloture') records a saga's outcome with the
-- participant that keeps the business record. The step log and the saga's
-- documents are written once and read back as they are: json keeps them
-- as sent, without jsonb's parse on every write.
ALTER TABLE sagas DROP CONSTRAINT sagas_phase_check;
ALTER TABLE sagas ADD CONSTRAINT sagas_phase_check
    CHECK (phase IN ('en_cours', 'sondage', 'compensation', 'cloture', 'terminee'));
ALTER TABLE sagas ALTER COLUMN requete TYPE json, ALTER COLUMN donnees TYPE json,
    ALTER COLUMN etats DROP DEFAULT, ALTER COLUMN etats TYPE json;
ALTER TABLE sagas ALTER COLUMN etats SET DEFAULT '[]';
ALTER TABLE saga_etapes ALTER COLUMN reponse TYPE json;
-- Lists filter by state or by type, newest first; one index serves the
-- unfiltered list and the type filter (few types), so a saga's writes keep
-- one index fewer up to date.
DROP INDEX sagas_type_idx;

-- +goose Down
CREATE INDEX sagas_type_idx ON sagas (type, cree_le DESC);
ALTER TABLE saga_etapes ALTER COLUMN reponse TYPE jsonb;
ALTER TABLE sagas ALTER COLUMN etats DROP DEFAULT, ALTER COLUMN etats TYPE jsonb,
    ALTER COLUMN requete TYPE jsonb, ALTER COLUMN donnees TYPE jsonb;
ALTER TABLE sagas ALTER COLUMN etats SET DEFAULT '[]';
ALTER TABLE sagas DROP CONSTRAINT sagas_phase_check;
ALTER TABLE sagas ADD CONSTRAINT sagas_phase_check
    CHECK (phase IN ('en_cours', 'sondage', 'compensation', 'terminee'));
