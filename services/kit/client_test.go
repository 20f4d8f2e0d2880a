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
