package check

import (
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"multimagasins/k8s/manifest"
)

// deployedAs is the Deployment that runs each compose service. Compose's
// second replicas (panier-2, web-2) are the same image on another port; here
// one Deployment holds every replica, and panier-2 stays a Service name
// because gateway/krakend.json balances to it.
var deployedAs = map[string]string{
	"identite": "identite", "clients": "clients", "stock": "stock", "commande": "commande", "paiement": "paiement",
	"panier-1": "panier", "panier-2": "panier", "orchestrator": "orchestrator",
	"web-1": "web", "web-2": "web", "krakend": "krakend", "jaeger": "jaeger",
}

// configuredPorts are the Deployments whose listeners are their config
// file's, not compose's published ports: compose publishes Jaeger's UI only,
// its OTLP ports being reached inside compose's network
// (TestJaeger_PortsAreTheConfigsListeners holds them to the config).
var configuredPorts = map[string]bool{"jaeger": true}

// replacedBy are the compose services with no Deployment here, and what does
// their work on Kubernetes.
var replacedBy = map[string]string{
	"postgres":   "the CloudNativePG Cluster multimagasins-db (base/postgres.yaml)",
	"secrets":    "Secrets made once by deploy/k8s/secrets.sh, out of git",
	"nginx":      "the Service web, which balances across its replicas, and the Ingress",
	"prometheus": "the cluster's own Prometheus, scraping pod annotations (deploy/k8s/prometheus)",
	"grafana":    "the cluster's own Grafana, fed by that Prometheus",
	"k6":         "a load run started by hand, not a workload",
}

// Every compose service is either deployed or knowingly replaced. A service
// built from this repository must be one of the two; a third-party container
// added to compose (a log shipper, say) is infrastructure the cluster
// provides, so it is reported, not failed.
func TestCompose_EveryServiceIsDeployedOrReplaced(t *testing.T) {
	p := loadCompose(t)
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		_, deployed := deployedAs[name]
		why, replaced := replacedBy[name]
		switch {
		case deployed && replaced:
			t.Errorf("%s is both deployed and replaced", name)
		case replaced:
			t.Logf("%s: not deployed, replaced by %s", name, why)
		case deployed:
		case s.Build != nil:
			t.Errorf("compose service %s is built from this repository but has no Deployment: add it to deployedAs and base", name)
		default:
			t.Logf("%s (%s): third-party container not deployed; the cluster provides its own", name, s.Image)
		}
	}
	for name := range deployedAs {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("deployedAs names %s, which docker-compose.yml no longer has", name)
		}
	}
	for _, o := range overlays {
		m := build(t, o)
		for _, d := range sortedKeys(m.Deployments) {
			if !slices.Contains(mapValues(deployedAs), d) {
				t.Errorf("%s: Deployment %s runs no compose service", o, d)
			}
		}
		for _, d := range mapValues(deployedAs) {
			if m.Deployments[d] == nil {
				t.Errorf("%s: no Deployment %s", o, d)
			}
		}
	}
}

// Each Deployment runs its compose service's image, listening on the same
// port (its PORT too), plus only the metrics port its annotations name.
// Every Service named after a compose service answers on that service's port
// and reaches its pods, so compose host names (krakend.json's, the *_URL
// values) work unchanged.
func TestCompose_ImagesAndPortsMatch(t *testing.T) {
	p := loadCompose(t)
	for _, o := range overlays {
		m := build(t, o)
		for _, name := range sortedKeys(deployedAs) {
			s, ok := p.Services[name]
			if !ok {
				continue // told by TestCompose_EveryServiceIsDeployedOrReplaced
			}
			d := m.Deployments[deployedAs[name]]
			if d == nil {
				continue
			}
			c := mainContainer(t, d)
			if c.Image != s.Image {
				t.Errorf("%s: %s runs image %q, compose's %s %q", o, d.Name, c.Image, name, s.Image)
			}
			if name != primary(d.Name) {
				continue
			}
			want := composePorts(t, s)
			var got []int
			for _, cp := range c.Ports {
				got = append(got, int(cp.ContainerPort))
			}
			if mp := metricsPort(t, d); mp != 0 && !slices.Contains(want, mp) {
				want = append(want, mp)
			}
			slices.Sort(got)
			slices.Sort(want)
			if configuredPorts[d.Name] {
				for _, p := range want {
					if !slices.Contains(got, p) {
						t.Errorf("%s: %s container ports = %v, without compose's %d", o, d.Name, got, p)
					}
				}
			} else if !slices.Equal(got, want) {
				t.Errorf("%s: %s container ports = %v, want compose's %v (and its metrics port)", o, d.Name, got, want)
			}
			if port, ok := s.Environment["PORT"]; ok && port != nil {
				if env := envOf(c)["PORT"]; env.Value != *port {
					t.Errorf("%s: %s PORT = %q, compose's %q", o, d.Name, env.Value, *port)
				}
			}
		}
		for _, name := range sortedKeys(m.Services) {
			svc := m.Services[name]
			s, ok := p.Services[name]
			if !ok {
				if _, isDeployment := m.Deployments[name]; !isDeployment {
					t.Errorf("%s: Service %s is neither a compose service nor a Deployment's name", o, name)
				}
				continue
			}
			d := selected(m, svc.Spec.Selector)
			if d == nil || d.Name != deployedAs[name] {
				t.Errorf("%s: Service %s selects %v, want the pods of %s", o, name, svc.Spec.Selector, deployedAs[name])
			}
			want := composePorts(t, s)
			if configuredPorts[name] {
				for _, p := range want {
					if !slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool { return int(sp.Port) == p }) {
						t.Errorf("%s: Service %s ports = %v, without compose's %d", o, name, svc.Spec.Ports, p)
					}
				}
			} else if len(svc.Spec.Ports) != 1 || !slices.Contains(want, int(svc.Spec.Ports[0].Port)) {
				t.Errorf("%s: Service %s ports = %v, want compose's %v", o, name, svc.Spec.Ports, want)
			}
		}
	}
}

