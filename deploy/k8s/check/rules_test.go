package check

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"multimagasins/k8s/manifest"
	"multimagasins/kit/kittest"
)

// Every pod runs as a non-root user on a read-only root filesystem, without
// privilege escalation, capabilities or the service account token, under
// the runtime's seccomp profile: what Pod Security "restricted" enforces on
// the namespace, checked here before a cluster refuses it.
func TestContainers_AreHardened(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			spec := m.Deployments[dname].Spec.Template.Spec
			where := o + ": " + dname
			if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
				t.Errorf("%s: automountServiceAccountToken must be false: no pod here calls the API server", where)
			}
			if spec.EnableServiceLinks == nil || *spec.EnableServiceLinks {
				t.Errorf("%s: enableServiceLinks must be false (KRAKEND_PORT=tcp://... would override KrakenD's port)", where)
			}
			if spec.HostNetwork || spec.HostPID || spec.HostIPC {
				t.Errorf("%s: shares a host namespace", where)
			}
			pod := spec.SecurityContext
			if pod == nil {
				pod = &corev1.PodSecurityContext{}
			}
			c := mainContainer(t, m.Deployments[dname])
			sc := c.SecurityContext
			if sc == nil {
				t.Errorf("%s: no container securityContext", where)
				continue
			}
			if !isTrue(sc.RunAsNonRoot) && !isTrue(pod.RunAsNonRoot) {
				t.Errorf("%s: runAsNonRoot is not set", where)
			}
			if uid := firstInt(sc.RunAsUser, pod.RunAsUser); uid == nil || *uid == 0 {
				t.Errorf("%s: no numeric non-root runAsUser (runAsNonRoot cannot check a user name)", where)
			}
			if !isTrue(sc.ReadOnlyRootFilesystem) {
				t.Errorf("%s: readOnlyRootFilesystem is not true", where)
			}
			if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
				t.Errorf("%s: allowPrivilegeEscalation is not false", where)
			}
			if isTrue(sc.Privileged) {
				t.Errorf("%s: privileged", where)
			}
			if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
				t.Errorf("%s: capabilities = %+v, want drop [ALL] and nothing added", where, sc.Capabilities)
			}
			for _, prof := range []*corev1.SeccompProfile{sc.SeccompProfile, pod.SeccompProfile} {
				if prof != nil && prof.Type != corev1.SeccompProfileTypeRuntimeDefault {
					t.Errorf("%s: seccompProfile %s, want RuntimeDefault", where, prof.Type)
				}
			}
			if sc.SeccompProfile == nil && pod.SeccompProfile == nil {
				t.Errorf("%s: no seccompProfile", where)
			}
		}
	}
}

// Every container asks for CPU and memory and is held to a limit of both,
// and its Go runtime collects harder before the memory limit: GOMEMLIMIT is
// 75-90% of limits.memory, in every overlay, so an overlay that changes a
// limit must change GOMEMLIMIT too. (README.md says why it is a value and
// not a resourceFieldRef.)
func TestContainers_GoMemLimitFollowsTheMemoryLimit(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			c := mainContainer(t, m.Deployments[dname])
			where := o + ": " + dname
			r := c.Resources
			for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				req, okReq := r.Requests[name]
				lim, okLim := r.Limits[name]
				if !okReq || !okLim || req.Sign() <= 0 {
					t.Errorf("%s: %s needs a request and a limit", where, name)
					continue
				}
				if req.Cmp(lim) > 0 {
					t.Errorf("%s: %s request %s is over its limit %s", where, name, req.String(), lim.String())
				}
			}
			e, ok := envOf(c)["GOMEMLIMIT"]
			if !ok || e.ValueFrom != nil {
				t.Errorf("%s: no GOMEMLIMIT value", where)
				continue
			}
			limit, err := parseGoMemLimit(e.Value)
			if err != nil {
				t.Errorf("%s: GOMEMLIMIT=%q: %v", where, e.Value, err)
				continue
			}
			mem := r.Limits[corev1.ResourceMemory]
			ratio := float64(limit) / float64(mem.Value())
			if ratio < 0.75 || ratio > 0.90 {
				t.Errorf("%s: GOMEMLIMIT=%s is %.0f%% of limits.memory %s, want 75-90%%", where, e.Value, 100*ratio, mem.String())
			}
		}
	}
}

// parseGoMemLimit reads GOMEMLIMIT as the Go runtime does: a byte count
// with an optional B, KiB, MiB, GiB or TiB suffix.
func parseGoMemLimit(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = n, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("not a positive byte count with a B, KiB, MiB, GiB or TiB suffix")
	}
	return n * mult, nil
}

