// Command orchestrator runs the sagas that span stock, commande, paiement and panier.
package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/engine"
	"multimagasins/orchestrator/internal/httpapi"
	"multimagasins/orchestrator/internal/postgres"
	"multimagasins/orchestrator/internal/sagas"
	"multimagasins/orchestrator/migrations"
)

func main() {
	// The image has no shell or curl: its container healthcheck runs this binary.
	if handled, code := kit.HealthcheckMain(os.Args, os.Getenv); handled {
		os.Exit(code)
	}
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "orchestrator:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	env := kit.NewEnv(getenv)
	// The saga participants, called directly, never through the gateway.
	peers := sagas.URLs{
		Stock:    env.String("STOCK_URL", "http://localhost:8007"),
		Commande: env.String("COMMANDE_URL", "http://localhost:8006"),
		Paiement: env.String("PAIEMENT_URL", "http://localhost:8008"),
		Panier:   env.String("PANIER_URL", "http://localhost:8010"),
		Clients:  env.String("CLIENTS_URL", "http://localhost:8001"),
	}
	cfg := engine.Defaults()
	cfg.StepTimeout = env.Duration("STEP_TIMEOUT", cfg.StepTimeout)
	cfg.RecoveryInterval = env.Duration("RECOVERY_INTERVAL", cfg.RecoveryInterval)
	cfg.Lease = env.Duration("SAGA_LEASE", cfg.Lease)
	// After N recovery attempts stuck at the same call a saga is à vérifier;
	// recovery then tries it less often, up to once every SAGA_REPRISE_MAX.
	cfg.AVerifierApres = env.Int("SAGA_A_VERIFIER_APRES", cfg.AVerifierApres)
	cfg.RepriseMax = env.Duration("SAGA_REPRISE_MAX", cfg.RepriseMax)
	// The orchestrator's own API client at identite: every participant call
	// carries its service token (SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET[_FILE], TOKEN_URL).
	creds := env.ServiceCredentials("orchestrator")
	for _, u := range [][2]string{{"STOCK_URL", peers.Stock}, {"COMMANDE_URL", peers.Commande}, {"PAIEMENT_URL", peers.Paiement},
		{"PANIER_URL", peers.Panier}, {"CLIENTS_URL", peers.Clients}, {"TOKEN_URL", creds.TokenURL}} {
		// A typo here would only show on the first checkout; fail at start
		// instead, with every other mistake. (A missing TOKEN_URL is already told.)
		if v, err := url.Parse(u[1]); u[1] != "" && (err != nil || (v.Scheme != "http" && v.Scheme != "https") || v.Host == "") {
			env.Fail(fmt.Errorf("%s=%q is not an http(s) URL", u[0], u[1]))
		}
	}
	if err := env.Err(); err != nil {
		return err
	}
	if cfg.StepTimeout <= 0 || cfg.RecoveryInterval <= 0 || cfg.Lease <= cfg.StepTimeout {
		return fmt.Errorf("configuration: STEP_TIMEOUT and RECOVERY_INTERVAL must be positive, SAGA_LEASE longer than STEP_TIMEOUT")
	}
	if cfg.AVerifierApres < 1 || cfg.RepriseMax < cfg.RecoveryInterval {
		return fmt.Errorf("configuration: SAGA_A_VERIFIER_APRES must be 1 or more, SAGA_REPRISE_MAX at least RECOVERY_INTERVAL")
	}

	// The recovery worker stops with the process, as kit.Run's server does.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var worker sync.WaitGroup
	defer worker.Wait()
	workerCtx, cancelWorker := context.WithCancel(ctx)
	defer cancelWorker()

	svc := kit.Service{Name: "orchestrator", Port: 8002, Migrations: migrations.FS}
	return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, pool *pgxpool.Pool) error {
		app.Log.Info("participants", "stock", peers.Stock, "commande", peers.Commande,
			"paiement", peers.Paiement, "panier", peers.Panier, "clients", peers.Clients,
			"token_url", creds.TokenURL, "service_client_id", creds.ClientID,
			"step_timeout", cfg.StepTimeout.String(), "recovery_interval", cfg.RecoveryInterval.String(),
			"a_verifier_apres", cfg.AVerifierApres, "reprise_max", cfg.RepriseMax.String())
		repo := postgres.NewRepo(pool)
		// Live sagas outlive their request: a client hanging up must not stop
		// one halfway. Shutdown drains requests, so the sagas in them finish.
		// The token source outlives requests, like the sagas that use it.
		p := sagas.New(peers, cfg.StepTimeout*2, creds.Tokens(context.WithoutCancel(ctx)))
		eng, err := engine.New(context.WithoutCancel(ctx), repo, p.Definitions(), cfg, app.Log, app.Metrics.Registry)
		if err != nil {
			return err
		}
		httpapi.Routes(app.API, sagas.NewService(eng, p), repo, app.Log)
		worker.Add(1)
		go func() {
			defer worker.Done()
			eng.RunRecovery(workerCtx)
		}()
		return nil
	})
}
