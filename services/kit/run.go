package kit

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

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
	// Before the pool, whose query tracer depends on it.
	flushTraces, err := SetupTracing(ctx, cfg.Service, getenv, log)
	if err != nil {
		return err
	}
	defer flushTraces() // on an early return; after Serve it has already run
	var pool *pgxpool.Pool
	if svc.Migrations != nil {
		if pool, err = OpenDB(ctx, cfg, svc.Name, svc.Migrations, log); err != nil {
			return err
		}
		defer pool.Close()
	}
	app := NewApp(cfg, log, pool)
	if err := mount(app, pool); err != nil {
		return err
	}
	err = Serve(ctx, cfg, log, app.Router, nil)
	flushTraces() // the server has drained; the pool closes after (deferred above)
	return err
}

// SetupTracing is StartTracing for Run and the web app's own run: it logs
// where spans go and returns a function that flushes the queued ones once,
// within a few seconds, and logs what it could not send.
func SetupTracing(ctx context.Context, service string, getenv func(string) string, log *slog.Logger) (func(), error) {
	stop, err := StartTracing(ctx, service, getenv)
	if err != nil {
		return nil, err
	}
	if TracesWanted(getenv) {
		log.Info("exporting traces", "endpoint", tracesEndpoint(getenv))
	}
	return sync.OnceFunc(func() {
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stop(fctx); err != nil {
			log.Warn("traces not flushed", "err", err)
		}
	}), nil
}
