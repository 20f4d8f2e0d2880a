package compose

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"multimagasins/kit/kittest"
)

// tool finds a binary on PATH (or at fallback); the test is skipped without
// it: .ci/run installs promtool and nginx, a developer may not have them.
func tool(t *testing.T, name, fallback string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if fallback != "" {
		if _, err := os.Stat(fallback); err == nil {
			return fallback
		}
	}
	t.Skipf("%s is not installed", name)
	return ""
}

func runTool(t *testing.T, dir, bin string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	t.Logf("%s %s:\n%s", filepath.Base(bin), strings.Join(args, " "), bytes.TrimSpace(out))
}

// copyDir copies the files of src (not its subfolders) into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPrometheus_PromtoolAcceptsConfigAndRules runs promtool on a copy of
// deploy/prometheus laid out as the container sees it (the folder mounted
// whole at /etc/prometheus), so rule_files resolves as it will there.
func TestPrometheus_PromtoolAcceptsConfigAndRules(t *testing.T) {
	promtool := tool(t, "promtool", "/usr/bin/promtool")
	etc := t.TempDir()
	copyDir(t, filepath.Join(kittest.RepoRoot(t), "deploy", "prometheus"), etc)

	t.Run("check config", func(t *testing.T) {
		runTool(t, etc, promtool, "check", "config", filepath.Join(etc, "prometheus.yml"))
	})
	t.Run("check rules", func(t *testing.T) {
		runTool(t, etc, promtool, "check", "rules", filepath.Join(etc, "rules.yml"))
	})
	t.Run("test rules", func(t *testing.T) {
		runTool(t, etc, promtool, "test", "rules", filepath.Join(etc, "rules_test.yml"))
	})
}

