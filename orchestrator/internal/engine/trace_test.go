package engine_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
	"multimagasins/orchestrator/internal/saga"
)

// A checkout is one span for the saga, one per step call under it carrying
// the saga id, the step and the order id, and a client span per
// participant call under its step, whose traceparent the participant got.
func TestEngine_TracesTheSagaAndEachStepCall(t *testing.T) {
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50") // milliseconds: the SDK reads it from the process
	otlp := kittest.OTLPReceiver(t)
	stop, err := kit.StartTracing(context.Background(), "orchestrator", func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": otlp.URL}[k]
	})
	require.NoError(t, err)
	defer func() { require.NoError(t, stop(context.Background())) }()
	b := newBench(t)
	a, err := b.engine(t, context.Background()).Commande(context.Background(), "", saga.DemandeCommande{
		Produits: []saga.LigneDemandee{{ProduitID: 1, Quantite: 2}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, a.Status)
	sagaID := a.Reponse.SagaID.String()

	var root kittest.Span
	deadline := time.Now().Add(10 * time.Second)
	for root.TraceID == "" && time.Now().Before(deadline) {
		for _, s := range otlp.All() {
			if s.Name == "saga commande" && s.Attrs["saga.id"] == sagaID {
				root = s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	require.NotEmpty(t, root.TraceID, "no saga span for %s", sagaID)
	require.Equal(t, "orchestrator", root.Service)
	require.Equal(t, a.Reponse.CommandeID.String(), root.Attrs["commande.id"])
	require.Equal(t, "CONFIRMEE", root.Attrs["saga.statut"])

	steps := []string{"action reserver_stock", "action payer", "action confirmer", "action enregistrer_commande"}
	spans := otlp.Trace(t, root.TraceID, 10*time.Second, func(s []kittest.Span) bool {
		n := 0
		for _, sp := range s {
			if sp.Kind == tracepb.Span_SPAN_KIND_CLIENT {
				n++
			}
		}
		return n >= len(steps)
	})
	byName := map[string]kittest.Span{}
	clients := map[string]kittest.Span{} // by span id
	for _, s := range spans {
		byName[s.Name] = s
		if s.Kind == tracepb.Span_SPAN_KIND_CLIENT {
			clients[s.SpanID] = s
		}
	}
	stepIDs := map[string]string{} // span id -> step
	for _, name := range steps {
		s, ok := byName[name]
		require.True(t, ok, "no span %q in %+v", name, spans)
		etape := strings.TrimPrefix(name, "action ")
		require.Equal(t, root.SpanID, s.ParentID, name)
		require.Equal(t, sagaID, s.Attrs["saga.id"], name)
		require.Equal(t, etape, s.Attrs["saga.etape"], name)
		require.Equal(t, a.Reponse.CommandeID.String(), s.Attrs["commande.id"], name)
		require.Equal(t, "reussie", s.Attrs["saga.issue"], name)
		stepIDs[s.SpanID] = etape
	}
	// Every call a step made went out under a client span of that step.
	var traced int
	for _, c := range b.fleet.Calls() {
		parts := strings.Split(c.Traceparent, "-")
		require.Len(t, parts, 4, "%s carried no trace context: %q", c.Route, c.Traceparent)
		if parts[1] != root.TraceID {
			continue // the reads that prepare the saga, made before it exists, in traces of their own here
		}
		client, ok := clients[parts[2]]
		require.True(t, ok, "%s carried a parent that is no client span: %s", c.Route, c.Traceparent)
		_, ok = stepIDs[client.ParentID]
		require.True(t, ok, "the client span of %s is not under a step span", c.Route)
		traced++
	}
	require.GreaterOrEqual(t, traced, len(steps))
}
