package main

import (
	"fmt"
	"strings"
)

// rate is the window of every rate(): Grafana picks it from the scrape
// interval and the zoom, at least four scrapes.
const rate = "$__rate_interval"

// sel joins label matchers into a selector body.
func sel(matchers ...string) string { return strings.Join(matchers, ", ") }

// ratioOrZero is part/whole by the labels in by, where part is whole's series
// narrowed by extra. A missing part (no 5xx at all, say) is a 0, not a gap:
// the "or" fills each group of whole that part lacks with a zero.
// An empty by is one ratio over everything.
func ratioOrZero(metric, by, base, extra string) string {
	sum := "sum"
	if by != "" {
		sum = "sum by (" + by + ")"
	}
	part := fmt.Sprintf("%s (rate(%s{%s}[%s]))", sum, metric, sel(base, extra), rate)
	whole := fmt.Sprintf("%s (rate(%s{%s}[%s]))", sum, metric, base, rate)
	return fmt.Sprintf("(%s or 0 * %s) / %s", part, whole, whole)
}

func quantile(phi, bucket, by, matchers string) string {
	return fmt.Sprintf("histogram_quantile(%s, sum by (%s) (rate(%s{%s}[%s])))", phi, by, bucket, matchers, rate)
}

// servicesDashboard is RED for every Go service: kit's middleware labels
// http_requests_total and http_request_duration_seconds with service (a
// constant label), method and route (the chi route template); Prometheus adds
// job and instance.
func servicesDashboard() *boardBuilder {
	// The probes and the scrapes themselves would drown the traffic people make.
	m := sel(`service=~"$service"`, `instance=~"$instance"`, `route!~"/metrics|/healthz|/readyz"`)
	reqs := "http_requests_total"
	bucket := "http_request_duration_seconds_bucket"
	d := newBoard("mm-services", "Services (RED)",
		"Rate, errors and duration of every service, by instance and route (kit's RED metrics).", "red").
		variable("service", "Service", `label_values(http_requests_total, service)`).
		variable("instance", "Instance", `label_values(http_requests_total{service=~"$service"}, instance)`)

	d.row("Overview").
		stat("Requests", "Requests served per second.", unitReqps, 6,
			q{fmt.Sprintf("sum(rate(%s{%s}[%s]))", reqs, m, rate), "requests/s"}).
		stat("5xx ratio", "Share of answers that are server errors.", unitRatio, 6,
			q{ratioOrZero(reqs, "", m, `code=~"5.."`), "5xx"}).
		stat("4xx ratio", "Share of answers that are client errors (business refusals such as 402 and 409 included).", unitRatio, 6,
			q{ratioOrZero(reqs, "", m, `code=~"4.."`), "4xx"}).
		stat("p95 duration", "95th percentile of the request duration, every service together.", unitSeconds, 6,
			q{quantile("0.95", bucket, "le", m), "p95"})

	d.row("Rate").
		timeseries("Requests per service", "", unitReqps, 12,
			q{fmt.Sprintf("sum by (service) (rate(%s{%s}[%s]))", reqs, m, rate), "{{service}}"}).
		timeseries("Requests per instance", "Replicas (panier-1/2, web-1/2) should share the load.", unitReqps, 12,
			q{fmt.Sprintf("sum by (service, instance) (rate(%s{%s}[%s]))", reqs, m, rate), "{{service}} {{instance}}"}).
		timeseries("Requests per route", "", unitReqps, 12,
			q{fmt.Sprintf("sum by (service, method, route) (rate(%s{%s}[%s]))", reqs, m, rate), "{{service}} {{method}} {{route}}"}).
		timeseries("Answers per status code", "", unitReqps, 12,
			q{fmt.Sprintf("sum by (service, code) (rate(%s{%s}[%s]))", reqs, m, rate), "{{service}} {{code}}"})

	d.row("Errors").
		timeseries("5xx ratio per service", "Server errors over all answers; 0 when there are none.", unitRatio, 8,
			q{ratioOrZero(reqs, "service", m, `code=~"5.."`), "{{service}}"}).
		timeseries("5xx ratio per route", "", unitRatio, 8,
			q{ratioOrZero(reqs, "service, method, route", m, `code=~"5.."`), "{{service}} {{method}} {{route}}"}).
		timeseries("4xx ratio per service", "Client errors and business refusals (402 payment, 409 stock) over all answers.", unitRatio, 8,
			q{ratioOrZero(reqs, "service", m, `code=~"4.."`), "{{service}}"})

	d.row("Duration").
		timeseries("Duration per service", "p50, p95 and p99 of the request duration.", unitSeconds, 12,
			q{quantile("0.5", bucket, "le, service", m), "{{service}} p50"},
			q{quantile("0.95", bucket, "le, service", m), "{{service}} p95"},
			q{quantile("0.99", bucket, "le, service", m), "{{service}} p99"}).
		timeseries("p95 per instance", "", unitSeconds, 12,
			q{quantile("0.95", bucket, "le, service, instance", m), "{{service}} {{instance}}"}).
		timeseries("p95 per route", "", unitSeconds, 12,
			q{quantile("0.95", bucket, "le, service, method, route", m), "{{service}} {{method}} {{route}}"}).
		timeseries("p99 per route", "", unitSeconds, 12,
			q{quantile("0.99", bucket, "le, service, method, route", m), "{{service}} {{method}} {{route}}"})
	return d.b
}

