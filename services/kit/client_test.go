package kit

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
)

func TestClient_ForwardsRequestIDAndHeaders(t *testing.T) {
	type seen struct{ requestID, key, contentType, body string }
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Header.Get(HeaderRequestID), r.Header.Get("Idempotency-Key"), r.Header.Get("Content-Type"), string(b)}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"r-1","total":12.34}`)
	}))
	defer srv.Close()

	c := NewClient(srv.URL+"/", 5*time.Second) // a trailing slash must not double up
	ctx := WithRequestID(context.Background(), "req-42")
	var out struct {
		ID    string `json:"id"`
		Total Cents  `json:"total"`
	}
	err := c.Do(ctx, http.MethodPost, "/reservations", map[string]any{"quantite": 2}, &out,
		http.Header{"Idempotency-Key": {"saga-1:reserver_stock"}})
	if err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.requestID != "req-42" || s.key != "saga-1:reserver_stock" || s.contentType != "application/json" || s.body != `{"quantite":2}` {
		t.Fatalf("server saw %+v", s)
	}
	if out.ID != "r-1" || out.Total != 1234 {
		t.Fatalf("out = %+v", out)
	}
}

func TestClient_ProblemAnswerIsAProblemError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusConflict)
		_ = json.NewEncoder(w).Encode(huma.ErrorModel{
			Title: "Conflict", Status: http.StatusConflict, Detail: "stock insuffisant",
			Errors: []*huma.ErrorDetail{{Location: "body.lignes[0].quantite", Message: "2 disponibles"}},
		})
	}))
	defer srv.Close()

	err := NewClient(srv.URL, 5*time.Second).Do(context.Background(), http.MethodPost, "/reservations", struct{}{}, nil, nil)
	var pe *ProblemError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a *ProblemError", err)
	}
	if pe.Status != http.StatusConflict || pe.Problem.Detail != "stock insuffisant" ||
		len(pe.Problem.Errors) != 1 || pe.Problem.Errors[0].Location != "body.lignes[0].quantite" {
		t.Fatalf("problem = %+v", pe)
	}
	if StatusOf(err) != http.StatusConflict {
		t.Fatalf("StatusOf = %d", StatusOf(err))
	}
}

func TestClient_NonJSONErrorStillCarriesTheStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "bad gateway", http.StatusBadGateway)
	}))
	defer srv.Close()
	err := NewClient(srv.URL, 5*time.Second).Do(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	if StatusOf(err) != http.StatusBadGateway {
		t.Fatalf("StatusOf(%v) = %d", err, StatusOf(err))
	}
}

func TestClient_TransportErrorHasNoStatus(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nobody listens there any more
	err := NewClient(url, 2*time.Second).Do(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	if err == nil || StatusOf(err) != 0 {
		t.Fatalf("err = %v, StatusOf = %d; want a transport error with no status", err, StatusOf(err))
	}
}

func TestClient_SendsNothingOnAnEndedContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // an already-ended context: the call must not be sent at all
	err := NewClient(srv.URL, time.Minute).Do(ctx, http.MethodGet, "/slow", nil, nil, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestClient_UndecodableSuccessIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "not json")
	}))
	defer srv.Close()
	var out map[string]any
	err := NewClient(srv.URL, 5*time.Second).Do(context.Background(), http.MethodGet, "/x", nil, &out, nil)
	if err == nil || StatusOf(err) != 0 {
		t.Fatalf("err = %v", err)
	}
}

func TestClient_TraceSeesTheExactStatusAndRawBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/refus" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusPaymentRequired)
			_, _ = io.WriteString(w, `{"status":402,"detail":"limite"}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"p-1"}`)
	}))
	defer srv.Close()

	type call struct {
		method, path string
		status       int
		body         string
	}
	var calls []call
	ctx := WithTrace(context.Background(), func(method, path string, status int, body []byte) {
		calls = append(calls, call{method, path, status, string(body)})
	})
	c := NewClient(srv.URL, 5*time.Second)
	if err := c.Do(ctx, http.MethodPost, "/paiements?x=1", struct{}{}, nil, nil); err != nil {
		t.Fatal(err)
	}
	err := c.Do(ctx, http.MethodPost, "/refus", struct{}{}, nil, nil)
	if StatusOf(err) != http.StatusPaymentRequired {
		t.Fatalf("err = %v", err)
	}
	want := []call{
		{http.MethodPost, "/paiements?x=1", http.StatusCreated, `{"id":"p-1"}`},
		{http.MethodPost, "/refus", http.StatusPaymentRequired, `{"status":402,"detail":"limite"}`},
	}
	if len(calls) != len(want) || calls[0] != want[0] || calls[1] != want[1] {
		t.Fatalf("calls = %+v, want %+v", calls, want)
	}
	// Without a hook in the context nothing is reported, and nothing breaks.
	if err := c.Do(context.Background(), http.MethodPost, "/paiements", struct{}{}, nil, nil); err != nil || len(calls) != 2 {
		t.Fatalf("err = %v, calls = %d", err, len(calls))
	}
}

func TestClient_TransportErrorIsTracedWithStatusZero(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens any more

	var status = -1
	ctx := WithTrace(context.Background(), func(_, _ string, s int, _ []byte) { status = s })
	err := NewClient(url, 5*time.Second).Do(ctx, http.MethodGet, "/x", nil, nil, nil)
	if err == nil || StatusOf(err) != 0 || status != 0 {
		t.Fatalf("err = %v, StatusOf = %d, traced status = %d", err, StatusOf(err), status)
	}
}

func TestAnswer_SendKeepsEveryStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Location", "/saga/1")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"saga_id":"1"}`)
	}))
	defer srv.Close()
	a, err := NewClient(srv.URL, 5*time.Second).Send(context.Background(), http.MethodPost, "/saga/commande", struct{}{}, nil)
	if err != nil || a.Status != http.StatusAccepted || a.Header.Get("Location") != "/saga/1" || string(a.Body) != `{"saga_id":"1"}` {
		t.Fatalf("answer = %+v, err = %v", a, err)
	}
	if a.Err() != nil {
		t.Fatalf("a 202 is no problem: %v", a.Err())
	}
}
