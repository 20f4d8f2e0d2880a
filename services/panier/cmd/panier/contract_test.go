package main

import (
	"testing"

	"multimagasins/kit/api/apitest"
	"multimagasins/kit/api/panierapi/panierapitest"
)

// The typed client every caller uses must match what this service serves.
// Its upstreams are the fakes of main_test.go: client 1 and product 1 at
// 100.00, as in the demo data.
func TestContract_PanierapiAgainstTheRealService(t *testing.T) {
	base := newFleet(t).start(t)
	apitest.RequireRoutes(t, base, panierapitest.Routes)
	panierapitest.Contract(t, base)
	panierapitest.Contract(t, base)
}
