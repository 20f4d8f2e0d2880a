package kit

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
	"time"

	"github.com/danielgtaylor/huma/v2"
	"go.opentelemetry.io/otel/propagation"
	"golang.org/x/oauth2"
)

// Client calls another service's JSON API. One Client per target, created at
// start: it keeps a pool of keep-alive connections and forwards the request id.
type Client struct {
	base    string
	http    *http.Client
	timeout time.Duration
	tokens  oauth2.TokenSource // the caller's own service token, if it has one
}

// ClientOption sets up a Client.
type ClientOption func(*Client)

// WithTokens sends a token from ts on every call that carries none of its own
// (WithBearer): the service token of the orchestrator, panier and identite.
func WithTokens(ts oauth2.TokenSource) ClientOption { return func(c *Client) { c.tokens = ts } }

type bearerKey struct{}

// WithBearer returns a context under which every Client call carries token:
// the web app calls the services as the signed-in person, not as itself.
func WithBearer(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, bearerKey{}, token)
}

// NewClient returns a client for baseURL ("http://stock:8007"). timeout bounds
// every call that has no earlier deadline in its context.
func NewClient(baseURL string, timeout time.Duration, opts ...ClientOption) *Client {
	transport := &http.Transport{
		Proxy:                 nil, // service-to-service traffic never goes through a proxy
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	c := &Client{
		base: strings.TrimRight(baseURL, "/"),
		// The timeout is the request context's deadline (send), not
		// http.Client.Timeout: with a wrapped transport (TraceTransport) the
		// latter costs a goroutine and a timer per call.
		http:    &http.Client{Transport: TraceTransport(transport)},
		timeout: timeout,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// ProblemError is a non-2xx answer, with the RFC 9457 body when there is one.
type ProblemError struct {
	Status  int
	Problem huma.ErrorModel
}

func (e *ProblemError) Error() string {
	if e.Problem.Detail != "" {
		return fmt.Sprintf("status %d: %s", e.Status, e.Problem.Detail)
	}
	return fmt.Sprintf("status %d", e.Status)
}

// StatusOf returns the HTTP status carried by err, or 0 for transport errors.
func StatusOf(err error) int {
	var pe *ProblemError
	if errors.As(err, &pe) {
		return pe.Status
	}
	return 0
}

// Answer is one HTTP answer as it came back: the exact status, the headers
// and the raw body.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Err is the answer as a *ProblemError when its status is not 2xx, nil otherwise.
func (a Answer) Err() error {
	if a.Status >= 200 && a.Status < 300 {
		return nil
	}
	pe := &ProblemError{Status: a.Status}
	_ = json.Unmarshal(a.Body, &pe.Problem) // a body that is no problem still carries the status
	return pe
}

// maxAnswer bounds what one answer may hold in memory: the largest page a
// service serves is far smaller.
const maxAnswer = 32 << 20

// TraceFunc sees every call a Client makes under a context: the method, the
// path with its query, the answer's exact status (0 when no answer came) and
// its raw body. The saga engine writes them to its step log.
type TraceFunc func(method, path string, status int, body []byte)

type traceKey struct{}

// WithTrace returns a context under which every Client call reports to fn.
// The hook travels in the context, not in the Client, because one pooled
// Client serves many sagas at once and each wants its own calls only.
func WithTrace(ctx context.Context, fn TraceFunc) context.Context {
	return context.WithValue(ctx, traceKey{}, fn)
}

func traceOf(ctx context.Context) TraceFunc {
	fn, _ := ctx.Value(traceKey{}).(TraceFunc)
	return fn
}

// Send sends body as JSON (when not nil) and returns the answer whatever its
// status; err is only an encoding or transport error (no answer). header adds
// headers such as Idempotency-Key.
func (c *Client) Send(ctx context.Context, method, path string, body any, header http.Header) (Answer, error) {
	a, err := c.send(ctx, method, path, body, header)
	if fn := traceOf(ctx); fn != nil {
		fn(method, path, a.Status, a.Body)
	}
	return a, err
}

func (c *Client) send(ctx context.Context, method, path string, body any, header http.Header) (Answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return Answer{}, fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	if dl, ok := ctx.Deadline(); c.timeout > 0 && (!ok || time.Until(dl) > c.timeout) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel() // after the answer is read: the deadline bounds the body too
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return Answer{}, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if id := RequestID(ctx); id != "" {
		req.Header.Set(HeaderRequestID, id)
	}
	// The caller's trace goes on; when spans are exported, the transport's
	// client span replaces it with its own.
	propagator.Inject(ctx, propagation.HeaderCarrier(req.Header))
	if tok, _ := ctx.Value(bearerKey{}).(string); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if c.tokens != nil {
		t, err := c.tokens.Token()
		if err != nil {
			return Answer{}, fmt.Errorf("%s %s: service token: %w", method, path, err)
		}
		req.Header.Set("Authorization", "Bearer "+t.AccessToken)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	a := Answer{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	if err != nil {
		return a, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if len(raw) > maxAnswer {
		return a, fmt.Errorf("%s %s: answer over %d bytes", method, path, maxAnswer)
	}
	return a, nil
}

// Do sends body as JSON (when not nil) and decodes a 2xx answer into out (when
// not nil); any other status is a *ProblemError. header adds headers such as
// Idempotency-Key.
func (c *Client) Do(ctx context.Context, method, path string, body, out any, header http.Header) error {
	a, err := c.Send(ctx, method, path, body, header)
	if err != nil {
		return err
	}
	return a.Decode(method, path, out)
}

// Decode turns the answer to method path into out (when not nil and the
// status is 2xx), or into a *ProblemError wrapped with the call.
func (a Answer) Decode(method, path string, out any) error {
	if err := a.Err(); err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(a.Body, out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}
