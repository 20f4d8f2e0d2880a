// Command sagaload drives checkout sagas against a running fleet and reports,
// for the success path and the payment-refused path, sagas/s, latency
// percentiles, the error ratio and what one saga costs: PostgreSQL commits,
// HTTP calls between services and CPU time per process.
//
//	go run ./test/cmd/sagaload -mode closed -workers 32 -duration 20s
//	go run ./test/cmd/sagaload -mode open -rate 100 -duration 20s
//
// Closed loop: each worker sends the next saga as soon as the previous one
// answered, so the run finds the fleet's capacity. Open loop: sagas start at
// a constant rate whatever the answers take (vegeta), so the run shows the
// latency at that arrival rate.
//
// A saga the orchestrator cannot finish within the request answers 202
// Accepted with its Location: sagaload follows it with GET /saga/{id} until it
// is over, counts it by how it ended, and reports how many answers were 202.
//
// It prepares its own data through the public API (supplier receptions at the
// centre), so it can run against a fresh `make run` fleet.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	if err := run(context.Background(), os.Args, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sagaload:", err)
		os.Exit(1)
	}
}

// scenario is one kind of checkout and the status that means it went as
// designed, or, when the orchestrator answers 202 (the saga started and is
// not over), the statut it must end in.
type scenario struct {
	key    string
	name   string
	body   string
	expect int
	final  string
	// produit and stock: how many units of produit the run may need at the
	// centre, for a run of that many sagas at most in flight or in total.
	produit int64
	stock   func(l load) int64
}

var scenarios = map[string]scenario{
	"succes": {
		key:     "succes",
		name:    "succes (produit 1 ×1 → CONFIRMEE)",
		body:    `{"produits":[{"produit_id":1,"quantite":1}]}`,
		expect:  http.StatusCreated,
		final:   "CONFIRMEE",
		produit: 1,
		stock:   func(l load) int64 { return l.maxSagas() + 100 },
	},
	"refus": {
		key:     "refus",
		name:    "paiement refusé (produit 4 ×10 → ANNULEE)",
		body:    `{"produits":[{"produit_id":4,"quantite":10}]}`,
		expect:  http.StatusPaymentRequired,
		final:   "ANNULEE",
		produit: 4,
		// Each saga holds 10 units until the refusal releases them; without
		// enough, a backlog turns refusals at payment into refusals at stock.
		stock: func(l load) int64 { return 10*l.maxInFlight() + 100 },
	},
}

// load is how a run drives the orchestrator.
type load struct {
	closed   bool
	workers  int // closed loop
	rate     int // open loop: sagas started per second
	duration time.Duration
}

func (l load) String() string {
	if l.closed {
		return fmt.Sprintf("closed loop, %d workers, %s per scenario", l.workers, l.duration)
	}
	return fmt.Sprintf("open loop, %d sagas/s, %s per scenario", l.rate, l.duration)
}

func (l load) seconds() int64 { return int64(math.Ceil(l.duration.Seconds())) }

// maxSagas bounds the sagas a run can send: the rate times the duration, or
// for a closed loop a generous 1,000 sagas/s per worker (no saga takes 1 ms).
func (l load) maxSagas() int64 {
	if l.closed {
		return int64(l.workers) * l.seconds() * 1000
	}
	return int64(l.rate) * (l.seconds() + 1)
}

// maxInFlight bounds the sagas running at once: the workers, or five seconds
// of backlog at the open-loop rate.
func (l load) maxInFlight() int64 {
	if l.closed {
		return int64(l.workers)
	}
	return 5 * int64(l.rate)
}

