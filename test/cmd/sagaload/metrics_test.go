package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exposition is what a kit service serves on /metrics, trimmed.
const exposition = `# HELP http_requests_total HTTP requests by route and status.
# TYPE http_requests_total counter
http_requests_total{code="200",method="GET",route="/metrics",service="stock"} 12
http_requests_total{code="200",method="GET",route="/readyz",service="stock"} 40
http_requests_total{code="200",method="GET",route="/healthz",service="stock"} 3
http_requests_total{code="201",method="POST",route="/reservations",service="stock"} 100
http_requests_total{code="200",method="POST",route="/reservations/{cle}/confirmation",service="stock"} 98
# HELP http_request_duration_seconds HTTP request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{method="POST",route="/reservations",service="stock",le="+Inf"} 100
http_request_duration_seconds_sum{method="POST",route="/reservations",service="stock"} 1.5
http_request_duration_seconds_count{method="POST",route="/reservations",service="stock"} 100
`

func TestParseRequests_LeavesOutProbesAndOtherMetrics(t *testing.T) {
	got, err := parseRequests(strings.NewReader(exposition), "127.0.0.1:8007")
	require.NoError(t, err)
	assert.Equal(t, requests{
		{"stock", "POST", "/reservations", "201"}:                    100,
		{"stock", "POST", "/reservations/{cle}/confirmation", "200"}: 98,
	}, got)
}

func TestParseRequests_NamesAServiceWithoutLabelAfterItsURL(t *testing.T) {
	got, err := parseRequests(strings.NewReader(`http_requests_total{code="201",method="POST",route="/paiements"} 7`+"\n"), "127.0.0.1:8008")
	require.NoError(t, err)
	assert.Equal(t, requests{{"127.0.0.1:8008", "POST", "/paiements", "201"}: 7}, got)
}

func TestParseRequests_FailsOnABrokenExposition(t *testing.T) {
	_, err := parseRequests(strings.NewReader("http_requests_total{code=\"200\" 1\n"), "x")
	require.Error(t, err)
}

func TestRequestsSince_CountsNewSeriesAndResets(t *testing.T) {
	res := routeKey{"stock", "POST", "/reservations", "201"}
	conf := routeKey{"stock", "POST", "/reservations/{cle}/confirmation", "200"}
	refus := routeKey{"paiement", "POST", "/paiements", "402"}
	idle := routeKey{"clients", "GET", "/clients/{id}", "200"}
	before := requests{res: 100, conf: 98, idle: 5}
	after := requests{res: 150, conf: 20, refus: 10, idle: 5}

	d, resets := after.since(before)
	assert.Equal(t, requests{res: 50, conf: 20, refus: 10}, d, "a series that went down counts whole; an unchanged one is left out")
	assert.Equal(t, []routeKey{conf}, resets)
	assert.Equal(t, 80.0, d.total())
}
