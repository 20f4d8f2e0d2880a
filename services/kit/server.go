// Package kit is the plumbing every Multi-magasins service shares: config,
// logging, request ids, RED metrics, problem errors, the input policy
// (input.go), the database pool and migrations, health endpoints, the HTTP
// server and the inter-service client.
package kit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// App is a service's HTTP surface before routes are added: a chi router with
// the shared middleware, a huma API that serves /docs and /openapi.json, and
// the health and metrics endpoints.
type App struct {
	Router  chi.Router
	API     huma.API
	Metrics *Metrics
	Log     *slog.Logger
}

// NewApp builds the router for service. pool may be nil for a service with no
// database; /readyz then only says the process is up.
func NewApp(cfg Config, log *slog.Logger, pool *pgxpool.Pool) *App {
	metrics := NewMetrics(cfg.Service)
	router := chi.NewMux()
	// traceHTTP comes before the request log, so that the log line has the trace id.
	router.Use(drainBody, traceHTTP, RequestIDMiddleware, metrics.Middleware(log), limitHead, recoverer(log), Authenticate(cfg.Verifier))
	router.NotFound(func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, http.StatusNotFound, "no route "+clip(r.URL.Path, MaxEchoBytes))
	})
	router.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		WriteProblem(w, http.StatusMethodNotAllowed,
			"method "+clip(r.Method, MaxEchoBytes)+" is not allowed on "+clip(r.URL.Path, MaxEchoBytes))
	})

	hc := huma.DefaultConfig("Multi-magasins "+cfg.Service, "1.0.0")
	hc.DocsPath = "" // registerDocs serves /docs from embedded assets (docs.go)
	// The default hooks add "$schema" links to every body; clients and the gateway don't want them.
	hc.CreateHooks = nil
	maxBody := cfg.MaxBodyBytes
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{SecurityScheme: {
		Type: "http", Scheme: "bearer", BearerFormat: "JWT",
		Description: "An access token from identite (POST /auth/jeton); docs/api.md lists who may call what.",
	}}
	var api huma.API // the input policy writes its refusals through it
	hc.OnAddOperation = append(hc.OnAddOperation, requireAccess, func(_ *huma.OpenAPI, op *huma.Operation) {
		if op.MaxBodyBytes == 0 || op.MaxBodyBytes > maxBody {
			op.MaxBodyBytes = maxBody
		}
	}, applyInputPolicy(&api))
	hc.Transformers = append(hc.Transformers, tidyProblems)
	api = humachi.New(router, hc)
	registerDocs(router, hc.Info.Title+" Reference", hc.OpenAPIPath+".json")

	router.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	router.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		if pool != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := pool.Ping(ctx); err != nil {
				log.WarnContext(r.Context(), "not ready", "err", err)
				WriteProblem(w, http.StatusServiceUnavailable, "database unreachable")
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	router.Handle("/metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{Registry: metrics.Registry}))
	if cfg.Pprof {
		router.Mount("/debug", middleware.Profiler())
	}
	return &App{Router: router, API: api, Metrics: metrics, Log: log}
}

// Serve runs handler on cfg.Addr until ctx ends, then drains in-flight
// requests for at most cfg.ShutdownTimeout. ready, if not nil, receives the
// bound address once the listener is open (tests listen on port 0).
func Serve(ctx context.Context, cfg Config, log *slog.Logger, handler http.Handler, ready func(addr string)) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Far above MaxHeadBytes, so that an oversized head reaches limitHead
		// and gets a problem; beyond it Go answers its own text/plain 431.
		MaxHeaderBytes: serverMaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
						panic(v) // net/http's own signal to abort the response: let it through
					}
					log.ErrorContext(r.Context(), "panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
					WriteProblem(w, http.StatusInternalServerError, "internal error")
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// WriteProblem writes an RFC 9457 body outside huma (router fallbacks, panics).
func WriteProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(problemJSON(status, detail))
}

func problemJSON(status int, detail string) []byte {
	b, _ := json.Marshal(huma.ErrorModel{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
	return append(b, '\n')
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
