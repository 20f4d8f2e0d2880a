package fleet

import (
	"fmt"
	"path/filepath"
)

// JaegerMode says whether the fleet runs Jaeger (docs/observability.md#traces)
// and has every service and the gateway export their traces to it.
type JaegerMode int

const (
	// JaegerOff never starts it, and the services export nothing (the
	// end-to-end suites but one, load runs).
	JaegerOff JaegerMode = iota
	// JaegerIfBuilt starts it when `make jaeger` has built it, and otherwise
	// says how to (`make run`). NoExtras skips it.
	JaegerIfBuilt
	// JaegerRequired fails Start without it (the trace test).
	JaegerRequired
)

// JaegerBin is where `make jaeger` builds Jaeger (ADR 0016), relative to the
// repository root: not under BinDir, which the suites make fresh, because
// it takes minutes to build and changes only with tools/jaeger/go.mod.
const JaegerBin = "bin/jaeger"

// jaegerPorts are the listeners of deploy/jaeger/config.yaml, by process
// name in DefaultPorts, and the variable that sets each.
var jaegerPorts = map[string]string{
	"jaeger":            "JAEGER_QUERY_HTTP", // the query API and UI: Fleet.URL("jaeger")
	"jaeger-query-grpc": "JAEGER_QUERY_GRPC",
	"jaeger-otlp-grpc":  "JAEGER_OTLP_GRPC", // KrakenD exports here
	"jaeger-otlp-http":  "JAEGER_OTLP_HTTP", // the Go services export here
	"jaeger-health":     "JAEGER_HEALTH",
}

// jaegerProc describes Jaeger when it is to run; nil (and a skip) otherwise.
func (f *Fleet) jaegerProc() (*proc, error) {
	mode := f.opts.Jaeger
	switch {
	case mode == JaegerOff:
		return nil, nil
	case mode == JaegerIfBuilt && f.opts.NoExtras:
		f.skip("jaeger", "extras are off")
		return nil, nil
	}
	bin := filepath.Join(f.root, JaegerBin)
	if !exists(bin) {
		if mode == JaegerRequired {
			return nil, fmt.Errorf("%s is missing: `make jaeger` builds it (once; then only when tools/jaeger/go.mod changes)", JaegerBin)
		}
		f.skip("jaeger", JaegerBin+" is not built: `make jaeger` builds it once (a few minutes), then make run starts it")
		return nil, nil
	}
	env := map[string]string{}
	for name, key := range jaegerPorts {
		env[key] = f.local(name)
	}
	conf := filepath.Join(f.root, "deploy", "jaeger", "config.yaml")
	f.tracesHTTP = "http://" + f.local("jaeger-otlp-http")
	f.tracesGRPC = f.local("jaeger-otlp-grpc")
	return &proc{
		name: "jaeger", service: "jaeger", path: bin, dir: f.opts.RunDir,
		args: []string{"--config=" + conf},
		env:  environ(env), conf: conf,
		url: "http://" + f.local("jaeger"),
		// Green once every pipeline and extension has started.
		ready:   "http://" + f.local("jaeger-health") + "/status",
		port:    f.ports["jaeger"],
		logPath: filepath.Join(f.opts.RunDir, "logs", "jaeger.log"),
	}, nil
}
