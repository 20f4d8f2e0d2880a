package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPercentile_NearestRank(t *testing.T) {
	var sorted []time.Duration
	for i := 1; i <= 100; i++ {
		sorted = append(sorted, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, 50*time.Millisecond, percentile(sorted, 0.50))
	assert.Equal(t, 95*time.Millisecond, percentile(sorted, 0.95))
	assert.Equal(t, 99*time.Millisecond, percentile(sorted, 0.99))
	assert.Equal(t, 100*time.Millisecond, percentile(sorted, 1))
	assert.Equal(t, 1*time.Millisecond, percentile(sorted, 0))
	assert.Equal(t, 7*time.Millisecond, percentile([]time.Duration{7 * time.Millisecond}, 0.99))
	assert.Zero(t, percentile(nil, 0.5))
}

func TestSummarize_CountsOnlyTheExpectedStatusAsGood(t *testing.T) {
	ms := time.Millisecond
	outs := []outcome{
		{latency: 40 * ms, code: 201},
		{latency: 10 * ms, code: 201},
		{latency: 30 * ms, code: 201},
		{latency: 20 * ms, code: 409},
		{latency: 50 * ms, err: "dial tcp: connection refused"},
	}
	s := summarize(outs, 201, "CONFIRMEE", 2*time.Second)
	assert.Equal(t, 5, s.sent)
	assert.Equal(t, 3, s.good)
	assert.InDelta(t, 1.5, s.throughput, 1e-9, "good sagas per second")
	assert.InDelta(t, 0.4, s.errorRatio, 1e-9)
	assert.Equal(t, 30*ms, s.p50)
	assert.Equal(t, 50*ms, s.p95)
	assert.Equal(t, 50*ms, s.p99)
	assert.Equal(t, 50*ms, s.max)
	assert.Equal(t, map[string]int{"status 409": 1, "error: dial tcp: connection refused": 1}, s.unexpected)
}

func TestSummarize_NoOutcomes(t *testing.T) {
	s := summarize(nil, 201, "CONFIRMEE", 0)
	assert.Zero(t, s.sent)
	assert.Zero(t, s.errorRatio)
	assert.Zero(t, s.throughput)
}

// A 202 Accepted is the saga started and not over: followed to its end, it
// counts as good when it ended as the path expects, and the run says how
// many answers were 202.
func TestSummarize_A202CountsWhenTheSagaEndsAsExpected(t *testing.T) {
	ms := time.Millisecond
	outs := []outcome{
		{latency: 10 * ms, code: 201},
		{latency: 3000 * ms, code: 202, suite: &suite{statut: "CONFIRMEE"}},
		{latency: 3000 * ms, code: 202, suite: &suite{statut: "ANNULEE"}},
		{latency: 3000 * ms, code: 202, suite: &suite{err: "not over after 2m0s (statut PAYEE)"}},
		{latency: 20 * ms, code: 503},
	}
	s := summarize(outs, 201, "CONFIRMEE", time.Second)
	assert.Equal(t, 5, s.sent)
	assert.Equal(t, 3, s.accepted)
	assert.Equal(t, 2, s.good)
	assert.InDelta(t, 0.6, s.errorRatio, 1e-9)
	assert.Equal(t, map[string]int{"status 202 then ANNULEE": 1, "status 202 then error: not over after 2m0s (statut PAYEE)": 1,
		"status 503": 1}, s.unexpected)
}

// The follower polls Location every Retry-After until the saga is over.
func TestFollower_PollsLocationUntilTheSagaIsOver(t *testing.T) {
	var polls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/saga/abc" {
			http.NotFound(w, r)
			return
		}
		if polls.Add(1) < 3 {
			_, _ = w.Write([]byte(`{"statut":"PAYEE","termine":false}`))
			return
		}
		_, _ = w.Write([]byte(`{"statut":"CONFIRMEE","termine":true}`))
	}))
	defer srv.Close()
	fw := newFollower(srv.URL+"/", time.Minute)
	s := fw.follow(context.Background(), http.Header{"Location": {"/saga/abc"}, "Retry-After": {"1"}}, nil)
	fw.wait()
	assert.Equal(t, suite{statut: "CONFIRMEE"}, *s)
	assert.EqualValues(t, 3, polls.Load())

	// No Location: the saga_id of the body; nothing to follow: an error at once.
	fw = newFollower(srv.URL, 50*time.Millisecond)
	s = fw.follow(context.Background(), http.Header{}, []byte(`{"saga_id":"nope"}`))
	fw.wait()
	assert.Contains(t, s.err, "status 404")
	s = fw.follow(context.Background(), http.Header{}, []byte(`{}`))
	assert.Equal(t, "202 without Location or saga_id", s.err)
}
