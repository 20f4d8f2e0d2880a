// Command stock serves the catalogue, stock levels per location, atomic
// reservations and the movement ledger.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

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
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	svc := kit.Service{Name: "stock", Port: 8007, Migrations: migrations.FS}
	return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, pool *pgxpool.Pool) error {
		httpapi.Routes(app.API, postgres.NewRepo(pool), app.Log, app.Metrics.Registry, cfg.Cache)
		return nil
	})
}

// config is what stock reads from its environment beyond kit.Config.
type config struct {
	Cache httpapi.Cache
}

// loadConfig reads STOCK_CACHE_MAX_AGE (products and stores) and
// STOCK_NIVEAUX_MAX_AGE (stock levels), the max-age of their answers, as
// durations ("5s"). Cache-Control counts whole seconds, so "1500ms" is
// refused rather than rounded.
func loadConfig(getenv func(string) string) (config, error) {
	env := kit.NewEnv(getenv)
	cfg := config{Cache: httpapi.Cache{
		Catalogue: env.Duration("STOCK_CACHE_MAX_AGE", httpapi.DefaultCache.Catalogue),
		Niveaux:   env.Duration("STOCK_NIVEAUX_MAX_AGE", httpapi.DefaultCache.Niveaux),
	}}
	errs := []error{env.Err()}
	for _, v := range []struct {
		name string
		d    time.Duration
	}{{"STOCK_CACHE_MAX_AGE", cfg.Cache.Catalogue}, {"STOCK_NIVEAUX_MAX_AGE", cfg.Cache.Niveaux}} {
		if v.d%time.Second != 0 {
			errs = append(errs, fmt.Errorf("%s=%s must be whole seconds (Cache-Control max-age counts seconds)", v.name, v.d))
		}
	}
	return cfg, errors.Join(errs...)
}
