// Command identite signs people and services in: it issues the chain's
// access tokens (RS256 JWTs), serves their key set, and keeps the staff's
// and customers' passwords and the refresh tokens.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/oauth2"

	"multimagasins/identite/internal/httpapi"
	"multimagasins/identite/internal/identite"
	"multimagasins/identite/internal/postgres"
	"multimagasins/identite/migrations"
	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
)

func main() {
	// The image has no shell or curl: its container healthcheck runs this binary.
	if handled, code := kit.HealthcheckMain(os.Args, os.Getenv); handled {
		os.Exit(code)
	}
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "identite:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 1 {
		fs := flag.NewFlagSet("identite", flag.ContinueOnError)
		fs.SetOutput(stdout)
		dir := fs.String("init-secrets", "", "write the fleet's missing secrets into `DIR` and exit")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *dir != "" {
			return initSecrets(*dir, stdout)
		}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	svc := kit.Service{Name: "identite", Port: 8009, Migrations: migrations.FS, Verifier: cfg.signer.Verifier()}
	return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, pool *pgxpool.Pool) error {
		repo := postgres.NewRepo(pool)
		hasher := identite.NewHasher(identite.DefaultArgon2)
		if cfg.demo {
			sctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			if err := seedDemo(sctx, repo, hasher); err != nil {
				return err
			}
			app.Log.Info("demo staff accounts ready", "comptes", len(demoStaff))
		}
		// identite signs its own service token for the clients service: it
		// is the issuer, so it asks nobody.
		self := oauth2.ReuseTokenSourceWithExpiry(nil, signedTokens{signer: cfg.signer,
			p: identite.ServicePrincipal("identite")}, time.Minute)
		clients := clientsapi.New(kit.NewClient(cfg.clientsURL, cfg.clientsTimeout, kit.WithTokens(self)))
		httpapi.Routes(app.API, httpapi.Deps{
			Repo: repo, Clients: clients, Signer: cfg.signer, Hasher: hasher, Services: cfg.services,
			Throttle: cfg.throttle, AccessTTL: cfg.accessTTL, RefreshTTL: cfg.refreshTTL, ReuseGrace: cfg.reuseGrace,
			Issuer: cfg.issuer, PublicURL: cfg.publicURL, Log: app.Log, Registry: app.Metrics.Registry,
		})
		return nil
	})
}

// config is what identite reads beyond kit's shared settings.
type config struct {
	signer         *kit.Signer
	services       identite.ServiceClients
	issuer         string
	publicURL      string
	clientsURL     string
	clientsTimeout time.Duration
	accessTTL      time.Duration
	refreshTTL     time.Duration
	reuseGrace     time.Duration
	throttle       identite.Throttle
	demo           bool
}

func loadConfig(getenv func(string) string) (config, error) {
	env := kit.NewEnv(getenv)
	c := config{
		issuer:         env.String("AUTH_ISSUER", kit.DefaultIssuer),
		publicURL:      env.String("PUBLIC_URL", "http://127.0.0.1:8009"),
		clientsURL:     env.Required("CLIENTS_URL"),
		clientsTimeout: env.Duration("CLIENTS_TIMEOUT", 5*time.Second),
		accessTTL:      env.Duration("ACCESS_TTL", kit.MaxTokenTTL),
		refreshTTL:     env.Duration("REFRESH_TTL", 12*time.Hour),
		reuseGrace:     env.Duration("REFRESH_REUSE_GRACE", 30*time.Second),
		demo:           env.String("IDENTITE_DEMO", "") == "1",
		throttle: identite.Throttle{
			Window:          env.Duration("THROTTLE_WINDOW", identite.DefaultThrottle.Window),
			Lock:            env.Duration("THROTTLE_LOCK", identite.DefaultThrottle.Lock),
			AccountFailures: env.Int("THROTTLE_ACCOUNT_FAILURES", identite.DefaultThrottle.AccountFailures),
			AddressFailures: env.Int("THROTTLE_ADDRESS_FAILURES", identite.DefaultThrottle.AddressFailures),
		},
	}
	audience := env.String("AUTH_AUDIENCE", kit.DefaultAudience)
	if c.accessTTL <= 0 || c.accessTTL > kit.MaxTokenTTL {
		c.accessTTL = kit.MaxTokenTTL
	}
	if c.accessTTL < time.Second {
		env.Fail(errors.New("ACCESS_TTL must be at least 1s"))
	}
	if c.refreshTTL < time.Minute {
		env.Fail(errors.New("REFRESH_TTL must be at least 1m"))
	}
	t := c.throttle
	if t.Window <= 0 || t.Lock <= 0 || t.AccountFailures < 1 || t.AddressFailures < 1 {
		env.Fail(errors.New("THROTTLE_WINDOW and THROTTLE_LOCK must be positive, THROTTLE_*_FAILURES at least 1"))
	}
	if key := env.Secret("IDENTITE_SIGNING_KEY"); key != "" {
		s, err := kit.NewSigner([]byte(key), c.issuer, audience)
		if err != nil {
			env.Fail(fmt.Errorf("IDENTITE_SIGNING_KEY: %w", err))
		}
		c.signer = s
	}
	if list := env.Secret("IDENTITE_SERVICE_CLIENTS"); list != "" {
		s, err := identite.ParseServiceClients(list)
		if err != nil {
			env.Fail(fmt.Errorf("IDENTITE_SERVICE_CLIENTS: %w", err))
		}
		c.services = s
	}
	return c, env.Err()
}

// signedTokens is an oauth2.TokenSource of tokens identite signs for itself.
type signedTokens struct {
	signer *kit.Signer
	p      kit.Principal
}

func (s signedTokens) Token() (*oauth2.Token, error) {
	tok, exp, err := s.signer.Sign(s.p, kit.MaxTokenTTL)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: tok, TokenType: "Bearer", Expiry: exp}, nil
}
