package kittest

import (
	"encoding/json"
	"strings"
	"testing"

	"multimagasins/kit"
)

// BadInput is one request a service must refuse with a problem naming Field
// (see RequireProblem; "" when no field is to be named).
type BadInput struct {
	Name, Method, Path string
	// Body is sent as NewRequest sends it; nil or "" sends no body.
	Body    any
	Headers []string
	Status  int
	Field   string
}

// RequireBadInputs sends each case to base+Path in its own subtest and checks
// the problem answer, and that it echoes no more than kit.MaxEchoBytes of
// any value. Each of after, a check that nothing changed, runs in every
// subtest once the answer is checked.
func RequireBadInputs(t *testing.T, base string, cases []BadInput, after ...func(t *testing.T)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			body := c.Body
			if body == "" {
				body = nil
			}
			r := Do(t, c.Method, base+c.Path, body, c.Headers...)
			RequireProblem(t, r, c.Status, c.Field)
			RequireShortEchoes(t, r)
			for _, check := range after {
				check(t)
			}
		})
	}
}

// RequireShortEchoes checks that no detail of a problem shows more than
// kit.MaxEchoBytes of the value it refuses (and the mark of the cut).
func RequireShortEchoes(t testing.TB, r Response) {
	t.Helper()
	var p struct {
		Errors []struct {
			Location string `json:"location"`
			Value    any    `json:"value"`
		} `json:"errors"`
	}
	r.JSON(t, &p)
	for _, e := range p.Errors {
		s, ok := e.Value.(string)
		if !ok {
			b, _ := json.Marshal(e.Value)
			s = string(b)
		}
		if len(s) > kit.MaxEchoBytes+len("…") {
			t.Fatalf("%s echoes %d bytes of its value: %.200s…", e.Location, len(s), s)
		}
	}
}

// The text every string field refuses, as written inside a JSON string.
const (
	// NUL: PostgreSQL refuses it in text, so it must never reach a query.
	NUL = `\u0000`
	// LoneSurrogate is half a UTF-16 pair; encoding/json would quietly store
	// it as U+FFFD, which is not what was sent.
	LoneSurrogate = `\ud800`
)

// Long is a value far over every string bound but under the body limit:
// refused at its field, and echoed cut.
var Long = strings.Repeat("x", 30<<10)

// TextCases are the input policy's refusals of one string field of a JSON
// body: NUL, a lone surrogate and a value far over its bound, each a 422
// naming field. body returns a valid request with s as the raw contents of
// the field's string (s is already escaped: write it between quotes).
func TextCases(name, method, path, field string, body func(s string) string, headers ...string) []BadInput {
	return []BadInput{
		{Name: name + ": NUL", Method: method, Path: path, Body: body("a" + NUL + "b"), Headers: headers, Status: 422, Field: field},
		{Name: name + ": lone surrogate", Method: method, Path: path, Body: body("a" + LoneSurrogate), Headers: headers, Status: 422, Field: field},
		{Name: name + ": 30 kB", Method: method, Path: path, Body: body(Long), Headers: headers, Status: 422, Field: field},
	}
}

// NullList is a required list sent as null: refused like a missing one,
// not read as an empty list. body returns a valid request with list as
// the raw JSON of the list.
func NullList(name, method, path, field string, body func(list string) string, headers ...string) BadInput {
	return BadInput{Name: name + ": null list", Method: method, Path: path, Body: body("null"), Headers: headers, Status: 422, Field: field}
}

// KeyCases are the refusals of a malformed Idempotency-Key (kit.IdempotencyKey:
// 1 to 200 visible ASCII characters) on a route, body being a request it
// would otherwise accept: 10 kB, a space, a letter outside ASCII.
func KeyCases(name, method, path string, body any, headers ...string) []BadInput {
	var cases []BadInput
	for _, k := range []struct{ what, key string }{
		{"10 kB", strings.Repeat("k", 10<<10)},
		{"with a space", "saga 1"},
		{"not ASCII", "clé"},
	} {
		cases = append(cases, BadInput{Name: name + ": Idempotency-Key " + k.what, Method: method, Path: path, Body: body,
			Headers: append(append([]string{}, headers...), kit.HeaderIdempotencyKey, k.key), Status: 422,
			Field: "header." + kit.HeaderIdempotencyKey})
	}
	return cases
}
