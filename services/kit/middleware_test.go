package kit

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// serveRequestID answers with the id the handler saw in its context.
func serveRequestID(t *testing.T, header string) (echoed, seen string) {
	t.Helper()
	h := RequestIDMiddleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, RequestID(r.Context()))
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if header != "" {
		req.Header.Set(HeaderRequestID, header)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Header().Get(HeaderRequestID), rec.Body.String()
}

func TestRequestIDMiddleware_EchoesAValidID(t *testing.T) {
	for _, id := range []string{"abc-123", "saga:1f2e.reserver_stock", uuid.NewString(), strings.Repeat("a", 128)} {
		echoed, seen := serveRequestID(t, id)
		if echoed != id || seen != id {
			t.Errorf("id %q: echoed %q, context %q", id, echoed, seen)
		}
	}
}

func TestRequestIDMiddleware_ReplacesAMissingOrUnsafeID(t *testing.T) {
	for _, id := range []string{"", "has spaces", strings.Repeat("a", 200), "new\nline", "<script>", "é"} {
		echoed, seen := serveRequestID(t, id)
		if echoed == id || echoed != seen {
			t.Errorf("id %q: echoed %q, context %q; want a fresh id in both", id, echoed, seen)
		}
		if _, err := uuid.Parse(echoed); err != nil {
			t.Errorf("id %q replaced by %q, not a UUID", id, echoed)
		}
	}
}

func scrape(t testing.TB, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

func TestMetricsMiddleware_LabelsByRouteTemplate(t *testing.T) {
	m := NewMetrics("kit-test")
	r := chi.NewRouter()
	r.Use(m.Middleware(discardLog()))
	r.Get("/items/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	r.Get("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })

	for _, path := range []string{"/items/1", "/items/2", "/items/3", "/ok", "/nope/42"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	out := scrape(t, m)
	for _, want := range []string{
		`http_requests_total{code="418",method="GET",route="/items/{id}",service="kit-test"} 3`,
		`http_requests_total{code="200",method="GET",route="/ok",service="kit-test"} 1`,
		`http_requests_total{code="404",method="GET",route="unmatched",service="kit-test"} 1`,
		`http_request_duration_seconds_count{method="GET",route="/items/{id}",service="kit-test"} 3`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	for _, raw := range []string{"/items/1", "/items/2", "/nope/42"} {
		if strings.Contains(out, `route="`+raw+`"`) {
			t.Errorf("raw path %s used as a label", raw)
		}
	}
}

func TestStatusWriter_KeepsTheFirstStatus(t *testing.T) {
	rec := httptest.NewRecorder()
	sw := &statusWriter{ResponseWriter: rec, status: http.StatusOK}
	_, _ = sw.Write([]byte("x")) // an implicit 200
	if sw.status != http.StatusOK {
		t.Fatalf("status = %d", sw.status)
	}
	sw2 := &statusWriter{ResponseWriter: httptest.NewRecorder(), status: http.StatusOK}
	sw2.WriteHeader(http.StatusCreated)
	if sw2.status != http.StatusCreated {
		t.Fatalf("status = %d", sw2.status)
	}
	if http.NewResponseController(sw).Flush() != nil {
		t.Fatal("Unwrap should let ResponseController reach the recorder's Flush")
	}
}

// BenchmarkMiddlewareStack measures the shared middleware (request id, RED
// metrics, recoverer, chi routing) around a handler that does nothing.
func BenchmarkMiddlewareStack(b *testing.B) {
	app := NewApp(Config{Service: "bench", MaxBodyBytes: 64 << 10}, discardLog(), nil)
	app.Router.Get("/items/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
	req.Header.Set(HeaderRequestID, "bench-1")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		app.Router.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkBareRouter is the baseline for BenchmarkMiddlewareStack.
func BenchmarkBareRouter(b *testing.B) {
	r := chi.NewRouter()
	r.Get("/items/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest(http.MethodGet, "/items/42", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
	}
}
