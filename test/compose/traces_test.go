package compose

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"multimagasins/kit/kittest"
)

// jaegerDefault is the default address of a listener in
// deploy/jaeger/config.yaml: "${env:JAEGER_OTLP_HTTP:-0.0.0.0:4318}".
func jaegerDefault(t *testing.T, conf, key string) (host string, port int) {
	t.Helper()
	m := regexp.MustCompile(`\$\{env:` + key + `:-([^}]*)\}`).FindStringSubmatch(conf)
	if m == nil {
		t.Fatalf("deploy/jaeger/config.yaml sets no %s", key)
	}
	i := strings.LastIndex(m[1], ":")
	p, err := strconv.Atoi(m[1][i+1:])
	if err != nil {
		t.Fatalf("%s default %q: %v", key, m[1], err)
	}
	return m[1][:i], p
}

// TestCompose_TracesGoToJaeger: every Go service posts its traces to the
// jaeger service on the port its config receives OTLP/HTTP on, KrakenD sends
// to the one it receives OTLP/gRPC on and waits for it, and Jaeger runs the
// config the native launcher runs, listening inside the network.
func TestCompose_TracesGoToJaeger(t *testing.T) {
	p := loadProject(t)
	root := kittest.RepoRoot(t)
	raw, err := os.ReadFile(filepath.Join(root, "deploy", "jaeger", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	conf := string(raw)
	httpHost, httpPort := jaegerDefault(t, conf, "JAEGER_OTLP_HTTP")
	grpcHost, grpcPort := jaegerDefault(t, conf, "JAEGER_OTLP_GRPC")
	if httpHost != "0.0.0.0" || grpcHost != "0.0.0.0" {
		t.Errorf("in compose Jaeger must listen on the network: OTLP on %s and %s", httpHost, grpcHost)
	}

	j, ok := p.Services["jaeger"]
	if !ok {
		t.Fatal("no jaeger service")
	}
	if !strings.HasPrefix(j.Image, "jaegertracing/jaeger:2.") {
		t.Errorf("jaeger image %q, want jaegertracing/jaeger:2.x (Jaeger v2, whose config this is)", j.Image)
	}
	if !strings.Contains(strings.Join(j.Command, " "), "--config=/etc/jaeger/config.yaml") {
		t.Errorf("jaeger command %v does not run deploy/jaeger/config.yaml", j.Command)
	}

	jobs := oneShots(p)
	exporting := 0
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Build == nil || jobs[name] {
			continue // not a Go service, or a job that serves nothing
		}
		exporting++
		u, err := url.Parse(env(s, "OTEL_EXPORTER_OTLP_ENDPOINT"))
		if err != nil || u.Scheme != "http" || u.Hostname() != "jaeger" || u.Port() != strconv.Itoa(httpPort) {
			t.Errorf("%s OTEL_EXPORTER_OTLP_ENDPOINT=%q, want http://jaeger:%d", name, env(s, "OTEL_EXPORTER_OTLP_ENDPOINT"), httpPort)
		}
	}
	if exporting == 0 {
		t.Error("no Go service exports traces")
	}

	var k struct {
		ExtraConfig struct {
			Otel struct {
				Exporters struct {
					OTLP []struct {
						Host          string `json:"host"`
						Port          int    `json:"port"`
						UseHTTP       bool   `json:"use_http"`
						DisableTraces bool   `json:"disable_traces"`
					} `json:"otlp"`
				} `json:"exporters"`
			} `json:"telemetry/opentelemetry"`
		} `json:"extra_config"`
	}
	raw, err = os.ReadFile(filepath.Join(root, "gateway", "krakend.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		t.Fatal(err)
	}
	otlp := k.ExtraConfig.Otel.Exporters.OTLP
	if len(otlp) != 1 || otlp[0].Host != "jaeger" || otlp[0].Port != grpcPort || otlp[0].UseHTTP || otlp[0].DisableTraces {
		t.Errorf("krakend.json OTLP exporters %+v, want traces to jaeger:%d over gRPC", otlp, grpcPort)
	}
	if _, ok := p.Services["krakend"].DependsOn["jaeger"]; !ok {
		t.Error("krakend does not wait for jaeger")
	}
}
