// Package compose checks the container deployment without a Docker engine:
// docker-compose.yml is loaded with compose-go (the library docker compose
// itself uses), and the files it mounts are checked with the real tools
// (promtool, nginx -t). A mistake here would otherwise show only when
// someone runs `docker compose up`.
package compose

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"multimagasins/kit/kittest"
)

// designPorts are the DESIGN.md ports: each is the container's port, its
// published port, and its PORT (or listen flag) alike.
var designPorts = map[string]int{
	"clients": 8001, "orchestrator": 8002, "web-1": 8004, "web-2": 8005,
	"commande": 8006, "stock": 8007, "paiement": 8008, "identite": 8009, "panier-1": 8010, "panier-2": 8011,
	"krakend": 8080, "nginx": 8088, "prometheus": 9091, "grafana": 3000, "jaeger": 16686,
}

// internalPorts are reached only inside the compose network, never published.
var internalPorts = map[string]int{"postgres": 5432}

// allServices are the compose service names every helper and doc uses.
var allServices = []string{
	"postgres", "secrets", "identite", "clients", "panier-1", "panier-2", "commande", "stock", "paiement", "orchestrator",
	"web-1", "web-2", "krakend", "nginx", "prometheus", "grafana", "jaeger", "k6",
}

// oneShots are the jobs that run once and exit (the secrets job): others
// wait for them with service_completed_successfully, never for a health.
func oneShots(p *types.Project) map[string]bool {
	jobs := map[string]bool{}
	for _, name := range p.ServiceNames() {
		for dep, d := range p.Services[name].DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				jobs[dep] = true
			}
		}
	}
	return jobs
}

// loadProject reads docker-compose.yml as `docker compose` would from the
// repository root, with every profile on (so k6 is checked too) and an empty
// environment: every ${VAR:-default} then takes its development default, and
// nothing from the machine running the test leaks in.
func loadProject(t *testing.T) *types.Project {
	t.Helper()
	root := kittest.RepoRoot(t)
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root),
		cli.WithEnv(nil),
		cli.WithProfiles([]string{"*"}),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

func TestCompose_HasEveryServiceOfTheDesign(t *testing.T) {
	p := loadProject(t)
	got := p.ServiceNames()
	slices.Sort(got)
	want := slices.Clone(allServices)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("services = %v\nwant       %v", got, want)
	}
	if s := p.Services["k6"]; !slices.Equal(s.Profiles, []string{"k6"}) {
		t.Errorf("k6 profiles = %v, want [k6]: a plain `up` must not start a load test", s.Profiles)
	}
}

func TestCompose_EveryContainerIsHardened(t *testing.T) {
	p := loadProject(t)
	jobs := oneShots(p)
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		t.Run(name, func(t *testing.T) {
			switch hc := s.HealthCheck; {
			case jobs[name]:
				// Done is its only state worth waiting for: nobody waits for its health.
			case hc == nil || hc.Disable || len(hc.Test) < 2 || hc.Test[0] == "NONE":
				t.Errorf("no healthcheck: %+v", hc)
			case hc.Interval == nil || hc.Timeout == nil || hc.Retries == nil:
				t.Errorf("healthcheck must set interval, timeout and retries: %+v", hc)
			}
			// A one-shot job (under a profile, like the k6 run, or waited
			// for until it completes, like the secrets job) must not be
			// restarted when it finishes; everything else comes back.
			wantRestart := types.RestartPolicyUnlessStopped
			if len(s.Profiles) > 0 || jobs[name] {
				wantRestart = types.RestartPolicyNo
			}
			if s.Restart != wantRestart {
				t.Errorf("restart = %q, want %q", s.Restart, wantRestart)
			}
			if memoryLimit(s) <= 0 {
				t.Error("no memory limit (deploy.resources.limits.memory or mem_limit)")
			}
			if !s.ReadOnly {
				t.Error("root filesystem is writable: set read_only and a tmpfs for what must be written")
			}
			if !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
				t.Errorf("security_opt = %v, want no-new-privileges:true", s.SecurityOpt)
			}
		})
	}
}

func memoryLimit(s types.ServiceConfig) int64 {
	if s.Deploy != nil && s.Deploy.Resources.Limits != nil && s.Deploy.Resources.Limits.MemoryBytes > 0 {
		return int64(s.Deploy.Resources.Limits.MemoryBytes)
	}
	return int64(s.MemLimit)
}

