package fleet

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeAddr gives every process of DefaultPorts a distinct local address.
func fakeAddr(host string) (string, bool) {
	p, ok := DefaultPorts[host]
	if !ok {
		return "", false
	}
	return "127.0.0.1:" + itoa(p+10000), true
}

func realKrakend(t *testing.T) ([]byte, string) {
	t.Helper()
	root, err := FindRoot()
	require.NoError(t, err)
	src, err := os.ReadFile(filepath.Join(root, "gateway", "krakend.json"))
	require.NoError(t, err)
	return src, root
}

func TestGatewayConf_FromTheRealKrakendJSONIsAConfigNginxAccepts(t *testing.T) {
	bin := lookPath("nginx", "/usr/sbin/nginx")
	if bin == "" {
		t.Skip("nginx is not installed")
	}
	src, root := realKrakend(t)
	dir := t.TempDir()
	path, err := writeGateway(src, filepath.Join(root, "deploy", "nginx", "gateway.conf.tmpl"), dir, "127.0.0.1:1", fakeAddr)
	require.NoError(t, err)
	out, err := exec.Command(bin, "-t", "-p", dir, "-c", path, "-e", filepath.Join(dir, "logs", "err.log")).CombinedOutput()
	require.NoError(t, err, string(out))
}

func TestBuildGateway_RoutesEveryEndpointOnceWithItsUpstreamAndLimit(t *testing.T) {
	src, _ := realKrakend(t)
	c, err := buildGateway(src, "/run", "127.0.0.1:1", fakeAddr)
	require.NoError(t, err)
	var kc krakendConfig
	require.NoError(t, json.Unmarshal(src, &kc))
	require.Len(t, c.Routes, len(kc.Endpoints))

	routes := map[string]string{}
	for _, r := range c.Routes {
		routes[r.Key] = r.Upstream
	}
	require.Equal(t, "gw_panier_1_panier_2", routes["GET /panier/{client_id}"])
	require.Equal(t, "gw_orchestrator", routes["POST /saga/commande/"])
	require.Equal(t, "gw_orchestrator", routes["POST /commande"])
	require.Equal(t, "gw_commande", routes["GET /commande/{id}"])
	require.Equal(t, mergeUpstream, routes["GET /maison-mere/apercu"])

	var panier gwUpstream
	for _, u := range c.Upstreams {
		if u.Name == "gw_panier_1_panier_2" {
			panier = u
		}
	}
	require.Equal(t, []string{"127.0.0.1:18010", "127.0.0.1:18011"}, panier.Servers, "round-robin over both replicas")

	limited := 0
	for _, z := range c.Zones {
		limited += len(z.Routes)
	}
	require.Equal(t, len(kc.Endpoints), limited, "every route has its rate limit")
	require.Equal(t, "10s", c.Timeout, "the saga routes' timeout")

	// Literal before parameter, so /saga/commande never reads as /saga/{id}.
	var order []string
	for _, p := range c.Paths {
		order = append(order, p.Template)
	}
	require.Less(t, indexOf(order, "/saga/commande"), indexOf(order, "/saga/{id}"))
	require.Less(t, indexOf(order, "/magasins/{id}/stock"), indexOf(order, "/magasins/{id}"))

	require.Len(t, c.Merges, 1)
	body := string(c.Merges[0].Body)
	for _, group := range []string{`"ventes_par_magasin":`, `"performance_magasins":`, `"ruptures":`, `"demandes_en_attente":`} {
		require.Contains(t, body, group)
	}
}

func TestBuildGateway_CachesTheRoutesKrakendCaches(t *testing.T) {
	src, _ := realKrakend(t)
	c, err := buildGateway(src, "/run", "127.0.0.1:1", fakeAddr)
	require.NoError(t, err)
	var cached []string
	for _, r := range c.Routes {
		if r.Cached {
			cached = append(cached, r.Key)
		}
	}
	require.ElementsMatch(t, []string{"GET /produits", "GET /produits/{id}", "GET /magasins", "GET /magasins/{id}",
		"GET /magasins/{id}/stock"}, cached)
}

