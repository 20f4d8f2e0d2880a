// Package postman checks the Postman collection of deploy/postman against a
// fresh fleet: the committed files are what test/cmd/postman makes from the
// services' OpenAPI documents now, the collection covers every public route
// of gateway/krakend.json once, and newman runs it green through the
// fleet's gateway (KrakenD, or its nginx twin), as a user would.
package postman

import (
	"flag"
	"os"
	"testing"

	"multimagasins/fleet"
	"multimagasins/test/internal/fleettest"
)

var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(fleettest.Main(m, "postman", fleet.Options{LogLevel: "warn"}, func(f *fleet.Fleet) { fl = f }))
}
