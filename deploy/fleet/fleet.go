// Package fleet runs the whole platform as local processes: it builds every
// binary, prepares the database and the shared secrets (identite's signing
// key, the service clients, the web session key), starts the services,
// nginx, Prometheus and the gateway (KrakenD, or nginx built from the same
// routes) when they are installed, every one on loopback, waits until all
// answer, restarts with backoff any that crashes (supervise.go), and stops
// them all, process groups included. `make run` and the end-to-end tests
// share it.
package fleet

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Options say where and how to run the fleet. The zero value runs everything
// on the DESIGN.md ports against the local PostgreSQL.
type Options struct {
	Root         string            // repository root (holds go.work); found from the working directory when empty
	BinDir       string            // built binaries; default <root>/bin
	RunDir       string            // logs, generated configs, nginx and Prometheus state; default <root>/tmp/run
	AdminURL     string            // superuser URL; default $DATABASE_URL, else the local server
	Database     string            // default "multimagasins"
	DropDatabase bool              // drop the database in Stop (tests use a fresh one per run)
	Services     []string          // default all: identite, clients, orchestrator, web, commande, stock, paiement, panier
	Ports        map[string]int    // by process name ("web-2", "nginx"), over the defaults
	FreePorts    bool              // every port not set in Ports is a free one, so a second fleet can run
	LogLevel     string            // LOG_LEVEL of the services; default "info"
	Env          map[string]string // extra variables for every service
	// ProcessEnv adds variables to one service or process ("orchestrator",
	// "panier-2"), over Env; a process name wins over its service's name.
	// Tests use it to shorten a timeout or point a peer URL at a proxy.
	ProcessEnv map[string]map[string]string
	// SecretsDir holds the keys and secrets the processes share (secrets.go),
	// made on the first run; default <RunDir>/secrets, so outside git, and a
	// fleet with its own run directory (every test's) has its own keys too.
	SecretsDir string
	// SigningKey, when set, is written as identite's signing key (PEM) before
	// the fleet starts: the tests hand their own issuer's key, so the tokens
	// they sign pass everywhere in the fleet.
	SigningKey []byte
	Out        io.Writer // progress and the final table; nil discards them
	Echo       bool      // also copy every process's output to Out, each line prefixed by its name
	NoExtras   bool      // start no nginx, Prometheus or KrakenD
	// Jaeger runs Jaeger and has every service and the gateway export traces
	// to it (jaeger.go); the zero value runs none.
	Jaeger JaegerMode
	// NoDemo skips the sales history generator (commande's cmd/generer) that
	// otherwise creates 300 demo customers and fills the database with 90
	// days of their sales once the fleet is ready. Tests set it: they need a
	// fast start and only their own data.
	NoDemo bool
	// NoDemoAccounts starts identite without IDENTITE_DEMO, so without the
	// demo staff accounts (caissier1…5, logistique, maison-mere). They are
	// seeded by default, NoDemo or not: the browser tests sign in with them.
	NoDemoAccounts bool
	// NoRestart leaves a process that crashed down, instead of restarting it
	// with backoff as docker compose's `restart: unless-stopped` does.
	// The end-to-end suites keep the default: they run the launcher as
	// `make run` does, and their fault tests are not disturbed, since a
	// process stopped through Kill or Restart is the launcher's doing and is
	// never restarted behind the test's back (see Fleet.Kill). A crash
	// during a suite still shows: in the process's log, in Out, and in
	// Restarts.
	NoRestart    bool
	ReadyTimeout time.Duration // default 60s
}

// Services lists every Go service, in start order.
var Services = []string{"identite", "clients", "orchestrator", "web", "commande", "stock", "paiement", "panier"}

// DefaultPorts are the DESIGN.md ports, by process name.
var DefaultPorts = map[string]int{
	"clients": 8001, "orchestrator": 8002, "web-1": 8004, "web-2": 8005, "commande": 8006,
	"stock": 8007, "paiement": 8008, "identite": 8009, "panier-1": 8010, "panier-2": 8011,
	"nginx": 8088, "prometheus": 9091, "krakend": 8080, "krakend-metrics": 9090,
	// Jaeger's listeners (jaeger.go), on its usual ports.
	"jaeger": 16686, "jaeger-query-grpc": 16685, "jaeger-otlp-grpc": 4317, "jaeger-otlp-http": 4318, "jaeger-health": 13133,
	// The nginx gateway, started instead of KrakenD when no krakend is installed.
	"gateway": 8080,
}

