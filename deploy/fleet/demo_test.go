package fleet

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"multimagasins/kit/kittest"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

type demoCounts struct {
	commandes, clients, duGuest, sansCompte, acheteurs, auComptoir, nomsAccentues, nomsVides int
}

func countDemo(t *testing.T, ctx context.Context, dbURL string) demoCounts {
	t.Helper()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var c demoCounts
	require.NoError(t, conn.QueryRow(ctx, `SELECT
	    (SELECT count(*) FROM commande.commandes),
	    (SELECT count(*) FROM clients.clients),
	    (SELECT count(*) FROM commande.commandes WHERE client_id = 1),
	    (SELECT count(*) FROM commande.commandes o WHERE NOT EXISTS (SELECT 1 FROM clients.clients k WHERE k.id = o.client_id)),
	    (SELECT count(DISTINCT client_id) FROM commande.commandes),
	    (SELECT count(*) FROM commande.commandes WHERE magasin_id IS NOT NULL),
	    (SELECT count(*) FROM clients.clients WHERE id IN (SELECT client_id FROM commande.commandes) AND nom ~ '[àâçéèêëîïôùûÉÈÊÀÇÔ]'),
	    (SELECT count(*) FROM clients.clients WHERE id IN (SELECT client_id FROM commande.commandes) AND btrim(nom) = '')`).
		Scan(&c.commandes, &c.clients, &c.duGuest, &c.sansCompte, &c.acheteurs, &c.auComptoir, &c.nomsAccentues, &c.nomsVides))
	return c
}

// The demo as `make run` loads it, against the real clients service,
// identite and PostgreSQL: the history is the generated customers', each a
// real account, and none of it the guest's; a second load adds nothing.
func TestFleet_DemoHistoryIsTheGeneratedCustomersNeverTheGuests(t *testing.T) {
	dir := t.TempDir()
	out := &kittest.SyncBuffer{} // the fleet's Out, read while the launcher may still write to it
	ctx := context.Background()
	f, err := Start(ctx, Options{
		RunDir: filepath.Join(dir, "run"), BinDir: filepath.Join(dir, "bin"), // not the repository's bin/, which others may be building
		Database: fmt.Sprintf("fleet_demo_%d", time.Now().UnixNano()), DropDatabase: true,
		Services:  []string{"identite", "clients", "commande", "stock"},
		FreePorts: true, LogLevel: "warn", Out: out, NoExtras: true, SigningKey: testSigningKey(t),
	})
	require.NoError(t, err, out.String())
	t.Cleanup(func() { require.NoError(t, f.Stop()) })
	require.Contains(t, out.String(), "demo sales history ready", out.String())
	t.Log(out.String())

	first := countDemo(t, ctx, f.adminDB)
	require.Greater(t, first.commandes, 10_000, "90 days of sales")
	require.Zero(t, first.duGuest, "the guest's orders are only the ones the guest makes")
	require.Zero(t, first.sansCompte, "every order's client is an account of the clients service")
	require.GreaterOrEqual(t, first.acheteurs, 250, "spread over a few hundred customers")
	require.Positive(t, first.auComptoir, "counter sales too are on customers")
	require.GreaterOrEqual(t, first.clients, 301, "the guest and the generated customers")
	require.Positive(t, first.nomsAccentues, "Québec names, accents included")
	require.Zero(t, first.nomsVides)

	require.NoError(t, f.demo(ctx))
	require.Equal(t, first, countDemo(t, ctx, f.adminDB), "a second load adds no order and no customer")
}
