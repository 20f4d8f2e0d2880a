// Command panier serves the clients' shopping carts. It keeps no state of its
// own: run it as many times as needed behind a load balancer.
package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/panier/internal/httpapi"
	"multimagasins/panier/internal/panier"
	"multimagasins/panier/internal/postgres"
	"multimagasins/panier/internal/upstream"
	"multimagasins/panier/migrations"
)

func main() {
	// The image has no shell or curl: its container healthcheck runs this binary.
	if handled, code := kit.HealthcheckMain(os.Args, os.Getenv); handled {
		os.Exit(code)
	}
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "panier:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	env := kit.NewEnv(getenv)
	stockURL := env.String("STOCK_URL", "http://127.0.0.1:8007")
	clientsURL := env.String("CLIENTS_URL", "http://127.0.0.1:8001")
	timeout := env.Duration("UPSTREAM_TIMEOUT", 2*time.Second)
	// clients' GET /clients/{id} is for services only: panier asks identite
	// for its own token.
	creds := env.ServiceCredentials("panier")
	if err := env.Err(); err != nil {
		return err
	}
	for key, v := range map[string]string{"STOCK_URL": stockURL, "CLIENTS_URL": clientsURL, "TOKEN_URL": creds.TokenURL} {
		if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("configuration: %s=%q is not an http(s) URL", key, v)
		}
	}
	if timeout <= 0 {
		return fmt.Errorf("configuration: UPSTREAM_TIMEOUT must be positive")
	}

	svc := kit.Service{Name: "panier", Port: 8010, Migrations: migrations.FS}
	return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, pool *pgxpool.Pool) error {
		// Only clients gets the token: the stock routes panier calls are
		// public, and a token there would make changing a line's quantity
		// wait on identite for nothing.
		paniers := panier.NewService(
			upstream.NewClients(kit.NewClient(clientsURL, timeout, kit.WithTokens(creds.Tokens(ctx)))),
			upstream.NewStock(kit.NewClient(stockURL, timeout)),
			postgres.NewRepo(pool))
		return httpapi.Routes(app.API, paniers, app.Metrics.Registry, app.Log)
	})
}
