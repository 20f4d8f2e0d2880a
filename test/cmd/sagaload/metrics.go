package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// routeKey is one label set of http_requests_total, as the kit's RED
// middleware writes it.
type routeKey struct {
	service, method, route, code string
}

func (k routeKey) String() string {
	return k.service + " " + k.method + " " + k.route + " " + k.code
}

// requests are http_requests_total values by label set.
type requests map[routeKey]float64

// probeRoutes are the requests the load itself does not cause: scrapes and
// health checks (the fleet's own and this tool's).
var probeRoutes = map[string]bool{"/metrics": true, "/healthz": true, "/readyz": true}

// parseRequests reads http_requests_total from a Prometheus text exposition.
// A series without a service label is named after fallback (its base URL).
func parseRequests(r io.Reader, fallback string) (requests, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("parse metrics: %w", err)
	}
	out := requests{}
	for _, m := range families["http_requests_total"].GetMetric() {
		k := routeKey{service: fallback}
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "service":
				k.service = l.GetValue()
			case "method":
				k.method = l.GetValue()
			case "route":
				k.route = l.GetValue()
			case "code":
				k.code = l.GetValue()
			}
		}
		if probeRoutes[k.route] {
			continue
		}
		// A family without a TYPE line parses as untyped.
		out[k] += m.GetCounter().GetValue() + m.GetUntyped().GetValue()
	}
	return out, nil
}

// since is the increase of every series from before to r. A series that went
// down was reset (its process restarted): its whole value counts, and its key
// is returned so the report can say the figure is a floor.
func (r requests) since(before requests) (requests, []routeKey) {
	d := requests{}
	var resets []routeKey
	for k, v := range r {
		inc := v - before[k]
		if inc < 0 {
			inc = v
			resets = append(resets, k)
		}
		if inc > 0 {
			d[k] = inc
		}
	}
	return d, resets
}

func (r requests) total() float64 {
	var n float64
	for _, v := range r {
		n += v
	}
	return n
}

// scrapeRequests reads http_requests_total from every service and adds them
// up (two replicas of one service share their label sets).
func scrapeRequests(ctx context.Context, client *http.Client, bases []string) (requests, error) {
	all := requests{}
	for _, base := range bases {
		one, err := scrapeOne(ctx, client, base)
		if err != nil {
			return nil, err
		}
		for k, v := range one {
			all[k] += v
		}
	}
	return all, nil
}

func scrapeOne(ctx context.Context, client *http.Client, base string) (requests, error) {
	url := strings.TrimRight(base, "/") + "/metrics"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	// The text format, not protobuf or OpenMetrics: that is what the parser reads.
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape %s (see -services): %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: %s", url, resp.Status)
	}
	r, err := parseRequests(resp.Body, strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://"))
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	return r, nil
}