func TestParseGoMemLimit(t *testing.T) {
	for in, want := range map[string]int64{"230MiB": 230 << 20, "1GiB": 1 << 30, "1024": 1024, "512KiB": 512 << 10} {
		if got, err := parseGoMemLimit(in); err != nil || got != want {
			t.Errorf("parseGoMemLimit(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "230M", "230Mi", "-1MiB", "MiB"} {
		if _, err := parseGoMemLimit(in); err == nil {
			t.Errorf("parseGoMemLimit(%q) accepted", in)
		}
	}
}

// kitProbes are the paths every Go service registers (kit.NewApp): /healthz
// says the process is up, /readyz that its database answers. The probes
// package proves each running service answers them.
const (
	livePath  = "/healthz"
	readyPath = "/readyz"
)

// Readiness is on /readyz and liveness on /healthz, on the container's own
// port; KrakenD, which has no database, uses the /__health of compose's
// healthcheck for both, and Jaeger the status path of the health check
// extension its config runs, on that extension's port.
func TestProbes_AreOnTheHealthRoutes(t *testing.T) {
	p := loadCompose(t)
	krakendHealth := healthcheckPath(t, p.Services["krakend"].HealthCheck.Test)
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			c := mainContainer(t, m.Deployments[dname])
			ready, live := readyPath, livePath
			wantPort := int(c.Ports[0].ContainerPort)
			switch dname {
			case "krakend":
				ready, live = krakendHealth, krakendHealth
			case "jaeger":
				j := jaegerConfig(t, m)
				ready, live, wantPort = j.HealthPath, j.HealthPath, j.Health
			}
			want := map[string]string{"readiness": ready, "liveness": live, "startup": live}
			for kind, probe := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
				if probe == nil {
					if kind != "startup" {
						t.Errorf("%s: %s has no %s probe", o, dname, kind)
					}
					continue
				}
				if probe.HTTPGet == nil {
					t.Errorf("%s: %s %s probe is not an HTTP GET", o, dname, kind)
					continue
				}
				if probe.HTTPGet.Path != want[kind] {
					t.Errorf("%s: %s %s probe on %s, want %s", o, dname, kind, probe.HTTPGet.Path, want[kind])
				}
				if port := probePort(t, c, probe); port != wantPort {
					t.Errorf("%s: %s %s probe on port %d, not the service's %d", o, dname, kind, port, wantPort)
				}
			}
		}
	}
}

// healthcheckPath is the URL path a compose healthcheck command fetches.
func healthcheckPath(t *testing.T, test []string) string {
	t.Helper()
	for _, arg := range test {
		if u, err := url.Parse(arg); err == nil && u.Scheme == "http" {
			return u.Path
		}
	}
	t.Fatalf("compose healthcheck %v fetches no http URL", test)
	return ""
}

func probePort(t *testing.T, c corev1.Container, p *corev1.Probe) int {
	t.Helper()
	port := p.HTTPGet.Port
	if port.StrVal == "" {
		return int(port.IntVal)
	}
	for _, cp := range c.Ports {
		if cp.Name == port.StrVal {
			return int(cp.ContainerPort)
		}
	}
	t.Fatalf("%s: probe port %q is no container port", c.Name, port.StrVal)
	return 0
}

// Each workload has one PodDisruptionBudget, which a voluntary eviction (a
// node drain) can still satisfy with a single replica.
func TestWorkloads_EachHasOnePodDisruptionBudget(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			d := m.Deployments[dname]
			var found int
			for _, pdb := range m.PDBs {
				if pdb.Spec.Selector == nil || !matches(pdb.Spec.Selector.MatchLabels, d.Spec.Template.Labels) {
					continue
				}
				found++
				if pdb.Spec.MaxUnavailable == nil || pdb.Spec.MinAvailable != nil || pdb.Spec.MaxUnavailable.IntValue() < 1 {
					t.Errorf("%s: PDB %s: want maxUnavailable >= 1 (minAvailable would block drains of one replica)", o, pdb.Name)
				}
			}
			if found != 1 {
				t.Errorf("%s: %s is covered by %d PodDisruptionBudgets, want 1", o, dname, found)
			}
		}
	}
}

