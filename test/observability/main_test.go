// Package observability checks what people watch the platform with: the
// Grafana dashboards are generated reproducibly, every query parses and
// returns data from a real Prometheus scraping a real fleet, the Grafana
// provisioning names the datasource the panels use, and the k6 scripts parse.
package observability

import (
	"flag"
	"os"
	"testing"

	"multimagasins/fleet"
	"multimagasins/test/internal/fleettest"
)

// fl is the fleet of the package, Prometheus included when it is installed.
var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(fleettest.Main(m, "observability", fleet.Options{}, func(f *fleet.Fleet) { fl = f }))
}
