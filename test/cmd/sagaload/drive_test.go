package main

import (
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
	s := summarize(outs, 201, 2*time.Second)
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
	s := summarize(nil, 201, 0)
	assert.Zero(t, s.sent)
	assert.Zero(t, s.errorRatio)
	assert.Zero(t, s.throughput)
}
