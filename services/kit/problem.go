package kit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5/pgconn"
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

// Internal logs err with the request's context and answers what a client
// may know of it. The database restarting or out of reach is a 503 with
// Retry-After: nothing is wrong with the request, and a retry (with its
// Idempotency-Key, where the route takes one) is safe. Anything else is a 500
// that does not leak err: SQL and network errors are for logs, not clients.
func Internal(ctx context.Context, log *slog.Logger, err error) error {
	if DatabaseUnavailable(err) {
		log.WarnContext(ctx, "database unavailable", "err", err)
		return huma.ErrorWithHeaders(huma.NewError(http.StatusServiceUnavailable,
			"the database is unavailable for a moment; try again"), http.Header{"Retry-After": {"1"}})
	}
	log.ErrorContext(ctx, "internal error", "err", err)
	return huma.NewError(http.StatusInternalServerError, "internal error")
}

// DatabaseUnavailable says whether err is PostgreSQL going away or out of
// reach rather than a fault of the statement: the server shutting down or
// restarting (SQLSTATE 57P01–57P03), a connection exception (class 08), too
// many connections, a connection that could not be made or was cut.
func DatabaseUnavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", "53300":
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08")
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

// Bounds of what a problem says back. A value is cut at MaxEchoBytes: a
// 30 kB value refused is not worth a 60 kB answer.
const (
	maxMessageBytes  = 300
	maxLocationBytes = 200
)

// clip cuts s to at most n bytes, on a character boundary, and marks the cut.
// Invalid UTF-8 becomes U+FFFD first: encoding/json writes each bad byte as
// one (3 bytes), so 100 bytes of them would come back as 300.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// clipValue shows a long value as the start of its text (or JSON).
func clipValue(v any) any {
	switch x := v.(type) {
	case nil, bool, int, int64, float64, json.Number, Cents:
		return v
	case string:
		return clip(x, MaxEchoBytes)
	case []byte:
		return clip(string(x), MaxEchoBytes)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	if len(b) > MaxEchoBytes {
		return clip(string(b), MaxEchoBytes)
	}
	return v
}

// encoding/json names the field it could not decode in Go's words ("json:
// cannot unmarshal number 1.001 ... into Go struct field
// LigneDemandee.lignes.prix_unitaire of type kit.Cents") while huma locates
// the error at the whole body and echoes all of it.
var decodeError = regexp.MustCompile(`Go struct field [A-Za-z0-9_]*\.([A-Za-z0-9_.]+) of type ([A-Za-z0-9_.\[\]*]+)`)

// huma words a bound with %v, which writes 1e+06 for a million.
var floatBound = regexp.MustCompile(`-?[0-9](?:\.[0-9]+)?e\+[0-9]+`)

// tidyProblems is NewApp's transformer of every problem huma writes: Go's
// decoding errors become field errors in our words, bounds are written as
// plain numbers, and long values, messages and locations are cut.
func tidyProblems(_ huma.Context, _ string, v any) (any, error) {
	m, ok := v.(*huma.ErrorModel)
	if !ok {
		return v, nil
	}
	m.Detail = clip(m.Detail, maxMessageBytes)
	for _, d := range m.Errors {
		if d == nil {
			continue
		}
		if sm := decodeError.FindStringSubmatch(d.Message); sm != nil && d.Location == "body" {
			d.Location, d.Value = "body."+sm[1], nil
			d.Message = "expected a value of another type or range"
			if sm[2] == "kit.Cents" {
				d.Message = errCents.Error()
			}
		}
		d.Message = floatBound.ReplaceAllStringFunc(d.Message, func(f string) string {
			n, err := strconv.ParseFloat(f, 64)
			if err != nil {
				return f
			}
			return strconv.FormatFloat(n, 'f', -1, 64)
		})
		d.Location = clip(d.Location, maxLocationBytes)
		d.Message = clip(d.Message, maxMessageBytes)
		d.Value = clipValue(d.Value)
	}
	return v, nil
}
