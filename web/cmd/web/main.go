// Command web serves the browser interface; nginx round-robins two copies.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

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

// run is kit.Run's life (config failing fast, signals caught before serving,
// drain on shutdown) written out, because the web app must wrap the whole
// router, kit's own routes and fallbacks included, in its security headers
// and cross-origin check (ui.Server.Protect), and kit.Run serves the router as is.
func run(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	host, _ := os.Hostname() // in a container, the hostname already tells the replicas apart
	kcfg, env := kit.LoadConfig("web", 8004, false, getenv)
	if kcfg.JWKSURL == "" {
		env.Fail(errors.New("JWKS_URL is required: identite's key set, such as http://127.0.0.1:8009/.well-known/jwks.json"))
	}
	cfg := ui.Config{
		Instance:        env.String("INSTANCE", host),
		GatewayURL:      env.String("GATEWAY_URL", "http://localhost:8080"),
		StockURL:        env.String("STOCK_URL", "http://localhost:8007"),
		CommandeURL:     env.String("COMMANDE_URL", "http://localhost:8006"),
		PaiementURL:     env.String("PAIEMENT_URL", "http://localhost:8008"),
		PanierURL:       env.String("PANIER_URL", "http://localhost:8010"),
		ClientsURL:      env.String("CLIENTS_URL", "http://localhost:8001"),
		OrchestratorURL: env.String("ORCHESTRATOR_URL", "http://localhost:8002"),
		IdentiteURL:     env.Required("IDENTITE_URL"),
		SessionKey:      env.Secret("SESSION_KEY"),
		Timeout:         env.Duration("SERVICE_TIMEOUT", 15*time.Second),
	}
	if n := len(cfg.SessionKey); n > 0 && n < ui.MinSessionKey {
		env.Fail(fmt.Errorf("SESSION_KEY must hold at least %d random bytes, it has %d", ui.MinSessionKey, n))
	}
	if err := env.Err(); err != nil {
		return err
	}
	verifier := kit.NewJWKSVerifier(kcfg.JWKSURL, kcfg.Issuer, kcfg.Audience)
	kcfg.Verifier = verifier

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := kit.NewLogger(stdout, kcfg.LogLevel, kcfg.Service)
	// Before the clients are made: they trace their calls when spans are exported.
	flushTraces, err := kit.SetupTracing(ctx, kcfg.Service, getenv, log)
	if err != nil {
		return err
	}
	defer flushTraces() // after the server has drained
	s, err := ui.New(cfg, verifier, log)
	if err != nil {
		return err
	}
	app := kit.NewApp(kcfg, log, nil)
	ui.Routes(app.Router, s)
	return kit.Serve(ctx, kcfg, log, s.Protect(app.Router), nil)
}
