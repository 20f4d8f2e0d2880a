// Command dashboards writes the Grafana dashboards of the platform as JSON,
// from code (grafana-foundation-sdk), so they are reviewed and diffed like code
// and every query is checked by test/observability against a real Prometheus.
//
// Regenerate them after changing this package, from the test module:
//
//	cd test && go run ./cmd/dashboards -out ../deploy/grafana/dashboards
//
// Grafana loads the files through deploy/grafana/provisioning. The output is
// deterministic (fixed panel ids, sorted keys, two-space indent), so
// regenerating without a change gives byte-identical files.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	if err := run(os.Args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dashboards:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	out := fs.String("out", "", "directory to write the dashboards to (created if missing)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("-out is required, e.g. -out ../deploy/grafana/dashboards")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, d := range all() {
		raw, err := render(d.build())
		if err != nil {
			return fmt.Errorf("%s: %w", d.file, err)
		}
		path := filepath.Join(*out, d.file)
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", path)
	}
	return nil
}

type generated struct {
	file  string
	build func() *boardBuilder
}

// all lists every dashboard, in a fixed order.
func all() []generated {
	return []generated{
		{"services.json", servicesDashboard},
		{"saga.json", sagaDashboard},
		{"gateway.json", gatewayDashboard},
		{"business.json", businessDashboard},
	}
}

// render builds the dashboard and encodes it the same way every time:
// struct fields in declaration order, map keys sorted, no HTML escaping (so
// PromQL's < and > stay readable), a final newline.
func render(b *boardBuilder) ([]byte, error) {
	d, err := b.Build()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
