// Command sagaload drives checkout sagas against a running fleet with the
// vegeta library and reports sagas/s, latency percentiles and the error ratio
// for the success path and the payment-refused path.
//
//	go run ./test/cmd/sagaload -rate 100 -duration 10s
//
// It prepares its own data through the public API (a supplier reception for
// the success path), so it can run against a fresh `make run` fleet.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	if err := run(context.Background(), os.Args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sagaload:", err)
		os.Exit(1)
	}
}

// scenario is one kind of checkout and the status that means it went as designed.
type scenario struct {
	name   string
	body   string
	expect int
	// stock is how many units of product 1 the run may need at the centre.
	stock func(rate int, d time.Duration) int
}

var scenarios = map[string]scenario{
	"succes": {
		name:   "succes (produit 1 ×1 → CONFIRMEE)",
		body:   `{"produits":[{"produit_id":1,"quantite":1}]}`,
		expect: http.StatusCreated,
		stock:  func(rate int, d time.Duration) int { return rate*int(d.Seconds()+1) + 100 },
	},
	"refus": {
		name:   "paiement refusé (produit 4 ×10 → ANNULEE)",
		body:   `{"produits":[{"produit_id":4,"quantite":10}]}`,
		expect: http.StatusPaymentRequired,
	},
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sagaload", flag.ContinueOnError)
	orch := fs.String("url", "http://127.0.0.1:8002", "orchestrator base URL")
	stockURL := fs.String("stock", "http://127.0.0.1:8007", "stock base URL (to receive goods before the success run)")
	rate := fs.Int("rate", 100, "sagas started per second (0: as fast as -workers allow)")
	workers := fs.Uint64("workers", 64, "concurrent workers when -rate is 0")
	duration := fs.Duration("duration", 10*time.Second, "length of each run")
	only := fs.String("scenario", "succes,refus", "comma-separated scenarios: succes, refus")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trate\tsagas\tsagas/s\tp50\tp95\tp99\tmax\terreurs\t")
	for _, key := range strings.Split(*only, ",") {
		sc, ok := scenarios[strings.TrimSpace(key)]
		if !ok {
			return fmt.Errorf("unknown scenario %q", key)
		}
		if sc.stock != nil {
			if err := receive(ctx, *stockURL, sc.stock(max(*rate, 1000), *duration)); err != nil {
				return err
			}
		}
		r, err := attack(ctx, *orch, sc, *rate, *workers, *duration)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%d/s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%.2f%%\t\n", sc.name, *rate, r.requests, r.throughput,
			ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max), 100*r.errorRatio)
		for code, n := range r.unexpected {
			fmt.Fprintf(tw, "  unexpected %s\t\t%d\t\t\t\t\t\t\t\n", code, n)
		}
	}
	return tw.Flush()
}

type report struct {
	requests           uint64
	throughput         float64 // sagas per second that ended as the scenario expects
	p50, p95, p99, max time.Duration
	errorRatio         float64
	unexpected         map[string]int
}

func attack(ctx context.Context, base string, sc scenario, rate int, workers uint64, d time.Duration) (report, error) {
	target := vegeta.Target{
		Method: http.MethodPost,
		URL:    strings.TrimRight(base, "/") + "/saga/commande/",
		Body:   []byte(sc.body),
		Header: http.Header{"Content-Type": []string{"application/json"}},
	}
	opts := []func(*vegeta.Attacker){vegeta.Timeout(30 * time.Second), vegeta.KeepAlive(true)}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(workers), vegeta.MaxWorkers(workers))
	}
	atk := vegeta.NewAttacker(opts...)
	var m vegeta.Metrics
	rep := report{unexpected: map[string]int{}}
	var good uint64
	results := atk.Attack(vegeta.NewStaticTargeter(target), vegeta.Rate{Freq: rate, Per: time.Second}, d, sc.name)
	for {
		select {
		case <-ctx.Done():
			atk.Stop()
			return rep, ctx.Err()
		case res, ok := <-results:
			if !ok {
				m.Close()
				rep.requests = m.Requests
				rep.p50, rep.p95, rep.p99, rep.max = m.Latencies.P50, m.Latencies.P95, m.Latencies.P99, m.Latencies.Max
				if m.Requests > 0 {
					rep.errorRatio = 1 - float64(good)/float64(m.Requests)
				}
				if elapsed := m.Duration + m.Wait; elapsed > 0 {
					rep.throughput = float64(good) / elapsed.Seconds()
				}
				return rep, nil
			}
			m.Add(res)
			switch {
			case int(res.Code) == sc.expect:
				good++
			case res.Error != "":
				rep.unexpected["error: "+firstWords(res.Error)]++
			default:
				rep.unexpected[fmt.Sprintf("status %d", res.Code)]++
			}
		}
	}
}

// receive books goods into the centre so a success run does not turn into
// stock refusals halfway.
func receive(ctx context.Context, stockURL string, units int) error {
	body, _ := json.Marshal(map[string]any{"produit_id": 1, "quantite": units, "reference": "sagaload"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(stockURL, "/")+"/logistique/receptions", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "sagaload-"+uuid.NewString())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reception: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return errors.New("reception: " + resp.Status + ": " + string(b))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func firstWords(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}
