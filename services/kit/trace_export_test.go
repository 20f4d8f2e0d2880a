package kit_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

// essai is a service with a table, one route that reads it and calls
// another service, and an OTLP endpoint: what every service of the fleet is.
func runEssai(downstream string) kittest.RunFunc {
	migrations := fstest.MapFS{"00001_essai.sql": {Data: []byte(
		"-- +goose Up\nCREATE TABLE essai (id int PRIMARY KEY);\n-- +goose Down\nDROP TABLE essai;\n")}}
	return func(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
		svc := kit.Service{Name: "clients", Port: 1, Migrations: migrations}
		return kit.Run(ctx, svc, getenv, stdout, func(app *kit.App, pool *pgxpool.Pool) error {
			client := kit.NewClient(downstream, 5*time.Second)
			app.Router.Get("/essai/{id}", func(w http.ResponseWriter, r *http.Request) {
				var n int
				if err := pool.QueryRow(r.Context(), "SELECT count(*) FROM essai").Scan(&n); err != nil {
					kit.WriteProblem(w, http.StatusInternalServerError, err.Error())
					return
				}
				if err := client.Do(r.Context(), http.MethodGet, "/suite", nil, nil, nil); err != nil {
					kit.WriteProblem(w, http.StatusBadGateway, err.Error())
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			return nil
		})
	}
}

// With an OTLP endpoint, a request makes a server span named after its
// route and child of the caller's span, a query span and a client span
// under it, and the next service gets the client span as its parent.
func TestRun_ExportsServerQueryAndClientSpansOfOneTrace(t *testing.T) {
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50") // milliseconds: the SDK reads it from the process
	const traceID, parent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	seen := make(chan string, 1)
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("traceparent")
	}))
	defer downstream.Close()
	otlp := kittest.OTLPReceiver(t)
	base := kittest.Start(t, runEssai(downstream.URL), map[string]string{
		"DATABASE_URL":                kittest.DB(t, "clients", nil),
		"OTEL_EXPORTER_OTLP_ENDPOINT": otlp.URL,
	})

	r := kittest.Do(t, http.MethodGet, base+"/essai/7", nil, "traceparent", "00-"+traceID+"-"+parent+"-01")
	if r.Status != http.StatusNoContent {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	spans := otlp.Trace(t, traceID, 10*time.Second, func(s []kittest.Span) bool { return len(s) >= 3 })
	var server, query, client kittest.Span
	for _, s := range spans {
		switch {
		case s.Kind == tracepb.Span_SPAN_KIND_SERVER:
			server = s
		case s.Attrs["db.system.name"] == "postgresql":
			query = s
		case s.Kind == tracepb.Span_SPAN_KIND_CLIENT:
			client = s
		}
	}
	if server.Name != "GET /essai/{id}" || server.ParentID != parent || server.Service != "clients" ||
		server.Attrs["http.route"] != "/essai/{id}" {
		t.Errorf("server span %+v", server)
	}
	if query.ParentID != server.SpanID || !strings.Contains(query.Attrs["db.query.text"], "FROM essai") {
		t.Errorf("query span %+v, want a child of %s", query, server.SpanID)
	}
	if client.ParentID != server.SpanID {
		t.Errorf("client span %+v, want a child of %s", client, server.SpanID)
	}
	if got, want := <-seen, "00-"+traceID+"-"+client.SpanID+"-01"; got != want {
		t.Errorf("downstream got traceparent %q, want %q", got, want)
	}
	for _, s := range otlp.All() {
		if strings.Contains(s.Name, "readyz") || s.Attrs["http.route"] == "/readyz" {
			t.Errorf("a probe was traced: %+v", s)
		}
	}
}
