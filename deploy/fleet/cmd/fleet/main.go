// Command fleet runs the whole platform locally (`make run`): every service,
// identite with its demo staff accounts, nginx, Prometheus and the gateway on
// :8080 (KrakenD when installed, else nginx with the same routes), and
// Jaeger when `make jaeger` has built it, each on loopback only. Keys and
// secrets are made on the first run, under tmp/run/secrets (outside git). A
// process that crashes is started again with backoff, as docker compose's
// `restart: unless-stopped` would. Ctrl-C stops it all.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"multimagasins/fleet"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	fs.SetOutput(stdout)
	db := fs.String("db", "multimagasins", "database name (created when missing)")
	services := fs.String("services", strings.Join(fleet.Services, ","), "services to start, comma separated")
	logLevel := fs.String("log-level", "info", "LOG_LEVEL of the services")
	quiet := fs.Bool("quiet", false, "keep process output in the log files only")
	noExtras := fs.Bool("no-extras", false, "start no nginx, Prometheus, gateway or Jaeger")
	noDemo := fs.Bool("no-demo", false, "skip the demo sales history (300 customers and 90 days of their sales, generated once)")
	noDemoAccounts := fs.Bool("no-demo-accounts", false, "start identite without the demo staff accounts (IDENTITE_DEMO)")
	noRestart := fs.Bool("no-restart", false, "leave a crashed process down instead of restarting it with backoff")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}

	// Catch Ctrl-C before anything starts, so a stop during the build or the
	// start still cleans up.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	f, err := fleet.Start(ctx, fleet.Options{
		AdminURL: getenv("DATABASE_URL"),
		Database: *db,
		Services: strings.Split(*services, ","),
		LogLevel: *logLevel,
		Out:      stdout,
		Echo:     !*quiet,
		NoExtras: *noExtras,
		// Jaeger when `make jaeger` has built it (not with -no-extras): the
		// services then export their traces to it.
		Jaeger: fleet.JaegerIfBuilt,
		NoDemo: *noDemo,
		// The staff accounts are not part of -no-demo: without them no one
		// could sign in to the staff spaces of a fresh fleet.
		NoDemoAccounts: *noDemoAccounts,
		NoRestart:      *noRestart,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "running; Ctrl-C stops everything")
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping…")
	if err := f.Stop(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}
