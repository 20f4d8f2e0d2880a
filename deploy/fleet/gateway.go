package fleet

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// gateway/krakend.json is the one list of public routes. With a krakend
// binary the launcher runs KrakenD on a copy pointing at the local ports;
// without one it renders deploy/nginx/gateway.conf.tmpl from the same file,
// so both gateways answer the same METHOD /path set.
//
// The nginx gateway cannot check a JWT. On a proxied endpoint it forwards
// every request header, Authorization included, and the service checks the
// token and the route's roles itself, with the same answers (401, 403) as
// KrakenD would give at the edge. A merged endpoint has no one service to
// answer for it: there nginx asks identite (auth_request to GET /auth/moi
// with the validator's roles) before merging, so a caller without the role
// gets that 401 or 403, not a 200 of refused reports.

// loopback is where every native listener binds: nothing of a dev fleet is
// reachable from the network.
const loopback = "127.0.0.1"

// krakendConfig is the part of krakend.json the native gateway needs.
type krakendConfig struct {
	Timeout     string `json:"timeout"`
	ExtraConfig struct {
		CORS *struct {
			AllowOrigins  []string `json:"allow_origins"`
			AllowMethods  []string `json:"allow_methods"`
			AllowHeaders  []string `json:"allow_headers"`
			ExposeHeaders []string `json:"expose_headers"`
			MaxAge        string   `json:"max_age"`
		} `json:"security/cors"`
	} `json:"extra_config"`
	Endpoints []struct {
		Endpoint    string `json:"endpoint"`
		Method      string `json:"method"`
		Timeout     string `json:"timeout"`
		ExtraConfig struct {
			Validator *struct {
				JWKURL string   `json:"jwk_url"`
				Roles  []string `json:"roles"`
			} `json:"auth/validator"`
			RateLimit *struct {
				MaxRate  int    `json:"max_rate"`
				Capacity int    `json:"capacity"`
				Every    string `json:"every"`
			} `json:"qos/ratelimit/router"`
		} `json:"extra_config"`
		Backend []struct {
			Host        []string `json:"host"`
			URLPattern  string   `json:"url_pattern"`
			Method      string   `json:"method"`
			Group       string   `json:"group"`
			ExtraConfig struct {
				// KrakenD keeps the backend's answers for as long as their
				// Cache-Control allows; the native gateway does the same.
				HTTPCache json.RawMessage `json:"qos/http-cache"`
			} `json:"extra_config"`
		} `json:"backend"`
	} `json:"endpoints"`
}

// gatewayConf is what deploy/nginx/gateway.conf.tmpl needs.
type gatewayConf struct {
	RunDir, Listen string
	User           string // nginx's user directive, when the launcher runs as root (see workerUser)
	Timeout        string // proxy_read_timeout: the longest endpoint timeout
	Upstreams      []gwUpstream
	Paths          []gwPath
	Routes         []gwRoute
	Zones          []gwZone
	Merges         []gwMerge
	CORS           gwCORS
}

type gwUpstream struct {
	Name    string
	Servers []string
}

// gwPath is one entry of the $uri map: an exact path, or "~^regex$".
type gwPath struct{ Pattern, Template string }

// gwRoute is one METHOD /template of the route table. Cached routes are
// kept in the gateway's cache for as long as their Cache-Control says.
type gwRoute struct {
	Key, Upstream string
	Cached        bool
}

type gwZone struct {
	Name   string
	Rate   string // "100r/s"
	Burst  int
	Routes []string
}

type gwMerge struct {
	Path, Page string // the public path, and the location serving its SSI page
	Body       []byte
	Subs       []gwSub
	Auth       *gwSub // identite's GET /auth/moi?role=…, asked before merging
}

type gwSub struct{ Location, URI, Upstream string }

type gwCORS struct{ Origin, Methods, Headers, Expose, MaxAge string }

// mergeUpstream is the route table's value for an aggregated endpoint, which
// its own location serves.
const mergeUpstream = "merge"