// Fleet is a running platform.
type Fleet struct {
	opts    Options
	root    string
	dbName  string
	adminDB string // superuser URL of the fleet's database
	out     io.Writer
	outMu   sync.Mutex
	ports   map[string]int
	// portLock holds the block of free ports (ports.go) until Stop.
	portLock *os.File
	procs    []*proc
	skipped  []skip
	sup      *supervisor
	// Where spans go when Jaeger runs: the services' OTLP/HTTP endpoint and
	// KrakenD's OTLP/gRPC address; "" otherwise.
	tracesHTTP, tracesGRPC string
}

type skip struct{ name, why string }

// Start builds, prepares and starts the fleet and returns once every process
// answers its readiness check. On error nothing is left running.
func Start(ctx context.Context, opts Options) (*Fleet, error) {
	f, err := newFleet(opts)
	if err != nil {
		return nil, err
	}
	if err := f.start(ctx); err != nil {
		return nil, errors.Join(err, f.Stop())
	}
	return f, nil
}

func newFleet(opts Options) (*Fleet, error) {
	if opts.Root == "" {
		root, err := FindRoot()
		if err != nil {
			return nil, err
		}
		opts.Root = root
	}
	if opts.BinDir == "" {
		opts.BinDir = filepath.Join(opts.Root, "bin")
	}
	if opts.RunDir == "" {
		opts.RunDir = filepath.Join(opts.Root, "tmp", "run")
	}
	if opts.AdminURL == "" {
		opts.AdminURL = os.Getenv("DATABASE_URL")
	}
	if opts.AdminURL == "" {
		opts.AdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	if opts.Database == "" {
		opts.Database = "multimagasins"
	}
	if len(opts.Services) == 0 {
		opts.Services = Services
	}
	for _, s := range opts.Services {
		if !slices.Contains(Services, s) {
			return nil, fmt.Errorf("unknown service %q (known: %s)", s, strings.Join(Services, ", "))
		}
	}
	for key := range opts.ProcessEnv {
		if _, isProcess := DefaultPorts[key]; !isProcess && !slices.Contains(Services, key) {
			return nil, fmt.Errorf("ProcessEnv: unknown service or process %q", key)
		}
	}
	if opts.LogLevel == "" {
		opts.LogLevel = "info"
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	if opts.SecretsDir == "" {
		opts.SecretsDir = filepath.Join(opts.RunDir, "secrets")
	}
	for _, dir := range []*string{&opts.BinDir, &opts.RunDir, &opts.SecretsDir} {
		abs, err := filepath.Abs(*dir)
		if err != nil {
			return nil, err
		}
		*dir = abs
	}
	ports, portLock, err := choosePorts(opts.Ports, opts.FreePorts)
	if err != nil {
		return nil, err
	}
	f := &Fleet{opts: opts, root: opts.Root, dbName: opts.Database, out: opts.Out, ports: ports, portLock: portLock}
	f.sup = newSupervisor(func(e restartEvent) { f.printf("%s\n", e) })
	return f, nil
}

func (f *Fleet) start(ctx context.Context) error {
	// nginx workers drop root to "nobody" and must still reach their temp directories.
	if err := os.MkdirAll(filepath.Join(f.opts.RunDir, "logs"), 0o755); err != nil {
		return err
	}
	if err := os.Chmod(f.opts.RunDir, 0o755); err != nil {
		return err
	}
	begin := time.Now()
	f.printf("building %s into %s\n", strings.Join(f.opts.Services, ", "), f.opts.BinDir)
	// identite is always built: it makes the secrets every other service reads.
	binaries := f.opts.Services
	if !slices.Contains(binaries, "identite") {
		binaries = append([]string{"identite"}, binaries...)
	}
	if err := build(ctx, f.root, f.opts.BinDir, binaries, f.withDemo()); err != nil {
		return err
	}
	f.printf("built in %s\n", time.Since(begin).Round(time.Millisecond))
	if err := f.prepareSecrets(ctx); err != nil {
		return err
	}
	adminDB, err := prepareDatabase(ctx, f.opts.AdminURL, f.dbName, filepath.Join(f.root, "deploy", "postgres", "schemas.sql"))
	if err != nil {
		return err
	}
	f.adminDB = adminDB
	f.printf("database %s ready\n", f.dbName)

	jaeger, err := f.jaegerProc()
	if err != nil {
		return err
	}
	f.procs = f.serviceProcs()
	if jaeger != nil {
		f.procs = append([]*proc{jaeger}, f.procs...)
	}
	if !f.opts.NoExtras {
		extras, err := f.extraProcs()
		if err != nil {
			return err
		}
		f.procs = append(f.procs, extras...)
	}
	if err := checkPortsFree(f.procs); err != nil {
		return err
	}
	if !f.opts.NoRestart {
		// From the first start on: a process that dies before it is ready
		// still fails Start at once (waitReady watches that first run).
		for _, p := range f.procs {
			p.sup = f.sup
		}
	}
	for _, p := range f.procs {
		if err := p.start(f.console(p.name)); err != nil {
			return err
		}
	}
	if err := f.waitReady(ctx, f.procs); err != nil {
		return err
	}
	f.printf("all ready %s after start\n", time.Since(begin).Round(time.Millisecond))
	if err := f.demo(ctx); err != nil {
		return err
	}
	f.printTable()
	return nil
}

// withDemo says whether the sales history generator runs: commande is
// started and the demo is wanted.
func (f *Fleet) withDemo() bool {
	return !f.opts.NoDemo && slices.Contains(f.opts.Services, "commande")
}

// demo runs commande's sales history generator against the fleet's
// database, with stock's current prices. Its buyers are generated customers
// that it creates first in the clients service, signed in at identite as the
// head office's demo account, so it needs both and the demo accounts. It
// adds nothing when a history is already there, so a second `make run`
// starts at once.
func (f *Fleet) demo(ctx context.Context) error {
	if !f.withDemo() {
		return nil
	}
	if why := f.demoBlocked(); why != "" {
		f.printf("demo sales history skipped: %s\n", why)
		return nil
	}
	begin := time.Now()
	logPath := filepath.Join(f.opts.RunDir, "logs", "generer.log")
	out, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := exec.CommandContext(ctx, filepath.Join(f.opts.BinDir, "generer"))
	cmd.Dir = f.root
	env := map[string]string{
		"DATABASE_URL": roleURL(f.adminDB, "commande"),
		"CLIENTS_URL":  f.URL("clients"),
		"TOKEN_URL":    f.URL("identite") + "/auth/jeton",
	}
	if f.Running("stock") {
		env["STOCK_URL"] = f.URL("stock")
	}
	cmd.Env = environ(env)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("sales history generator: %w (see %s)", err, logPath)
	}
	f.printf("demo sales history ready in %s (log %s)\n", time.Since(begin).Round(time.Millisecond), logPath)
	return nil
}

// demoBlocked says why the demo cannot run, "" when it can: the sales are
// the customers' of the clients service, and the head office creates them.
func (f *Fleet) demoBlocked() string {
	switch {
	case !f.Running("clients") || !f.Running("identite"):
		return "it needs clients and identite running (its buyers are the clients service's customers)"
	case f.opts.NoDemoAccounts:
		return "it signs in as the demo maison-mere account, which -no-demo-accounts leaves out"
	}
	return ""
}

// URL is the base URL of a process ("stock", "web-2"); a service that runs
// twice ("web", "panier") answers with its first instance. "" when not running.
func (f *Fleet) URL(name string) string {
	if p := f.find(name); p != nil {
		return p.url
	}
	return ""
}

// Running says whether name was started (and not skipped).
func (f *Fleet) Running(name string) bool { return f.find(name) != nil }

// Skipped returns why name was not started, or "" when it was.
func (f *Fleet) Skipped(name string) string {
	for _, s := range f.skipped {
		if s.name == name {
			return s.why
		}
	}
	return ""
}

// LogPath is the file holding a process's output.
func (f *Fleet) LogPath(name string) string {
	if p := f.find(name); p != nil {
		return p.logPath
	}
	return ""
}

// ConfigPath is the config file the launcher generated for a process
// ("gateway", "nginx", "krakend", "prometheus"), or "" when it has none.
func (f *Fleet) ConfigPath(name string) string {
	if p := f.find(name); p != nil {
		return p.conf
	}
	return ""
}

// Database is the name of the fleet's database.
func (f *Fleet) Database() string { return f.dbName }

// Kill stops a process at once with SIGKILL, as a crash would. Being the
// launcher's doing, it is not restarted: it stays down until Restart, so a
// fault test decides how long the outage lasts. A kill from outside (kill -9
// in a terminal) is a crash, and the supervisor restarts the process.
func (f *Fleet) Kill(name string) error {
	p := f.find(name)
	if p == nil {
		return fmt.Errorf("no process %q", name)
	}
	p.kill()
	return nil
}

// Restart stops a process (gracefully) if it still runs, starts it again with
// the same port and settings, and waits until it is ready. Whether the
// process was killed, crashed, waits for a restart by the supervisor or was
// already restarted by it, one copy runs afterwards.
func (f *Fleet) Restart(ctx context.Context, name string) error {
	p := f.find(name)
	if p == nil {
		return fmt.Errorf("no process %q", name)
	}
	if err := p.restart(f.console(p.name), stopGrace); err != nil {
		return err
	}
	return f.waitReady(ctx, []*proc{p})
}

// RestartWith restarts a process like Restart, with env over the variables it
// was started with; the overlay stays for later restarts. A nil env goes back
// to the start variables. Tests use it to put a proxy or a short timeout in
// front of one process and then to take it away.
func (f *Fleet) RestartWith(ctx context.Context, name string, env map[string]string) error {
	p := f.find(name)
	if p == nil {
		return fmt.Errorf("no process %q", name)
	}
	p.setOverlay(env)
	return f.Restart(ctx, name)
}

// PID is the process id of a process's current run, 0 if it has none: a
// chaos test kills it from outside, as an operator's kill -9 would, so the
// supervisor restarts it.
func (f *Fleet) PID(name string) int {
	if p := f.find(name); p != nil {
		return p.pid()
	}
	return 0
}

// Restarts counts the restarts the supervisor decided for a process since
// the fleet started: one per crash, or per restart that could not start it
// (a Restart by hand is not one).
func (f *Fleet) Restarts(name string) int {
	if p := f.find(name); p != nil {
		return p.restartCount()
	}
	return 0
}

// Stop ends every process (SIGTERM to its group, SIGKILL after 10s), then
// drops the database when Options.DropDatabase is set. Safe to call twice.
// Nothing restarts once Stop has begun, and a restart waiting for its
// backoff is dropped.
func (f *Fleet) Stop() error {
	again := f.sup.stopping()
	f.sup.stop()
	var wg sync.WaitGroup
	for _, p := range f.procs {
		wg.Go(func() { p.terminate(stopGrace) })
	}
	wg.Wait()
	f.sup.wait()
	if f.portLock != nil {
		f.portLock.Close() // the processes are gone: another fleet may take these ports
		f.portLock = nil
	}
	var restarted []string
	for _, p := range f.procs {
		if n := p.restartCount(); n > 0 {
			restarted = append(restarted, fmt.Sprintf("%s %d", p.name, n))
		}
	}
	if len(restarted) > 0 && !again {
		f.printf("restarted after a crash: %s\n", strings.Join(restarted, ", "))
	}
	if f.opts.DropDatabase && f.adminDB != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := dropDatabase(ctx, f.opts.AdminURL, f.dbName); err != nil {
			return err
		}
		f.adminDB = ""
	}
	return nil
}

