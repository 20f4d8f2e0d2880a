package check

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"multimagasins/k8s/manifest"
	"multimagasins/kit/kittest"
)

// The callers from outside the namespace, as NetworkPolicy peers: the
// cluster's Prometheus, the ingress-nginx controller, and the CloudNativePG
// operator (README.md says how to change them for another installation).
var (
	prometheusPeer = peer{Namespace: "monitoring", Pod: "app.kubernetes.io/name=prometheus"}
	ingressPeer    = peer{Namespace: "ingress-nginx", Pod: "app.kubernetes.io/name=ingress-nginx"}
	operatorPeer   = peer{Namespace: "cnpg-system", Pod: "app.kubernetes.io/name=cloudnative-pg"}
)

// The CloudNativePG ports: PostgreSQL, the instance manager's status
// endpoint the operator polls, and the metrics exporter.
const (
	postgresPort = 5432
	statusPort   = 8000
	exporterPort = 9187
)

// publicURLVars hold addresses given to browsers and token readers, not
// calls made from inside the cluster.
var publicURLVars = map[string]bool{"PUBLIC_URL": true, "GATEWAY_URL": true}

// peer is one NetworkPolicy "from" entry: pods with one label in this
// namespace (Namespace empty) or in another namespace.
type peer struct {
	Namespace string
	Pod       string // "key=value"
}

func (p peer) String() string {
	if p.Namespace == "" {
		return p.Pod
	}
	return p.Namespace + "/" + p.Pod
}

// allow is one permitted connection: from a peer to the pods of a target
// (the label "key=value" every policy selects by) on a port.
type allow struct {
	To   string
	From peer
	Port int
}

func (a allow) String() string { return fmt.Sprintf("%s -> %s:%d", a.From, a.To, a.Port) }

// podLabel is the one label every workload's pods carry and every policy
// selects by.
const podLabel = "app.kubernetes.io/name"

// expectedAllows is what the NetworkPolicies must admit, computed from the
// built manifests and the code's own configuration, and nothing else:
//   - each Deployment's *_URL whose host is a Service: that call;
//   - each Deployment's OTLP endpoint (OTEL_EXPORTER_OTLP_*ENDPOINT): its trace exports;
//   - each DATABASE_URL: the Cluster's PostgreSQL port;
//   - each backend host, jwk_url and OTLP exporter of krakend.json (its
//     ConfigMap): the gateway's calls;
//   - each Ingress backend: the ingress controller;
//   - each pod and Cluster annotated for scraping: Prometheus, on that port;
//   - the Cluster's own instances (replication) and the operator.
func expectedAllows(t *testing.T, m *manifest.Manifest) map[allow]string {
	t.Helper()
	want := map[allow]string{}
	add := func(a allow, why string) {
		if _, ok := want[a]; !ok {
			want[a] = why
		}
	}
	self := func(dname string) peer { return peer{Pod: podLabel + "=" + dname} }
	for _, dname := range sortedKeys(m.Deployments) {
		d := m.Deployments[dname]
		c := mainContainer(t, d)
		for _, e := range c.Env {
			switch {
			case e.Name == "DATABASE_URL":
				u, err := url.Parse(e.Value)
				if err != nil {
					t.Fatalf("%s DATABASE_URL: %v", dname, err)
				}
				cl := clusterOfHost(m, u.Host)
				if cl == nil {
					t.Fatalf("%s DATABASE_URL host %s is no Cluster's", dname, u.Host)
				}
				port := postgresPort
				if u.Port() != "" {
					port, _ = strconv.Atoi(u.Port())
				}
				add(allow{To: "cnpg.io/cluster=" + cl.Metadata.Name, From: self(dname), Port: port}, dname+" DATABASE_URL")
			case strings.HasSuffix(e.Name, "_URL") && !publicURLVars[e.Name], isOTLPEndpoint(e.Name):
				to, port := callTarget(t, m, e.Value, dname+" "+e.Name)
				add(allow{To: to, From: self(dname), Port: port}, dname+" "+e.Name)
			}
		}
		if p := metricsPort(t, d); p != 0 {
			add(allow{To: podLabel + "=" + dname, From: prometheusPeer, Port: p}, dname+" prometheus.io/port")
		}
	}
	k := krakendConfig(t, m)
	for _, h := range k.calls {
		to, port := callTarget(t, m, h, "krakend.json "+h)
		add(allow{To: to, From: self("krakend"), Port: port}, "krakend.json "+h)
	}
	for _, ing := range m.Ingresses {
		for _, r := range ing.Spec.Rules {
			for _, p := range r.HTTP.Paths {
				svc := p.Backend.Service
				to, port := callTarget(t, m, "http://"+svc.Name+":"+strconv.Itoa(int(svc.Port.Number)), "Ingress "+r.Host)
				add(allow{To: to, From: ingressPeer, Port: port}, "Ingress "+r.Host)
			}
		}
	}
	for _, name := range sortedKeys(m.Clusters) {
		cl := m.Clusters[name]
		to := "cnpg.io/cluster=" + name
		add(allow{To: to, From: peer{Pod: to}, Port: postgresPort}, "replication between the instances of "+name)
		add(allow{To: to, From: operatorPeer, Port: postgresPort}, "the operator's SQL")
		add(allow{To: to, From: operatorPeer, Port: statusPort}, "the operator's status checks")
		if a := cl.Spec.InheritedMetadata.Annotations; a["prometheus.io/scrape"] == "true" {
			p, err := strconv.Atoi(a["prometheus.io/port"])
			if err != nil || p != exporterPort {
				t.Errorf("Cluster %s: prometheus.io/port = %q, want the exporter's %d", name, a["prometheus.io/port"], exporterPort)
			}
			add(allow{To: to, From: prometheusPeer, Port: p}, name+" exporter")
		}
	}
	return want
}

