package kit

import (
	"context"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Service describes what Run needs to start one service.
type Service struct {
	Name       string // also its schema and database role
	Port       int    // the DESIGN.md port, used when PORT is unset
	Migrations fs.FS  // nil for a service with no database
}

// Run is the life of every service: read config (failing fast), catch
// SIGINT/SIGTERM before serving, open and migrate the database, mount the
// routes, serve, drain on shutdown, and close the pool last.
func Run(ctx context.Context, svc Service, getenv func(string) string, stdout io.Writer,
	mount func(app *App, pool *pgxpool.Pool) error) error {
	cfg, env := LoadConfig(svc.Name, svc.Port, svc.Migrations != nil, getenv)
	if err := env.Err(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	log := NewLogger(stdout, cfg.LogLevel, cfg.Service)
	var pool *pgxpool.Pool
	if svc.Migrations != nil {
		var err error
		if pool, err = OpenDB(ctx, cfg, svc.Name, svc.Migrations, log); err != nil {
			return err
		}
		defer pool.Close()
	}
	app := NewApp(cfg, log, pool)
	if err := mount(app, pool); err != nil {
		return err
	}
	return Serve(ctx, cfg, log, app.Router, nil)
}