// The gateway is scaled by its HorizontalPodAutoscaler, which alone sets its
// replica count; every other Deployment has a fixed count.
func TestGateway_IsAutoscaled(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		h := m.HPAs["krakend"]
		if h == nil {
			t.Fatalf("%s: no HorizontalPodAutoscaler krakend", o)
		}
		ref := h.Spec.ScaleTargetRef
		if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != "krakend" {
			t.Errorf("%s: the HPA scales %+v", o, ref)
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 1 || h.Spec.MaxReplicas < *h.Spec.MinReplicas {
			t.Errorf("%s: HPA replicas min %v max %d", o, h.Spec.MinReplicas, h.Spec.MaxReplicas)
		}
		if len(h.Spec.Metrics) == 0 {
			t.Errorf("%s: the HPA has no metric", o)
		}
		c := mainContainer(t, m.Deployments["krakend"])
		if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
			t.Errorf("%s: krakend has no CPU request, which its HPA's utilization is a share of", o)
		}
		for _, dname := range sortedKeys(m.Deployments) {
			_, scaled := m.HPAs[dname]
			if r := m.Deployments[dname].Spec.Replicas; scaled != (r == nil) {
				t.Errorf("%s: %s: replicas %v with an HPA: %v (exactly one of them sets the count)", o, dname, r, scaled)
			}
		}
	}
}

// scaledOut are the services on the checkout's path that prod runs more of.
var scaledOut = []string{"panier", "web", "orchestrator", "commande", "stock"}

// dev runs one replica of everything; prod runs more of the five services
// on the checkout's path.
func TestOverlays_DevRunsOneOfEachProdScalesOut(t *testing.T) {
	dev, prod := build(t, "overlays/dev"), build(t, "overlays/prod")
	for _, dname := range sortedKeys(dev.Deployments) {
		if n := maxReplicas(dev, dname); n != 1 {
			t.Errorf("dev: %s runs up to %d replicas, want 1", dname, n)
		}
	}
	for _, dname := range scaledOut {
		if d, p := maxReplicas(dev, dname), maxReplicas(prod, dname); p <= d {
			t.Errorf("%s: prod runs %d replicas, dev %d: prod must scale it out", dname, p, d)
		}
	}
	if pc, dc := prod.Clusters["multimagasins-db"], dev.Clusters["multimagasins-db"]; pc == nil || dc == nil || pc.Spec.Instances <= dc.Spec.Instances {
		t.Error("prod must run more PostgreSQL instances than dev")
	}
}

// maxReplicas is the most pods a Deployment may run: its count, or its HPA's maximum.
func maxReplicas(m *manifest.Manifest, dname string) int {
	if h := m.HPAs[dname]; h != nil {
		return int(h.Spec.MaxReplicas)
	}
	if d := m.Deployments[dname]; d != nil && d.Spec.Replicas != nil {
		return int(*d.Spec.Replicas)
	}
	return 0
}

// The demo staff accounts (known passwords, README.md) exist in dev only.
func TestOverlays_DemoAccountsInDevOnly(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		got := envOf(mainContainer(t, m.Deployments["identite"]))["IDENTITE_DEMO"].Value
		if want := map[bool]string{true: "1", false: ""}[o == "overlays/dev"]; got != want {
			t.Errorf("%s: IDENTITE_DEMO = %q, want %q", o, got, want)
		}
	}
}

// reservedConnections are PostgreSQL sessions that are not the services'
// pools: superuser_reserved_connections (3), the operator's and an
// administrator's, with room to spare.
const reservedConnections = 20

// Every pool of every replica fits in max_connections, at the most replicas
// each Deployment may run, in every overlay.
func TestPostgres_EveryPoolFits(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		need := map[string]int{}
		for _, dname := range sortedKeys(m.Deployments) {
			env := envOf(mainContainer(t, m.Deployments[dname]))
			db, ok := env["DATABASE_URL"]
			if !ok {
				continue
			}
			u, _ := url.Parse(db.Value)
			cl := clusterOfHost(m, u.Host)
			conns, err := strconv.Atoi(env["DB_MAX_CONNS"].Value)
			if err != nil || conns < 1 || cl == nil {
				t.Errorf("%s: %s needs DB_MAX_CONNS (else its pool follows the node's cores) and a Cluster", o, dname)
				continue
			}
			need[cl.Metadata.Name] += conns * maxReplicas(m, dname)
		}
		for name, n := range need {
			max, err := strconv.Atoi(m.Clusters[name].Spec.PostgreSQL.Parameters["max_connections"])
			if err != nil || n+reservedConnections > max {
				t.Errorf("%s: the pools need %d connections (+%d reserved), %s allows max_connections=%q",
					o, n, reservedConnections, name, m.Clusters[name].Spec.PostgreSQL.Parameters["max_connections"])
			}
		}
	}
}

