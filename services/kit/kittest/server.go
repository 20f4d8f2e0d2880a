package kittest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// RunFunc is the signature of every service's run.
type RunFunc func(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error

// FreeAddr returns a loopback address with a port nobody listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Start calls run as main would, on a free port with env, waits until
// /readyz answers 200 and returns the base URL. The service stops, and run
// must return nil, when the test ends. Its logs go to the test log on failure.
func Start(t testing.TB, run RunFunc, env map[string]string) string {
	t.Helper()
	addr := FreeAddr(t)
	iss := TestIssuer(t)
	// Every service trusts the test issuer, and a service that calls others
	// gets its service token from it.
	vars := map[string]string{"ADDR": addr, "LOG_LEVEL": "warn", "JWKS_URL": iss.JWKSURL,
		"TOKEN_URL": iss.TokenURL, "SERVICE_CLIENT_SECRET": TestServiceSecret}
	for k, v := range env {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return vars[k] }, logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("service did not stop within 15s")
		}
		if t.Failed() {
			t.Logf("service logs:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			done <- err // for the cleanup, which waits for run to return
			t.Fatalf("service exited before ready: %v\n%s", err, logs.String())
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("service not ready after 30s\n%s", logs.String())
	return ""
}

// Response is an HTTP answer read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// NewRequest builds a request with body: a string or []byte is sent raw,
// anything else as JSON; Content-Type is application/json when there is a
// body. headers are name, value pairs. Unless headers name another
// Authorization (As) or none (Anonymous), the request carries the Staff token.
func NewRequest(ctx context.Context, method, url string, body any, headers ...string) (*http.Request, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	bearer, err := staffBearer()
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", bearer)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if req.Header.Get("Authorization") == "" {
		req.Header.Del("Authorization") // Anonymous
	}
	return req, nil
}

// Request is NewRequest for the test goroutine: it fails the test on error.
// Build a concurrent test's requests with it, then send them with Send or SendAll.
func Request(t testing.TB, method, url string, body any, headers ...string) *http.Request {
	t.Helper()
	req, err := NewRequest(context.Background(), method, url, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return req
}

// Send sends req and reads the whole answer. It returns the error instead of
// failing the test, so any goroutine may call it: t.Fatal, which Do calls,
// may only run on the test goroutine.
func Send(req *http.Request) (Response, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Response{}, fmt.Errorf("%s %s: read the answer: %w", req.Method, req.URL, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

// SendAll sends every request at once, each from its own goroutine, and
// returns the answers in the requests' order. Once all are back it fails the
// test, from the test goroutine, if one could not be sent.
func SendAll(t testing.TB, reqs []*http.Request) []Response {
	t.Helper()
	answers := make([]Response, len(reqs))
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() { answers[i], errs[i] = Send(req) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return answers
}

// Do sends body (see NewRequest) and reads the whole answer.
func Do(t testing.TB, method, url string, body any, headers ...string) Response {
	t.Helper()
	r, err := Send(Request(t, method, url, body, headers...))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Problem is the RFC 9457 body the services answer errors with.
type Problem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Message  string `json:"message"`
		Location string `json:"location"`
	} `json:"errors"`
}

// RequireProblem checks r is an application/problem+json answer with status
// and, when field is not empty ("body.email"), an error detail that names it:
// by its location, or in its message when the field is missing altogether or
// when its value could not be decoded (an amount with three decimals).
func RequireProblem(t testing.TB, r Response, status int, field string) Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	if p.Status != status {
		t.Fatalf("problem status = %d, want %d", p.Status, status)
	}
	if field == "" {
		return p
	}
	name := field[strings.LastIndex(field, ".")+1:]
	for _, e := range p.Errors {
		if strings.Contains(e.Location, field) || strings.Contains(e.Message, "property "+name+" ") ||
			strings.Contains(e.Message, "."+name+" of type") {
			return p
		}
	}
	t.Fatalf("no error names field %q: %s", field, r.Body)
	return p
}

// SyncBuffer is a bytes.Buffer that a test may read while a server or a
// launcher is still writing to it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
