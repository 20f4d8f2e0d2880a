package fleet

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func jaegerFleet(t *testing.T, mode JaegerMode, built bool) *Fleet {
	t.Helper()
	root := t.TempDir()
	if built {
		require.NoError(t, os.MkdirAll(filepath.Join(root, "bin"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, JaegerBin), []byte("#!/bin/sh\n"), 0o755))
	}
	f, err := newFleet(Options{Root: root, Jaeger: mode})
	require.NoError(t, err)
	return f
}

func TestJaegerProc_RequiredButNotBuiltFailsSayingHowToBuildIt(t *testing.T) {
	_, err := jaegerFleet(t, JaegerRequired, false).jaegerProc()
	require.ErrorContains(t, err, "make jaeger")
}

func TestJaegerProc_IfBuiltButNotBuiltIsSkippedWithTheCommand(t *testing.T) {
	f := jaegerFleet(t, JaegerIfBuilt, false)
	p, err := f.jaegerProc()
	require.NoError(t, err)
	require.Nil(t, p)
	require.Contains(t, f.Skipped("jaeger"), "make jaeger")
	require.Empty(t, f.tracesHTTP, "no Jaeger, no endpoint for the services")
}

func TestJaegerProc_NotWithoutExtrasUnlessRequired(t *testing.T) {
	f := jaegerFleet(t, JaegerIfBuilt, true)
	f.opts.NoExtras = true
	p, err := f.jaegerProc()
	require.NoError(t, err)
	require.Nil(t, p)
	f = jaegerFleet(t, JaegerOff, true)
	p, err = f.jaegerProc()
	require.NoError(t, err)
	require.Nil(t, p)
}

// envRef is a listener of deploy/jaeger/config.yaml: "${env:JAEGER_X:-default}".
var envRef = regexp.MustCompile(`\$\{env:(JAEGER_[A-Z_]+):-[^}]*\}`)

// Every listener of the config is set by the launcher to a loopback port of
// the fleet's, and the config has no listener the launcher does not set:
// Jaeger never binds a port of its own choosing beside a fleet.
func TestJaegerProc_SetsEveryListenerOfTheConfigToAFleetPort(t *testing.T) {
	f := jaegerFleet(t, JaegerRequired, true)
	p, err := f.jaegerProc()
	require.NoError(t, err)
	require.NotNil(t, p)

	root, err := FindRoot()
	require.NoError(t, err)
	conf, err := os.ReadFile(filepath.Join(root, "deploy", "jaeger", "config.yaml"))
	require.NoError(t, err)
	var inConfig []string
	for _, m := range envRef.FindAllStringSubmatch(string(conf), -1) {
		inConfig = append(inConfig, m[1])
	}
	endpoints := regexp.MustCompile(`(?m)^\s*(endpoint|port|host):`).FindAllString(string(conf), -1)
	require.Len(t, inConfig, len(endpoints), "a listener of the config is not set from the environment")
	var set []string
	for _, key := range jaegerPorts {
		set = append(set, key)
	}
	slices.Sort(inConfig)
	slices.Sort(set)
	require.Equal(t, set, inConfig)

	env := map[string]string{}
	for _, kv := range p.env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	seen := map[string]bool{}
	for name, key := range jaegerPorts {
		require.Equal(t, "127.0.0.1:"+itoa(f.ports[name]), env[key], key)
		require.False(t, seen[env[key]], "%s shares its address", key)
		seen[env[key]] = true
	}
	require.Equal(t, "http://"+f.local("jaeger-otlp-http"), f.tracesHTTP)
	require.Equal(t, f.local("jaeger-otlp-grpc"), f.tracesGRPC)
}
