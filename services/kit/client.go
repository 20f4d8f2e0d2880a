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
)

// Client calls another service's JSON API. One Client per target, created at
// start: it keeps a pool of keep-alive connections and forwards the request id.
type Client struct {
	base string
	http *http.Client
}

// NewClient returns a client for baseURL ("http://stock:8007"). timeout bounds
// every call that has no earlier deadline in its context.
func NewClient(baseURL string, timeout time.Duration) *Client {
	transport := &http.Transport{
		Proxy:                 nil, // service-to-service traffic never goes through a proxy
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &Client{
		base: strings.TrimRight(baseURL, "/"),
		http: &http.Client{Transport: transport, Timeout: timeout},
	}
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

// Do sends body as JSON (when not nil) and decodes a 2xx answer into out (when
// not nil). header adds headers such as Idempotency-Key.
func (c *Client) Do(ctx context.Context, method, path string, body, out any, header http.Header) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
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
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		pe := &ProblemError{Status: resp.StatusCode}
		_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&pe.Problem)
		return fmt.Errorf("%s %s: %w", method, path, pe)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}