const stopGrace = 10 * time.Second

func (f *Fleet) find(name string) *proc {
	for _, p := range f.procs {
		if p.name == name {
			return p
		}
	}
	for _, p := range f.procs {
		if p.service == name {
			return p
		}
	}
	return nil
}

func (f *Fleet) printf(format string, args ...any) {
	f.outMu.Lock()
	defer f.outMu.Unlock()
	fmt.Fprintf(f.out, format, args...)
}

func (f *Fleet) console(name string) io.Writer {
	if !f.opts.Echo {
		return nil
	}
	return &prefixWriter{prefix: fmt.Sprintf("%-12s| ", name), out: f.out, mu: &f.outMu}
}

func (f *Fleet) printTable() {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPROCESS\tURL\tPID\tLOG")
	for _, p := range f.procs {
		rel, err := filepath.Rel(f.root, p.logPath)
		if err != nil || strings.HasPrefix(rel, "..") {
			rel = p.logPath
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", p.name, p.url, p.pid(), rel)
	}
	tw.Flush()
	sort.Slice(f.skipped, func(i, j int) bool { return f.skipped[i].name < f.skipped[j].name })
	for _, s := range f.skipped {
		fmt.Fprintf(&buf, "skipped %s: %s\n", s.name, s.why)
	}
	fmt.Fprintf(&buf, "database %s; run directory %s; secrets %s\n", f.dbName, f.opts.RunDir, f.opts.SecretsDir)
	if f.Running("jaeger") {
		fmt.Fprintf(&buf, "traces: Jaeger on %s (query API: %s/api/traces?service=orchestrator; "+
			"the UI page there is a placeholder in a Go-built Jaeger, docs/observability.md#traces)\n", f.URL("jaeger"), f.URL("jaeger"))
	}
	if f.Running("identite") && !f.opts.NoDemoAccounts {
		fmt.Fprintf(&buf, "demo accounts (README): maison-mere, logistique, caissier1…caissier5, password multimagasins; "+
			"a token: curl -s %s/auth/jeton -d grant_type=password -d username=maison-mere -d password=multimagasins\n",
			cmp.Or(f.URL("gateway"), f.URL("identite")))
	}
	f.printf("%s", buf.String())
}

// waitReady polls every readiness URL until all answer 200, a process dies,
// or the timeout passes.
func (f *Fleet) waitReady(ctx context.Context, procs []*proc) error {
	ctx, cancel := context.WithTimeout(ctx, f.opts.ReadyTimeout)
	defer cancel()
	errs := make([]error, len(procs))
	var wg sync.WaitGroup
	for i, p := range procs {
		wg.Go(func() { errs[i] = p.waitReady(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func itoa(n int) string { return strconv.Itoa(n) }