// buildGateway turns krakend.json into the nginx route table. addr gives the
// local address of a compose host ("panier-1" -> "127.0.0.1:8010"). What
// nginx cannot do the same way (a backend path unlike the endpoint's, a
// merge without groups) is an error, so the two gateways never drift apart.
func buildGateway(src []byte, runDir, listen string, addr func(host string) (string, bool)) (gatewayConf, error) {
	var kc krakendConfig
	if err := json.Unmarshal(src, &kc); err != nil {
		return gatewayConf{}, fmt.Errorf("krakend.json: %w", err)
	}
	c := gatewayConf{RunDir: runDir, Listen: listen}
	longest, err := parseTimeout(kc.Timeout, 5*time.Second)
	if err != nil {
		return c, err
	}
	upstreams := map[string]gwUpstream{}
	upstream := func(hosts []string) (string, error) {
		var names, servers []string
		for _, h := range hosts {
			u, err := url.Parse(h)
			if err != nil || u.Hostname() == "" {
				return "", fmt.Errorf("krakend.json: host %q is not a URL", h)
			}
			a, ok := addr(u.Hostname())
			if !ok {
				return "", fmt.Errorf("krakend.json: host %q is no process of the fleet", h)
			}
			names = append(names, strings.ReplaceAll(u.Hostname(), "-", "_"))
			servers = append(servers, a)
		}
		if len(names) == 0 {
			return "", errors.New("krakend.json: a backend without host")
		}
		name := "gw_" + strings.Join(names, "_")
		upstreams[name] = gwUpstream{Name: name, Servers: servers}
		return name, nil
	}
	zones := map[string]*gwZone{}
	templates := map[string]bool{}
	seen := map[string]bool{}
	for i, e := range kc.Endpoints {
		method := cmp.Or(e.Method, "GET")
		// Paths and methods go into the nginx config, quoted or not: only
		// what a route can hold, never a character nginx reads as syntax.
		if !endpointPath.MatchString(e.Endpoint) || !slices.Contains(httpMethods, method) {
			return c, fmt.Errorf("krakend.json: %q %q is no route the native gateway can serve", method, e.Endpoint)
		}
		key := method + " " + e.Endpoint
		if seen[key] {
			return c, fmt.Errorf("krakend.json: %s declared twice", key)
		}
		seen[key] = true
		templates[e.Endpoint] = true
		if t, err := parseTimeout(e.Timeout, 0); err != nil {
			return c, fmt.Errorf("krakend.json: %s: %w", key, err)
		} else if t > longest {
			longest = t
		}
		if rl := e.ExtraConfig.RateLimit; rl != nil && rl.MaxRate > 0 {
			rate, err := nginxRate(rl.MaxRate, rl.Every)
			if err != nil {
				return c, fmt.Errorf("krakend.json: %s: %w", key, err)
			}
			name := "gw_limit_" + strings.ReplaceAll(rate, "/", "_per_")
			z := zones[name]
			if z == nil {
				z = &gwZone{Name: name, Rate: rate, Burst: cmp.Or(rl.Capacity, rl.MaxRate)}
				zones[name] = z
			}
			if b := cmp.Or(rl.Capacity, rl.MaxRate); b != z.Burst {
				return c, fmt.Errorf("krakend.json: %s: capacity %d, other routes at %s have %d", key, b, rate, z.Burst)
			}
			z.Routes = append(z.Routes, key)
		}
		switch {
		case len(e.Backend) == 1 && e.Backend[0].Group == "":
			b := e.Backend[0]
			if b.URLPattern != e.Endpoint || cmp.Or(b.Method, method) != method {
				return c, fmt.Errorf("krakend.json: %s: the native gateway passes paths unchanged, but the backend is %s %s", key, b.Method, b.URLPattern)
			}
			up, err := upstream(b.Host)
			if err != nil {
				return c, err
			}
			cached := b.ExtraConfig.HTTPCache != nil
			if cached && method != "GET" {
				return c, fmt.Errorf("krakend.json: %s: only GET answers are cached", key)
			}
			c.Routes = append(c.Routes, gwRoute{Key: key, Upstream: up, Cached: cached})
		case len(e.Backend) > 0:
			if method != "GET" || strings.Contains(e.Endpoint, "{") {
				return c, fmt.Errorf("krakend.json: %s: the native gateway merges only GET endpoints without parameters", key)
			}
			m, err := buildMerge(i, e.Endpoint, len(e.Backend), func(j int) (string, string, string, error) {
				b := e.Backend[j]
				if b.ExtraConfig.HTTPCache != nil {
					return "", "", "", fmt.Errorf("krakend.json: %s: the native gateway caches only endpoints with one backend", key)
				}
				if !groupName.MatchString(b.Group) || strings.ContainsAny(b.URLPattern, "{$' ") {
					return "", "", "", fmt.Errorf("krakend.json: %s: each merged backend needs a group (letters, digits, _) and a fixed url_pattern", key)
				}
				up, err := upstream(b.Host)
				return b.Group, b.URLPattern, up, err
			})
			if err != nil {
				return c, err
			}
			if v := e.ExtraConfig.Validator; v != nil {
				if m.Auth, err = mergeAuth(i, v.JWKURL, v.Roles, upstream); err != nil {
					return c, fmt.Errorf("krakend.json: %s: %w", key, err)
				}
			}
			c.Merges = append(c.Merges, m)
			c.Routes = append(c.Routes, gwRoute{Key: key, Upstream: mergeUpstream})
		default:
			return c, fmt.Errorf("krakend.json: %s has no backend", key)
		}
	}
	c.Timeout = fmt.Sprintf("%ds", int(longest.Seconds()))
	for _, name := range slices.Sorted(maps.Keys(upstreams)) {
		c.Upstreams = append(c.Upstreams, upstreams[name])
	}
	for _, name := range slices.Sorted(maps.Keys(zones)) {
		c.Zones = append(c.Zones, *zones[name])
	}
	c.Paths = pathPatterns(slices.Collect(maps.Keys(templates)))
	c.CORS, err = nginxCORS(kc)
	return c, err
}

