package kit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkClientDo measures one JSON call through Client over loopback
// keep-alive: encoding, the transport (and its tracing wrapper), decoding.
func BenchmarkClientDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"r-1","total":12.34}`)
	}))
	defer srv.Close()
	c := NewClient(srv.URL, 5*time.Second)
	ctx := WithRequestID(context.Background(), "bench-1")
	var out struct {
		ID string `json:"id"`
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Do(ctx, http.MethodPost, "/reservations", map[string]any{"quantite": 2}, &out, nil); err != nil {
			b.Fatal(err)
		}
	}
}
