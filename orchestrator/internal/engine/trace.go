package engine

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"multimagasins/orchestrator/internal/saga"
)

// Spans (docs/observability.md#traces). The engine, not each step, opens
// them: one span per saga drive, under the request that started it (or a
// trace of its own for a recovery), and one per step call under it, whose
// participant calls (kit.Client's client spans) and their servers' spans
// nest below. Every one carries the saga id, so Jaeger finds a saga's trace
// by its id; step spans carry the step and the order id too.

// tracer comes from the process-wide provider, which kit.Run installs
// before the engine exists; without an exporter its spans record nothing.
func newTracer() trace.Tracer { return otel.Tracer("multimagasins/orchestrator/engine") }

// sagaAttrs are the ids every span of a saga carries.
func sagaAttrs(rec *Record) []attribute.KeyValue {
	kv := []attribute.KeyValue{attribute.String("saga.id", rec.ID.String()), attribute.String("saga.type", rec.Type)}
	if rec.CommandeID != nil {
		kv = append(kv, attribute.String("commande.id", rec.CommandeID.String()))
	}
	return kv
}

// startSaga opens the span of one drive of rec: "saga commande", or
// "saga commande reprise" for the recovery worker.
func (e *Engine) startSaga(ctx context.Context, rec *Record, reprise bool) (context.Context, trace.Span) {
	name := "saga " + rec.Type
	if reprise {
		name += " reprise"
	}
	ctx, span := e.tracer.Start(ctx, name)
	if span.IsRecording() { // attributes cost allocations: only for a span that keeps them
		span.SetAttributes(sagaAttrs(rec)...)
	}
	return ctx, span
}

// endSaga closes a drive's span with where the saga stands.
func endSaga(span trace.Span, rec *Record, err error) {
	if span.IsRecording() {
		span.SetAttributes(attribute.String("saga.statut", string(rec.State.Statut)),
			attribute.String("saga.phase", string(rec.State.Phase)))
		if rec.State.Phase == saga.Terminee {
			span.SetAttributes(attribute.Int("saga.http_status", rec.State.HTTP))
		}
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
}

// startStep opens the span of one step call: "action payer",
// "compensation reserver_stock", "sondage payer".
func (e *Engine) startStep(ctx context.Context, rec *Record, etape, sens string) (context.Context, trace.Span) {
	ctx, span := e.tracer.Start(ctx, sens+" "+etape, trace.WithSpanKind(trace.SpanKindInternal))
	if span.IsRecording() {
		span.SetAttributes(sagaAttrs(rec)...)
		span.SetAttributes(attribute.String("saga.etape", etape), attribute.String("saga.sens", sens))
	}
	return ctx, span
}

// endStep closes a step's span with its outcome as the step log has it.
func endStep(span trace.Span, a saga.Appel, err error) {
	if span.IsRecording() {
		span.SetAttributes(attribute.String("saga.issue", a.Statut), attribute.Int("saga.tentatives", a.Tentatives))
		if err != nil && a.Statut != "reussie" {
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
}
