-- +goose Up
-- The saga records an order once, as it ended, with its whole history: each
-- order is one statement and a dozen index entries. Two indexes cost more
-- there than they give: the history of one order (at most six rows) is read
-- through the (commande_id, statut) index and sorted, and the channel filter
-- (two values) reads the newest-first index.
DROP INDEX commande_historique_commande_idx;
DROP INDEX commandes_canal_idx;

-- +goose Down
CREATE INDEX commandes_canal_idx ON commandes (canal, cree_le DESC, id DESC);
CREATE INDEX commande_historique_commande_idx ON commande_historique (commande_id, id);
