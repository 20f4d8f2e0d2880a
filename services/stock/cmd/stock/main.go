// Command stock serves the catalogue, stock levels per location, atomic
// reservations and the movement ledger.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/stock/internal/httpapi"
	"multimagasins/stock/internal/postgres"
	"multimagasins/stock/migrations"
)

func main() {
	// The image has no shell or curl: its container healthcheck runs this binary.
	if handled, code := kit.HealthcheckMain(os.Args, os.Getenv); handled {
		os.Exit(code)
	}
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "stock:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	svc := kit.Service{Name: "stock", Port: 8007, Migrations: migrations.FS}
	return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, pool *pgxpool.Pool) error {
		httpapi.Routes(app.API, postgres.NewRepo(pool), app.Log, app.Metrics.Registry)
		return nil
	})
}