// The Cluster holds compose's database, with one managed login role per
// service of deploy/postgres/schemas.sql, each with its basic-auth Secret,
// and runs schemas.sql (its ConfigMap) once after initdb.
func TestPostgres_RolesAreSchemasSQLs(t *testing.T) {
	p := loadCompose(t)
	sql := string(readFile(t, kittest.RepoRoot(t), "deploy/postgres/schemas.sql"))
	list := regexp.MustCompile(`ARRAY\[([^\]]*)\]`).FindStringSubmatch(sql)
	if list == nil {
		t.Fatal("schemas.sql: no ARRAY[...] of service roles")
	}
	var roles []string
	for _, r := range strings.Split(list[1], ",") {
		roles = append(roles, strings.Trim(strings.TrimSpace(r), "'"))
	}
	slices.Sort(roles)
	for _, o := range overlays {
		m := build(t, o)
		cl := m.Clusters["multimagasins-db"]
		if cl == nil || len(m.Clusters) != 1 {
			t.Fatalf("%s: want one Cluster, multimagasins-db", o)
		}
		var got []string
		for _, r := range cl.Spec.Managed.Roles {
			got = append(got, r.Name)
			if r.Ensure != "present" || !r.Login || r.PasswordSecret.Name != "db-"+r.Name {
				t.Errorf("%s: role %+v: want ensure present, login, passwordSecret db-%s", o, r, r.Name)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, roles) {
			t.Errorf("%s: managed roles %v, schemas.sql's %v", o, got, roles)
		}
		initdb := cl.Spec.Bootstrap.InitDB
		if want := deref(p.Services["postgres"].Environment["POSTGRES_DB"]); initdb.Database != want {
			t.Errorf("%s: database %q, compose's %q", o, initdb.Database, want)
		}
		refs := initdb.PostInitApplicationSQLRefs.ConfigMapRefs
		if len(refs) != 1 || m.ConfigMaps[refs[0].Name] == nil || m.ConfigMaps[refs[0].Name].Data[refs[0].Key] != sql {
			t.Errorf("%s: postInitApplicationSQLRefs %v must name the ConfigMap holding schemas.sql", o, refs)
		}
		if cl.Spec.Instances < 1 || cl.Spec.Storage.Size == "" {
			t.Errorf("%s: instances %d, storage %q", o, cl.Spec.Instances, cl.Spec.Storage.Size)
		}
		if _, err := resource.ParseQuantity(cl.Spec.Storage.Size); err != nil {
			t.Errorf("%s: storage size: %v", o, err)
		}
		if _, ok := cl.Spec.Resources.Limits[corev1.ResourceMemory]; !ok {
			t.Errorf("%s: PostgreSQL has no memory limit", o)
		}
	}
}

// Each *_FILE variable (compose's paths) names a file of a Secret volume,
// mounted read-only, readable by the pod's group only.
func TestSecrets_EveryFileComesFromASecretVolume(t *testing.T) {
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			d := m.Deployments[dname]
			c := mainContainer(t, d)
			files := secretFiles(d, c)
			for _, e := range c.Env {
				if !strings.HasSuffix(e.Name, "_FILE") {
					continue
				}
				if _, ok := files[e.Value]; !ok {
					t.Errorf("%s: %s %s=%s is no file of a mounted Secret (%v)", o, dname, e.Name, e.Value, sortedKeys(files))
				}
			}
			for _, v := range d.Spec.Template.Spec.Volumes {
				if s := v.Secret; s != nil && (s.DefaultMode == nil || *s.DefaultMode&0o137 != 0 || len(s.Items) == 0) {
					t.Errorf("%s: %s volume %s: want items listed and defaultMode at most 0440", o, dname, v.Name)
				}
			}
		}
	}
}

// secretFiles maps each file path a container sees in a Secret volume to
// "secret/key".
func secretFiles(d *appsv1.Deployment, c corev1.Container) map[string]string {
	files := map[string]string{}
	for _, vm := range c.VolumeMounts {
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name != vm.Name || v.Secret == nil || !vm.ReadOnly {
				continue
			}
			for _, it := range v.Secret.Items {
				files[path.Join(vm.MountPath, it.Path)] = v.Secret.SecretName + "/" + it.Key
			}
		}
	}
	return files
}

func isTrue(b *bool) bool { return b != nil && *b }

func firstInt(vs ...*int64) *int64 {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}
