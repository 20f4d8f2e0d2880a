package main

import (
	"testing"

	"multimagasins/kit/api/apitest"
	"multimagasins/kit/api/clientsapi/clientsapitest"
)

// The typed client every caller uses must match what this service serves.
func TestContract_ClientsapiAgainstTheRealService(t *testing.T) {
	base, _ := start(t)
	apitest.RequireRoutes(t, base, clientsapitest.Routes)
	clientsapitest.Contract(t, base)
	clientsapitest.Contract(t, base) // again on the same data: the suite makes its own accounts
}