func TestCompose_DependenciesWaitUntilHealthy(t *testing.T) {
	p := loadProject(t)
	jobs := oneShots(p)
	for _, name := range p.ServiceNames() {
		for dep, d := range p.Services[name].DependsOn {
			if jobs[dep] {
				if d.Condition != types.ServiceConditionCompletedSuccessfully {
					t.Errorf("%s depends on the one-shot job %s with condition %q, want %s",
						name, dep, d.Condition, types.ServiceConditionCompletedSuccessfully)
				}
				continue
			}
			if d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s depends on %s with condition %q, want %s: started is not ready",
					name, dep, d.Condition, types.ServiceConditionHealthy)
			}
			if target, ok := p.Services[dep]; !ok || target.HealthCheck == nil {
				t.Errorf("%s waits for %s to be healthy, which has no healthcheck", name, dep)
			}
		}
	}
	// The ones the DESIGN topology requires, beyond "something waits".
	for name, deps := range map[string][]string{
		"orchestrator": {"postgres", "stock", "commande", "paiement", "panier-1", "clients", "identite", "secrets"},
		"krakend":      {"identite", "clients", "panier-1", "panier-2", "commande", "stock", "paiement", "orchestrator"},
		"identite":     {"postgres", "secrets"},
		"panier-1":     {"identite", "secrets"},
		"panier-2":     {"identite", "secrets"},
		"web-1":        {"identite", "secrets"},
		"web-2":        {"identite", "secrets"},
		"nginx":        {"web-1", "web-2"},
		"grafana":      {"prometheus"},
	} {
		for _, dep := range deps {
			if _, ok := p.Services[name].DependsOn[dep]; !ok {
				t.Errorf("%s does not wait for %s", name, dep)
			}
		}
	}
}

var entrypointRe = regexp.MustCompile(`(?m)^ENTRYPOINT\s+\[\s*"([^"]+)"`)

// TestCompose_BuildsAndSelfHealthchecks: every build names a Dockerfile that
// exists, from the repository root (the Dockerfiles copy the shared kit), and
// a scratch image's healthcheck runs the image's own binary with -healthcheck.
func TestCompose_BuildsAndSelfHealthchecks(t *testing.T) {
	p := loadProject(t)
	root := kittest.RepoRoot(t)
	jobs := oneShots(p)
	built := 0
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Build == nil {
			continue
		}
		built++
		t.Run(name, func(t *testing.T) {
			if filepath.Clean(s.Build.Context) != root {
				t.Errorf("build context = %s, want the repository root", s.Build.Context)
			}
			dockerfile := s.Build.Dockerfile
			if !filepath.IsAbs(dockerfile) {
				dockerfile = filepath.Join(s.Build.Context, dockerfile)
			}
			src, err := os.ReadFile(dockerfile)
			if err != nil {
				t.Fatalf("build.dockerfile: %v", err)
			}
			m := entrypointRe.FindSubmatch(src)
			if m == nil {
				t.Fatalf("%s has no exec-form ENTRYPOINT", dockerfile)
			}
			want := types.HealthCheckTest{"CMD", string(m[1]), "-healthcheck"}
			if jobs[name] {
				// A job runs the image's binary with its own command and exits.
				if len(s.Command) == 0 {
					t.Error("a one-shot job of a service image needs its command")
				}
			} else if s.HealthCheck == nil || !slices.Equal(s.HealthCheck.Test, want) {
				t.Errorf("healthcheck test = %v, want %v (the image has no shell)", s.HealthCheck, want)
			}
			if s.Image == "" {
				t.Error("no image name: replicas of one build would each get an anonymous image")
			}
		})
	}
	// Six services with panier twice, the orchestrator, web twice, and the
	// secrets job (identite's image).
	if built != 11 {
		t.Errorf("%d services are built from a Dockerfile, want 11", built)
	}
}

