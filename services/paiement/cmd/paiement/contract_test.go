package main

import (
	"testing"

	"multimagasins/kit/api/apitest"
	"multimagasins/kit/api/paiementapi/paiementapitest"
)

// The typed client every caller uses must match what this service serves.
func TestContract_PaiementapiAgainstTheRealService(t *testing.T) {
	base, _ := start(t)
	apitest.RequireRoutes(t, base, paiementapitest.Routes)
	paiementapitest.Contract(t, base)
	paiementapitest.Contract(t, base) // again on the same data: the suite makes its own keys and clients
}
