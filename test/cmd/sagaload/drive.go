package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// outcome is one saga request as the load generator saw it.
type outcome struct {
	latency time.Duration // until the whole answer was read
	code    int           // HTTP status; 0 when no answer came
	err     string        // why no answer came
	// suite, for a 202 Accepted (the saga started and is not over), is what
	// following it with GET /saga/{id} found; read it once the run's
	// followers are done (follower.wait).
	suite *suite
}

// suite is how a saga answered 202 ended: its final statut, or why it
// could not be followed to the end.
type suite struct {
	statut string
	err    string
}

// summary is what a run reports about its outcomes.
type summary struct {
	sent               int
	good               int     // sagas that ended as the scenario expects: its status, or a 202 then its statut
	accepted           int     // answers 202 Accepted, followed until final
	throughput         float64 // good sagas per second of wall time
	p50, p95, p99, max time.Duration
	errorRatio         float64        // share of sagas not good
	unexpected         map[string]int // those, by status, final statut or error
}

// summarize computes the report of one run. A 202 counts as good when the
// saga, followed to its end, ended in the statut the scenario expects (final).
// Percentiles are nearest-rank over every request's answer, good or not,
// like vegeta's (a 202's is the time to the 202, not to the saga's end).
func summarize(outs []outcome, expect int, final string, elapsed time.Duration) summary {
	s := summary{sent: len(outs), unexpected: map[string]int{}}
	lat := make([]time.Duration, 0, len(outs))
	for _, o := range outs {
		lat = append(lat, o.latency)
		switch o.code {
		case expect:
			s.good++
		case http.StatusAccepted:
			s.accepted++
			switch {
			case o.suite == nil:
				s.unexpected["status 202, not followed"]++
			case o.suite.err != "":
				s.unexpected["status 202 then error: "+firstWords(o.suite.err)]++
			case o.suite.statut == final:
				s.good++
			default:
				s.unexpected["status 202 then "+o.suite.statut]++
			}
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

// follower follows the sagas answered 202 Accepted: each is polled at its
// Location (GET /saga/{id}) in the background, every Retry-After, until it
// is over or the follower's limit has passed. The load goes on meanwhile.
type follower struct {
	base   string // the orchestrator, that Location is relative to
	client *http.Client
	limit  time.Duration
	wg     sync.WaitGroup
}

func newFollower(orch string, limit time.Duration) *follower {
	return &follower{base: strings.TrimRight(orch, "/"), client: &http.Client{Timeout: 10 * time.Second}, limit: limit}
}

// follow starts following the saga a 202 answered (its Location header, or
// the saga_id of its body) and returns where its end will be written.
func (f *follower) follow(ctx context.Context, header http.Header, body []byte) *suite {
	s := &suite{}
	loc := header.Get("Location")
	if loc == "" {
		var a struct {
			SagaID string `json:"saga_id"`
		}
		if json.Unmarshal(body, &a) != nil || a.SagaID == "" {
			s.err = "202 without Location or saga_id"
			return s
		}
		loc = "/saga/" + a.SagaID
	}
	pause := time.Second
	if n, err := strconv.Atoi(header.Get("Retry-After")); err == nil && n > 0 {
		pause = min(time.Duration(n)*time.Second, 5*time.Second)
	}
	f.wg.Go(func() { f.poll(ctx, f.base+loc, pause, s) })
	return s
}

func (f *follower) poll(ctx context.Context, url string, pause time.Duration, s *suite) {
	deadline := time.Now().Add(f.limit)
	for {
		if err := sleep(ctx, pause); err != nil {
			s.err = err.Error()
			return
		}
		var saga struct {
			Statut  string `json:"statut"`
			Termine bool   `json:"termine"`
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err == nil {
			var resp *http.Response
			if resp, err = f.client.Do(req); err == nil {
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
				} else {
					err = json.NewDecoder(resp.Body).Decode(&saga)
				}
				resp.Body.Close()
			}
		}
		switch {
		case err == nil && saga.Termine:
			s.statut = saga.Statut
			return
		case time.Now().After(deadline):
			s.err = fmt.Sprintf("not over after %s (statut %s)", f.limit, saga.Statut)
			if err != nil {
				s.err = fmt.Sprintf("not over after %s: %v", f.limit, err)
			}
			return
		}
	}
}

// wait returns once every saga followed is over or given up on.
func (f *follower) wait() { f.wg.Wait() }

// closedLoop runs workers that each send the next saga as soon as the
// previous one answered, until d has passed; requests still in flight at the
// end are waited for, so no saga is cut halfway. A 202 is followed by fw in
// the background while the worker goes on. It returns every outcome and
// the wall time from the first request to the last answer.
func closedLoop(ctx context.Context, url string, body []byte, workers int, d time.Duration, fw *follower) ([]outcome, time.Duration, error) {
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
				per[i] = append(per[i], send(ctx, client, url, body, fw))
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

func send(ctx context.Context, client *http.Client, url string, body []byte, fw *follower) outcome {
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
	answer, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	o := outcome{latency: time.Since(t0), code: resp.StatusCode}
	if err != nil {
		o.code, o.err = 0, "read answer: "+err.Error()
	}
	if o.code == http.StatusAccepted {
		o.suite = fw.follow(ctx, resp.Header, answer)
	}
	return o
}

// openLoop starts rate sagas per second for d whatever the answers take
// (vegeta's constant pacer), and waits for the last answer. A 202 is
// followed by fw in the background.
func openLoop(ctx context.Context, url string, body []byte, rate int, d time.Duration, name string, fw *follower) ([]outcome, time.Duration, error) {
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
			if o.code == http.StatusAccepted {
				o.suite = fw.follow(ctx, res.Headers, res.Body)
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