// config is everything the flags say.
type config struct {
	load
	orch, stock string
	// The staff account that books goods into the centre.
	tokenURL, account, password string
	scenarios                   []scenario
	pgURL                       string
	pgDB                        string
	services                    []string
	pids                        []int
	cpu                         bool
	procRoot                    string
	settle                      time.Duration
	suivi                       time.Duration
	verbose                     bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("sagaload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	mode := fs.String("mode", "open", "closed: -workers each send a saga as soon as their previous one answered; open: -rate sagas start per second")
	fs.IntVar(&c.workers, "workers", 32, "concurrent workers (closed loop)")
	fs.IntVar(&c.rate, "rate", 100, "sagas started per second (open loop)")
	fs.DurationVar(&c.duration, "duration", 10*time.Second,
		"length of EACH scenario's run, one after the other: -duration 10s with two scenarios runs 20 s (plus -settle waits and the following of 202s)")
	only := fs.String("scenario", "succes,refus", "comma-separated scenarios: succes, refus")
	fs.StringVar(&c.orch, "url", "http://127.0.0.1:8002", "orchestrator base URL")
	fs.StringVar(&c.stock, "stock", "http://127.0.0.1:8007", "stock base URL (receptions at the centre before the runs)")
	fs.StringVar(&c.tokenURL, "jeton", "http://127.0.0.1:8009/auth/jeton",
		"token endpoint (identite's, or the gateway's /auth/jeton) signing in -compte for the receptions; the sagas themselves are guest checkouts")
	fs.StringVar(&c.account, "compte", "logistique", "staff account that receives the goods (logistique or maison-mere)")
	fs.StringVar(&c.password, "mot-de-passe", cmp.Or(os.Getenv("SAGALOAD_MOT_DE_PASSE"), "multimagasins"),
		"its password (default $SAGALOAD_MOT_DE_PASSE, else the README's demo password)")
	fs.StringVar(&c.pgURL, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"PostgreSQL URL to read pg_stat_database from (commits per saga); empty: skip")
	fs.StringVar(&c.pgDB, "pgdb", "",
		"count only this database's commits, and as postgres CPU only its backends (pg_stat_activity at each end of a run); default every database and every postgres process")
	services := fs.String("services",
		"http://127.0.0.1:8007,http://127.0.0.1:8006,http://127.0.0.1:8008,http://127.0.0.1:8010,http://127.0.0.1:8011,http://127.0.0.1:8001",
		"comma-separated base URLs whose /metrics count the calls per saga; empty: skip")
	pids := fs.String("pids", "", "comma-separated PIDs whose CPU to report (default: every process named "+strings.Join(fleetProcesses, ", ")+")")
	fs.BoolVar(&c.cpu, "cpu", true, "report CPU per saga from /proc")
	fs.DurationVar(&c.settle, "settle", 12*time.Second,
		"wait before reading pg_stat_database: an idle PostgreSQL backend flushes its counters up to 10 s after its last transaction")
	fs.DurationVar(&c.suivi, "suivi", 2*time.Minute,
		"how long to follow a saga answered 202 Accepted (GET /saga/{id} every Retry-After) before counting it as an error")
	fs.BoolVar(&c.verbose, "v", false, "also print the calls per saga by service, route and status")
	if err := fs.Parse(args[1:]); err != nil {
		return c, err
	}
	switch *mode {
	case "closed":
		c.closed = true
		if c.workers < 1 {
			return c, errors.New("-workers: want at least 1 in closed mode")
		}
	case "open":
		if c.rate < 1 {
			return c, errors.New("-rate: want at least 1 in open mode (for as fast as possible use -mode closed -workers N)")
		}
	default:
		return c, fmt.Errorf("-mode: %q is neither closed nor open", *mode)
	}
	if c.duration <= 0 {
		return c, errors.New("-duration: want more than 0")
	}
	if c.suivi <= 0 {
		return c, errors.New("-suivi: want more than 0")
	}
	for key := range strings.SplitSeq(*only, ",") {
		sc, ok := scenarios[strings.TrimSpace(key)]
		if !ok {
			return c, fmt.Errorf("-scenario: unknown scenario %q", key)
		}
		c.scenarios = append(c.scenarios, sc)
	}
	if c.pgDB != "" && c.pgURL == "" {
		return c, errors.New("-pgdb: needs -pg")
	}
	c.services = splitList(*services)
	for _, p := range splitList(*pids) {
		pid, err := strconv.Atoi(p)
		if err != nil || pid < 1 {
			return c, fmt.Errorf("-pids: %q is not a process id", p)
		}
		c.pids = append(c.pids, pid)
	}
	c.procRoot = "/proc"
	if c.cpu && runtime.GOOS != "linux" {
		c.cpu = false // no /proc to read
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// result is one scenario's run and what it cost.
type result struct {
	sc      scenario
	sum     summary
	commits int64 // -1: not measured
	calls   requests
	resets  []routeKey
	cpu     map[string]int64 // ticks by process group; nil: not measured
	self    int64            // ticks of sagaload itself
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // the usage is printed
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	client := &http.Client{Timeout: 10 * time.Second}

	staff, err := signIn(ctx, client, c.tokenURL, c.account, c.password)
	if err != nil {
		return err
	}
	for _, sc := range c.scenarios {
		if err := topUp(ctx, staff, c.stock, sc.produit, sc.stock(c.load)); err != nil {
			return err
		}
	}

	var conn *pgx.Conn
	if c.pgURL != "" {
		if conn, err = pgx.Connect(ctx, c.pgURL); err != nil {
			return fmt.Errorf("-pg: %w", err)
		}
		defer conn.Close(context.Background())
		// The receptions' commits and whatever ran before must be counted
		// before the first run, not in it.
		fmt.Fprintf(stderr, "waiting %s for PostgreSQL's counters to settle…\n", c.settle)
		if err := sleep(ctx, c.settle); err != nil {
			return err
		}
	}
	commitsBefore, err := commits(ctx, conn, c.pgDB)
	if err != nil {
		return err
	}

	var results []result
	var notes []string
	for _, sc := range c.scenarios {
		r := result{sc: sc, commits: -1}
		callsBefore, err := scrapeRequests(ctx, client, c.services)
		if err != nil {
			return err
		}
		var cpuBefore cpuSample
		var selfBefore int64
		if c.cpu {
			if cpuBefore, err = sampleFleetCPU(ctx, c, conn); err != nil {
				return err
			}
			if selfBefore, err = selfTicks(c.procRoot); err != nil {
				return err
			}
			notes = append(notes, crowdNotes(cpuBefore, c.pids)...)
		}

		fmt.Fprintf(stderr, "%s: %s…\n", sc.key, c.load)
		url := strings.TrimRight(c.orch, "/") + "/saga/commande/"
		var outs []outcome
		var elapsed time.Duration
		fw := newFollower(c.orch, c.suivi)
		if c.closed {
			outs, elapsed, err = closedLoop(ctx, url, []byte(sc.body), c.workers, c.duration, fw)
		} else {
			outs, elapsed, err = openLoop(ctx, url, []byte(sc.body), c.rate, c.duration, sc.key, fw)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", sc.key, err)
		}

		// CPU and calls right after the run, before the wait below adds idle time.
		if c.cpu {
			after, err := sampleFleetCPU(ctx, c, conn)
			if err != nil {
				return err
			}
			selfAfter, err := selfTicks(c.procRoot)
			if err != nil {
				return err
			}
			r.cpu = map[string]int64{}
			for g, t := range after.ticks {
				r.cpu[g] = t - cpuBefore.ticks[g]
			}
			for g, t := range cpuBefore.ticks {
				if _, ok := after.ticks[g]; !ok {
					r.cpu[g] = -t
				}
			}
			r.self = selfAfter - selfBefore
		}
		callsAfter, err := scrapeRequests(ctx, client, c.services)
		if err != nil {
			return err
		}
		r.calls, r.resets = callsAfter.since(callsBefore)

		// The sagas answered 202 end in the background: wait for them after
		// the run's CPU and calls are read, so the polls and the idle time
		// spent waiting are not in its figures (recovery's own work done by
		// then is).
		fw.wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		r.sum = summarize(outs, sc.expect, sc.final, elapsed)

		if conn != nil {
			fmt.Fprintf(stderr, "waiting %s for PostgreSQL's counters to settle…\n", c.settle)
			if err := sleep(ctx, c.settle); err != nil {
				return err
			}
			after, err := commits(ctx, conn, c.pgDB)
			if err != nil {
				return err
			}
			r.commits = after - commitsBefore
			commitsBefore = after
		}
		results = append(results, r)
	}
	return report(stdout, c, results, notes)
}

// commits is sum(xact_commit) over every database of the cluster, or of db
// alone; -1 without a connection.
func commits(ctx context.Context, conn *pgx.Conn, db string) (int64, error) {
	if conn == nil {
		return -1, nil
	}
	var n int64
	err := conn.QueryRow(ctx, `SELECT coalesce(sum(xact_commit), 0)::bigint FROM pg_stat_database
		WHERE $1 = '' OR datname = $1`, db).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("read pg_stat_database: %w", err)
	}
	return n, nil
}

// sampleFleetCPU reads the CPU of the processes -pids names, else of every
// process named as a fleet's; with -pgdb the postgres group is that
// database's backends alone.
func sampleFleetCPU(ctx context.Context, c config, conn *pgx.Conn) (cpuSample, error) {
	names := fleetProcesses
	if len(c.pids) > 0 {
		names = nil
	}
	if c.pgDB == "" {
		return sampleCPU(c.procRoot, names, c.pids, false)
	}
	names = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == "postgres" })
	s, err := sampleCPU(c.procRoot, names, c.pids, false)
	if err != nil {
		return s, err
	}
	rows, err := conn.Query(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", c.pgDB)
	if err != nil {
		return s, fmt.Errorf("backends of %s: %w", c.pgDB, err)
	}
	defer rows.Close()
	backends, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return s, fmt.Errorf("backends of %s: %w", c.pgDB, err)
	}
	pids := make([]int, len(backends))
	for i, p := range backends {
		pids[i] = int(p)
	}
	// A backend may exit between the query and the read.
	b, err := sampleCPU(c.procRoot, nil, pids, true)
	if err != nil {
		return s, err
	}
	for g, t := range b.ticks {
		s.ticks[g] += t
		s.procs[g] += b.procs[g]
	}
	return s, nil
}