// isOTLPEndpoint says whether an env variable is one the OpenTelemetry SDK
// sends to: the endpoint of every signal, or of one
// (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).
func isOTLPEndpoint(name string) bool {
	rest, ok := strings.CutPrefix(name, "OTEL_EXPORTER_OTLP_")
	return ok && strings.HasSuffix(rest, "ENDPOINT")
}

// callTarget resolves an in-cluster URL: its host must be a Service, whose
// port leads to a container port of the pods it selects.
func callTarget(t *testing.T, m *manifest.Manifest, raw, what string) (to string, port int) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Port() == "" {
		t.Fatalf("%s: %q is not http://<service>:<port>", what, raw)
	}
	svc := m.Services[u.Hostname()]
	if svc == nil {
		t.Fatalf("%s: host %s is no Service of the build", what, u.Hostname())
	}
	want, _ := strconv.Atoi(u.Port())
	d := selected(m, svc.Spec.Selector)
	if d == nil {
		t.Fatalf("%s: Service %s selects no single Deployment", what, svc.Name)
	}
	for _, sp := range svc.Spec.Ports {
		if int(sp.Port) != want {
			continue
		}
		c := mainContainer(t, d)
		for _, cp := range c.Ports {
			if (sp.TargetPort.StrVal != "" && cp.Name == sp.TargetPort.StrVal) ||
				(sp.TargetPort.StrVal == "" && cp.ContainerPort == sp.TargetPort.IntVal) {
				return podLabel + "=" + d.Name, int(cp.ContainerPort)
			}
		}
	}
	t.Fatalf("%s: Service %s has no port %d leading to a container port of %s", what, svc.Name, want, d.Name)
	return "", 0
}