// sagaDashboard shows the orchestrator's saga metrics (docs/saga.md). Every
// series exists at zero from the start, so no panel is ever empty.
func sagaDashboard() *boardBuilder {
	t := `type=~"$type"`
	d := newBoard("mm-saga", "Sagas",
		"Checkouts, counter sales and returns run by the orchestrator: outcomes, duration, compensations and recovery.", "saga").
		variable("type", "Saga type", `label_values(saga_success_total, type)`).
		traceLink("Saga traces (Jaeger)", "The traces of the checkouts: each is the saga, its steps and "+
			"every service they called, with saga.id and commande.id on the spans (search by tag saga.id=<id>).",
			"orchestrator", "saga commande")

	success := fmt.Sprintf("sum(rate(saga_success_total{%s}[%s]))", t, rate)
	failure := fmt.Sprintf("sum(rate(saga_failure_total{%s}[%s]))", t, rate)
	d.row("Overview").
		stat("Confirmed", "Sagas finished CONFIRMEE over the time range.", unitShort, 5,
			q{fmt.Sprintf("sum(increase(saga_success_total{%s}[$__range]))", t), "CONFIRMEE"}).
		stat("Cancelled", "Sagas finished ANNULEE over the time range (stock, payment, participant down, invalid).", unitShort, 5,
			q{fmt.Sprintf("sum(increase(saga_failure_total{%s}[$__range]))", t), "ANNULEE"}).
		stat("Success ratio", "CONFIRMEE over finished sagas.", unitRatio, 5,
			q{fmt.Sprintf("%s / (%s + %s)", success, success, failure), "success"}).
		stat("In flight", "Sagas being driven right now.", unitShort, 4,
			q{fmt.Sprintf("sum(saga_en_cours{%s})", t), "en cours"}).
		stat("p95 duration", "", unitSeconds, 5,
			q{quantile("0.95", "saga_duration_seconds_bucket", "le", t), "p95"})

	d.row("Outcomes").
		timeseries("Sagas per outcome", "CONFIRMEE by type; ANNULEE by type and reason.", unitOps, 12,
			q{fmt.Sprintf("sum by (type) (rate(saga_success_total{%s}[%s]))", t, rate), "{{type}} CONFIRMEE"},
			q{fmt.Sprintf("sum by (type, motif) (rate(saga_failure_total{%s}[%s]))", t, rate), "{{type}} ANNULEE {{motif}}"}).
		timeseries("States entered", "Every saga type together (saga_etat_total has no type).", unitOps, 12,
			q{fmt.Sprintf("sum by (etat) (rate(saga_etat_total[%s]))", rate), "{{etat}}"})

	d.row("Duration").
		timeseries("Saga duration", "From the start of a saga to its end, by type.", unitSeconds, 12,
			q{quantile("0.5", "saga_duration_seconds_bucket", "le, type", t), "{{type}} p50"},
			q{quantile("0.95", "saga_duration_seconds_bucket", "le, type", t), "{{type}} p95"},
			q{quantile("0.99", "saga_duration_seconds_bucket", "le, type", t), "{{type}} p99"}).
		timeseries("In flight per type", "", unitShort, 12,
			q{fmt.Sprintf("sum by (type) (saga_en_cours{%s})", t), "{{type}}"})

	d.row("Compensations and recovery").
		timeseries("Compensations per step", "Steps undone before the pivot (release of a reservation, cancel of an order).", unitOps, 12,
			q{fmt.Sprintf("sum by (etape) (rate(saga_compensations_total[%s]))", rate), "{{etape}}"}).
		timeseries("Recoveries per step", "Sagas resumed by the recovery worker, by the step they were at; anything but 0 means a crash or a participant down.", unitShort, 12,
			q{fmt.Sprintf("sum by (etape) (increase(saga_recoveries_total[%s]))", rate), "{{etape}}"})

	d.row("Sagas à vérifier").
		timeseries("À vérifier", "Sagas recovery tried N times in a row without moving them (alert SagasAVerifier): head office must look, list in /maison-mere/sagas. Every orchestrator reports the same count, hence max.", unitShort, 12,
			q{fmt.Sprintf("max by (type) (saga_a_verifier{%s})", t), "{{type}}"}).
		timeseries("Entered à vérifier", "Sagas that became à vérifier, by type.", unitShort, 12,
			q{fmt.Sprintf("sum by (type) (increase(saga_a_verifier_total{%s}[%s]))", t, rate), "{{type}}"})
	return d.b
}

