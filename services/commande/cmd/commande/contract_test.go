package main

import (
	"testing"

	"multimagasins/kit/api/apitest"
	"multimagasins/kit/api/commandeapi/commandeapitest"
)

// The typed client every caller uses must match what this service serves.
func TestContract_CommandeapiAgainstTheRealService(t *testing.T) {
	base, _ := start(t)
	apitest.RequireRoutes(t, base, commandeapitest.Routes)
	commandeapitest.Contract(t, base)
	commandeapitest.Contract(t, base) // again on the same data: the suite makes its own orders and keys
}
