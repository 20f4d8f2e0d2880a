package check

import (
	"net"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"multimagasins/k8s/manifest"
)

// jaegerListeners are what the checks read of the config Jaeger's pods
// mount (deploy/jaeger/config.yaml): the port of each listener, after the
// container's env, and what else they depend on.
type jaegerListeners struct {
	OTLPGRPC, OTLPHTTP, QueryHTTP, QueryGRPC, Health int
	HealthPath                                       string
	MetricsLevel                                     string
}

// all is every port the config opens.
func (j jaegerListeners) all() []int {
	return []int{j.OTLPGRPC, j.OTLPHTTP, j.QueryHTTP, j.QueryGRPC, j.Health}
}

// healthStatusPath is the healthcheckv2 extension's status path when the
// config names none (the native launcher waits on it too).
const healthStatusPath = "/status"

// envDefault is the config's "${env:VAR:-default}" form of an endpoint.
var envDefault = regexp.MustCompile(`^\$\{env:([A-Z0-9_]+):-([^}]*)\}$`)

// jaegerConfig reads the config.yaml of the ConfigMap the jaeger Deployment
// mounts, and resolves each listener as Jaeger would in that container:
// the variable if the container sets it, else the default.
func jaegerConfig(t *testing.T, m *manifest.Manifest) jaegerListeners {
	t.Helper()
	raw := jaegerMountedConfig(t, m)
	type endpoint struct {
		Endpoint string `json:"endpoint"`
	}
	var cfg struct {
		Service struct {
			Telemetry struct {
				Metrics struct {
					Level string `json:"level"`
				} `json:"metrics"`
			} `json:"telemetry"`
		} `json:"service"`
		Extensions struct {
			Health struct {
				HTTP struct {
					Endpoint string `json:"endpoint"`
					Status   struct {
						Path string `json:"path"`
					} `json:"status"`
				} `json:"http"`
			} `json:"healthcheckv2"`
			Query struct {
				HTTP endpoint `json:"http"`
				GRPC endpoint `json:"grpc"`
			} `json:"jaeger_query"`
		} `json:"extensions"`
		Receivers struct {
			OTLP struct {
				Protocols struct {
					GRPC endpoint `json:"grpc"`
					HTTP endpoint `json:"http"`
				} `json:"protocols"`
			} `json:"otlp"`
		} `json:"receivers"`
	}
	if err := yaml.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatalf("jaeger config.yaml: %v", err)
	}
	env := envOf(mainContainer(t, m.Deployments["jaeger"]))
	port := func(what, raw string) int {
		if raw == "" {
			t.Fatalf("jaeger config.yaml: %s names no endpoint (Jaeger's default would be on localhost only)", what)
		}
		if mm := envDefault.FindStringSubmatch(raw); mm != nil {
			raw = mm[2]
			if e, ok := env[mm[1]]; ok {
				raw = e.Value
			}
		}
		_, p, err := net.SplitHostPort(raw)
		n, perr := strconv.Atoi(p)
		if err != nil || perr != nil {
			t.Fatalf("jaeger config.yaml: %s endpoint %q is not host:port", what, raw)
		}
		return n
	}
	j := jaegerListeners{
		OTLPGRPC:     port("receivers.otlp.protocols.grpc", cfg.Receivers.OTLP.Protocols.GRPC.Endpoint),
		OTLPHTTP:     port("receivers.otlp.protocols.http", cfg.Receivers.OTLP.Protocols.HTTP.Endpoint),
		QueryHTTP:    port("extensions.jaeger_query.http", cfg.Extensions.Query.HTTP.Endpoint),
		QueryGRPC:    port("extensions.jaeger_query.grpc", cfg.Extensions.Query.GRPC.Endpoint),
		Health:       port("extensions.healthcheckv2.http", cfg.Extensions.Health.HTTP.Endpoint),
		HealthPath:   cfg.Extensions.Health.HTTP.Status.Path,
		MetricsLevel: cfg.Service.Telemetry.Metrics.Level,
	}
	if j.HealthPath == "" {
		j.HealthPath = healthStatusPath
	}
	return j
}

// jaegerMountedConfig is the config.yaml of the ConfigMap mounted where
// the jaeger container's --config argument points.
func jaegerMountedConfig(t *testing.T, m *manifest.Manifest) string {
	t.Helper()
	d := m.Deployments["jaeger"]
	if d == nil {
		t.Fatal("no jaeger Deployment")
	}
	c := mainContainer(t, d)
	var file string
	for _, a := range c.Args {
		if f, ok := strings.CutPrefix(a, "--config="); ok {
			file = f
		}
	}
	dir, name := path.Split(file)
	for _, vm := range c.VolumeMounts {
		if path.Clean(vm.MountPath) != path.Clean(dir) {
			continue
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name == vm.Name && v.ConfigMap != nil {
				if cm := m.ConfigMaps[v.ConfigMap.Name]; cm != nil && cm.Data[name] != "" {
					return cm.Data[name]
				}
			}
		}
	}
	t.Fatalf("jaeger's --config %q is no file of a mounted ConfigMap", file)
	return ""
}

// Jaeger's pods declare the listeners its config opens (OTLP in, the query
// API and UI, the health check) and no port it does not; its Service offers
// exactly the two OTLP ports and the UI, each reaching the container port
// of the same number.
func TestJaeger_PortsAreTheConfigsListeners(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		j := jaegerConfig(t, m)
		c := mainContainer(t, m.Deployments["jaeger"])
		var got []int
		for _, cp := range c.Ports {
			got = append(got, int(cp.ContainerPort))
			if !slices.Contains(j.all(), int(cp.ContainerPort)) {
				t.Errorf("%s: jaeger declares port %d, which its config opens no listener on (%v)", o, cp.ContainerPort, j.all())
			}
		}
		for _, p := range []int{j.OTLPGRPC, j.OTLPHTTP, j.QueryHTTP, j.Health} {
			if !slices.Contains(got, p) {
				t.Errorf("%s: jaeger's container does not declare its config's port %d", o, p)
			}
		}
		svc := m.Services["jaeger"]
		if svc == nil {
			t.Fatalf("%s: no Service jaeger, the exporters' host", o)
		}
		var svcPorts []int
		for _, sp := range svc.Spec.Ports {
			svcPorts = append(svcPorts, int(sp.Port))
			if target := servicePortTarget(c, sp); target != int(sp.Port) {
				t.Errorf("%s: Service jaeger port %d leads to container port %d", o, sp.Port, target)
			}
		}
		want := []int{j.OTLPGRPC, j.OTLPHTTP, j.QueryHTTP}
		slices.Sort(svcPorts)
		slices.Sort(want)
		if !slices.Equal(svcPorts, want) {
			t.Errorf("%s: Service jaeger ports %v, want OTLP gRPC, OTLP HTTP and the UI %v", o, svcPorts, want)
		}
	}
}

// servicePortTarget is the container port a Service port leads to (0 for none).
func servicePortTarget(c corev1.Container, sp corev1.ServicePort) int {
	for _, cp := range c.Ports {
		if (sp.TargetPort.StrVal != "" && cp.Name == sp.TargetPort.StrVal) ||
			(sp.TargetPort.StrVal == "" && cp.ContainerPort == sp.TargetPort.IntVal) {
			return int(cp.ContainerPort)
		}
	}
	return 0
}