var (
	groupName    = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	endpointPath = regexp.MustCompile(`^/[A-Za-z0-9._~/{}-]*$`)
	httpMethods  = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
)

func buildMerge(i int, path string, n int, backend func(j int) (group, uri, upstream string, err error)) (gwMerge, error) {
	m := gwMerge{Path: path, Page: fmt.Sprintf("/__gw/page/%d", i)}
	// A failed subrequest shows as null under its group, where KrakenD
	// would leave the group out; the other groups still arrive.
	body := []byte(`<!--# block name="gw_null" -->null<!--# endblock -->{`)
	for j := range n {
		group, uri, up, err := backend(j)
		if err != nil {
			return m, err
		}
		loc := fmt.Sprintf("/__gw/merge/%d/%d", i, j)
		m.Subs = append(m.Subs, gwSub{Location: loc, URI: uri, Upstream: up})
		if j > 0 {
			body = append(body, ',')
		}
		// $args hands the caller's period (depuis, jusqu_a) to every report, as KrakenD does.
		body = fmt.Appendf(body, `"%s":<!--# include virtual="%s?$args" stub="gw_null" -->`, group, loc)
	}
	m.Body = append(body, '}')
	return m, nil
}

// mergeAuth is the subrequest that checks a merged endpoint's token: the
// issuer that publishes jwkURL answers GET /auth/moi with 200, or the 401 or
// 403 the caller gets, when asked for the validator's roles.
func mergeAuth(i int, jwkURL string, roles []string, upstream func([]string) (string, error)) (*gwSub, error) {
	u, err := url.Parse(jwkURL)
	if err != nil || u.Host == "" || len(roles) == 0 {
		return nil, errors.New("auth/validator: the native gateway needs a jwk_url and roles")
	}
	up, err := upstream([]string{u.Scheme + "://" + u.Host})
	if err != nil {
		return nil, err
	}
	q := url.Values{"role": roles}
	return &gwSub{Location: fmt.Sprintf("/__gw/auth/%d", i), URI: "/auth/moi?" + q.Encode(), Upstream: up}, nil
}

var pathParam = regexp.MustCompile(`^\{[A-Za-z0-9_-]+\}$`)

