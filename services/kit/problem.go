package kit

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// FieldError names the input field at fault, as huma does for schema errors,
// so business validation answers look like schema validation answers.
func FieldError(location, message string, value any) *huma.ErrorDetail {
	return &huma.ErrorDetail{Location: location, Message: message, Value: value}
}

// Invalid is a 422 whose details name each faulty field.
func Invalid(detail string, fields ...*huma.ErrorDetail) huma.StatusError {
	errs := make([]error, len(fields))
	for i, f := range fields {
		errs[i] = f
	}
	return huma.Error422UnprocessableEntity(detail, errs...)
}

// NotFound is a 404 naming what was looked for.
func NotFound(location, detail string, value any) huma.StatusError {
	return huma.Error404NotFound(detail, FieldError(location, detail, value))
}

// Internal logs err with the request's context and returns a 500 that does not
// leak it: SQL and network errors are for logs, not for clients.
func Internal(ctx context.Context, log *slog.Logger, err error) huma.StatusError {
	log.ErrorContext(ctx, "internal error", "err", err)
	return huma.NewError(http.StatusInternalServerError, "internal error")
}
