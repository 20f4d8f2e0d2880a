package main

import (
	"testing"

	"multimagasins/kit/api/apitest"
	"multimagasins/kit/api/stockapi/stockapitest"
)

// The typed client every caller uses must match what this service serves.
func TestContract_StockapiAgainstTheRealService(t *testing.T) {
	base, _ := start(t)
	apitest.RequireRoutes(t, base, stockapitest.Routes)
	stockapitest.Contract(t, base)
	stockapitest.Contract(t, base) // a second run on the same data: the suite makes its own keys and product
}
