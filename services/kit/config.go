package kit

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Env reads typed settings from a getenv function and collects every problem,
// so a misconfigured process reports all its mistakes in one start-up error.
type Env struct {
	getenv func(string) string
	errs   []error
}

// NewEnv wraps getenv (os.Getenv in main, a map in tests).
func NewEnv(getenv func(string) string) *Env { return &Env{getenv: getenv} }

// String returns the variable, or def when it is unset or blank.
func (e *Env) String(key, def string) string {
	if v := strings.TrimSpace(e.getenv(key)); v != "" {
		return v
	}
	return def
}

// Required returns the variable and records an error when it is missing.
func (e *Env) Required(key string) string {
	v := strings.TrimSpace(e.getenv(key))
	if v == "" {
		e.errs = append(e.errs, fmt.Errorf("%s is required", key))
	}
	return v
}

// Int returns the variable as an int, or def when unset.
func (e *Env) Int(key string, def int) int {
	v := strings.TrimSpace(e.getenv(key))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s=%q is not an integer", key, v))
		return def
	}
	return n
}

// Duration returns the variable as a time.Duration ("5s", "250ms"), or def.
func (e *Env) Duration(key string, def time.Duration) time.Duration {
	v := strings.TrimSpace(e.getenv(key))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		e.errs = append(e.errs, fmt.Errorf("%s=%q is not a positive duration such as 5s", key, v))
		return def
	}
	return d
}

// Err returns every problem seen so far, or nil.
func (e *Env) Err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return fmt.Errorf("configuration: %w", errors.Join(e.errs...))
}

// Config is what every service reads from its environment.
type Config struct {
	Service         string
	Addr            string // listen address, from PORT (":8007") or ADDR ("127.0.0.1:8007")
	DatabaseURL     string
	LogLevel        string
	MaxBodyBytes    int64
	ShutdownTimeout time.Duration
	DBMaxConns      int
	Pprof           bool // serve /debug/pprof/ (PPROF=1) for profiling under load; off by default

	// Tokens: JWKS_URL is identite's key set; iss and aud must match.
	JWKSURL  string
	Issuer   string
	Audience string
	// Verifier checks bearer tokens; Run builds it from JWKSURL unless the
	// service brings its own. nil refuses every token (public routes still work).
	Verifier Verifier
}

// LoadConfig reads the settings shared by all services. defaultPort is the
// DESIGN.md port of the service, so a bare start listens where users expect.
func LoadConfig(service string, defaultPort int, needDB bool, getenv func(string) string) (Config, *Env) {
	env := NewEnv(getenv)
	cfg := Config{
		Service:         service,
		Addr:            env.String("ADDR", ":"+strconv.Itoa(env.Int("PORT", defaultPort))),
		LogLevel:        env.String("LOG_LEVEL", "info"),
		MaxBodyBytes:    int64(env.Int("MAX_BODY_BYTES", 64<<10)),
		ShutdownTimeout: env.Duration("SHUTDOWN_TIMEOUT", 10*time.Second),
		DBMaxConns:      env.Int("DB_MAX_CONNS", 0),
		Pprof:           env.String("PPROF", "") == "1",
		JWKSURL:         env.String("JWKS_URL", ""),
		Issuer:          env.String("AUTH_ISSUER", DefaultIssuer),
		Audience:        env.String("AUTH_AUDIENCE", DefaultAudience),
	}
	if needDB {
		cfg.DatabaseURL = env.Required("DATABASE_URL")
	}
	switch cfg.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		env.errs = append(env.errs, fmt.Errorf("LOG_LEVEL=%q must be debug, info, warn or error", cfg.LogLevel))
	}
	if cfg.MaxBodyBytes <= 0 {
		env.errs = append(env.errs, fmt.Errorf("MAX_BODY_BYTES must be positive"))
	}
	return cfg, env
}

// Secret returns KEY, or the contents of the file named by KEY_FILE (how
// compose and Kubernetes hand secrets over), and records an error when
// neither is set.
func (e *Env) Secret(key string) string {
	if v := strings.TrimSpace(e.getenv(key)); v != "" {
		return v
	}
	if path := strings.TrimSpace(e.getenv(key + "_FILE")); path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s_FILE: %w", key, err))
			return ""
		}
		if v := strings.TrimSpace(string(b)); v != "" {
			return v
		}
		e.errs = append(e.errs, fmt.Errorf("%s_FILE=%s is empty", key, path))
		return ""
	}
	e.errs = append(e.errs, fmt.Errorf("%s (or %s_FILE) is required", key, key))
	return ""
}

// Fail records a problem found while reading settings.
func (e *Env) Fail(err error) { e.errs = append(e.errs, err) }
