package fleet

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// instances are the process names of a service: web and panier run twice.
func instances(service string) []string {
	switch service {
	case "web", "panier":
		return []string{service + "-1", service + "-2"}
	default:
		return []string{service}
	}
}

func hasDatabase(service string) bool { return service != "web" }

func (f *Fleet) local(name string) string { return loopback + ":" + itoa(f.ports[name]) }

// serviceProcs describes each Go service process with its environment:
// listen address, its own role on the shared database, and its peers.
func (f *Fleet) serviceProcs() []*proc {
	peers := map[string]string{
		"CLIENTS_URL":      "http://" + f.local("clients"),
		"ORCHESTRATOR_URL": "http://" + f.local("orchestrator"),
		"COMMANDE_URL":     "http://" + f.local("commande"),
		"STOCK_URL":        "http://" + f.local("stock"),
		"PAIEMENT_URL":     "http://" + f.local("paiement"),
		// The orchestrator calls one replica directly; both share their state in PostgreSQL.
		"PANIER_URL":  "http://" + f.local("panier-1"),
		"GATEWAY_URL": "http://" + f.local(gatewayProcess()),
		// identite: every service checks tokens against its key set; the
		// callers with a service token get it from its token endpoint.
		"IDENTITE_URL": "http://" + f.local("identite"),
		"JWKS_URL":     "http://" + f.local("identite") + "/.well-known/jwks.json",
		"TOKEN_URL":    "http://" + f.local("identite") + "/auth/jeton",
	}
	var procs []*proc
	for _, svc := range f.opts.Services {
		for _, name := range instances(svc) {
			env := map[string]string{
				"ADDR":      f.local(name),
				"PORT":      itoa(f.ports[name]),
				"LOG_LEVEL": f.opts.LogLevel,
			}
			for k, v := range peers {
				env[k] = v
			}
			if hasDatabase(svc) {
				env["DATABASE_URL"] = roleURL(f.adminDB, svc)
			}
			for k, v := range f.secretEnv(svc) {
				env[k] = v
			}
			if svc == "web" {
				env["INSTANCE"] = name
			}
			if f.tracesHTTP != "" {
				env["OTEL_EXPORTER_OTLP_ENDPOINT"] = f.tracesHTTP
			}
			for k, v := range f.opts.Env {
				env[k] = v
			}
			for _, key := range []string{svc, name} {
				for k, v := range f.opts.ProcessEnv[key] {
					env[k] = v
				}
			}
			procs = append(procs, &proc{
				name: name, service: svc,
				path: filepath.Join(f.opts.BinDir, svc), dir: f.root,
				env:     environ(env),
				url:     "http://" + f.local(name),
				ready:   "http://" + f.local(name) + "/readyz",
				port:    f.ports[name],
				logPath: filepath.Join(f.opts.RunDir, "logs", name+".log"),
			})
		}
	}
	return procs
}

// secretEnv names the secrets a service reads, each as a file of the
// secrets directory, never as a value on a command line or in the env.
func (f *Fleet) secretEnv(svc string) map[string]string {
	env := map[string]string{}
	switch svc {
	case "identite":
		env["IDENTITE_SIGNING_KEY_FILE"] = f.SecretPath(SigningKeyFile)
		env["IDENTITE_SERVICE_CLIENTS_FILE"] = f.SecretPath(ServiceClientsFile)
		env["PUBLIC_URL"] = f.identitePublicURL()
		if !f.opts.NoDemoAccounts {
			env["IDENTITE_DEMO"] = "1"
		}
	case "web":
		env["SESSION_KEY_FILE"] = f.SecretPath(SessionKeyFile)
	}
	if slices.Contains(tokenClients, svc) {
		env["SERVICE_CLIENT_ID"] = svc
		env["SERVICE_CLIENT_SECRET_FILE"] = f.SecretPath(ServiceSecretFile(svc))
	}
	return env
}

// identitePublicURL is where callers reach identite's public routes, for
// its discovery document: the gateway when one will run, as in compose, else
// identite itself.
func (f *Fleet) identitePublicURL() string {
	gateway := !f.opts.NoExtras && exists(filepath.Join(f.root, "gateway", "krakend.json")) &&
		(lookPath("krakend", "") != "" || lookPath("nginx", "/usr/sbin/nginx") != "")
	if gateway {
		return "http://" + f.local(gatewayProcess())
	}
	return "http://" + f.local("identite")
}