// TestCompose_ServiceMainsAnswerHealthcheck: the compose healthchecks run
// "/<name> -healthcheck", which only works when main hands that argument to
// kit.HealthcheckMain before starting the service.
func TestCompose_ServiceMainsAnswerHealthcheck(t *testing.T) {
	p := loadProject(t)
	root := kittest.RepoRoot(t)
	seen := map[string]bool{}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if s.Build == nil || seen[s.Build.Dockerfile] {
			continue
		}
		seen[s.Build.Dockerfile] = true
		dockerfile := s.Build.Dockerfile
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(s.Build.Context, dockerfile)
		}
		// The image runs the module's own command, cmd/<module name>; other
		// commands (such as commande's history generator) are not in it.
		module := filepath.Dir(dockerfile)
		main := filepath.Join(module, "cmd", filepath.Base(module), "main.go")
		if _, err := os.Stat(main); err != nil {
			t.Errorf("%s: no %s", rel(root, module), rel(root, main))
			continue
		}
		src, err := os.ReadFile(main)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(src), "kit.HealthcheckMain(") {
			t.Errorf("%s does not call kit.HealthcheckMain: its container would never be healthy", rel(root, main))
		}
	}
}

// TestCompose_MountsExist: every bind mount has its source in the
// repository, and every path a command or variable names inside a mount
// (krakend.json, saga.js, prometheus.yml, schemas.sql) is there too.
func TestCompose_MountsExist(t *testing.T) {
	p := loadProject(t)
	root := kittest.RepoRoot(t)
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		var refs []string // container paths this service names
		for _, a := range s.Command {
			refs = append(refs, a[strings.Index(a, "=")+1:])
		}
		for _, v := range s.Environment {
			if v != nil {
				refs = append(refs, *v)
			}
		}
		for _, v := range s.Volumes {
			if v.Type != types.VolumeTypeBind {
				continue
			}
			t.Run(name+":"+v.Target, func(t *testing.T) {
				if !strings.HasPrefix(v.Source, root+string(filepath.Separator)) {
					t.Fatalf("bind source %s is outside the repository", v.Source)
				}
				if !v.ReadOnly {
					t.Errorf("%s is mounted read-write; configuration is mounted :ro", rel(root, v.Source))
				}
				requireInRepo(t, root, v.Source)
				for _, r := range refs {
					if strings.HasPrefix(r, v.Target+"/") {
						requireInRepo(t, root, filepath.Join(v.Source, strings.TrimPrefix(r, v.Target+"/")))
					}
				}
			})
		}
	}
}

// requireInRepo fails the test when a mounted or referenced path is missing:
// compose would start the container without it.
func requireInRepo(t *testing.T, root, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("%s is mounted or referenced but does not exist: %v", rel(root, path), err)
	}
}

func rel(root, path string) string {
	r, err := filepath.Rel(root, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}

// TestCompose_PortsMatchDesign: each container listens, publishes and is
// checked on its DESIGN.md port; published ports stay on loopback by default.
func TestCompose_PortsMatchDesign(t *testing.T) {
	p := loadProject(t)
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		want, public := designPorts[name]
		t.Run(name, func(t *testing.T) {
			if !public {
				if len(s.Ports) > 0 {
					t.Errorf("publishes %+v; only the DESIGN.md ports are published", s.Ports)
				}
				if port, ok := internalPorts[name]; ok && s.HealthCheck != nil {
					requireHealthcheckPort(t, s, port)
				}
				return
			}
			if len(s.Ports) != 1 {
				t.Fatalf("ports = %+v, want exactly %d", s.Ports, want)
			}
			pc := s.Ports[0]
			if int(pc.Target) != want || pc.Published != strconv.Itoa(want) {
				t.Errorf("ports = %s:%s:%d, want %d:%d", pc.HostIP, pc.Published, pc.Target, want, want)
			}
			if pc.HostIP != "127.0.0.1" {
				t.Errorf("published on %q by default, want 127.0.0.1 (PUBLISH_ADDR opens it up)", pc.HostIP)
			}
			if s.Build != nil { // our Go services read PORT
				if got := env(s, "PORT"); got != strconv.Itoa(want) {
					t.Errorf("PORT = %q, want %d", got, want)
				}
			} else {
				requireHealthcheckPort(t, s, want)
			}
		})
	}
	prom := p.Services["prometheus"]
	if !slices.Contains(prom.Command, "--web.listen-address=:9091") {
		t.Errorf("prometheus command %v does not listen on :9091", prom.Command)
	}
}

