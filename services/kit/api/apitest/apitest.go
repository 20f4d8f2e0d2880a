// Package apitest holds the check every service's contract test makes besides
// its client's suite: the client covers every route the service publishes.
package apitest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// RequireRoutes fails the test unless the operations of base's /openapi.json
// are exactly routes ("GET /produits/{id}"): a route added to the service
// without its client method, or a method left for a route that is gone,
// fails here.
func RequireRoutes(t testing.TB, base string, routes []string) {
	t.Helper()
	resp, err := http.Get(strings.TrimRight(base, "/") + "/openapi.json")
	if err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d", resp.StatusCode)
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&spec); err != nil {
		t.Fatalf("decode /openapi.json: %v", err)
	}
	var served []string
	for path, ops := range spec.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch":
				served = append(served, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(served)
	want := slices.Sorted(slices.Values(routes))
	for _, r := range served {
		if !slices.Contains(want, r) {
			t.Errorf("the service serves %s but the client has no method for it", r)
		}
	}
	for _, r := range want {
		if !slices.Contains(served, r) {
			t.Errorf("the client covers %s but the service does not serve it", r)
		}
	}
}