type promConfig struct {
	Global struct {
		ScrapeInterval string `yaml:"scrape_interval"`
	} `yaml:"global"`
	RuleFiles     []string `yaml:"rule_files"`
	ScrapeConfigs []struct {
		JobName        string `yaml:"job_name"`
		ScrapeInterval string `yaml:"scrape_interval"`
		StaticConfigs  []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

// TestPrometheus_ScrapesEveryContainerEveryFiveSeconds: every metrics
// endpoint of the compose project is a target, on its compose host name and
// port, at 5 s; and every alert rule is loaded and tested.
func TestPrometheus_ScrapesEveryContainerEveryFiveSeconds(t *testing.T) {
	root := kittest.RepoRoot(t)
	src, err := os.ReadFile(filepath.Join(root, "deploy", "prometheus", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg promConfig
	if err := yaml.Unmarshal(src, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Global.ScrapeInterval != "5s" {
		t.Errorf("global scrape_interval = %q, want 5s", cfg.Global.ScrapeInterval)
	}
	if !slices.Contains(cfg.RuleFiles, "rules.yml") {
		t.Errorf("rule_files = %v, want rules.yml", cfg.RuleFiles)
	}

	p := loadProject(t)
	var targets []string
	for _, job := range cfg.ScrapeConfigs {
		if job.ScrapeInterval != "" && job.ScrapeInterval != "5s" {
			t.Errorf("job %s scrapes every %s, want 5s", job.JobName, job.ScrapeInterval)
		}
		for _, sc := range job.StaticConfigs {
			for _, target := range sc.Targets {
				targets = append(targets, target)
				host, port, err := net.SplitHostPort(target)
				if err != nil {
					t.Errorf("job %s target %q: %v", job.JobName, target, err)
					continue
				}
				if _, ok := p.Services[host]; !ok {
					t.Errorf("job %s target %q: no compose service %q", job.JobName, target, host)
				}
				want := strconv.Itoa(designPorts[host])
				if host == "krakend" {
					want = "9090" // KrakenD's Prometheus exporter, beside its 8080
				}
				if port != want {
					t.Errorf("job %s target %q: want port %s", job.JobName, target, want)
				}
			}
		}
	}
	for name := range designPorts {
		if name == "nginx" || name == "grafana" || name == "jaeger" {
			continue // no Prometheus endpoint of their own in this setup (Jaeger's is off: deploy/jaeger/config.yaml)
		}
		if !slices.ContainsFunc(targets, func(s string) bool { return strings.HasPrefix(s, name+":") }) {
			t.Errorf("%s is not scraped", name)
		}
	}

	// Every alert of rules.yml has a promtool unit test.
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert string `yaml:"alert"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	rsrc, err := os.ReadFile(filepath.Join(root, "deploy", "prometheus", "rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(rsrc, &rules); err != nil {
		t.Fatal(err)
	}
	tests, err := os.ReadFile(filepath.Join(root, "deploy", "prometheus", "rules_test.yml"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			n++
			if !strings.Contains(string(tests), "alertname: "+r.Alert+"\n") {
				t.Errorf("alert %s has no test in rules_test.yml", r.Alert)
			}
		}
	}
	if n < 5 {
		t.Errorf("%d alerts, want at least 5 (errors, latency, target down, saga failures, stock)", n)
	}
}

// TestGateway_BackendsAreComposeServices: KrakenD in compose reaches the
// services by their compose names and DESIGN ports.
func TestGateway_BackendsAreComposeServices(t *testing.T) {
	path := filepath.Join(kittest.RepoRoot(t), "gateway", "krakend.json")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the gateway configuration: %v", err)
	}
	var cfg struct {
		Port      int `json:"port"`
		Endpoints []struct {
			Endpoint string `json:"endpoint"`
			Backend  []struct {
				Host []string `json:"host"`
			} `json:"backend"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(src, &cfg); err != nil {
		t.Fatalf("gateway/krakend.json: %v", err)
	}
	if cfg.Port != 0 && cfg.Port != designPorts["krakend"] {
		t.Errorf("krakend.json port = %d, want %d", cfg.Port, designPorts["krakend"])
	}
	p := loadProject(t)
	for _, e := range cfg.Endpoints {
		for _, b := range e.Backend {
			for _, h := range b.Host {
				u, err := url.Parse(h)
				if err != nil {
					t.Errorf("%s: host %q: %v", e.Endpoint, h, err)
					continue
				}
				if _, ok := p.Services[u.Hostname()]; !ok {
					t.Errorf("%s: host %q is not a compose service", e.Endpoint, h)
				} else if u.Port() != strconv.Itoa(designPorts[u.Hostname()]) {
					t.Errorf("%s: host %q: %s listens on %d", e.Endpoint, h, u.Hostname(), designPorts[u.Hostname()])
				}
			}
		}
	}
}

// TestNginx_ComposeConfIsValid runs `nginx -t` on deploy/nginx/compose.conf
// with the compose host names swapped for loopback (nginx resolves upstream
// names while testing) and /tmp swapped for a temporary folder (nginx -t
// creates its temp directories).
func TestNginx_ComposeConfIsValid(t *testing.T) {
	root := kittest.RepoRoot(t)
	src, err := os.ReadFile(filepath.Join(root, "deploy", "nginx", "compose.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := string(src)

	// What compose relies on: the round-robin over both web instances with
	// passive health checks and keepalive, on 8088, and the request id.
	for _, want := range []string{
		"server web-1:8004 max_fails=", "server web-2:8005 max_fails=", "fail_timeout=",
		"keepalive ", "listen 8088;", "proxy_set_header X-Request-ID", "$request_id", "location = /nginx-health",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("compose.conf lacks %q", want)
		}
	}

	nginx := tool(t, "nginx", "/usr/sbin/nginx")
	dir := t.TempDir()
	conf = regexp.MustCompile(`\bweb-[12]:`).ReplaceAllString(conf, "127.0.0.1:")
	conf = strings.ReplaceAll(conf, " /tmp/", " "+dir+"/")
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, dir, nginx, "-t", "-q", "-p", dir, "-c", path)
}