func requireHealthcheckPort(t *testing.T, s types.ServiceConfig, port int) {
	t.Helper()
	cmd := strings.Join(s.HealthCheck.Test, " ")
	if !strings.Contains(cmd, ":"+strconv.Itoa(port)) && !strings.Contains(cmd, "pg_isready") {
		t.Errorf("healthcheck %q does not probe port %d", cmd, port)
	}
}

func env(s types.ServiceConfig, key string) string {
	if v := s.Environment[key]; v != nil {
		return *v
	}
	return ""
}

// TestCompose_PeersAreReachedByServiceName: every *_URL names a compose
// service on its DESIGN port (or, for what the browser is shown, a published
// port on localhost).
func TestCompose_PeersAreReachedByServiceName(t *testing.T) {
	p := loadProject(t)
	published := map[string]bool{}
	for _, name := range p.ServiceNames() {
		for _, pc := range p.Services[name].Ports {
			published[pc.Published] = true
		}
	}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		for key, v := range s.Environment {
			if v == nil || !strings.HasSuffix(key, "_URL") || key == "DATABASE_URL" {
				continue
			}
			u, err := url.Parse(*v)
			if err != nil || u.Scheme != "http" {
				t.Errorf("%s %s=%q is not an http URL", name, key, *v)
				continue
			}
			host, port := u.Hostname(), u.Port()
			if host == "localhost" || host == "127.0.0.1" {
				if !published[port] {
					t.Errorf("%s %s=%q: nothing is published on %s", name, key, *v, port)
				}
				continue
			}
			if _, ok := p.Services[host]; !ok {
				t.Errorf("%s %s=%q: no service %q", name, key, *v, host)
			} else if port != strconv.Itoa(designPorts[host]) {
				t.Errorf("%s %s=%q: %s listens on %d", name, key, *v, host, designPorts[host])
			}
		}
	}
	orch := p.Services["orchestrator"]
	for _, key := range []string{"STOCK_URL", "COMMANDE_URL", "PAIEMENT_URL", "PANIER_URL", "CLIENTS_URL"} {
		if env(orch, key) == "" {
			t.Errorf("orchestrator has no %s: it would call localhost inside its container", key)
		}
	}
}

var rolesRe = regexp.MustCompile(`(?m)^roles=\(([^)]*)\)`)

