package kit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
)

// The input policy: what every service refuses the same way, before its
// handler runs and in the words of a schema error (docs/api.md,
// Conventions). NewApp applies it to every operation, so a service cannot
// forget it and two services cannot disagree.
//
//   - Text is UTF-8 without NUL, in the body (JSON, where a \ud800 escape
//     that Go's decoder would silently turn into U+FFFD counts as invalid
//     too, and forms), the path, the query and the headers a route reads.
//     PostgreSQL refuses NUL in text: let through, it is a 500, not a 422.
//   - Every string, list and integer of an input is bounded: a route that
//     names no bound gets DefaultMaxLength, DefaultMaxItems or ±MaxSafeInteger.
//   - A required list sent as null is refused as a missing one.
//   - An amount (Cents) has at most two decimals, said at the field's
//     indexed location (body.lignes[0].prix_unitaire).
//   - An Idempotency-Key, wherever it is sent, is 1 to 200 visible ASCII
//     characters.
//   - An answer echoes at most MaxEchoBytes of a value.
const (
	// DefaultMaxLength bounds a string input whose route names no maxLength.
	DefaultMaxLength = 1000
	// DefaultMaxItems bounds a list input whose route names no maxItems.
	DefaultMaxItems = 1000
	// MaxSafeInteger bounds an integer input whose route names no bound:
	// beyond 2^53−1 a JSON number loses digits in JavaScript (the web app,
	// k6), so no id, quantity or count of ours can be that large.
	MaxSafeInteger = 1<<53 - 1
	// MaxEchoBytes is how much of a faulty value a problem shows back.
	MaxEchoBytes = 100
	// maxViolations caps the details of one answer.
	maxViolations = 20
)

// HeaderIdempotencyKey is the header a caller repeats to make a retry safe.
const HeaderIdempotencyKey = "Idempotency-Key"

// IdempotencyKeyMax is the longest key; the idempotence tables check it too.
const IdempotencyKeyMax = 200

// IdempotencyKey is the Idempotency-Key header of every route that takes
// one, in every service: 1 to IdempotencyKeyMax visible ASCII characters
// (0x21–0x7E: no space, no control, nothing a proxy could re-encode). A
// route declares it as
//
//	Cle kit.IdempotencyKey `header:"Idempotency-Key" required:"true" doc:"..."`
//
// and the input policy also refuses a malformed one on every other route,
// so a caller is never told "done" for a key that was silently ignored.
type IdempotencyKey string

// Schema is the one definition of a key, shown in every OpenAPI document.
func (IdempotencyKey) Schema(huma.Registry) *huma.Schema {
	minLen, maxLen := 1, IdempotencyKeyMax
	return &huma.Schema{
		Type: huma.TypeString, MinLength: &minLen, MaxLength: &maxLen,
		Pattern: "^[!-~]+$", PatternDescription: "visible ASCII characters, without spaces",
		Examples: []any{"3f1c9a2e-5b7d-4e21-9c0a-7d2f1e8b6a44:payer"},
	}
}

var errIdempotencyKey = fmt.Errorf("must be 1 to %d visible ASCII characters, without spaces", IdempotencyKeyMax)

// CheckIdempotencyKey says why k cannot be an Idempotency-Key, or nil.
func CheckIdempotencyKey(k string) error {
	if k == "" || len(k) > IdempotencyKeyMax {
		return errIdempotencyKey
	}
	for i := range len(k) {
		if k[i] < '!' || k[i] > '~' {
			return errIdempotencyKey
		}
	}
	return nil
}

// Why a text is refused. The messages say what is allowed.
const (
	msgNUL       = `must not contain the NUL character (\u0000)`
	msgUTF8      = "must be valid UTF-8 text"
	msgSurrogate = `must be valid UTF-8 text: a \ud800–\udfff escape must be half of a surrogate pair`
)

// checkText says why s cannot be a text input, or "".
func checkText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return msgNUL
	}
	if !utf8.ValidString(s) {
		return msgUTF8
	}
	return ""
}

// applyInputPolicy is NewApp's hook on every operation: it bounds the
// operation's inputs in their schemas (so the OpenAPI shows the bounds and
// huma enforces them) and appends the policy's middleware, which runs
// after kit.Access: 401 and 403 still come before any validation.
func applyInputPolicy(api *huma.API) func(*huma.OpenAPI, *huma.Operation) {
	return func(oapi *huma.OpenAPI, op *huma.Operation) {
		reg := oapi.Components.Schemas
		seen := map[*huma.Schema]bool{}
		for _, p := range op.Parameters {
			boundSchema(reg, p.Schema, seen)
		}
		var body *huma.Schema
		if op.RequestBody != nil {
			for _, mt := range op.RequestBody.Content {
				boundSchema(reg, mt.Schema, seen)
			}
			if mt := op.RequestBody.Content["application/json"]; mt != nil {
				body = mt.Schema
			}
		}
		p := &policy{api: api, reg: reg, op: op, body: body}
		op.Middlewares = append(op.Middlewares, p.check)
	}
}

