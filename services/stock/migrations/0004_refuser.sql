-- +goose Up
-- A reservation or a sale is one statement, so one round trip and one
-- commit, with the busiest stock rows locked only for the statement and its
-- commit. When the statement finds that it cannot apply whole (a line short,
-- or a product withdrawn), it calls refuser, which aborts it: every line,
-- the key and the ledger rows roll back together. The service then says why.
-- +goose StatementBegin
CREATE FUNCTION refuser(raison text) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = raison;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION refuser(text);