// TestCompose_DatabaseRolesMatchTheInitScript: PostgreSQL's init script gets
// a password for every role it creates, each service connects as its own
// role with that same password, and the schemas file lands where the script
// reads it.
func TestCompose_DatabaseRolesMatchTheInitScript(t *testing.T) {
	p := loadProject(t)
	root := kittest.RepoRoot(t)
	pg := p.Services["postgres"]

	scripts, _ := filepath.Glob(filepath.Join(root, "deploy", "postgres", "init", "*.sh"))
	if len(scripts) == 0 {
		t.Fatal("no deploy/postgres/init/*.sh")
	}
	var roles []string
	for _, s := range scripts {
		info, err := os.Stat(s)
		if err != nil {
			t.Fatal(err)
		}
		// The image sources a script that is not executable, so its set -e
		// and exit would run inside the entrypoint itself.
		if info.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable", rel(root, s))
		}
		src, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if m := rolesRe.FindSubmatch(src); m != nil {
			roles = append(roles, strings.Fields(string(m[1]))...)
		}
	}
	if len(roles) == 0 {
		t.Fatal("found no roles=(...) in the init script")
	}

	mounts := map[string]string{} // container path -> repository path
	for _, v := range pg.Volumes {
		if v.Type == types.VolumeTypeBind {
			mounts[v.Target] = rel(root, v.Source)
		}
	}
	if mounts["/docker-entrypoint-initdb.d"] != "deploy/postgres/init" {
		t.Errorf("deploy/postgres/init is not mounted at /docker-entrypoint-initdb.d: %v", mounts)
	}
	if schemas := env(pg, "SCHEMAS_SQL"); mounts[schemas] != "deploy/postgres/schemas.sql" {
		t.Errorf("SCHEMAS_SQL=%q, but deploy/postgres/schemas.sql is mounted at %v", schemas, mounts)
	}
	if env(pg, "POSTGRES_DB") != "multimagasins" {
		t.Errorf("POSTGRES_DB = %q, want multimagasins", env(pg, "POSTGRES_DB"))
	}

	users := map[string]bool{}
	pooled := 0 // connections the services may open at most
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		dbURL := env(s, "DATABASE_URL")
		if dbURL == "" {
			continue
		}
		u, err := url.Parse(dbURL)
		if err != nil {
			t.Errorf("%s DATABASE_URL: %v", name, err)
			continue
		}
		role := strings.TrimRight(strings.TrimRight(name, "0123456789"), "-")
		pw, _ := u.User.Password()
		want := env(pg, strings.ToUpper(role)+"_DB_PASSWORD")
		switch {
		case u.User.Username() != role:
			t.Errorf("%s connects as %q, want its own role %q", name, u.User.Username(), role)
		case want == "" || pw != want:
			t.Errorf("%s's password is not postgres's %s_DB_PASSWORD", name, strings.ToUpper(role))
		case u.Host != "postgres:5432" || u.Path != "/multimagasins":
			t.Errorf("%s DATABASE_URL points at %s%s, want postgres:5432/multimagasins", name, u.Host, u.Path)
		case !dependsOn(s, "postgres"):
			t.Errorf("%s uses the database but does not wait for postgres", name)
		}
		if !slices.Contains(roles, role) {
			t.Errorf("%s connects as role %s, which the init script gives no password: it could not sign in", name, role)
		}
		users[role] = true
		n, err := strconv.Atoi(env(s, "DB_MAX_CONNS"))
		if err != nil || n <= 0 {
			t.Errorf("%s has no DB_MAX_CONNS: its pool would grow with the host's cores", name)
		}
		pooled += n
	}
	maxConns := 100 // PostgreSQL's default
	for _, a := range pg.Command {
		if v, ok := strings.CutPrefix(a, "max_connections="); ok {
			maxConns, _ = strconv.Atoi(v)
		}
	}
	if pooled+10 > maxConns {
		t.Errorf("the pools may open %d connections; postgres allows %d (keep 10 for admin sessions)", pooled, maxConns)
	}
	for _, role := range roles {
		if env(pg, strings.ToUpper(role)+"_DB_PASSWORD") == "" {
			t.Errorf("postgres has no %s_DB_PASSWORD: the init script would stop", strings.ToUpper(role))
		}
		if !users[role] {
			t.Errorf("no service connects as role %s", role)
		}
	}
}