// envExempt are the compose variables whose value differs here on purpose;
// each has its own check (named in the comment).
var envExempt = map[string]string{
	"DATABASE_URL":  "the CloudNativePG primary, with no password in it (TestCompose_DatabaseURLs)",
	"GOMEMLIMIT":    "about 90% of this container's memory limit (TestContainers_GoMemLimitFollowsTheMemoryLimit)",
	"INSTANCE":      "the pod's name (TestCompose_EnvironmentMatches)",
	"IDENTITE_DEMO": "demo accounts in dev only (TestOverlays_DemoAccountsInDevOnly)",
	"PUBLIC_URL":    "the public gateway, an Ingress host (TestCompose_PublicURLsAreIngressHosts)",
	"GATEWAY_URL":   "the public gateway, an Ingress host (TestCompose_PublicURLsAreIngressHosts)",
}

// extraEnv are the variables compose has no counterpart for.
var extraEnv = map[string]string{
	"PGPASSWORD": "the role's password from its Secret, which compose writes into DATABASE_URL",
	"GOMEMLIMIT": "KrakenD is a Go program too; compose sets it for the Go services only",
}

// selfVerifying are the services that check tokens with their own key, so
// they never read JWKS_URL (kit.Service.Verifier); compose sets it for every
// Go service through one anchor.
var selfVerifying = map[string]bool{"identite": true}

// Every container has compose's environment: the same variables with the
// same values (the peers' URLs, the *_FILE paths, the service client ids),
// but for the exemptions above.
func TestCompose_EnvironmentMatches(t *testing.T) {
	p := loadCompose(t)
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			d := m.Deployments[dname]
			s, ok := p.Services[primary(dname)]
			if !ok {
				continue
			}
			env := envOf(mainContainer(t, d))
			for _, k := range sortedKeys(s.Environment) {
				v := s.Environment[k]
				got, have := env[k]
				switch {
				case k == "JWKS_URL" && selfVerifying[dname]:
					if have {
						t.Errorf("%s: %s sets JWKS_URL, which it never reads", o, dname)
					}
				case k == "DB_MAX_CONNS" && s.Environment["DATABASE_URL"] == nil:
					// Compose's shared anchor gives it to web too, which has no pool.
				case k == "INSTANCE":
					if !have || got.ValueFrom == nil || got.ValueFrom.FieldRef == nil || got.ValueFrom.FieldRef.FieldPath != "metadata.name" {
						t.Errorf("%s: %s INSTANCE must be the pod's name (fieldRef metadata.name)", o, dname)
					}
				case envExempt[k] != "":
				case !have:
					t.Errorf("%s: %s lacks compose's %s", o, dname, k)
				case v == nil || got.ValueFrom != nil || got.Value != *v:
					t.Errorf("%s: %s %s = %q, compose's %v", o, dname, k, got.Value, deref(v))
				}
			}
			for k := range env {
				if _, ok := s.Environment[k]; !ok && extraEnv[k] == "" && !(k == "IDENTITE_DEMO" && dname == "identite") {
					t.Errorf("%s: %s sets %s, which compose does not: add it there or to extraEnv with the reason", o, dname, k)
				}
			}
		}
	}
}

// DATABASE_URL names the same role and database as compose's, at the
// Cluster's read-write Service, with TLS and no password; PGPASSWORD comes
// from the role's own Secret.
func TestCompose_DatabaseURLs(t *testing.T) {
	p := loadCompose(t)
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			s, ok := p.Services[primary(dname)]
			if !ok || s.Environment["DATABASE_URL"] == nil {
				continue
			}
			want, err := url.Parse(*s.Environment["DATABASE_URL"])
			if err != nil {
				t.Fatal(err)
			}
			env := envOf(mainContainer(t, m.Deployments[dname]))
			got, err := url.Parse(env["DATABASE_URL"].Value)
			if err != nil {
				t.Fatalf("%s: %s DATABASE_URL: %v", o, dname, err)
			}
			role := want.User.Username()
			if _, hasPassword := got.User.Password(); hasPassword || got.User.Username() != role {
				t.Errorf("%s: %s DATABASE_URL must name role %s and no password: %s", o, dname, role, got.Redacted())
			}
			if got.Path != want.Path || got.Query().Get("sslmode") != "require" {
				t.Errorf("%s: %s DATABASE_URL = %s, want database %s with sslmode=require", o, dname, got.Redacted(), want.Path)
			}
			if cluster := clusterOfHost(m, got.Host); cluster == nil {
				t.Errorf("%s: %s DATABASE_URL host %s is no Cluster's -rw Service", o, dname, got.Host)
			}
			pw := env["PGPASSWORD"]
			if pw.ValueFrom == nil || pw.ValueFrom.SecretKeyRef == nil ||
				pw.ValueFrom.SecretKeyRef.Name != "db-"+role || pw.ValueFrom.SecretKeyRef.Key != "password" {
				t.Errorf("%s: %s PGPASSWORD must come from Secret db-%s, key password", o, dname, role)
			}
		}
	}
}

