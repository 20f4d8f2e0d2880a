// Command postman writes the Postman collection of the public API and its
// environments into deploy/postman (test/internal/postmangen builds them).
// It starts a fleet of its own (free ports, a throwaway database, no nginx,
// Prometheus or gateway) to read each service's /openapi.json, so it needs
// the local PostgreSQL, as `make test` does. From the test module:
//
//	cd test && go run ./cmd/postman
//
// test/postman fails while the committed files differ from what this writes.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"

	"multimagasins/fleet"
	"multimagasins/test/internal/postmangen"
)

func main() {
	if err := run(os.Args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "postman:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	out := fs.String("out", "", "directory to write to (default: deploy/postman of the repository)")
	verbose := fs.Bool("v", false, "show the fleet's progress")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	root, err := fleet.FindRoot()
	if err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join(root, "deploy", "postman")
	}
	krakend, err := os.ReadFile(filepath.Join(root, "gateway", "krakend.json"))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	dir, err := os.MkdirTemp("", "multimagasins-postman-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts := fleet.Options{
		RunDir:       filepath.Join(dir, "run"),
		BinDir:       filepath.Join(dir, "bin"),
		Database:     "postman_" + strings.ReplaceAll(uuid.NewString()[:13], "-", "_"),
		DropDatabase: true,
		FreePorts:    true,
		NoExtras:     true,
		NoDemo:       true,
		LogLevel:     "warn",
		// Every service but web, which publishes no API.
		Services: []string{"identite", "clients", "orchestrator", "commande", "stock", "paiement", "panier"},
	}
	if *verbose {
		opts.Out = stdout
	}
	fmt.Fprintln(stdout, "starting a fleet to read the services' OpenAPI documents")
	f, err := fleet.Start(ctx, opts)
	if err != nil {
		return err
	}
	specs, err := postmangen.FetchSpecs(ctx, krakend, f.URL)
	if stopErr := f.Stop(); err == nil {
		err = stopErr
	}
	if err != nil {
		return err
	}
	files, err := postmangen.Build(postmangen.Input{Krakend: krakend, Specs: specs})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, name := range postmangen.Files {
		path := filepath.Join(*out, name)
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", path)
	}
	return nil
}