// crowdNotes warn when more processes carry a service's name than one fleet
// runs (another fleet, or a test's, on the same machine): their CPU is summed.
func crowdNotes(s cpuSample, pids []int) []string {
	if len(pids) > 0 {
		return nil
	}
	var notes []string
	for _, name := range fleetProcesses {
		want := 1
		switch name {
		case "postgres":
			continue
		case "panier":
			want = 2
		}
		if n := s.procs[name]; n > want {
			notes = append(notes, fmt.Sprintf("%d processes named %s (one fleet runs %d): CPU is their sum; use -pids to pick", n, name, want))
		}
	}
	return notes
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// report prints the header, one row per scenario, the CPU by process and, with
// -v, the calls by route.
func report(w io.Writer, c config, results []result, notes []string) error {
	fmt.Fprintf(w, "sagaload: %s, orchestrator %s\n", c.load, c.orch)
	fmt.Fprintln(w, "sagas/s: sagas ended as the path expects per second of wall time; erreurs: every other answer")
	fmt.Fprintln(w, "202: answers Accepted (started, not over: a participant slow or down), each followed with GET /saga/{id}")
	fmt.Fprintln(w, "  until final; it counts as ended as expected when its statut is the path's (CONFIRMEE, ANNULEE)")
	fmt.Fprintln(w, "per saga = delta over the run divided by the sagas sent:")
	switch {
	case c.pgDB != "":
		fmt.Fprintf(w, "  commits: xact_commit of pg_stat_database for database %s only\n", c.pgDB)
	case c.pgURL != "":
		fmt.Fprintln(w, "  commits: sum(xact_commit) of pg_stat_database over EVERY database of the cluster (other clients' commits included)")
	}
	if len(c.services) > 0 {
		fmt.Fprintf(w, "  calls: http_requests_total of %d services, /metrics /healthz /readyz left out\n", len(c.services))
	}
	if c.cpu {
		fmt.Fprintln(w, "  cpu: utime+stime (+ reaped children) from /proc, ms; processes that exit are counted only through a parent in the same group")
		if c.pgDB != "" {
			fmt.Fprintf(w, "  postgres cpu: the backends of %s at each end of a run; one that exits during it is lost\n", c.pgDB)
		}
	}
	for _, n := range slices.Compact(notes) {
		fmt.Fprintln(w, "  note:", n)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tsagas\tsagas/s\tp50\tp95\tp99\tmax\terreurs\t202\tcommits/saga\tcalls/saga\tcpu ms/saga\t")
	for _, r := range results {
		s := r.sum
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%s\t%s\t%s\t%s\t%.2f%%\t%d\t%s\t%s\t%s\t\n", r.sc.name, s.sent, s.throughput,
			ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max), 100*s.errorRatio, s.accepted,
			perSaga(float64(r.commits), r.commits >= 0, s.sent),
			perSaga(r.calls.total(), len(c.services) > 0, s.sent),
			perSaga(cpuMillis(fleetTicks(r.cpu)), r.cpu != nil, s.sent))
		for _, code := range slices.Sorted(maps.Keys(s.unexpected)) {
			fmt.Fprintf(tw, "  unexpected %s\t%d\t\t\t\t\t\t\t\t\t\t\t\n", code, s.unexpected[code])
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		for _, k := range r.resets {
			fmt.Fprintf(w, "note: %s: counter %s went down (a restart?): calls/saga is a floor\n", r.sc.key, k)
		}
	}

	if c.cpu && len(results) > 0 {
		groups := cpuGroups(c, results)
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "cpu ms/saga\t%s\tfleet\tsagaload\t\n", strings.Join(groups, "\t"))
		for _, r := range results {
			fmt.Fprintf(tw, "%s\t", r.sc.key)
			for _, g := range groups {
				t, ok := r.cpu[g]
				fmt.Fprintf(tw, "%s\t", perSaga(cpuMillis(t), ok && t >= 0, r.sum.sent))
			}
			fmt.Fprintf(tw, "%s\t%s\t\n", perSaga(cpuMillis(fleetTicks(r.cpu)), true, r.sum.sent),
				perSaga(cpuMillis(r.self), true, r.sum.sent))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if c.verbose {
		for _, r := range results {
			fmt.Fprintf(w, "\ncalls per saga, %s:\n", r.sc.name)
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  service\tmethod\troute\tcode\tper saga\t")
			keys := slices.SortedFunc(maps.Keys(r.calls), func(a, b routeKey) int { return strings.Compare(a.String(), b.String()) })
			for _, k := range keys {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t\n", k.service, k.method, k.route, k.code, perSaga(r.calls[k], true, r.sum.sent))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// cpuGroups are the process groups to show, in the order of fleetProcesses
// and then any other name -pids brought.
func cpuGroups(c config, results []result) []string {
	seen := map[string]bool{}
	for _, r := range results {
		for g := range r.cpu {
			seen[g] = true
		}
	}
	var groups []string
	for _, g := range fleetProcesses {
		if seen[g] {
			groups = append(groups, g)
			delete(seen, g)
		}
	}
	return append(groups, slices.Sorted(maps.Keys(seen))...)
}

// fleetTicks is the CPU of every group; a group that lost a process it could
// not account for (negative delta) counts as zero.
func fleetTicks(cpu map[string]int64) int64 {
	var n int64
	for _, t := range cpu {
		n += max(t, 0)
	}
	return n
}

func perSaga(v float64, measured bool, sagas int) string {
	if !measured || sagas == 0 {
		return "n/a"
	}
	return strconv.FormatFloat(v/float64(sagas), 'f', 2, 64)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