// TestCompose_NoSecretIsWrittenDown: passwords only come from the
// environment, with development defaults.
func TestCompose_NoSecretIsWrittenDown(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(kittest.RepoRoot(t), "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	passwordRe := regexp.MustCompile(`(?m)^\s*(\w*PASSWORD\w*):\s*(.*)$`)
	for _, m := range passwordRe.FindAllStringSubmatch(string(src), -1) {
		if !strings.HasPrefix(strings.TrimSpace(m[2]), "${") {
			t.Errorf("%s is written down (%q); read it from the environment: ${%s:-dev-default}", m[1], m[2], m[1])
		}
	}
	urlRe := regexp.MustCompile(`postgres://\w+:([^@]*)@`)
	for _, m := range urlRe.FindAllStringSubmatch(string(src), -1) {
		if !strings.HasPrefix(m[1], "${") {
			t.Errorf("a DATABASE_URL password is written down: %s", m[0])
		}
	}
}

func dependsOn(s types.ServiceConfig, name string) bool {
	_, ok := s.DependsOn[name]
	return ok
}

// secretEnvRe names the variables that hold a key or a secret.
var secretEnvRe = regexp.MustCompile(`(SECRET|_KEY)(_|$)`)

// TestCompose_SecretsComeFromTheSecretsVolume: no key or secret is written
// in docker-compose.yml. Each one is a *_FILE variable naming a file of the
// secrets volume, which the reader mounts read-only and which only the
// secrets job (identite -init-secrets) writes, before anyone reads it. Every
// Go service checks tokens against identite's key set, and the two that call
// others with a service token have their own client at identite.
func TestCompose_SecretsComeFromTheSecretsVolume(t *testing.T) {
	p := loadProject(t)
	jobs := oneShots(p)
	if !jobs["secrets"] {
		t.Fatal("no service waits for the secrets job to complete")
	}
	job := p.Services["secrets"]
	if !slices.Equal(job.Command, types.ShellCommand{"-init-secrets", "/secrets"}) {
		t.Errorf("secrets job command = %v, want [-init-secrets /secrets]", job.Command)
	}
	if m := secretsMount(job); m == nil || m.ReadOnly {
		t.Errorf("the secrets job must mount the secrets volume read-write at /secrets: %+v", job.Volumes)
	}
	if job.Build == nil || p.Services["identite"].Build == nil || job.Build.Dockerfile != p.Services["identite"].Build.Dockerfile {
		t.Error("the secrets job must run identite's image, which knows what to make")
	}

	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		if name == "secrets" {
			continue
		}
		readsSecret := false
		for key, v := range s.Environment {
			if v == nil || !secretEnvRe.MatchString(key) {
				continue
			}
			if !strings.HasSuffix(key, "_FILE") {
				t.Errorf("%s: %s is written down; name a file of the secrets volume with %s_FILE", name, key, key)
				continue
			}
			readsSecret = true
			if !strings.HasPrefix(*v, "/secrets/") {
				t.Errorf("%s: %s=%q is not a file of the secrets volume (/secrets)", name, key, *v)
			}
		}
		if readsSecret {
			if m := secretsMount(s); m == nil || !m.ReadOnly {
				t.Errorf("%s reads a secret but does not mount the secrets volume read-only at /secrets", name)
			}
			if d, ok := s.DependsOn["secrets"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
				t.Errorf("%s reads a secret but does not wait for the secrets job to complete", name)
			}
		}
		if s.Build != nil && !jobs[name] && env(s, "JWKS_URL") != "http://identite:8009/.well-known/jwks.json" {
			t.Errorf("%s JWKS_URL = %q: it could not check a token", name, env(s, "JWKS_URL"))
		}
	}
	for _, name := range []string{"orchestrator", "panier-1", "panier-2"} {
		s := p.Services[name]
		role := strings.TrimRight(strings.TrimRight(name, "0123456789"), "-")
		if env(s, "TOKEN_URL") != "http://identite:8009/auth/jeton" || env(s, "SERVICE_CLIENT_ID") != role ||
			env(s, "SERVICE_CLIENT_SECRET_FILE") != "/secrets/"+role+".secret" {
			t.Errorf("%s: TOKEN_URL=%q SERVICE_CLIENT_ID=%q SERVICE_CLIENT_SECRET_FILE=%q, want its own client %s at identite",
				name, env(s, "TOKEN_URL"), env(s, "SERVICE_CLIENT_ID"), env(s, "SERVICE_CLIENT_SECRET_FILE"), role)
		}
	}
	if _, ok := p.Volumes["secrets"]; !ok {
		t.Error("no named volume secrets")
	}

	// Docker makes a new named volume with the owner of the image's own
	// folder at the mount point (root when the image has none), and the job
	// writes as the image's non-root USER: the image must hold /secrets,
	// owned by that user, or the job could not write a single file.
	dockerfile := job.Build.Dockerfile
	if !filepath.IsAbs(dockerfile) {
		dockerfile = filepath.Join(job.Build.Context, dockerfile)
	}
	src, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	users := userRe.FindAllSubmatch(src, -1)
	owned := secretsDirRe.FindSubmatch(src)
	switch {
	case len(users) == 0:
		t.Errorf("%s sets no USER", rel(kittest.RepoRoot(t), dockerfile))
	case owned == nil || string(owned[1]) != string(users[len(users)-1][1]):
		t.Errorf("%s must hold /secrets owned by its USER %s (COPY --chown=%[2]s an empty folder to /secrets): "+
			"the secrets volume would be root's", rel(kittest.RepoRoot(t), dockerfile), users[len(users)-1][1])
	}
}

var (
	userRe       = regexp.MustCompile(`(?m)^USER\s+(\S+)`)
	secretsDirRe = regexp.MustCompile(`(?m)^COPY\s+(?:--\S+\s+)*--chown=(\S+)\s+(?:--\S+\s+)*\S+\s+/secrets/?\s*$`)
)

func secretsMount(s types.ServiceConfig) *types.ServiceVolumeConfig {
	for i, v := range s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source == "secrets" && v.Target == "/secrets" {
			return &s.Volumes[i]
		}
	}
	return nil
}
