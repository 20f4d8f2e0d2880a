// Package browser drives the web interface in a real headless Chromium,
// through nginx, against the whole native fleet.
package browser

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"multimagasins/fleet"
	"multimagasins/test/internal/fleettest"
	"multimagasins/test/internal/headless"
)

var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	if _, err := os.Stat(headless.Chromium); err != nil {
		// A missing browser fails the suite: .ci/run installs Debian's chromium.
		fmt.Fprintf(os.Stderr, "browser: %s is missing (apt-get install chromium): %v\n", headless.Chromium, err)
		os.Exit(1)
	}
	os.Exit(fleettest.Main(m, "browser", fleet.Options{LogLevel: "warn"}, func(f *fleet.Fleet) { fl = f }))
}
