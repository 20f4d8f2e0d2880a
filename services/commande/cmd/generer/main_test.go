package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/commande/migrations"
	"multimagasins/kit/kittest"
)

type comptes struct {
	commandes, lignes, historique, retours, nonConfirmees, montantsFaux int
	joursMagasins, joursEnLigne                                         int
}

func compter(t *testing.T, dbURL string) comptes {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var c comptes
	require.NoError(t, conn.QueryRow(ctx, `SELECT
	    (SELECT count(*) FROM commandes),
	    (SELECT count(*) FROM commande_lignes),
	    (SELECT count(*) FROM commande_historique),
	    (SELECT count(*) FROM retours),
	    (SELECT count(*) FROM commandes WHERE statut <> 'CONFIRMEE'),
	    -- every order's total and returned amount agree with its lines and returns
	    (SELECT count(*) FROM commandes c
	     WHERE total <> (SELECT sum(quantite::bigint * prix_unitaire) FROM commande_lignes WHERE commande_id = c.id)
	        OR montant_retourne <> (SELECT coalesce(sum(quantite_retournee::bigint * prix_unitaire), 0) FROM commande_lignes WHERE commande_id = c.id)
	        OR montant_retourne <> (SELECT coalesce(sum(montant), 0) FROM retours WHERE commande_id = c.id)),
	    (SELECT count(DISTINCT (date_trunc('day', cree_le AT TIME ZONE 'America/Montreal'), magasin_id)) FROM commandes WHERE magasin_id IS NOT NULL),
	    (SELECT count(DISTINCT date_trunc('day', cree_le AT TIME ZONE 'America/Montreal')) FROM commandes WHERE magasin_id IS NULL)`).
		Scan(&c.commandes, &c.lignes, &c.historique, &c.retours, &c.nonConfirmees, &c.montantsFaux, &c.joursMagasins, &c.joursEnLigne))
	return c
}

func generer(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), append([]string{"generer"}, args...), func(string) string { return "" }, &out), out.String())
	return out.String()
}

func TestGenerer_PlausibleThenIdempotent(t *testing.T) {
	t.Parallel()
	dbURL := kittest.DB(t, "commande", migrations.FS)
	generer(t, "-database", dbURL, "-par-jour", "3")
	first := compter(t, dbURL)

	require.Greater(t, first.commandes, 90*6*2, "about 3 sales a day for each store and online")
	require.Equal(t, 5*first.commandes, first.historique, "CREEE to CONFIRMEE: five history rows per sale")
	require.Greater(t, first.lignes, first.commandes)
	require.Positive(t, first.retours, "a few sales see something come back")
	require.Zero(t, first.nonConfirmees)
	require.Zero(t, first.montantsFaux)
	require.Equal(t, 90*5, first.joursMagasins, "90 days × 5 stores, every day has sales")
	require.Equal(t, 90, first.joursEnLigne)

	out := generer(t, "-database", dbURL, "-par-jour", "3")
	require.Contains(t, out, "nothing added")
	require.Equal(t, first, compter(t, dbURL), "a second run adds nothing")

	generer(t, "-database", dbURL, "-par-jour", "1", "-days", "2", "-force")
	require.Greater(t, compter(t, dbURL).commandes, first.commandes, "-force adds another history")
}

func TestGenerer_RefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-days", "0", "-database", "x"}, {"-par-jour", "-1", "-database", "x"}, {}, {"-inconnu"}} {
		var out bytes.Buffer
		require.Error(t, run(context.Background(), append([]string{"generer"}, args...), func(string) string { return "" }, &out), "%v", args)
	}
}