// A public URL (what a browser or a token's reader is told) is the gateway's
// Ingress host, not a Service.
func TestCompose_PublicURLsAreIngressHosts(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		hosts := ingressHosts(m)
		for _, dname := range sortedKeys(m.Deployments) {
			env := envOf(mainContainer(t, m.Deployments[dname]))
			for _, k := range []string{"PUBLIC_URL", "GATEWAY_URL"} {
				v, ok := env[k]
				if !ok {
					continue
				}
				u, err := url.Parse(v.Value)
				if err != nil || u.Scheme == "" {
					t.Errorf("%s: %s %s = %q is not a URL", o, dname, k, v.Value)
					continue
				}
				if hosts[u.Hostname()] != "krakend" {
					t.Errorf("%s: %s %s host %s is not the Ingress host of the gateway (%v)", o, dname, k, u.Hostname(), hosts)
				}
			}
		}
	}
}

// composePorts are the container ports a compose service publishes.
func composePorts(t *testing.T, s types.ServiceConfig) []int {
	t.Helper()
	var ports []int
	for _, p := range s.Ports {
		ports = append(ports, int(p.Target))
	}
	if len(ports) == 0 {
		t.Fatalf("compose service %s publishes no port", s.Name)
	}
	return ports
}

// primary is the compose service whose settings a Deployment takes: its own
// name, or the first of its replicas.
func primary(deployment string) string {
	if _, ok := deployedAs[deployment]; ok {
		return deployment
	}
	return deployment + "-1"
}

// mainContainer is a Deployment's one container (each pod runs one).
func mainContainer(t *testing.T, d *appsv1.Deployment) corev1.Container {
	t.Helper()
	cs := d.Spec.Template.Spec.Containers
	if len(cs) != 1 || len(d.Spec.Template.Spec.InitContainers) != 0 {
		t.Fatalf("Deployment %s has %d containers and %d init containers, want one container",
			d.Name, len(cs), len(d.Spec.Template.Spec.InitContainers))
	}
	return cs[0]
}

func envOf(c corev1.Container) map[string]corev1.EnvVar {
	env := map[string]corev1.EnvVar{}
	for _, e := range c.Env {
		env[e.Name] = e
	}
	return env
}

// metricsPort is the port a Deployment's pods tell Prometheus to scrape.
func metricsPort(t *testing.T, d *appsv1.Deployment) int {
	t.Helper()
	a := d.Spec.Template.Annotations
	if a["prometheus.io/scrape"] != "true" {
		return 0
	}
	port, err := strconv.Atoi(a["prometheus.io/port"])
	if err != nil {
		t.Fatalf("%s: prometheus.io/port = %q", d.Name, a["prometheus.io/port"])
	}
	return port
}

// selected is the Deployment whose pods a selector picks (nil for none or
// several).
func selected(m *manifest.Manifest, selector map[string]string) *appsv1.Deployment {
	var found *appsv1.Deployment
	for _, name := range sortedKeys(m.Deployments) {
		d := m.Deployments[name]
		if matches(selector, d.Spec.Template.Labels) {
			if found != nil {
				return nil
			}
			found = d
		}
	}
	return found
}

// matches says whether every label of selector is on labels (an empty
// selector matches nothing here: nothing of ours should select everything).
func matches(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// clusterOfHost is the Cluster whose read-write Service is host[:port].
func clusterOfHost(m *manifest.Manifest, host string) *manifest.Cluster {
	h := host
	if u, err := url.Parse("//" + host); err == nil {
		h = u.Hostname()
	}
	for _, c := range m.Clusters {
		if h == c.Metadata.Name+"-rw" {
			return c
		}
	}
	return nil
}

// ingressHosts maps each Ingress host to the Service it sends to.
func ingressHosts(m *manifest.Manifest) map[string]string {
	hosts := map[string]string{}
	for _, ing := range m.Ingresses {
		for _, r := range ing.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				if p.Backend.Service != nil {
					hosts[r.Host] = p.Backend.Service.Name
				}
			}
		}
	}
	return hosts
}

func mapValues(m map[string]string) []string {
	var vs []string
	for _, k := range sortedKeys(m) {
		if !slices.Contains(vs, m[k]) {
			vs = append(vs, m[k])
		}
	}
	return vs
}

func deref(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}
