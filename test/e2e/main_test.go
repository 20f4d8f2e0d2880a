// Package e2e runs the whole fleet, as `make run` does, on free ports with a
// fresh database, and checks it from the outside over HTTP only.
package e2e

import (
	"flag"
	"os"
	"testing"

	"multimagasins/fleet"
	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

// fl is the one fleet every test of the package shares: starting it is the
// slow part, and the tests make their own rows so they never collide.
var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(fleettest.Main(m, "e2e", fleet.Options{}, func(f *fleet.Fleet) { fl = f }))
}

// do sends a request to a fleet process ("stock", "panier-2") at path.
func do(t *testing.T, method, name, path string, body any, headers ...string) kittest.Response {
	t.Helper()
	return fleettest.Do(t, fl, method, name, path, body, headers...)
}

var (
	want   = fleettest.Want
	num    = fleettest.Num
	id     = fleettest.ID
	items  = fleettest.Items
	unique = fleettest.Unique
	key    = fleettest.Key
)
