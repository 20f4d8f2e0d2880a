package kit

import (
	"context"
	"errors"
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
	// Verifier checks tokens in place of identite's JWKS (identite itself).
	Verifier Verifier
}

// Run is the life of every service: read config (failing fast), catch
// SIGINT/SIGTERM before serving, open and migrate the database, mount the
// routes, serve, drain on shutdown, and close the pool last.
func Run(ctx context.Context, svc Service, getenv func(string) string, stdout io.Writer,
	mount func(app *App, pool *pgxpool.Pool) error) error {
	cfg, env := LoadConfig(svc.Name, svc.Port, svc.Migrations != nil, getenv)
	switch {
	case svc.Verifier != nil:
		cfg.Verifier = svc.Verifier
	case cfg.JWKSURL == "":
		env.Fail(errors.New("JWKS_URL is required: identite's key set, such as http://127.0.0.1:8009/.well-known/jwks.json"))
	default:
		cfg.Verifier = NewJWKSVerifier(cfg.JWKSURL, cfg.Issuer, cfg.Audience)
	}
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
