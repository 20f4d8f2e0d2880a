// Command generer fills commande's tables with a plausible sales history
// (the last -days days, the five stores and online) for demos and the
// report benchmarks. The buyers are -clients generated customers, which it
// first makes sure exist in the clients service (through its API, signed in
// as the head office): each sale names a real account, and none the guest,
// whose orders stay the ones the guest made. It writes the sales through
// commande's own repository, once: a second run adds nothing unless -force.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"multimagasins/commande/internal/demo"
	"multimagasins/commande/internal/postgres"
	"multimagasins/commande/migrations"
	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
)

// motDePasseDemo is the README's password of the demo staff accounts that
// identite seeds with IDENTITE_DEMO: a published demo value, not a secret.
const motDePasseDemo = "multimagasins"

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "generer:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("generer", flag.ContinueOnError)
	fs.SetOutput(stdout)
	jours := fs.Int("days", 90, "days of history, ending yesterday (Montréal time)")
	parJour := fs.Int("par-jour", 40, "average sales per day for each store and for online")
	database := fs.String("database", getenv("DATABASE_URL"), "commande's database URL (default $DATABASE_URL)")
	stockURL := fs.String("stock-url", getenv("STOCK_URL"), "stock service, for the current prices (default $STOCK_URL); seed prices when unreachable")
	clientsURL := fs.String("clients-url", getenv("CLIENTS_URL"), "clients service, where the buyers are created (default $CLIENTS_URL)")
	nClients := fs.Int("clients", 300, "generated customers who make the sales (the first ones stay the same when it grows)")
	tokenURL := fs.String("jeton", getenv("TOKEN_URL"), "identite's token endpoint, to sign in -compte (default $TOKEN_URL)")
	nomCompte := fs.String("compte", "maison-mere", "staff account that creates the customers (maison-mere: the head office)")
	motDePasse := fs.String("mot-de-passe", cmp.Or(getenv("GENERER_MOT_DE_PASSE"), motDePasseDemo),
		"its password (default $GENERER_MOT_DE_PASSE, else the README's demo password)")
	graine := fs.Int64("seed", 42, "random seed: the same seed and day give the same history")
	force := fs.Bool("force", false, "add another history even when one was generated before")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *jours < 1 || *parJour < 1 || *nClients < 1 {
		return errors.New("-days, -par-jour and -clients must be at least 1")
	}
	if *database == "" {
		return errors.New("-database or DATABASE_URL is required")
	}
	if *clientsURL == "" || *tokenURL == "" {
		return errors.New("-clients-url (or CLIENTS_URL) and -jeton (or TOKEN_URL) are required: every sale is a customer's of the clients service")
	}
	log := kit.NewLogger(stdout, "info", "generer")
	cfg := kit.Config{Service: "generer", DatabaseURL: *database, DBMaxConns: 2}
	pool, err := kit.OpenDB(ctx, cfg, "commande", migrations.FS, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	repo := postgres.NewRepo(pool)

	runs, err := repo.Generations(ctx)
	if err != nil {
		return err
	}
	if runs > 0 && !*force {
		log.InfoContext(ctx, "history already generated; nothing added (-force adds another)", "runs", runs)
		return nil
	}
	// Another seed for each forced run, so its orders get new ids.
	g := postgres.Generation{Graine: *graine + int64(runs), Jours: *jours, ParJour: *parJour}
	begin := time.Now()
	jetons, err := compte{tokenURL: *tokenURL, nom: *nomCompte, motDePasse: *motDePasse}.jetons(ctx)
	if err != nil {
		return err
	}
	clients, err := creerClients(ctx, clientsapi.New(kit.NewClient(*clientsURL, 10*time.Second, kit.WithTokens(jetons))), *nClients)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "customers ready", "clients", len(clients), "duration_ms", time.Since(begin).Milliseconds())
	ventes := demo.Ventes(demo.Plan{Jours: g.Jours, ParJour: g.ParJour, Graine: g.Graine, Fin: time.Now(),
		Prix: prix(ctx, *stockURL, log), Clients: clients})
	n, err := repo.InsererHistorique(ctx, g, ventes, *force)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "history generated", "commandes", n, "jours", g.Jours, "par_jour", g.ParJour,
		"duration_ms", time.Since(begin).Milliseconds())
	return nil
}

// prix reads the current prices of the catalogue's products from stock,
// falling back on the seed prices for any it cannot get.
func prix(ctx context.Context, stockURL string, log *slog.Logger) map[int64]kit.Cents {
	out := make(map[int64]kit.Cents, len(demo.PrixCatalogue))
	ids := make([]string, 0, len(demo.PrixCatalogue))
	for id, p := range demo.PrixCatalogue {
		out[id] = p
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	if stockURL == "" {
		return out
	}
	var page struct {
		Items []struct {
			ID   int64     `json:"id"`
			Prix kit.Cents `json:"prix"`
		} `json:"items"`
	}
	path := "/produits?limit=100&ids=" + url.QueryEscape(strings.Join(ids, ","))
	if err := kit.NewClient(stockURL, 3*time.Second).Do(ctx, "GET", path, nil, &page, nil); err != nil {
		log.WarnContext(ctx, "stock unreachable; seed prices used", "err", err)
		return out
	}
	for _, p := range page.Items {
		if _, ok := out[p.ID]; ok && p.Prix > 0 {
			out[p.ID] = p.Prix
		}
	}
	return out
}
