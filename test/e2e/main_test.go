// Package e2e runs the whole fleet, as `make run` does, on free ports with a
// fresh database, and checks it from the outside over HTTP only.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"multimagasins/fleet"
	"multimagasins/kit/kittest"
)

// fl is the one fleet every test of the package shares: starting it is the
// slow part, and the tests make their own rows so they never collide.
var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	dir, err := os.MkdirTemp("", "multimagasins-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Binaries go to <repo>/bin like `make run`'s: go build then relinks
	// only what changed. Run directory and database are this run's own.
	f, err := fleet.Start(ctx, fleet.Options{
		RunDir:       filepath.Join(dir, "run"),
		AdminURL:     kittest.AdminURL(),
		Database:     "e2e_" + strings.ReplaceAll(uuid.NewString()[:13], "-", "_"),
		DropDatabase: true,
		FreePorts:    true,
		Out:          &out,
	})
	if testing.Verbose() || err != nil {
		_, _ = io.Copy(os.Stderr, &out)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: the fleet did not start: %v\n(run directory kept: %s)\n", err, dir)
		return 1
	}
	fl = f
	code := m.Run()
	if err := f.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stop:", err)
		code = 1
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "e2e: logs of every process kept in %s\n", filepath.Join(dir, "run", "logs"))
		return code
	}
	_ = os.RemoveAll(dir)
	return code
}

// do sends a request to a fleet process ("stock", "panier-2") at path.
func do(t *testing.T, method, name, path string, body any, headers ...string) kittest.Response {
	t.Helper()
	base := fl.URL(name)
	if base == "" {
		t.Fatalf("%s is not running", name)
	}
	return kittest.Do(t, method, base+path, body, headers...)
}

// want checks the status and decodes the body, keeping numbers exact
// (json.Number), since money must never pass through a float.
func want(t *testing.T, r kittest.Response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return m
}

// num is a JSON number as written on the wire ("25.00", "3").
func num(t *testing.T, v any) string {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON number", v, v)
	}
	return n.String()
}

func id(t *testing.T, m map[string]any) string {
	t.Helper()
	switch v := m["id"].(type) {
	case json.Number:
		return v.String()
	case string:
		return v
	}
	t.Fatalf("no id in %v", m)
	return ""
}

func items(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	raw, ok := m["items"].([]any)
	if !ok {
		t.Fatalf("not a page: %v", m)
	}
	list := make([]map[string]any, len(raw))
	for i, it := range raw {
		list[i] = it.(map[string]any)
	}
	return list
}

// unique makes names and emails that no other test (or run) uses.
func unique(prefix string) string { return prefix + "-" + uuid.NewString()[:8] }

func key() []string { return []string{"Idempotency-Key", uuid.NewString()} }
