package observability

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

// Every dashboard query returns data from the Prometheus the launcher runs,
// once the fleet has served a short mixed load: the metric and label names
// in the dashboards are the ones the services really export.
func TestDashboards_EveryQueryReturnsDataFromPrometheus(t *testing.T) {
	if why := fl.Skipped("prometheus"); why != "" {
		t.Skipf("Prometheus did not run: %s", why)
	}
	prom := fl.URL("prometheus")
	require.NotEmpty(t, prom)
	load(t)

	noGateway := fl.Skipped("krakend")
	var pending []query
	for _, q := range queries(t) {
		if q.gateway() && noGateway != "" {
			t.Logf("skipped %s: its series come from KrakenD's exporter, and no KrakenD runs here (%s)", q, noGateway)
			continue
		}
		pending = append(pending, q)
	}
	require.NotEmpty(t, pending)

	// New series need two scrapes before rate() sees them: poll, bounded,
	// until every query has answered with data at least once.
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	last := map[query]string{}
	for len(pending) > 0 {
		var still []query
		for _, q := range pending {
			n, err := instant(ctx, prom, concrete(t, q))
			switch {
			case err != nil:
				last[q] = err.Error()
				still = append(still, q)
			case n == 0:
				last[q] = "empty result"
				still = append(still, q)
			}
		}
		pending = still
		if len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			for _, q := range pending {
				t.Errorf("%s: no data: %s\n  %s", q, last[q], concrete(t, q))
			}
			return
		case <-time.After(2 * time.Second):
		}
	}
}

// instant runs expr at the current time and counts the series or samples of
// the answer; an answer that is not "success" (a bad query) is an error.
func instant(ctx context.Context, prom, expr string) (int, error) {
	form := url.Values{"query": {expr}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, prom+"/api/v1/query", strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return 0, err
	}
	if body.Status != "success" {
		return 0, &promError{resp.StatusCode, body.Error}
	}
	if body.Data.ResultType == "scalar" {
		return 1, nil
	}
	var rows []json.RawMessage
	if err := json.Unmarshal(body.Data.Result, &rows); err != nil {
		return 0, err
	}
	return len(rows), nil
}

type promError struct {
	status int
	msg    string
}

func (e *promError) Error() string { return http.StatusText(e.status) + ": " + e.msg }

// load is a short mixed run through the services: the seed's three checkout
// outcomes, a counter sale and its return, cart calls and reads, on every
// replica, so each business counter and route has moved.
func load(t *testing.T) {
	t.Helper()
	do := func(method, name, path string, body any, status int, headers ...string) map[string]any {
		t.Helper()
		who, err := fleettest.SagaHeaders(t.Context(), fl, path, body) // the caissier of a sale or a return
		require.NoError(t, err)
		return fleettest.Want(t, fleettest.Do(t, fl, method, name, path, body, append(who, headers...)...), status)
	}
	line := func(produit, quantite int) []map[string]any {
		return []map[string]any{{"produit_id": produit, "quantite": quantite}}
	}
	for range 2 {
		do("POST", "orchestrator", "/saga/commande/", map[string]any{"produits": line(1, 1)}, http.StatusCreated)
		do("POST", "orchestrator", "/saga/commande/", map[string]any{"produits": line(2, 999)}, http.StatusConflict)
		do("POST", "orchestrator", "/saga/commande/", map[string]any{"produits": line(4, 10)}, http.StatusPaymentRequired)
	}
	vente := do("POST", "orchestrator", "/saga/vente",
		map[string]any{"magasin_id": 1, "produits": line(1, 1), "methode": "comptant"}, http.StatusCreated)
	commandeID, _ := vente["commande_id"].(string)
	require.NotEmpty(t, commandeID, "vente answer %v", vente)
	do("POST", "orchestrator", "/saga/retour", map[string]any{"commande_id": commandeID}, http.StatusCreated)

	do("GET", "commande", "/commande/"+commandeID, nil, http.StatusOK)
	do("GET", "paiement", "/paiements?commande_id="+commandeID, nil, http.StatusOK)
	do("GET", "clients", "/clients", nil, http.StatusOK)
	do("GET", "stock", "/produits", nil, http.StatusOK)
	for _, p := range []string{"panier-1", "panier-2"} {
		// POST /panier answers 201 for a new line and 200 for an increment.
		r := fleettest.Do(t, fl, "POST", p, "/panier", map[string]any{"client_id": 1, "produit_id": 3, "quantite": 1})
		require.Contains(t, []int{http.StatusOK, http.StatusCreated}, r.Status, "%s", r.Body)
		do("GET", p, "/panier/1", nil, http.StatusOK)
	}
	for _, w := range []string{"web-1", "web-2"} {
		r := kittest.Do(t, "GET", fl.URL(w)+"/", nil)
		require.Less(t, r.Status, 500, "%s: %s", w, r.Body)
	}
	// With a KrakenD, the gateway dashboard is checked too: send it traffic.
	if gw := fl.URL("krakend"); gw != "" {
		for _, path := range []string{"/clients", "/produits", "/panier/1"} {
			r := kittest.Do(t, "GET", gw+path, nil)
			require.Equal(t, http.StatusOK, r.Status, "krakend GET %s: %s", path, r.Body)
		}
	}
}
