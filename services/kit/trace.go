package kit

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/exaring/otelpgx"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Traces (ADR 0015). Every service propagates W3C trace context (traceparent
// and baggage) on every call it serves and makes, whether or not it exports
// spans: a service that does not export still passes its caller's trace on.
// It records and exports spans only when an OTLP endpoint is configured; the
// rest of the time the server and client pay for reading and writing two
// headers, and pgx for nothing at all.

// propagator is W3C trace context and baggage, used by kit whatever the
// process-wide one says, so that propagation never depends on set-up order.
var propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

// exporting is true once StartTracing has installed an exporting provider.
// One atomic load per request decides between recording and passing on.
var exporting atomic.Bool

// TracesWanted reports whether getenv asks for spans to be exported: an OTLP
// endpoint is set (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
// OTEL_EXPORTER_OTLP_ENDPOINT) and the SDK or its trace exporter is not
// switched off (OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none).
func TracesWanted(getenv func(string) string) bool {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") ||
		strings.EqualFold(strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")), "none") {
		return false
	}
	return tracesEndpoint(getenv) != ""
}

// tracesEndpoint is the full URL spans are posted to, as the OTLP exporter
// specification derives it: the signal's own variable as is, or the base
// endpoint with /v1/traces appended.
func tracesEndpoint(getenv func(string) string) string {
	if u := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")); u != "" {
		return u
	}
	if u := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")); u != "" {
		return strings.TrimRight(u, "/") + "/v1/traces"
	}
	return ""
}

// StartTracing sets the process-wide propagator and, when TracesWanted,
// a tracer provider that batches spans of service to the OTLP/HTTP endpoint.
// The endpoint and the on/off switch come from getenv; the SDK reads the
// other standard variables (OTEL_BSP_*, OTEL_TRACES_SAMPLER,
// OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES...) from the process
// environment itself. The returned function flushes the spans still queued
// and stops exporting; call it once the server has drained.
func StartTracing(ctx context.Context, service string, getenv func(string) string) (func(context.Context) error, error) {
	otel.SetTextMapPropagator(propagator)
	if !TracesWanted(getenv) {
		return func(context.Context) error { return nil }, nil
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(tracesEndpoint(getenv)))
	if err != nil {
		return nil, fmt.Errorf("traces exporter: %w", err)
	}
	// service.name first: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES,
	// read after it, may still override it.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", service)),
		resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost())
	if err != nil {
		return nil, fmt.Errorf("traces resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	exporting.Store(true)
	return func(ctx context.Context) error {
		exporting.Store(false)
		if err := tp.Shutdown(ctx); err != nil {
			return fmt.Errorf("flush traces: %w", err)
		}
		return nil
	}, nil
}

// untraced paths are polled by probes and Prometheus: a span each would
// bury the requests people look for.
func untraced(path string) bool {
	return path == "/metrics" || path == "/healthz" || path == "/readyz"
}

// traceHTTP is the server side. Exporting, it starts a server span per
// request (otelhttp), child of the caller's traceparent, named after the
// chi route once routing has found it. Not exporting, it only takes the
// caller's trace context into the request's context, for logs and for the
// calls the handler makes. It runs inside the chi router, where the route
// context exists.
func traceHTTP(next http.Handler) http.Handler {
	traced := otelhttp.NewHandler(nameSpan(next), "http.server",
		otelhttp.WithPropagators(propagator), otelhttp.WithMeterProvider(noop.NewMeterProvider()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case untraced(r.URL.Path):
			next.ServeHTTP(w, r)
		case exporting.Load():
			traced.ServeHTTP(w, r)
		case len(r.Header["Traceparent"]) == 0 && len(r.Header["Baggage"]) == 0:
			// Nothing to pass on. Header.Get would allocate each key's
			// canonical form on every request.
			next.ServeHTTP(w, r)
		default:
			ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
			if ctx != r.Context() {
				r = r.WithContext(ctx)
			}
			next.ServeHTTP(w, r)
		}
	})
}

// nameSpan renames the server span "GET /produits/{id}" after routing: the
// span starts before chi has matched the route, and the raw path would give
// one span name per id.
func nameSpan(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		span := trace.SpanFromContext(r.Context())
		if !span.IsRecording() {
			return
		}
		if rc := chi.RouteContext(r.Context()); rc != nil {
			if p := rc.RoutePattern(); p != "" {
				span.SetName(r.Method + " " + p)
				span.SetAttributes(attribute.String("http.route", p))
			}
		}
	})
}

// TraceTransport wraps next so that each call is a client span when the
// process exports traces; otherwise it is next itself. kit.Client uses it;
// a service's own http.Client (the web app's sign-in) can too.
func TraceTransport(next http.RoundTripper) http.RoundTripper {
	return traceTransport{plain: next, traced: otelhttp.NewTransport(next,
		otelhttp.WithPropagators(propagator), otelhttp.WithMeterProvider(noop.NewMeterProvider()))}
}

type traceTransport struct{ plain, traced http.RoundTripper }

// RoundTrip sends r through a client span, which also writes its
// traceparent, or passes the caller's trace context on as it is.
func (t traceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if exporting.Load() {
		return t.traced.RoundTrip(r)
	}
	// kit.Client has already written the traceparent; another caller may not have.
	if len(r.Header["Traceparent"]) == 0 && trace.SpanContextFromContext(r.Context()).IsValid() {
		r = r.Clone(r.Context()) // a RoundTripper must not change the caller's request
		propagator.Inject(r.Context(), propagation.HeaderCarrier(r.Header))
	}
	return t.plain.RoundTrip(r)
}

// pgxTracer gives a query span per statement run under a recording span,
// when the process exports traces; nil otherwise, so that pgx skips tracing
// entirely. otelpgx's own metrics are off: Prometheus has the RED metrics.
func pgxTracer() pgx.QueryTracer {
	if !exporting.Load() {
		return nil
	}
	// Pool waits are not traced: a span per acquire would double the spans
	// of every request, and a long wait shows as a gap before the query.
	return otelpgx.NewTracer(otelpgx.WithMeterProvider(noop.NewMeterProvider()), otelpgx.WithDisableAcquireTracer())
}

// TraceID returns the trace id carried by ctx (a caller's traceparent or a
// span of this process), or "".
func TraceID(ctx context.Context) string {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		return sc.TraceID().String()
	}
	return ""
}
