package kit

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
)

func TestNewLogger_AddsContextIDs(t *testing.T) {
	var buf bytes.Buffer
	log := NewLogger(&buf, "info", "commande")
	ctx := WithCommandeID(WithSagaID(WithRequestID(context.Background(), "req-1"), "saga-1"), "cmd-1")
	log.InfoContext(ctx, "hello")
	log.DebugContext(ctx, "hidden below info")

	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("one JSON line expected, got %q: %v", buf.String(), err)
	}
	for k, want := range map[string]string{
		"service": "commande", "request_id": "req-1", "saga_id": "saga-1", "commande_id": "cmd-1", "msg": "hello",
	} {
		if line[k] != want {
			t.Errorf("%s = %v, want %q", k, line[k], want)
		}
	}
}

func TestNewLogger_NoEmptyIDs(t *testing.T) {
	var buf bytes.Buffer
	NewLogger(&buf, "info", "stock").With("k", "v").WithGroup("g").InfoContext(context.Background(), "x", "a", 1)
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"request_id", "saga_id", "commande_id"} {
		if _, ok := line[k]; ok {
			t.Errorf("%s present without a value in the context: %s", k, buf.String())
		}
	}
}

func TestContainsPattern_MatchesLiterally(t *testing.T) {
	tests := map[string]string{
		"":           "%%",
		"  Café ":    "%café%",
		"50%_off":    `%50\%\_off%`,
		`back\slash`: `%back\\slash%`,
	}
	for in, want := range tests {
		if got := ContainsPattern(in); got != want {
			t.Errorf("ContainsPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewPage_NeverNullItems(t *testing.T) {
	p := NewPage[int](nil, 0, PageQuery{Limit: 50})
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"items":[],"total":0,"limit":50,"offset":0}` {
		t.Fatalf("page = %s", b)
	}
}
