package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// outcome is one saga request as the load generator saw it.
type outcome struct {
	latency time.Duration // until the whole answer was read
	code    int           // HTTP status; 0 when no answer came
	err     string        // why no answer came
}

// summary is what a run reports about its outcomes.
type summary struct {
	sent               int
	good               int     // answers with the scenario's expected status
	throughput         float64 // good sagas per second of wall time
	p50, p95, p99, max time.Duration
	errorRatio         float64        // share of answers other than the expected status
	unexpected         map[string]int // those answers, by status or error
}

// summarize computes the report of one run. Percentiles are nearest-rank over
// every request, good or not, like vegeta's.
func summarize(outs []outcome, expect int, elapsed time.Duration) summary {
	s := summary{sent: len(outs), unexpected: map[string]int{}}
	lat := make([]time.Duration, 0, len(outs))
	for _, o := range outs {
		lat = append(lat, o.latency)
		switch o.code {
		case expect:
			s.good++
		case 0:
			s.unexpected["error: "+firstWords(o.err)]++
		default:
			s.unexpected[fmt.Sprintf("status %d", o.code)]++
		}
	}
	slices.Sort(lat)
	s.p50, s.p95, s.p99 = percentile(lat, 0.50), percentile(lat, 0.95), percentile(lat, 0.99)
	if len(lat) > 0 {
		s.max = lat[len(lat)-1]
		s.errorRatio = 1 - float64(s.good)/float64(len(lat))
	}
	if elapsed > 0 {
		s.throughput = float64(s.good) / elapsed.Seconds()
	}
	return s
}

// percentile is the nearest-rank percentile of sorted durations: the smallest
// value that at least p of the values do not exceed.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// closedLoop runs workers that each send the next saga as soon as the
// previous one answered, until d has passed; requests still in flight at the
// end are waited for, so no saga is cut halfway. It returns every outcome and
// the wall time from the first request to the last answer.
func closedLoop(ctx context.Context, url string, body []byte, workers int, d time.Duration) ([]outcome, time.Duration, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// One kept-alive connection per worker; the default of 2 idle connections
	// per host would make most workers dial for every saga.
	tr.MaxIdleConnsPerHost = workers
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()

	start := time.Now()
	deadline := start.Add(d)
	per := make([][]outcome, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				per[i] = append(per[i], send(ctx, client, url, body))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	return slices.Concat(per...), elapsed, nil
}

func send(ctx context.Context, client *http.Client, url string, body []byte) outcome {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return outcome{err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return outcome{latency: time.Since(t0), err: err.Error()}
	}
	// Read the whole answer so the connection goes back to the pool.
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	o := outcome{latency: time.Since(t0), code: resp.StatusCode}
	if err != nil {
		o.code, o.err = 0, "read answer: "+err.Error()
	}
	return o
}

// openLoop starts rate sagas per second for d whatever the answers take
// (vegeta's constant pacer), and waits for the last answer.
func openLoop(ctx context.Context, url string, body []byte, rate int, d time.Duration, name string) ([]outcome, time.Duration, error) {
	target := vegeta.Target{
		Method: http.MethodPost,
		URL:    url,
		Body:   body,
		Header: http.Header{"Content-Type": []string{"application/json"}},
	}
	atk := vegeta.NewAttacker(vegeta.Timeout(30*time.Second), vegeta.KeepAlive(true))
	var outs []outcome
	start := time.Now()
	results := atk.Attack(vegeta.NewStaticTargeter(target), vegeta.Rate{Freq: rate, Per: time.Second}, d, name)
	for {
		select {
		case <-ctx.Done():
			atk.Stop()
			return nil, 0, ctx.Err()
		case res, ok := <-results:
			if !ok {
				return outs, time.Since(start), nil
			}
			o := outcome{latency: res.Latency, code: int(res.Code)}
			if o.code == 0 {
				o.err = res.Error
			}
			outs = append(outs, o)
		}
	}
}

func firstWords(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}
