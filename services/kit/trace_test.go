package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

const (
	callerTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	callerSpan   = "00f067aa0ba902b7"
	callerParent = "00-" + callerTrace + "-" + callerSpan + "-01"
)

// A service that exports nothing still carries its caller's trace to the
// services it calls, unchanged, and logs its id.
func TestTraceHTTP_PassesTheCallersTraceOnWhenNotExporting(t *testing.T) {
	if exporting.Load() {
		t.Fatal("another test left traces exporting")
	}
	seen := make(chan string, 1)
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("traceparent")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer downstream.Close()
	client := NewClient(downstream.URL, 5*time.Second)
	var logs bytes.Buffer
	app := NewApp(Config{Service: "kit-test", MaxBodyBytes: 1 << 10}, NewLogger(&logs, "info", "kit-test"), nil)
	app.Router.Get("/appel", func(w http.ResponseWriter, r *http.Request) {
		if err := client.Do(r.Context(), http.MethodGet, "/", nil, nil, nil); err != nil {
			t.Error(err)
		}
		w.WriteHeader(http.StatusNoContent)
	})

	for _, tc := range []struct{ name, sent, want string }{
		{"with a traceparent", callerParent, callerParent},
		{"without one", "", ""},
		{"with a malformed one", "00-zz-yy-01", ""},
	} {
		logs.Reset()
		req := httptest.NewRequest(http.MethodGet, "/appel", nil)
		if tc.sent != "" {
			req.Header.Set("traceparent", tc.sent)
		}
		rec := httptest.NewRecorder()
		app.Router.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("%s: status %d", tc.name, rec.Code)
		}
		if got := <-seen; got != tc.want {
			t.Errorf("%s: downstream got traceparent %q, want %q", tc.name, got, tc.want)
		}
		var line struct {
			Msg     string `json:"msg"`
			TraceID string `json:"trace_id"`
		}
		for l := range strings.Lines(logs.String()) {
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				t.Fatal(err)
			}
			if line.Msg == "http request" {
				break
			}
		}
		wantID := ""
		if tc.want != "" {
			wantID = callerTrace
		}
		if line.Msg != "http request" || line.TraceID != wantID {
			t.Errorf("%s: request log %+v, want trace_id %q\n%s", tc.name, line, wantID, logs.String())
		}
	}
}

// A RoundTripper must not change the request it was given.
func TestTraceTransport_LeavesTheCallersRequestAlone(t *testing.T) {
	seen := make(chan string, 1)
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("traceparent")
	}))
	defer downstream.Close()
	tid, _ := trace.TraceIDFromHex(callerTrace)
	sid, _ := trace.SpanIDFromHex(callerSpan)
	ctx := trace.ContextWithRemoteSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, downstream.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Transport: TraceTransport(http.DefaultTransport)}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := <-seen; got != callerParent {
		t.Errorf("downstream got traceparent %q, want %q", got, callerParent)
	}
	if len(req.Header) != 0 {
		t.Errorf("the caller's request was changed: %v", req.Header)
	}
}

func TestTracesWanted_OnlyWithAnEndpointAndNotSwitchedOff(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
		url  string
	}{
		{env: nil},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318/"}, want: true,
			url: "http://127.0.0.1:4318/v1/traces"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://j:4318/custom",
			"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:1"}, want: true, url: "http://j:4318/custom"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://j:4318", "OTEL_SDK_DISABLED": "TRUE"},
			url: "http://j:4318/v1/traces"},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://j:4318", "OTEL_TRACES_EXPORTER": "none"},
			url: "http://j:4318/v1/traces"},
	} {
		getenv := func(k string) string { return tc.env[k] }
		if got := TracesWanted(getenv); got != tc.want {
			t.Errorf("%v: TracesWanted = %v", tc.env, got)
		}
		if got := tracesEndpoint(getenv); got != tc.url {
			t.Errorf("%v: endpoint = %q, want %q", tc.env, got, tc.url)
		}
	}
}

// BenchmarkMiddlewareStack_Exporting is BenchmarkMiddlewareStack with
// traces exported (to a receiver that drops them): what a request pays for
// its server span when tracing is on.
func BenchmarkMiddlewareStack_Exporting(b *testing.B) {
	sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer sink.Close()
	stop, err := StartTracing(context.Background(), "bench", func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": sink.URL}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	BenchmarkMiddlewareStack(b)
}