// pathPatterns orders the $uri map: exact paths (nginx tries them first
// anyway), then regexes with the most literal segments first, as KrakenD's
// router prefers /saga/commande over /saga/{id}.
func pathPatterns(templates []string) []gwPath {
	type entry struct {
		gwPath
		literal, params int
	}
	var list []entry
	for _, t := range templates {
		segs := strings.Split(strings.TrimPrefix(t, "/"), "/")
		var re []string
		params := 0
		for _, s := range segs {
			if pathParam.MatchString(s) {
				re = append(re, "[^/]+")
				params++
			} else {
				re = append(re, regexp.QuoteMeta(s))
			}
		}
		p := t
		if params > 0 {
			p = "~^/" + strings.Join(re, "/") + "$"
		}
		list = append(list, entry{gwPath{Pattern: p, Template: t}, len(segs) - params, params})
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if (a.params == 0) != (b.params == 0) {
			return a.params == 0
		}
		if a.literal != b.literal {
			return a.literal > b.literal
		}
		return a.Template < b.Template
	})
	out := make([]gwPath, len(list))
	for i, e := range list {
		out[i] = e.gwPath
	}
	return out
}

func nginxRate(maxRate int, every string) (string, error) {
	switch cmp.Or(every, "1s") {
	case "1s":
		return fmt.Sprintf("%dr/s", maxRate), nil
	case "1m":
		return fmt.Sprintf("%dr/m", maxRate), nil
	}
	return "", fmt.Errorf("rate limit every %q: the native gateway knows 1s and 1m", every)
}

func nginxCORS(kc krakendConfig) (gwCORS, error) {
	cors := kc.ExtraConfig.CORS
	if cors == nil {
		return gwCORS{}, errors.New("krakend.json: no security/cors")
	}
	if !slices.Equal(cors.AllowOrigins, []string{"*"}) {
		return gwCORS{}, errors.New(`krakend.json: the native gateway knows only allow_origins ["*"]`)
	}
	age, err := parseTimeout(cors.MaxAge, 0)
	if err != nil {
		return gwCORS{}, err
	}
	return gwCORS{
		Origin: "*", Methods: strings.Join(cors.AllowMethods, ", "), Headers: strings.Join(cors.AllowHeaders, ", "),
		Expose: strings.Join(cors.ExposeHeaders, ", "), MaxAge: fmt.Sprint(int(age.Seconds())),
	}, nil
}

func parseTimeout(s string, def time.Duration) (time.Duration, error) {
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("duration %q: %w", s, err)
	}
	return d, nil
}

// composeAddr maps a compose host name to the local address of the process
// of that name ("panier-2" -> 127.0.0.1:<its port>).
func (f *Fleet) composeAddr(host string) (string, bool) {
	if _, ok := f.ports[host]; !ok {
		return "", false
	}
	return f.local(host), true
}

// writeGatewayConf renders the nginx gateway into the run directory and
// returns the config's path.
func (f *Fleet) writeGatewayConf() (string, error) {
	src, err := os.ReadFile(filepath.Join(f.root, "gateway", "krakend.json"))
	if err != nil {
		return "", err
	}
	return writeGateway(src, filepath.Join(f.root, "deploy", "nginx", "gateway.conf.tmpl"), f.opts.RunDir, f.local("gateway"), f.composeAddr)
}

func writeGateway(src []byte, tmplPath, runDir, listen string, addr func(string) (string, bool)) (string, error) {
	c, err := buildGateway(src, runDir, listen, addr)
	if err != nil {
		return "", err
	}
	if c.User, err = workerUser(); err != nil {
		return "", err
	}
	conf, err := renderTemplate(tmplPath, c)
	if err != nil {
		return "", err
	}
	for _, d := range []string{"logs", "gateway-cache", "gateway-temp/client_body", "gateway-temp/proxy",
		"gateway-temp/fastcgi", "gateway-temp/uwsgi", "gateway-temp/scgi"} {
		if err := os.MkdirAll(filepath.Join(runDir, d), 0o755); err != nil {
			return "", err
		}
	}
	path := filepath.Join(runDir, "gateway.conf")
	return path, os.WriteFile(path, conf, 0o644)
}

