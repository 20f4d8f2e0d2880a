// Command orchestrator runs the sagas that span stock, commande, paiement and panier.
package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/httpapi"
	"multimagasins/orchestrator/internal/postgres"
	"multimagasins/orchestrator/migrations"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "orchestrator:", err)
		os.Exit(1)
	}
}

// participants are the services a saga calls directly, never through the gateway.
type participants struct {
	Stock, Commande, Paiement, Panier, Clients string
}

func run(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	env := kit.NewEnv(getenv)
	peers := participants{
		Stock:    env.String("STOCK_URL", "http://localhost:8007"),
		Commande: env.String("COMMANDE_URL", "http://localhost:8006"),
		Paiement: env.String("PAIEMENT_URL", "http://localhost:8008"),
		Panier:   env.String("PANIER_URL", "http://localhost:8010"),
		Clients:  env.String("CLIENTS_URL", "http://localhost:8001"),
	}
	if err := env.Err(); err != nil {
		return err
	}
	for key, v := range map[string]string{"STOCK_URL": peers.Stock, "COMMANDE_URL": peers.Commande,
		"PAIEMENT_URL": peers.Paiement, "PANIER_URL": peers.Panier, "CLIENTS_URL": peers.Clients} {
		// A typo here would only show on the first checkout; fail at start instead.
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("configuration: %s=%q is not an http(s) URL", key, v)
		}
	}

	svc := kit.Service{Name: "orchestrator", Port: 8002, Migrations: migrations.FS}
	return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, pool *pgxpool.Pool) error {
		app.Log.Info("participants", "stock", peers.Stock, "commande", peers.Commande,
			"paiement", peers.Paiement, "panier", peers.Panier, "clients", peers.Clients)
		httpapi.Routes(app.API, postgres.NewRepo(pool), app.Log)
		return nil
	})
}
