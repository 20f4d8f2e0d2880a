package observability

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

// jaegerTrace is one trace as Jaeger's query API (/api/traces/{id}) gives it.
type jaegerTrace struct {
	Spans []struct {
		SpanID        string `json:"spanID"`
		OperationName string `json:"operationName"`
		References    []struct {
			RefType string `json:"refType"`
			SpanID  string `json:"spanID"`
		} `json:"references"`
		Tags []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"tags"`
		ProcessID string `json:"processID"`
	} `json:"spans"`
	Processes map[string]struct {
		ServiceName string `json:"serviceName"`
	} `json:"processes"`
}

// span is a span of a jaegerTrace with its service and tags flattened.
type span struct {
	id, name, service, parent string
	tags                      map[string]string
}

func (tr jaegerTrace) spans() []span {
	var out []span
	for _, s := range tr.Spans {
		sp := span{id: s.SpanID, name: s.OperationName, service: tr.Processes[s.ProcessID].ServiceName,
			tags: map[string]string{}}
		for _, r := range s.References {
			if r.RefType == "CHILD_OF" {
				sp.parent = r.SpanID
			}
		}
		for _, tag := range s.Tags {
			if v, ok := tag.Value.(string); ok {
				sp.tags[tag.Key] = v
			}
		}
		out = append(out, sp)
	}
	return out
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// One guest checkout through the gateway, sent under a trace context the
// caller chose, is one trace in Jaeger: the orchestrator's saga with its id,
// a span per step with the step and the ids, and the spans of stock,
// paiement and commande (their servers and their queries) under its calls.
func TestTraces_OneCheckoutIsOneTraceAcrossTheServices(t *testing.T) {
	gateway, jaeger := fl.URL("gateway"), fl.URL("jaeger")
	require.NotEmpty(t, gateway, "no gateway in the fleet (nginx or krakend): %s", fl.Skipped("gateway"))
	require.NotEmpty(t, jaeger, "no Jaeger in the fleet: `make jaeger` builds bin/jaeger")
	traceID, parent := randomHex(t, 16), randomHex(t, 8)

	r := kittest.Do(t, http.MethodPost, gateway+"/saga/commande/",
		map[string]any{"produits": []map[string]any{{"produit_id": 1, "quantite": 1}, {"produit_id": 2, "quantite": 1}}},
		"traceparent", "00-"+traceID+"-"+parent+"-01")
	saga := fleettest.Want(t, r, http.StatusCreated)
	sagaID, commandeID := saga["saga_id"].(string), saga["commande_id"].(string)
	require.NotEmpty(t, sagaID, "%s", r.Body)

	steps := []string{"reserver_stock", "payer", "confirmer", "enregistrer_commande"}
	participants := []string{"stock", "paiement", "commande"}
	var spans []span
	var last string
	deadline := time.Now().Add(30 * time.Second)
	for {
		// The services batch their spans (OTEL_BSP_SCHEDULE_DELAY, short in
		// this fleet): the trace fills up over a few posts.
		a := kittest.Do(t, http.MethodGet, jaeger+"/api/traces/"+traceID, nil)
		last = string(a.Body)
		if a.Status == http.StatusOK {
			var body struct {
				Data []jaegerTrace `json:"data"`
			}
			require.NoError(t, json.Unmarshal(a.Body, &body))
			require.Len(t, body.Data, 1)
			spans = body.Data[0].spans()
			if complete(spans, steps, participants) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("trace %s incomplete after 30s: %s", traceID, last)
		}
		time.Sleep(200 * time.Millisecond)
	}

	byID := map[string]span{}
	perService := map[string]int{}
	for _, s := range spans {
		byID[s.id] = s
		perService[s.service]++
	}
	t.Logf("trace %s (saga %s): %d spans, by service %v", traceID, sagaID, len(spans), perService)
	// The caller's span is the parent of the first span the fleet made: the
	// traceparent crossed the gateway.
	var first []span
	for _, s := range spans {
		if s.parent == parent {
			first = append(first, s)
		}
	}
	require.Len(t, first, 1, "one span is the child of the caller's")
	require.Contains(t, []string{"orchestrator", "krakend"}, first[0].service)

	var sagaSpan span
	for _, s := range spans {
		if s.name == "saga commande" {
			sagaSpan = s
		}
	}
	require.Equal(t, "orchestrator", sagaSpan.service, "no saga span in %s", last)
	require.Equal(t, sagaID, sagaSpan.tags["saga.id"])
	require.Equal(t, commandeID, sagaSpan.tags["commande.id"])
	stepOf := map[string]string{} // span id of each step's span -> step
	for _, s := range spans {
		if e := s.tags["saga.etape"]; e != "" {
			require.Equal(t, sagaID, s.tags["saga.id"], s.name)
			require.Equal(t, commandeID, s.tags["commande.id"], s.name)
			require.Equal(t, sagaSpan.id, s.parent, "%s is under the saga's span", s.name)
			stepOf[s.id] = e
		}
	}
	for _, e := range steps {
		require.Contains(t, slices.Collect(maps.Values(stepOf)), e, "no span for the step %s", e)
	}
	// The saga dashboard's link searches exactly what the orchestrator
	// names its sagas: the same search, by this saga's id, finds this trace.
	service, operation := traceSearch(t)
	tags, err := json.Marshal(map[string]string{"saga.id": sagaID})
	require.NoError(t, err)
	found := kittest.Do(t, http.MethodGet, jaeger+"/api/traces?"+url.Values{"service": {service},
		"operation": {operation}, "tags": {string(tags)}, "lookback": {"1h"}, "limit": {"20"}}.Encode(), nil)
	require.Equal(t, http.StatusOK, found.Status, "%s", found.Body)
	var results struct {
		Data []struct {
			TraceID string `json:"traceID"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(found.Body, &results))
	require.Len(t, results.Data, 1, "the dashboard's search for saga %s: %s", sagaID, found.Body)
	require.Equal(t, traceID, results.Data[0].TraceID)

	// Each participant answered a call of a step: its server span is the
	// child of the orchestrator's client span, itself under a step's span.
	for _, svc := range participants {
		var served, queried bool
		for _, s := range spans {
			if s.service != svc {
				continue
			}
			if s.tags["span.kind"] == "server" {
				client := byID[s.parent]
				_, underStep := stepOf[client.parent]
				if client.service == "orchestrator" && underStep {
					served = true
				}
			}
			if s.tags["db.system.name"] == "postgresql" {
				queried = true
			}
		}
		require.True(t, served, "%s served no call of a saga step in this trace", svc)
		require.True(t, queried, "%s's queries are not in the trace", svc)
	}
}

