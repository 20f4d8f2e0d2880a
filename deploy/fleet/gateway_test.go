package fleet

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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

func TestNativeKrakend_PointsEveryHostAtTheLocalProcessAndSetsThePorts(t *testing.T) {
	src, _ := realKrakend(t)
	out, err := nativeKrakend(src, 18080, 19090, fakeAddr)
	require.NoError(t, err)
	var cfg struct {
		Port        int `json:"port"`
		ExtraConfig struct {
			Otel struct {
				Exporters struct {
					Prometheus []struct {
						Port int `json:"port"`
					} `json:"prometheus"`
				} `json:"exporters"`
			} `json:"telemetry/opentelemetry"`
		} `json:"extra_config"`
		Endpoints []struct {
			Endpoint string `json:"endpoint"`
			Backend  []struct {
				Host []string `json:"host"`
			} `json:"backend"`
		} `json:"endpoints"`
	}
	require.NoError(t, json.Unmarshal(out, &cfg))
	require.Equal(t, 18080, cfg.Port)
	require.Equal(t, 19090, cfg.ExtraConfig.Otel.Exporters.Prometheus[0].Port)
	for _, e := range cfg.Endpoints {
		for _, b := range e.Backend {
			for _, h := range b.Host {
				require.True(t, strings.HasPrefix(h, "http://127.0.0.1:"), "%s: host %s", e.Endpoint, h)
			}
		}
	}
	_, err = nativeKrakend([]byte(`{"endpoints":[{"backend":[{"host":["http://ailleurs:1"]}]}]}`), 1, 2, fakeAddr)
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