// The rendered gateway in front of a fake stock: a cached route is served
// from nginx's copy (with the caller's own request id, and 304 for its
// ETag) until the copy's max-age has passed, then the new price shows; a
// route krakend.json does not cache reaches the service every time, even
// with a Cache-Control.
func TestGatewayConf_CachesForTheMaxAgeAndNoLonger(t *testing.T) {
	bin := lookPath("nginx", "/usr/sbin/nginx")
	if bin == "" {
		t.Skip("nginx is not installed")
	}
	var prix, hits, clientsHits atomic.Int64
	prix.Store(1000)
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-ID", r.Header.Get("X-Request-ID"))
		w.Header().Set("Cache-Control", "public, max-age=1")
		if r.URL.Path == "/clients" {
			clientsHits.Add(1)
			fmt.Fprint(w, `{"items":[]}`)
			return
		}
		hits.Add(1)
		body := fmt.Sprintf(`{"id":1,"prix":%d}`, prix.Load())
		etag := fmt.Sprintf(`"%x"`, prix.Load())
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(svc.Close)
	upstream := strings.TrimPrefix(svc.URL, "http://")
	addr := func(host string) (string, bool) {
		if host == "stock" || host == "clients" {
			return upstream, true
		}
		return fakeAddr(host)
	}

	base := startGateway(t, bin, addr)

	first := gwGet(t, base+"/produits/1", "X-Request-ID", "premier")
	require.Equal(t, http.StatusOK, first.status)
	require.Equal(t, "premier", first.header.Get("X-Request-ID"))
	etag := first.header.Get("ETag")
	second := gwGet(t, base+"/produits/1", "X-Request-ID", "second")
	require.Equal(t, first.body, second.body)
	require.Equal(t, "second", second.header.Get("X-Request-ID"), "a copy answers with the caller's id, not the one that filled it")
	notModified := gwGet(t, base+"/produits/1", "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, notModified.status)
	require.EqualValues(t, 1, hits.Load(), "the service answered once; nginx served the rest from its copy")

	gwGet(t, base+"/clients", "X-Request-ID", "c1")
	c2 := gwGet(t, base+"/clients", "X-Request-ID", "c2")
	require.EqualValues(t, 2, clientsHits.Load(), "GET /clients is not cached by krakend.json, so not by nginx")
	require.Equal(t, "c2", c2.header.Get("X-Request-ID"))

	prix.Store(1250)
	require.Eventually(t, func() bool {
		return strings.Contains(gwGet(t, base+"/produits/1").body, `"prix":1250`)
	}, 10*time.Second, 100*time.Millisecond, "the new price never showed once the copy's max-age had passed")
}

type gwAnswer struct {
	status int
	header http.Header
	body   string
}

func gwGet(t *testing.T, url string, headers ...string) gwAnswer {
	t.Helper()
	return gwDo(t, http.MethodGet, url, nil, headers...)
}

func gwDo(t *testing.T, method, url string, body io.Reader, headers ...string) gwAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return gwAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func TestBuildGateway_RefusesWhatNginxCannotServeTheSameWay(t *testing.T) {
	cases := map[string]string{
		"rewritten path": `{"extra_config":{"security/cors":{"allow_origins":["*"]}},"endpoints":[
			{"endpoint":"/a","backend":[{"host":["http://clients:8001"],"url_pattern":"/b"}]}]}`,
		"unknown host": `{"extra_config":{"security/cors":{"allow_origins":["*"]}},"endpoints":[
			{"endpoint":"/a","backend":[{"host":["http://ailleurs:1"],"url_pattern":"/a"}]}]}`,
		"merge without group": `{"extra_config":{"security/cors":{"allow_origins":["*"]}},"endpoints":[
			{"endpoint":"/a","backend":[{"host":["http://clients:8001"],"url_pattern":"/x"},{"host":["http://stock:8007"],"url_pattern":"/y"}]}]}`,
		"declared twice": `{"extra_config":{"security/cors":{"allow_origins":["*"]}},"endpoints":[
			{"endpoint":"/a","backend":[{"host":["http://clients:8001"],"url_pattern":"/a"}]},
			{"endpoint":"/a","method":"GET","backend":[{"host":["http://clients:8001"],"url_pattern":"/a"}]}]}`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := buildGateway([]byte(src), "/run", "127.0.0.1:1", fakeAddr)
			require.Error(t, err)
		})
	}
}

