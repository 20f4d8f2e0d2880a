// Command web serves the browser interface; nginx round-robins two copies.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/web/internal/ui"
)

func main() {
	// The image has no shell or curl: its container healthcheck runs this binary.
	if handled, code := kit.HealthcheckMain(os.Args, os.Getenv); handled {
		os.Exit(code)
	}
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "web:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	host, _ := os.Hostname() // in a container, the hostname already tells the replicas apart
	env := kit.NewEnv(getenv)
	cfg := ui.Config{
		Instance:        env.String("INSTANCE", host),
		GatewayURL:      env.String("GATEWAY_URL", "http://localhost:8080"),
		StockURL:        env.String("STOCK_URL", "http://localhost:8007"),
		CommandeURL:     env.String("COMMANDE_URL", "http://localhost:8006"),
		PaiementURL:     env.String("PAIEMENT_URL", "http://localhost:8008"),
		PanierURL:       env.String("PANIER_URL", "http://localhost:8010"),
		ClientsURL:      env.String("CLIENTS_URL", "http://localhost:8001"),
		OrchestratorURL: env.String("ORCHESTRATOR_URL", "http://localhost:8002"),
		Timeout:         env.Duration("SERVICE_TIMEOUT", 15*time.Second),
	}
	if err := env.Err(); err != nil {
		return err
	}
	svc := kit.Service{Name: "web", Port: 8004}
	return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, _ *pgxpool.Pool) error {
		ui.Routes(app.Router, ui.New(cfg, app.Log))
		return nil
	})
}