// extraProcs are nginx, the gateway (KrakenD or nginx) and Prometheus, each
// when installed.
func (f *Fleet) extraProcs() ([]*proc, error) {
	var procs []*proc
	logPath := func(name string) string { return filepath.Join(f.opts.RunDir, "logs", name+".log") }

	if bin := lookPath("nginx", "/usr/sbin/nginx"); bin == "" {
		f.skip("nginx", "not installed (no nginx on PATH nor /usr/sbin/nginx)")
	} else if !slices.Contains(f.opts.Services, "web") {
		f.skip("nginx", "web is not started")
	} else {
		conf, err := f.writeNginxConf()
		if err != nil {
			return nil, err
		}
		procs = append(procs, &proc{
			name: "nginx", service: "nginx", path: bin, dir: f.opts.RunDir,
			args: []string{"-p", f.opts.RunDir, "-c", conf, "-e", logPath("nginx-error"), "-g", "daemon off;"},
			env:  environ(nil), conf: conf,
			url: "http://" + f.local("nginx"), ready: "http://" + f.local("nginx") + "/nginx-health",
			port: f.ports["nginx"], logPath: logPath("nginx"),
		})
	}

	gw, err := f.gatewayProc(logPath)
	if err != nil {
		return nil, err
	}
	if gw != nil {
		procs = append(procs, gw)
	}

	if bin := lookPath("prometheus", "/usr/bin/prometheus"); bin == "" {
		f.skip("prometheus", "not installed (no prometheus on PATH)")
	} else {
		running := map[string]string{"prometheus": f.local("prometheus")}
		for _, p := range procs {
			running[p.name] = f.local(p.name)
		}
		for _, svc := range f.opts.Services {
			for _, name := range instances(svc) {
				running[name] = f.local(name)
			}
		}
		if _, ok := running["krakend"]; ok {
			running["krakend"] = f.local("krakend-metrics")
		}
		conf, err := f.writePrometheusConf(running)
		if err != nil {
			return nil, err
		}
		data := filepath.Join(f.opts.RunDir, "prometheus-data")
		procs = append(procs, &proc{
			name: "prometheus", service: "prometheus", path: bin, dir: f.opts.RunDir,
			args: []string{"--config.file=" + conf, "--web.listen-address=" + f.local("prometheus"),
				"--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=2d"},
			env: environ(nil), conf: conf,
			url: "http://" + f.local("prometheus"), ready: "http://" + f.local("prometheus") + "/-/ready",
			port: f.ports["prometheus"], logPath: logPath("prometheus"),
		})
	}
	return procs, nil
}

// gatewayProcess names the process serving the public routes: KrakenD when a
// krakend binary is installed, else the nginx gateway built from the same
// krakend.json. Either answers Fleet.URL("gateway").
func gatewayProcess() string {
	if lookPath("krakend", "") != "" {
		return "krakend"
	}
	return "gateway"
}

func (f *Fleet) gatewayProc(logPath func(string) string) (*proc, error) {
	if !exists(filepath.Join(f.root, "gateway", "krakend.json")) {
		f.skip("krakend", "gateway/krakend.json does not exist")
		f.skip("gateway", "gateway/krakend.json does not exist")
		return nil, nil
	}
	if krakend := lookPath("krakend", ""); krakend != "" {
		f.skip("gateway", "krakend is installed and serves the public routes")
		conf, err := f.writeKrakendConf()
		if err != nil {
			return nil, err
		}
		return &proc{
			name: "krakend", service: "gateway", path: krakend, dir: f.opts.RunDir,
			args: []string{"run", "-c", conf},
			env:  environ(nil), conf: conf,
			url: "http://" + f.local("krakend"), ready: "http://" + f.local("krakend") + "/__health",
			port: f.ports["krakend"], logPath: logPath("krakend"),
		}, nil
	}
	f.skip("krakend", "not installed (no krakend on PATH); the nginx gateway serves the same routes")
	bin := lookPath("nginx", "/usr/sbin/nginx")
	if bin == "" {
		f.skip("gateway", "neither krakend nor nginx is installed")
		return nil, nil
	}
	conf, err := f.writeGatewayConf()
	if err != nil {
		return nil, err
	}
	return &proc{
		name: "gateway", service: "gateway", path: bin, dir: f.opts.RunDir,
		args: []string{"-p", f.opts.RunDir, "-c", conf, "-e", logPath("gateway-error"), "-g", "daemon off;"},
		env:  environ(nil), conf: conf,
		url: "http://" + f.local("gateway"), ready: "http://" + f.local("gateway") + "/__health",
		port: f.ports["gateway"], logPath: logPath("gateway"),
	}, nil
}

func (f *Fleet) skip(name, why string) {
	f.skipped = append(f.skipped, skip{name: name, why: why})
}

// environ is this process's environment with vars on top, so PATH and HOME
// pass through but no DATABASE_URL or PORT of ours leaks into a child.
func environ(vars map[string]string) []string {
	env := os.Environ()
	for k, v := range vars {
		env = append(env, k+"="+v) // exec uses the last value of a duplicate key
	}
	return env
}

// roleURL is dbURL with the user swapped for the service's role (no password:
// the local server trusts loopback; elsewhere the environment would give one).
func roleURL(dbURL, role string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	u.User = url.User(role)
	return u.String()
}

func lookPath(name, fallback string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if fallback != "" && exists(fallback) {
		return fallback
	}
	return ""
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