// workerUser is who nginx's workers run as. Started by root, nginx would
// switch them to nobody, who can neither enter a private run directory (the
// tests' is a 0700 temporary one) nor write the cache there; so they stay
// the launcher's own user. Started by anyone else, nginx cannot switch and
// the directive is left out.
func workerUser() (string, error) {
	if os.Geteuid() != 0 {
		return "", nil
	}
	u, err := user.Current()
	if err != nil {
		return "", fmt.Errorf("nginx worker user: %w", err)
	}
	return u.Username, nil
}

// nativeKrakend is krakend.json for local processes: every backend host
// "http://<compose name>:<port>" becomes the local address of that process,
// and so does every validator's jwk_url (identite's key set); the listen and
// metrics ports are the fleet's, and both listen on loopback only
// (KrakenD's listen_ip, and the Prometheus exporter's), like every other
// process of the fleet. Its OTLP exporters send traces to otlp, the fleet's
// Jaeger (host:port); with no Jaeger ("") they are removed, so that KrakenD
// does not retry an unknown host forever.
func nativeKrakend(src []byte, port, metricsPort int, otlp string, addr func(string) (string, bool)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var cfg map[string]any
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("krakend.json: %w", err)
	}
	cfg["port"] = port
	cfg["listen_ip"] = loopback
	if extra, ok := cfg["extra_config"].(map[string]any); ok {
		if otel, ok := extra["telemetry/opentelemetry"].(map[string]any); ok {
			if exp, ok := otel["exporters"].(map[string]any); ok {
				proms, _ := exp["prometheus"].([]any)
				for _, p := range proms {
					if pm, ok := p.(map[string]any); ok {
						pm["port"] = metricsPort
						pm["listen_ip"] = loopback
					}
				}
				if err := localOTLP(exp, otlp); err != nil {
					return nil, err
				}
			}
		}
	}
	local := func(raw any) (string, error) {
		u, err := url.Parse(fmt.Sprint(raw))
		if err != nil {
			return "", fmt.Errorf("krakend.json: host %v: %w", raw, err)
		}
		a, ok := addr(u.Hostname())
		if !ok {
			return "", fmt.Errorf("krakend.json: host %v is no process of the fleet", raw)
		}
		u.Host = a
		return u.String(), nil
	}
	endpoints, _ := cfg["endpoints"].([]any)
	for _, e := range endpoints {
		em, _ := e.(map[string]any)
		if extra, ok := em["extra_config"].(map[string]any); ok {
			if v, ok := extra["auth/validator"].(map[string]any); ok && v["jwk_url"] != nil {
				jwk, err := local(v["jwk_url"])
				if err != nil {
					return nil, err
				}
				v["jwk_url"] = jwk
			}
		}
		backends, _ := em["backend"].([]any)
		for _, b := range backends {
			bm, _ := b.(map[string]any)
			hosts, _ := bm["host"].([]any)
			for i, h := range hosts {
				a, err := local(h)
				if err != nil {
					return nil, err
				}
				hosts[i] = a
			}
		}
	}
	return json.MarshalIndent(cfg, "", "  ")
}

// localOTLP points every OTLP exporter of KrakenD's telemetry at otlp, or
// removes them all when otlp is "" (the schema wants a list of one or more).
func localOTLP(exporters map[string]any, otlp string) error {
	list, ok := exporters["otlp"].([]any)
	if !ok {
		return nil
	}
	if otlp == "" {
		delete(exporters, "otlp")
		return nil
	}
	host, port, err := net.SplitHostPort(otlp)
	if err != nil {
		return fmt.Errorf("OTLP address %q: %w", otlp, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("OTLP address %q: %w", otlp, err)
	}
	for _, e := range list {
		if em, ok := e.(map[string]any); ok {
			em["host"], em["port"] = host, n
		}
	}
	return nil
}

func (f *Fleet) writeKrakendConf() (string, error) {
	src, err := os.ReadFile(filepath.Join(f.root, "gateway", "krakend.json"))
	if err != nil {
		return "", err
	}
	conf, err := nativeKrakend(src, f.ports["krakend"], f.ports["krakend-metrics"], f.tracesGRPC, f.composeAddr)
	if err != nil {
		return "", err
	}
	path := filepath.Join(f.opts.RunDir, "krakend.json")
	return path, os.WriteFile(path, conf, 0o644)
}
