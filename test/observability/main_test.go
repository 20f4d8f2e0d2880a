// Package observability checks what people watch the platform with: the
// Grafana dashboards are generated reproducibly, every query parses and
// returns data from a real Prometheus scraping a real fleet, the Grafana
// provisioning names the datasource the panels use, the k6 scripts parse, and
// one checkout is one trace in Jaeger across the services it touched.
package observability

import (
	"flag"
	"os"
	"testing"

	"multimagasins/fleet"
	"multimagasins/test/internal/fleettest"
)

// fl is the fleet of the package, Prometheus included when it is installed,
// and Jaeger.
var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(fleettest.Main(m, "observability", fleet.Options{
		// Jaeger, which `make jaeger` builds (make test does first): the
		// trace test asks it for a checkout's trace. The services post their
		// spans every 100 ms instead of every 5 s.
		Jaeger: fleet.JaegerRequired,
		Env:    map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "100"},
	}, func(f *fleet.Fleet) { fl = f }))
}
