package fleet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

func TestNativePrometheus_PointsTargetsAtLocalProcessesAndDropsTheRest(t *testing.T) {
	src := []byte(`
global: {scrape_interval: 5s}
rule_files: [alerts/rules.yml]
scrape_configs:
  - job_name: web
    static_configs:
      - targets: ['web-1:8004', 'web-2:8005']
  - job_name: krakend
    static_configs:
      - targets: ['krakend:9090']
`)
	out, err := nativePrometheus(src, "/src/prometheus", map[string]string{"web-1": "127.0.0.1:1", "web-2": "127.0.0.1:2"})
	require.NoError(t, err)
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
	}
	require.NoError(t, yaml.Unmarshal(out, &cfg))
	require.Equal(t, []string{"/src/prometheus/alerts/rules.yml"}, cfg.RuleFiles)
	require.Len(t, cfg.ScrapeConfigs, 1, "krakend is not running, so its job goes")
	require.Equal(t, "web", cfg.ScrapeConfigs[0].JobName)
	require.Equal(t, []string{"127.0.0.1:1", "127.0.0.1:2"}, cfg.ScrapeConfigs[0].StaticConfigs[0].Targets)
}

func TestNginxTemplate_IsAConfigNginxAccepts(t *testing.T) {
	bin := lookPath("nginx", "/usr/sbin/nginx")
	if bin == "" {
		t.Skip("nginx is not installed")
	}
	root, err := FindRoot()
	require.NoError(t, err)
	dir := t.TempDir()
	conf, err := renderTemplate(filepath.Join(root, "deploy", "nginx", "nginx.conf.tmpl"),
		nginxConf{RunDir: dir, Listen: "127.0.0.1:1", Web: []string{"127.0.0.1:2", "127.0.0.1:3"}})
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "logs"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "nginx-temp"), 0o755))
	path := filepath.Join(dir, "nginx.conf")
	require.NoError(t, os.WriteFile(path, conf, 0o644))
	out, err := exec.Command(bin, "-t", "-p", dir, "-c", path, "-e", filepath.Join(dir, "logs", "err.log")).CombinedOutput()
	require.NoError(t, err, string(out))
}

// One small fleet (clients and the two web instances, plus whatever extras
// are installed) on free ports with its own database.
func TestFleet_StartKillRestartStopLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	db := fmt.Sprintf("fleet_test_%d", time.Now().UnixNano())
	ctx := context.Background()
	f, err := Start(ctx, Options{
		RunDir:   filepath.Join(dir, "run"),
		Database: db, DropDatabase: true, Services: []string{"clients", "web"},
		FreePorts: true, LogLevel: "warn", Out: testWriter{t},
	})
	require.NoError(t, err)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = f.Stop()
		}
	})

	for _, name := range []string{"clients", "web-1", "web-2"} {
		require.Equal(t, http.StatusOK, get(t, f.URL(name)+"/readyz"), name)
	}
	require.Equal(t, f.URL("web-1"), f.URL("web"), "a service run twice answers with its first instance")
	require.Empty(t, f.URL("stock"), "stock was not asked for")

	require.NoError(t, f.Kill("web-2"))
	_, err = http.Get(f.URL("web-2") + "/healthz")
	require.Error(t, err, "a killed process no longer answers")
	require.NoError(t, f.Restart(ctx, "web-2"))
	require.Equal(t, http.StatusOK, get(t, f.URL("web-2")+"/readyz"))
	require.NoError(t, f.RestartWith(ctx, "clients", map[string]string{"LOG_LEVEL": "debug"}))
	require.Equal(t, http.StatusOK, get(t, f.URL("clients")+"/readyz"))
	require.NoError(t, f.RestartWith(ctx, "clients", nil))

	var pids []int
	for _, p := range f.procs {
		pids = append(pids, p.pid())
	}
	require.NoError(t, f.Stop())
	stopped = true
	for _, pid := range pids {
		// Each process led its own group; nothing of any group may survive.
		err := syscall.Kill(-pid, 0)
		require.True(t, errors.Is(err, syscall.ESRCH), "process group %d still alive: %v", pid, err)
	}
	conn, err := pgx.Connect(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, db).Scan(&n))
	require.Zero(t, n, "the database is dropped")
}

func TestServiceProcs_ProcessEnvGoesOverEnvAndProcessOverService(t *testing.T) {
	f, err := newFleet(Options{
		Root: t.TempDir(), Services: []string{"orchestrator", "panier"},
		Env: map[string]string{"STEP_TIMEOUT": "5s", "X": "all"},
		ProcessEnv: map[string]map[string]string{
			"orchestrator": {"STEP_TIMEOUT": "300ms", "PAIEMENT_URL": "http://127.0.0.1:1"},
			"panier":       {"X": "panier"},
			"panier-2":     {"X": "panier-2"},
		},
	})
	require.NoError(t, err)
	f.adminDB = "postgres://postgres@127.0.0.1:5432/x"
	last := func(env []string, key string) string {
		v := ""
		for _, kv := range env {
			if k, val, _ := strings.Cut(kv, "="); k == key {
				v = val // exec uses the last value of a duplicate key
			}
		}
		return v
	}
	got := map[string][]string{}
	for _, p := range f.serviceProcs() {
		got[p.name] = p.env
	}
	require.Equal(t, "300ms", last(got["orchestrator"], "STEP_TIMEOUT"))
	require.Equal(t, "http://127.0.0.1:1", last(got["orchestrator"], "PAIEMENT_URL"))
	require.Equal(t, "all", last(got["orchestrator"], "X"))
	require.Equal(t, "panier", last(got["panier-1"], "X"))
	require.Equal(t, "panier-2", last(got["panier-2"], "X"))
	require.Equal(t, "5s", last(got["panier-1"], "STEP_TIMEOUT"))

	_, err = newFleet(Options{Root: t.TempDir(), ProcessEnv: map[string]map[string]string{"stok": {"A": "b"}}})
	require.ErrorContains(t, err, "stok")
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
