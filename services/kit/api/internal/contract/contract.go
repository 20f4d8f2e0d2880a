// Package contract holds what the contract suites of the typed clients share:
// a recorder of the raw answers (through kit.WithTrace) and the checks that
// a type matches what the server sent, field for field.
package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"multimagasins/kit"
)

// Call is one answer as it came back.
type Call struct {
	Method, Path string
	Status       int
	Body         []byte
}

// Calls records every call made under the context Record returns.
type Calls struct {
	mu   sync.Mutex
	list []Call
}

// Record returns a context whose calls c keeps, with a deadline so a server
// that hangs fails the suite instead of blocking it.
func Record(t testing.TB) (context.Context, *Calls) {
	c := &Calls{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return kit.WithTrace(ctx, func(method, path string, status int, body []byte) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.list = append(c.list, Call{method, path, status, bytes.Clone(body)})
	}), c
}

// Last is the latest answer.
func (c *Calls) Last(t testing.TB) Call {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.list) == 0 {
		t.Fatal("no call was recorded")
	}
	return c.list[len(c.list)-1]
}

// Exact fails the test unless the latest answer had status and its body
// decodes into a T with no field left over: the typed client knows every
// field the server sends. It returns the value decoded.
func Exact[T any](t testing.TB, c *Calls, status int) T {
	t.Helper()
	last := c.Last(t)
	var v T
	if last.Status != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", last.Method, last.Path, last.Status, status, last.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(last.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s %s: the answer does not fit %T: %v\nbody %s", last.Method, last.Path, v, err, last.Body)
	}
	return v
}

// OK fails the test on err, naming the call.
func OK(t testing.TB, err error, call string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
}

// Problem fails the test unless err is a *kit.ProblemError with status whose
// details name field (any field when field is ""). It returns the problem.
func Problem(t testing.TB, err error, status int, field string) huma.ErrorModel {
	t.Helper()
	var pe *kit.ProblemError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *kit.ProblemError %d", err, status)
	}
	if pe.Status != status || kit.StatusOf(err) != status {
		t.Fatalf("status %d, want %d: %v", pe.Status, status, err)
	}
	if field == "" {
		return pe.Problem
	}
	for _, d := range pe.Problem.Errors {
		if d != nil && d.Location == field {
			return pe.Problem
		}
	}
	t.Fatalf("problem %+v names no %s", pe.Problem, field)
	return pe.Problem
}

// Equal fails the test unless got == want.
func Equal[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// True fails the test with msg unless ok.
func True(t testing.TB, ok bool, msg string, args ...any) {
	t.Helper()
	if !ok {
		t.Fatalf(msg, args...)
	}
}