// gatewayDashboard reads KrakenD's OpenTelemetry metrics as its Prometheus
// exporter names them (telemetry/opentelemetry, exporter on port 9090, job
// "krakend"): http_server_duration (global layer, labels http_route,
// http_request_method, http_response_status_code), krakend_proxy_duration
// (proxy layer), krakend_backend_duration (backend layer, labels error,
// canceled, complete) and http_client_duration (round trip to each backend,
// label server_address). No unit is set on them, so the names carry no
// _seconds suffix.
func gatewayDashboard() *boardBuilder {
	m := sel(`job="krakend"`, `http_route=~"$route"`)
	count := "http_server_duration_count"
	d := newBoard("mm-gateway", "Gateway (KrakenD)",
		"Traffic through the KrakenD gateway: requests, errors and latency per endpoint, and the round trips to the services.", "krakend").
		variable("route", "Endpoint", `label_values(http_server_duration_count{job="krakend"}, http_route)`)

	d.row("Overview").
		stat("Requests", "Requests per second through the gateway.", unitReqps, 6,
			q{fmt.Sprintf("sum(rate(%s{%s}[%s]))", count, m, rate), "requests/s"}).
		stat("5xx ratio", "", unitRatio, 6,
			q{ratioOrZero(count, "", m, `http_response_status_code=~"5.."`), "5xx"}).
		stat("p95 duration", "", unitSeconds, 6,
			q{quantile("0.95", "http_server_duration_bucket", "le", m), "p95"}).
		stat("p99 duration", "", unitSeconds, 6,
			q{quantile("0.99", "http_server_duration_bucket", "le", m), "p99"})

	d.row("Endpoints").
		timeseries("Requests per endpoint and status", "", unitReqps, 12,
			q{fmt.Sprintf("sum by (http_route, http_request_method, http_response_status_code) (rate(%s{%s}[%s]))", count, m, rate),
				"{{http_request_method}} {{http_route}} {{http_response_status_code}}"}).
		timeseries("Gateway duration", "p50, p95 and p99 from request in to response out.", unitSeconds, 12,
			q{quantile("0.5", "http_server_duration_bucket", "le", m), "p50"},
			q{quantile("0.95", "http_server_duration_bucket", "le", m), "p95"},
			q{quantile("0.99", "http_server_duration_bucket", "le", m), "p99"}).
		timeseries("p95 per endpoint", "", unitSeconds, 12,
			q{quantile("0.95", "http_server_duration_bucket", "le, http_route", m), "{{http_route}}"}).
		timeseries("5xx ratio per endpoint", "", unitRatio, 12,
			q{ratioOrZero(count, "http_route", m, `http_response_status_code=~"5.."`), "{{http_route}}"})

	d.row("Behind the gateway").
		timeseries("Proxy layer p95", "Time spent in the endpoint's pipeline, backend calls included.", unitSeconds, 8,
			q{quantile("0.95", "krakend_proxy_duration_bucket", "le", `job="krakend"`), "proxy p95"}).
		timeseries("Backend round trip p95", "KrakenD to each service.", unitSeconds, 8,
			q{quantile("0.95", "http_client_duration_bucket", "le, server_address", `job="krakend"`), "{{server_address}}"}).
		timeseries("Backend errors", "Backend calls that failed (error=\"true\"), per second.", unitOps, 8,
			q{`sum(rate(krakend_backend_duration_count{job="krakend", error="true"}[` + rate + `])) or vector(0)`, "errors"})
	return d.b
}