// actualAllows flattens the NetworkPolicies into the connections they admit.
// Only the forms written here are understood (one matchLabels label, numeric
// TCP ports); anything else fails rather than being misread.
func actualAllows(t *testing.T, m *manifest.Manifest) (allows map[allow]string, denyAll bool) {
	t.Helper()
	allows = map[allow]string{}
	for _, p := range m.Policies {
		if !slices.Equal(p.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) {
			t.Errorf("NetworkPolicy %s: policyTypes = %v, want [Ingress]", p.Name, p.Spec.PolicyTypes)
		}
		sel := p.Spec.PodSelector
		if len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0 {
			if len(p.Spec.Ingress) != 0 {
				t.Errorf("NetworkPolicy %s selects every pod and admits something", p.Name)
			}
			denyAll = true
			continue
		}
		to := oneLabel(t, p.Name, sel.MatchLabels, len(sel.MatchExpressions))
		for _, rule := range p.Spec.Ingress {
			if len(rule.From) == 0 || len(rule.Ports) == 0 {
				t.Errorf("NetworkPolicy %s: a rule without from or ports admits everyone or every port", p.Name)
				continue
			}
			for _, f := range rule.From {
				if f.IPBlock != nil || f.PodSelector == nil {
					t.Errorf("NetworkPolicy %s: a peer without a podSelector (or with an ipBlock)", p.Name)
					continue
				}
				pr := peer{Pod: oneLabel(t, p.Name, f.PodSelector.MatchLabels, len(f.PodSelector.MatchExpressions))}
				if f.NamespaceSelector != nil {
					ns := oneLabel(t, p.Name, f.NamespaceSelector.MatchLabels, len(f.NamespaceSelector.MatchExpressions))
					name, ok := strings.CutPrefix(ns, "kubernetes.io/metadata.name=")
					if !ok {
						t.Errorf("NetworkPolicy %s: namespaceSelector %s is not by name", p.Name, ns)
					}
					pr.Namespace = name
				}
				for _, port := range rule.Ports {
					if port.Port == nil || port.Port.StrVal != "" || port.EndPort != nil ||
						(port.Protocol != nil && *port.Protocol != corev1.ProtocolTCP) {
						t.Errorf("NetworkPolicy %s: port %v is not one numeric TCP port", p.Name, port)
						continue
					}
					allows[allow{To: to, From: pr, Port: int(port.Port.IntVal)}] = "NetworkPolicy " + p.Name
				}
			}
		}
	}
	return allows, denyAll
}

func oneLabel(t *testing.T, policy string, labels map[string]string, expressions int) string {
	t.Helper()
	if len(labels) != 1 || expressions != 0 {
		t.Fatalf("NetworkPolicy %s: selector %v: one matchLabels label expected", policy, labels)
	}
	for k, v := range labels {
		return k + "=" + v
	}
	return ""
}

// The NetworkPolicies deny every ingress by default and admit exactly the
// calls the services make: no call the code makes is blocked, and nothing
// is admitted that no code calls.
func TestNetworkPolicies_AdmitExactlyTheCallsTheCodeMakes(t *testing.T) {
	for _, o := range overlays {
		t.Run(o, func(t *testing.T) {
			m := build(t, o)
			want := expectedAllows(t, m)
			got, denyAll := actualAllows(t, m)
			if !denyAll {
				t.Error("no default-deny NetworkPolicy (podSelector {} with no ingress rule)")
			}
			for _, a := range sortedAllows(want) {
				if _, ok := got[a]; !ok {
					t.Errorf("blocked: %s, needed by %s", a, want[a])
				}
			}
			for _, a := range sortedAllows(got) {
				if _, ok := want[a]; !ok {
					t.Errorf("admitted for no caller: %s (%s)", a, got[a])
				}
			}
			// Every pod of ours is covered by a policy of its own.
			for _, d := range sortedKeys(m.Deployments) {
				if !slices.ContainsFunc(sortedAllows(got), func(a allow) bool { return a.To == podLabel+"="+d }) {
					t.Errorf("no NetworkPolicy admits anything to %s", d)
				}
			}
		})
	}
}