// traceSearch is the Jaeger search of the saga dashboard's link to Explore:
// its datasource must be the provisioned Jaeger.
func traceSearch(t *testing.T) (service, operation string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(committed, "saga.json"))
	require.NoError(t, err)
	var d struct {
		Links []struct {
			URL string `json:"url"`
		} `json:"links"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	require.Len(t, d.Links, 1, "the saga dashboard links to its traces")
	u, err := url.Parse(d.Links[0].URL)
	require.NoError(t, err)
	require.Equal(t, "/explore", u.Path)
	var panes map[string]struct {
		Datasource string `json:"datasource"`
		Queries    []struct {
			Datasource dsRef  `json:"datasource"`
			QueryType  string `json:"queryType"`
			Service    string `json:"service"`
			Operation  string `json:"operation"`
		} `json:"queries"`
	}
	require.NoError(t, json.Unmarshal([]byte(u.Query().Get("panes")), &panes))
	require.Len(t, panes, 1)
	prov, err := os.ReadFile("../../deploy/grafana/provisioning/datasources/jaeger.yml")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^\s+type:\s*jaeger\s*$`, string(prov))
	require.Regexp(t, `(?m)^\s+url:\s*http://jaeger:16686\s*$`, string(prov))
	for _, p := range panes {
		require.Regexp(t, `(?m)^\s+uid:\s*`+regexp.QuoteMeta(p.Datasource)+`\s*$`, string(prov), "the link's datasource is not provisioned")
		require.Len(t, p.Queries, 1)
		q := p.Queries[0]
		require.Equal(t, dsRef{"jaeger", p.Datasource}, q.Datasource)
		require.Equal(t, "search", q.QueryType)
		service, operation = q.Service, q.Operation
	}
	return service, operation
}

// complete: every step has its span and every participant has a server
// span and a query in the trace.
func complete(spans []span, steps, participants []string) bool {
	seen := map[string]bool{}
	for _, s := range spans {
		seen["etape:"+s.tags["saga.etape"]] = true
		seen[s.service+":"+s.tags["span.kind"]] = true
		if s.tags["db.system.name"] == "postgresql" {
			seen[s.service+":db"] = true
		}
	}
	for _, e := range steps {
		if !seen["etape:"+e] {
			return false
		}
	}
	for _, p := range participants {
		if !seen[p+":server"] || !seen[p+":db"] {
			return false
		}
	}
	return true
}
