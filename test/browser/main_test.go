// Package browser drives the web interface in a real headless Chromium,
// through nginx, against the whole native fleet.
package browser

import (
	"flag"
	"os"
	"testing"

	"multimagasins/fleet"
	"multimagasins/test/internal/fleettest"
)

const chromium = "/usr/bin/chromium"

var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	if _, err := os.Stat(chromium); err != nil {
		// Without a browser the tests skip themselves; no fleet is started for nothing.
		os.Exit(m.Run())
	}
	os.Exit(fleettest.Main(m, "browser", fleet.Options{LogLevel: "warn"}, func(f *fleet.Fleet) { fl = f }))
}
