// Command commande serves orders and counter sales, their lines and status history.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/commande/internal/httpapi"
	"multimagasins/commande/internal/postgres"
	"multimagasins/commande/migrations"
	"multimagasins/kit"
)

func main() {
	// The image has no shell or curl: its container healthcheck runs this binary.
	if handled, code := kit.HealthcheckMain(os.Args, os.Getenv); handled {
		os.Exit(code)
	}
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "commande:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	svc := kit.Service{Name: "commande", Port: 8006, Migrations: migrations.FS}
	return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, pool *pgxpool.Pool) error {
		httpapi.Routes(app.API, postgres.NewRepo(pool), app.Log, app.Metrics.Registry)
		return nil
	})
}
