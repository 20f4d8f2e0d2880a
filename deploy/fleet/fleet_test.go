package fleet

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
// are installed) on free ports with its own database and secrets.
func TestFleet_StartKillRestartStopLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	db := fmt.Sprintf("fleet_test_%d", time.Now().UnixNano())
	ctx := context.Background()
	key := testSigningKey(t)
	f, err := Start(ctx, Options{
		RunDir:   filepath.Join(dir, "run"),
		Database: db, DropDatabase: true, Services: []string{"clients", "web"},
		FreePorts: true, LogLevel: "warn", Out: testWriter{t}, SigningKey: key,
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

	// identite made the secrets even though it does not run; the given key
	// is the signing key; nobody else may read them.
	info, err := os.Stat(f.SecretsDir())
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	for _, name := range secretFiles() {
		require.FileExists(t, f.SecretPath(name))
	}
	got, err := os.ReadFile(f.SecretPath(SigningKeyFile))
	require.NoError(t, err)
	require.Equal(t, key, got)

	// Nothing of a dev fleet is reachable from the network.
	if ls, ok := listeners(t); ok {
		for _, p := range f.procs {
			require.NotEmpty(t, ls[p.port], "%s listens on no port %d", p.name, p.port)
			for _, addr := range ls[p.port] {
				require.Equal(t, "127.0.0.1", addr, "%s listens on %s:%d", p.name, addr, p.port)
			}
		}
	}
	require.Empty(t, f.URL("stock"), "stock was not asked for")

	require.NoError(t, f.Kill("web-2"))
	_, err = http.Get(f.URL("web-2") + "/healthz")
	require.Error(t, err, "a killed process no longer answers")
	require.NoError(t, f.Restart(ctx, "web-2"))
	require.Equal(t, http.StatusOK, get(t, f.URL("web-2")+"/readyz"))
	require.Zero(t, f.Restarts("web-2"), "Kill is the launcher's doing: no restart behind its back")

	// A crash (kill -9 from outside the launcher) is restarted with backoff.
	crashed := f.find("web-2").pid()
	require.NoError(t, syscall.Kill(-crashed, syscall.SIGKILL))
	require.Eventually(t, func() bool {
		if f.find("web-2").pid() == crashed {
			return false
		}
		resp, err := http.Get(f.URL("web-2") + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 50*time.Millisecond, "web-2 is back after its crash")
	require.Equal(t, 1, f.Restarts("web-2"))
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

// Every service checks tokens against identite's key set; each secret is a
// file of the secrets directory, named by a *_FILE variable, never a value.
func TestServiceProcs_NameEverySecretAsAFileOfTheSecretsDirectory(t *testing.T) {
	f, err := newFleet(Options{Root: t.TempDir(), RunDir: filepath.Join(t.TempDir(), "run")})
	require.NoError(t, err)
	f.adminDB = "postgres://postgres@127.0.0.1:5432/x"
	require.Equal(t, filepath.Join(f.opts.RunDir, "secrets"), f.SecretsDir(), "outside git, beside the run's other state")
	env := map[string]map[string]string{}
	for _, p := range f.serviceProcs() {
		env[p.name] = map[string]string{}
		for _, kv := range p.env {
			k, v, _ := strings.Cut(kv, "=")
			env[p.name][k] = v // exec uses the last value of a duplicate key
		}
		require.Equal(t, "127.0.0.1:"+itoa(f.ports[p.name]), env[p.name]["ADDR"], "%s listens on loopback only", p.name)
		require.Equal(t, "http://127.0.0.1:8009/.well-known/jwks.json", env[p.name]["JWKS_URL"], p.name)
		for k, v := range env[p.name] {
			if os.Getenv(k) == v {
				continue // the launcher's own environment, passed through
			}
			if strings.HasSuffix(k, "_FILE") {
				require.Equal(t, f.SecretsDir(), filepath.Dir(v), "%s %s", p.name, k)
			}
			if strings.Contains(k, "SECRET") || strings.HasSuffix(k, "_KEY") {
				require.True(t, strings.HasSuffix(k, "_FILE"), "%s gets %s as a value", p.name, k)
			}
		}
	}
	id := env["identite"]
	require.Equal(t, f.SecretPath(SigningKeyFile), id["IDENTITE_SIGNING_KEY_FILE"])
	require.Equal(t, f.SecretPath(ServiceClientsFile), id["IDENTITE_SERVICE_CLIENTS_FILE"])
	require.Equal(t, "1", id["IDENTITE_DEMO"], "the demo staff accounts by default")
	require.Equal(t, "http://127.0.0.1:8001", id["CLIENTS_URL"], "a sign-up creates the client")
	require.NotEmpty(t, id["PUBLIC_URL"])
	for _, name := range []string{"orchestrator", "panier-1", "panier-2"} {
		svc := strings.TrimSuffix(strings.TrimSuffix(name, "-1"), "-2")
		require.Equal(t, "http://127.0.0.1:8009/auth/jeton", env[name]["TOKEN_URL"], name)
		require.Equal(t, svc, env[name]["SERVICE_CLIENT_ID"], name)
		require.Equal(t, f.SecretPath(ServiceSecretFile(svc)), env[name]["SERVICE_CLIENT_SECRET_FILE"], name)
	}
	for _, name := range []string{"web-1", "web-2"} {
		require.Equal(t, f.SecretPath(SessionKeyFile), env[name]["SESSION_KEY_FILE"], "both instances share one session key")
		require.Equal(t, "http://127.0.0.1:8009", env[name]["IDENTITE_URL"])
	}
	require.NotContains(t, env["stock"], "SERVICE_CLIENT_ID", "stock calls no one")

	f, err = newFleet(Options{Root: t.TempDir(), NoDemoAccounts: true})
	require.NoError(t, err)
	for _, p := range f.serviceProcs() {
		if p.name == "identite" {
			require.NotContains(t, strings.Join(p.env, "\n"), "IDENTITE_DEMO=")
		}
	}
}

func testSigningKey(t *testing.T) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// listeners reads the kernel's table of listening TCP sockets: the local
// addresses listening on each port. false where there is no /proc/net/tcp.
func listeners(t *testing.T) (map[int][]string, bool) {
	t.Helper()
	out := map[int][]string{}
	found := false
	for _, file := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		found = true
		for _, line := range strings.Split(string(raw), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 4 || fields[3] != "0A" { // 0A: LISTEN
				continue
			}
			hexIP, hexPort, _ := strings.Cut(fields[1], ":")
			port, err := strconv.ParseInt(hexPort, 16, 32)
			require.NoError(t, err)
			ip, err := hex.DecodeString(hexIP)
			require.NoError(t, err)
			// The kernel prints each 32-bit word in host (little-endian) order.
			for i := 0; i+4 <= len(ip); i += 4 {
				ip[i], ip[i+1], ip[i+2], ip[i+3] = ip[i+3], ip[i+2], ip[i+1], ip[i]
			}
			addr := net.IP(ip).String()
			if v4 := net.IP(ip).To4(); v4 != nil {
				addr = v4.String()
			}
			out[int(port)] = append(out[int(port)], addr)
		}
	}
	return out, found
}