// boundSchema gives every string, list and integer of s that has no bound
// the default one.
func boundSchema(reg huma.Registry, s *huma.Schema, seen map[*huma.Schema]bool) {
	s = resolve(reg, s)
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	changed := false
	switch s.Type {
	case huma.TypeString:
		if s.MaxLength == nil && len(s.Enum) == 0 {
			n := DefaultMaxLength
			s.MaxLength, changed = &n, true
		}
	case huma.TypeArray:
		if s.MaxItems == nil {
			n := DefaultMaxItems
			s.MaxItems, changed = &n, true
		}
		boundSchema(reg, s.Items, seen)
	case huma.TypeInteger:
		if s.Maximum == nil && s.ExclusiveMaximum == nil {
			m := float64(MaxSafeInteger)
			s.Maximum, changed = &m, true
		}
		if s.Minimum == nil && s.ExclusiveMinimum == nil {
			m := -float64(MaxSafeInteger)
			s.Minimum, changed = &m, true
		}
	case huma.TypeObject:
		for _, prop := range s.Properties {
			boundSchema(reg, prop, seen)
		}
		if ap, ok := s.AdditionalProperties.(*huma.Schema); ok {
			boundSchema(reg, ap, seen)
		}
	}
	for _, subs := range [][]*huma.Schema{s.AllOf, s.AnyOf, s.OneOf} {
		for _, sub := range subs {
			boundSchema(reg, sub, seen)
		}
	}
	if changed {
		// huma words its errors when a schema is built: word the new bounds.
		s.PrecomputeMessages()
	}
}

// resolve follows $ref links to the schema they name.
func resolve(reg huma.Registry, s *huma.Schema) *huma.Schema {
	for range 16 {
		if s == nil || s.Ref == "" {
			return s
		}
		s = reg.SchemaFromRef(s.Ref)
	}
	return nil
}

// policy is the input policy's middleware for one operation.
type policy struct {
	api  *huma.API // set once NewApp has built it
	reg  huma.Registry
	op   *huma.Operation
	body *huma.Schema // the JSON body's schema, nil when none
}

func (p *policy) check(ctx huma.Context, next func(huma.Context)) {
	var errs []error
	add := func(loc, msg string, v any) {
		if len(errs) < maxViolations {
			errs = append(errs, &huma.ErrorDetail{Location: loc, Message: msg, Value: v})
		}
	}
	if k := ctx.Header(HeaderIdempotencyKey); k != "" {
		if err := CheckIdempotencyKey(k); err != nil {
			add("header."+HeaderIdempotencyKey, err.Error(), k)
		}
	}
	var query url.Values
	for _, param := range p.op.Parameters {
		var values []string
		switch param.In {
		case "path":
			values = []string{ctx.Param(param.Name)}
		case "query":
			if query == nil {
				u := ctx.URL()
				query = u.Query()
			}
			values = query[param.Name]
		case "header":
			if !strings.EqualFold(param.Name, HeaderIdempotencyKey) {
				values = []string{ctx.Header(param.Name)}
			}
		}
		for _, v := range values {
			if msg := checkText(v); msg != "" {
				add(param.In+"."+param.Name, msg, v)
				break
			}
		}
	}
	if p.op.RequestBody != nil {
		errs = append(errs, p.checkBody(ctx)...)
	}
	if len(errs) > 0 {
		_ = huma.WriteErr(*p.api, ctx, http.StatusUnprocessableEntity, "validation failed", errs...)
		return
	}
	next(ctx)
}

// checkBody reads the body to judge it whole, then puts it back for huma.
// A body at the operation's limit is left to huma, which answers 413.
func (p *policy) checkBody(ctx huma.Context) []error {
	r, _ := humachi.Unwrap(ctx)
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if p.op.BodyReadTimeout > 0 {
		_ = ctx.SetReadDeadline(time.Now().Add(p.op.BodyReadTimeout))
	}
	orig := r.Body
	buf, err := io.ReadAll(io.LimitReader(orig, p.op.MaxBodyBytes))
	if err != nil || int64(len(buf)) >= p.op.MaxBodyBytes {
		// Too large, cut or timed out: huma reads on and says which.
		r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), orig), orig}
		return nil
	}
	r.Body = readCloser{bytes.NewReader(buf), orig}
	ct := ctx.Header("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case ct == "" || (err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))):
		// huma reads a body without Content-Type as JSON too.
		return scanJSON(buf, p.body, p.reg)
	case err == nil && mt == "application/x-www-form-urlencoded":
		return scanForm(buf)
	}
	return nil
}

// readCloser reads r and closes c.
type readCloser struct {
	io.Reader
	c io.Closer
}

func (rc readCloser) Close() error { return rc.c.Close() }

// scanForm checks each name and value of a form body.
func scanForm(b []byte) []error {
	form, err := url.ParseQuery(string(b))
	if err != nil {
		return nil // malformed: the handler says so
	}
	var errs []error
	for k, vs := range form {
		for _, v := range append([]string{k}, vs...) {
			if msg := checkText(v); msg != "" && len(errs) < maxViolations {
				errs = append(errs, &huma.ErrorDetail{Location: "body." + k, Message: msg, Value: v})
				break
			}
		}
	}
	return errs
}

// errSyntax stops a scan: the body is not JSON, and huma answers 400.
var errSyntax = errors.New("malformed JSON")