// The orchestrator and panier call exactly the peers their code reads a URL
// for; the policies above admit exactly those calls. Here the env of each Go
// workload is held to its code: the *_URL names its command reads, plus the
// kit's (DATABASE_URL with migrations, TOKEN_URL with service credentials,
// JWKS_URL unless it verifies with its own key), no more and no fewer.
func TestEnvironment_URLsAreTheOnesTheCodeReads(t *testing.T) {
	root := kittest.RepoRoot(t)
	cmdDirs := map[string]string{
		"identite": "services/identite/cmd/identite", "clients": "services/clients/cmd/clients",
		"stock": "services/stock/cmd/stock", "commande": "services/commande/cmd/commande",
		"paiement": "services/paiement/cmd/paiement", "panier": "services/panier/cmd/panier",
		"orchestrator": "orchestrator/cmd/orchestrator", "web": "web/cmd/web",
	}
	literal := regexp.MustCompile(`"([A-Z][A-Z0-9_]*_URL)"`)
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			if dname == "krakend" || dname == "jaeger" {
				continue // their calls and listeners are their config files'
			}
			dir, ok := cmdDirs[dname]
			if !ok {
				t.Fatalf("no command folder known for %s", dname)
			}
			code := map[string]bool{}
			entries, err := os.ReadDir(filepath.Join(root, dir))
			if err != nil {
				t.Fatal(err)
			}
			var src strings.Builder
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
					raw, err := os.ReadFile(filepath.Join(root, dir, e.Name()))
					if err != nil {
						t.Fatal(err)
					}
					src.Write(raw)
				}
			}
			for _, match := range literal.FindAllStringSubmatch(src.String(), -1) {
				code[match[1]] = true
			}
			if strings.Contains(src.String(), "migrations.FS") {
				code["DATABASE_URL"] = true
			}
			if strings.Contains(src.String(), ".ServiceCredentials(") {
				code["TOKEN_URL"] = true
			}
			if !selfVerifying[dname] {
				code["JWKS_URL"] = true
			}
			env := map[string]bool{}
			for name := range envOf(mainContainer(t, m.Deployments[dname])) {
				if strings.HasSuffix(name, "_URL") {
					env[name] = true
				}
			}
			if got, want := sortedKeys(env), sortedKeys(code); !slices.Equal(got, want) {
				t.Errorf("%s: %s sets the URLs %v; its code (%s) reads %v", o, dname, got, dir, want)
			}
		}
	}
}

// krakend is what the checks read of the gateway's ConfigMap.
type krakend struct {
	raw   string
	calls []string // every backend host, jwk_url and OTLP exporter
}

// krakendConfig is the krakend.json the gateway's pods mount.
func krakendConfig(t *testing.T, m *manifest.Manifest) krakend {
	t.Helper()
	d := m.Deployments["krakend"]
	if d == nil {
		t.Fatal("no krakend Deployment")
	}
	var cmName string
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.ConfigMap != nil {
			cmName = v.ConfigMap.Name
		}
	}
	cm := m.ConfigMaps[cmName]
	if cm == nil || cm.Data["krakend.json"] == "" {
		t.Fatalf("krakend mounts ConfigMap %q, which holds no krakend.json", cmName)
	}
	var cfg struct {
		ExtraConfig struct {
			Telemetry *struct {
				Exporters struct {
					OTLP []struct {
						Host           string `json:"host"`
						Port           int    `json:"port"`
						DisableTraces  bool   `json:"disable_traces"`
						DisableMetrics bool   `json:"disable_metrics"`
					} `json:"otlp"`
				} `json:"exporters"`
			} `json:"telemetry/opentelemetry"`
		} `json:"extra_config"`
		Endpoints []struct {
			ExtraConfig struct {
				Validator *struct {
					JWKURL string `json:"jwk_url"`
				} `json:"auth/validator"`
			} `json:"extra_config"`
			Backend []struct {
				Host []string `json:"host"`
			} `json:"backend"`
		} `json:"endpoints"`
	}
	raw := cm.Data["krakend.json"]
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatalf("krakend.json: %v", err)
	}
	k := krakend{raw: raw}
	for _, e := range cfg.Endpoints {
		for _, b := range e.Backend {
			k.calls = append(k.calls, b.Host...)
		}
		if v := e.ExtraConfig.Validator; v != nil {
			k.calls = append(k.calls, v.JWKURL)
		}
	}
	if len(k.calls) == 0 {
		t.Fatal("krakend.json calls no backend")
	}
	// The OTLP exporters push to their collector (the port is KrakenD's
	// default when unset; written here, it always is).
	if tel := cfg.ExtraConfig.Telemetry; tel != nil {
		for _, x := range tel.Exporters.OTLP {
			if x.DisableTraces && x.DisableMetrics {
				continue
			}
			if x.Port == 0 {
				t.Fatalf("krakend.json: OTLP exporter %s has no port", x.Host)
			}
			host := x.Host
			if !strings.Contains(host, "://") {
				host = "http://" + host
			}
			k.calls = append(k.calls, host+":"+strconv.Itoa(x.Port))
		}
	}
	return k
}

func sortedAllows(m map[allow]string) []allow {
	list := make([]allow, 0, len(m))
	for a := range m {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].String() < list[j].String() })
	return list
}