func TestNativeKrakend_PointsEveryHostAtTheLocalProcessAndListensOnLoopback(t *testing.T) {
	src, _ := realKrakend(t)
	out, err := nativeKrakend(src, 18080, 19090, "127.0.0.1:14317", fakeAddr)
	require.NoError(t, err)
	var cfg struct {
		Port        int    `json:"port"`
		ListenIP    string `json:"listen_ip"`
		ExtraConfig struct {
			Otel struct {
				Exporters struct {
					Prometheus []struct {
						Port     int    `json:"port"`
						ListenIP string `json:"listen_ip"`
					} `json:"prometheus"`
					OTLP []struct {
						Host string `json:"host"`
						Port int    `json:"port"`
					} `json:"otlp"`
				} `json:"exporters"`
			} `json:"telemetry/opentelemetry"`
		} `json:"extra_config"`
		Endpoints []struct {
			Endpoint    string `json:"endpoint"`
			ExtraConfig struct {
				Validator *struct {
					JWKURL string   `json:"jwk_url"`
					Roles  []string `json:"roles"`
				} `json:"auth/validator"`
			} `json:"extra_config"`
			Backend []struct {
				Host []string `json:"host"`
			} `json:"backend"`
		} `json:"endpoints"`
	}
	require.NoError(t, json.Unmarshal(out, &cfg))
	require.Equal(t, 18080, cfg.Port)
	require.Equal(t, "127.0.0.1", cfg.ListenIP, "KrakenD itself listens on loopback only")
	require.Equal(t, 19090, cfg.ExtraConfig.Otel.Exporters.Prometheus[0].Port)
	require.Equal(t, "127.0.0.1", cfg.ExtraConfig.Otel.Exporters.Prometheus[0].ListenIP, "and so does its metrics exporter")
	require.Len(t, cfg.ExtraConfig.Otel.Exporters.OTLP, 1, "traces go to the fleet's Jaeger")
	require.Equal(t, "127.0.0.1", cfg.ExtraConfig.Otel.Exporters.OTLP[0].Host)
	require.Equal(t, 14317, cfg.ExtraConfig.Otel.Exporters.OTLP[0].Port)
	validated := 0
	for _, e := range cfg.Endpoints {
		for _, b := range e.Backend {
			for _, h := range b.Host {
				require.True(t, strings.HasPrefix(h, "http://127.0.0.1:"), "%s: host %s", e.Endpoint, h)
			}
		}
		if v := e.ExtraConfig.Validator; v != nil {
			validated++
			require.Equal(t, "http://127.0.0.1:18009/.well-known/jwks.json", v.JWKURL, "%s: identite's key set, locally", e.Endpoint)
			require.NotEmpty(t, v.Roles, e.Endpoint)
		}
	}
	require.Positive(t, validated, "the copy keeps the validators")
	_, err = nativeKrakend([]byte(`{"endpoints":[{"backend":[{"host":["http://ailleurs:1"]}]}]}`), 1, 2, "", fakeAddr)
	require.ErrorContains(t, err, "ailleurs")
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// The nginx twin verifies no token: it hands the caller's Authorization to
// the service, on a plain route and to every report of a merged one, and
// lets the service's 401 through as it is. Before merging, it asks identite
// whether the token holds the validator's roles, and answers its refusal.
func TestGatewayConf_ForwardsAuthorizationToEveryBackend(t *testing.T) {
	bin := lookPath("nginx", "/usr/sbin/nginx")
	if bin == "" {
		t.Skip("nginx is not installed")
	}
	var mu sync.Mutex
	seen := map[string]string{} // path -> Authorization it came with
	var asked []string          // identite's ?role= queries
	const bearer, client = "Bearer un.jeton.signe", "Bearer un.client"
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path] = r.Header.Get("Authorization")
		if r.URL.Path == "/auth/moi" {
			asked = append(asked, r.URL.RawQuery)
		}
		mu.Unlock()
		if r.URL.Path == "/auth/moi" && r.Header.Get("Authorization") == client {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"status":403}`)
			return
		}
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"status":401}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(svc.Close)
	upstream := strings.TrimPrefix(svc.URL, "http://")
	addr := func(host string) (string, bool) {
		if _, ok := DefaultPorts[host]; ok {
			return upstream, true
		}
		return "", false
	}
	base := startGateway(t, bin, addr)

	require.Equal(t, http.StatusOK, gwGet(t, base+"/clients", "Authorization", bearer).status)
	require.Equal(t, http.StatusOK, gwGet(t, base+"/maison-mere/apercu?depuis=x", "Authorization", bearer).status)
	mu.Lock()
	for _, path := range []string{"/clients", "/auth/moi", "/rapports/ventes-par-magasin", "/rapports/performance-magasins",
		"/rapports/ruptures", "/rapports/demandes-en-attente"} {
		require.Equal(t, bearer, seen[path], "%s did not get the caller's Authorization", path)
	}
	require.Equal(t, []string{"role=maison_mere"}, asked, "identite is asked for the validator's roles only")
	mu.Unlock()
	anon := gwGet(t, base+"/clients")
	require.Equal(t, http.StatusUnauthorized, anon.status, "the service's own 401 passes through")
	require.JSONEq(t, `{"status":401}`, anon.body)

	mu.Lock()
	clear(seen)
	mu.Unlock()
	for _, c := range []struct {
		headers []string
		status  int
	}{{nil, http.StatusUnauthorized}, {[]string{"Authorization", client}, http.StatusForbidden}} {
		r := gwGet(t, base+"/maison-mere/apercu", c.headers...)
		require.Equal(t, c.status, r.status, r.body)
		require.Equal(t, "application/problem+json", r.header.Get("Content-Type"))
		require.Contains(t, r.body, fmt.Sprintf(`"status":%d`, c.status))
	}
	mu.Lock()
	defer mu.Unlock()
	for path := range seen {
		require.Equal(t, "/auth/moi", path, "a refused caller reached a report")
	}
}

// startGateway renders the real krakend.json's nginx gateway with addr and
// runs it until the test ends; it returns its base URL.
func startGateway(t *testing.T, bin string, addr func(string) (string, bool)) string {
	t.Helper()
	src, root := realKrakend(t)
	dir := t.TempDir()
	listen := freeAddr(t)
	path, err := writeGateway(src, filepath.Join(root, "deploy", "nginx", "gateway.conf.tmpl"), dir, listen, addr)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	nginx := exec.CommandContext(ctx, bin, "-p", dir, "-c", path, "-e", filepath.Join(dir, "logs", "err.log"), "-g", "daemon off;")
	// SIGTERM, not the default SIGKILL: a killed master leaves its workers
	// running, listening on the port, after the test.
	nginx.Cancel = func() error { return nginx.Process.Signal(syscall.SIGTERM) }
	nginx.WaitDelay = 10 * time.Second
	require.NoError(t, nginx.Start())
	t.Cleanup(func() {
		cancel()
		_ = nginx.Wait()
		if t.Failed() {
			logs, _ := os.ReadFile(filepath.Join(dir, "logs", "gateway-error.log"))
			t.Logf("nginx error log:\n%s", logs)
		}
	})
	base := "http://" + listen
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/__health")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond, "nginx did not start")
	return base
}

// What nginx refuses itself is problem+json, like a service's refusals; a
// service's own 404 passes through as it is.
func TestGatewayConf_RefusesWithProblems(t *testing.T) {
	bin := lookPath("nginx", "/usr/sbin/nginx")
	if bin == "" {
		t.Skip("nginx is not installed")
	}
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"status":404,"detail":"du service"}`)
	}))
	t.Cleanup(svc.Close)
	base := startGateway(t, bin, func(host string) (string, bool) {
		_, ok := DefaultPorts[host]
		return strings.TrimPrefix(svc.URL, "http://"), ok
	})
	for _, c := range []struct {
		method, path string
		body         io.Reader
		status       int
	}{
		{"GET", "/nulle-part", nil, 404},
		{"DELETE", "/produits", nil, 405},
		{"POST", "/maison-mere/apercu", nil, 405},
		{"POST", "/produits", strings.NewReader(strings.Repeat("x", 2<<20)), 413},
		{"GET", "/produits/" + strings.Repeat("9", 100_000), nil, 414},
	} {
		r := gwDo(t, c.method, base+c.path, c.body)
		require.Equal(t, c.status, r.status, "%s %.40s", c.method, c.path)
		require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "%s %.40s", c.method, c.path)
		require.Contains(t, r.body, fmt.Sprintf(`"status":%d`, c.status))
	}
	r := gwGet(t, base+"/produits/99")
	require.Equal(t, 404, r.status)
	require.JSONEq(t, `{"status":404,"detail":"du service"}`, r.body, "the service's own answer")
}

// Without a Jaeger in the fleet, KrakenD gets no OTLP exporter at all rather
// than one aimed at a host that does not exist; its Prometheus one stays.
func TestNativeKrakend_DropsTheTraceExporterWithoutJaeger(t *testing.T) {
	src, _ := realKrakend(t)
	out, err := nativeKrakend(src, 18080, 19090, "", fakeAddr)
	require.NoError(t, err)
	var cfg struct {
		ExtraConfig struct {
			Otel struct {
				Exporters map[string]json.RawMessage `json:"exporters"`
			} `json:"telemetry/opentelemetry"`
		} `json:"extra_config"`
	}
	require.NoError(t, json.Unmarshal(out, &cfg))
	require.NotContains(t, cfg.ExtraConfig.Otel.Exporters, "otlp")
	require.Contains(t, cfg.ExtraConfig.Otel.Exporters, "prometheus")
}