// businessDashboard shows the business counters of the services: orders by
// state and channel (commande), charges and refunds (paiement), reservations
// (stock) and cart lines (panier). Money counters are in cents.
func businessDashboard() *boardBuilder {
	d := newBoard("mm-business", "Business",
		"Sales by channel and store, payments, refunds and stock reservations.", "business")

	d.row("Overview").
		stat("Sales confirmed", "Orders that reached CONFIRMEE over the time range, every channel.", unitShort, 6,
			q{`sum(increase(commandes_total{statut="CONFIRMEE"}[$__range]))`, "CONFIRMEE"}).
		stat("Amount charged", "Accepted charges over the time range.", unitDollars, 6,
			q{`sum(increase(paiements_montant_cents_total{resultat="accepte"}[$__range])) / 100`, "accepte"}).
		stat("Payment refusals", "Refused charges over decided charges.", unitRatio, 6,
			q{fmt.Sprintf(`sum(rate(paiements_total{resultat="refuse"}[%s])) / sum(rate(paiements_total[%s]))`, rate, rate), "refuse"}).
		stat("Refunds", "Refunds made over the time range (returns).", unitShort, 6,
			q{`sum(increase(remboursements_total[$__range]))`, "remboursements"})

	d.row("Sales").
		timeseries("Confirmed orders per channel", "en_ligne (checkout) and magasin (counter sales).", unitOps, 12,
			q{fmt.Sprintf(`sum by (canal) (rate(commandes_total{statut="CONFIRMEE"}[%s]))`, rate), "{{canal}}"}).
		timeseries("Orders entering each state", "", unitOps, 12,
			q{fmt.Sprintf("sum by (statut, canal) (rate(commandes_total[%s]))", rate), "{{canal}} {{statut}}"}).
		timeseries("Confirmed sales per store", "Counter sales per store (1–5); en_ligne is the online shop, served from the centre.", unitOps, 12,
			q{fmt.Sprintf(`sum by (magasin) (rate(commandes_total{statut="CONFIRMEE"}[%s]))`, rate), "magasin {{magasin}}"}).
		timeseries("Revenue per store", "Dollars of confirmed orders over the time range, per store (returns not deducted).", unitDollars, 12,
			q{`sum by (magasin) (increase(commandes_confirmees_montant_cents_total[$__range])) / 100`, "magasin {{magasin}}"})

	d.row("Payments").
		timeseries("Charges per result", "", unitOps, 8,
			q{fmt.Sprintf("sum by (resultat) (rate(paiements_total[%s]))", rate), "{{resultat}}"}).
		timeseries("Amount per result", "Dollars per second of the charges decided.", unitDollars, 8,
			q{fmt.Sprintf("sum by (resultat) (rate(paiements_montant_cents_total[%s])) / 100", rate), "{{resultat}}"}).
		timeseries("Refunds", "", unitOps, 8,
			q{fmt.Sprintf("sum(rate(remboursements_total[%s]))", rate), "remboursements"})

	d.row("Stock and carts").
		timeseries("Reservations per result", "reservee, insuffisant (refused for lack of stock), liberee (compensation), confirmee.", unitOps, 12,
			q{fmt.Sprintf("sum by (resultat) (rate(stock_reservations_total[%s]))", rate), "{{resultat}}"}).
		timeseries("Cart lines added", "", unitOps, 12,
			q{fmt.Sprintf("sum(rate(panier_lignes_ajoutees_total[%s]))", rate), "lignes ajoutées"})
	return d.b
}
