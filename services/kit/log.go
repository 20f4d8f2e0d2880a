package kit

import (
	"context"
	"io"
	"log/slog"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	sagaIDKey
	commandeIDKey
)

// WithRequestID returns ctx carrying the request id used in logs and outbound calls.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithSagaID adds the saga id to every log line written with ctx.
func WithSagaID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, sagaIDKey, id)
}

// WithCommandeID adds the order id to every log line written with ctx.
func WithCommandeID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, commandeIDKey, id)
}

// NewLogger returns a JSON logger to w that adds service and, from the
// context, request_id, trace_id, saga_id and commande_id to each record.
func NewLogger(w io.Writer, level, service string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{Level: lvl})
	return slog.New(contextHandler{h}).With("service", service)
}

type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	if id := TraceID(ctx); id != "" {
		r.AddAttrs(slog.String("trace_id", id))
	}
	if id, ok := ctx.Value(sagaIDKey).(string); ok {
		r.AddAttrs(slog.String("saga_id", id))
	}
	if id, ok := ctx.Value(commandeIDKey).(string); ok {
		r.AddAttrs(slog.String("commande_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
