// Package gateway checks the public gateway: gateway/krakend.json against the
// routes the services really register (their /openapi.json, with each
// route's grants in x-acces) and the compose host names, the native nginx
// gateway the launcher derives from it, and requests through the running
// gateway, which must pass statuses, bodies and request ids unchanged, and
// let a token through only where the route allows its role.
package gateway

import (
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"multimagasins/fleet"
	"multimagasins/kit"
	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(fleettest.Main(m, "gateway", fleet.Options{}, func(f *fleet.Fleet) { fl = f }))
}

// krakend is the part of krakend.json the tests read.
type krakend struct {
	Version     int    `json:"version"`
	Port        int    `json:"port"`
	Timeout     string `json:"timeout"`
	ExtraConfig struct {
		Router map[string]any `json:"router"`
		CORS   *struct {
			AllowHeaders []string `json:"allow_headers"`
		} `json:"security/cors"`
		Otel *struct {
			Exporters struct {
				Prometheus []struct {
					Port int `json:"port"`
				} `json:"prometheus"`
			} `json:"exporters"`
		} `json:"telemetry/opentelemetry"`
	} `json:"extra_config"`
	Endpoints []endpoint `json:"endpoints"`
}

type endpoint struct {
	Endpoint          string   `json:"endpoint"`
	Method            string   `json:"method"`
	Timeout           string   `json:"timeout"`
	OutputEncoding    string   `json:"output_encoding"`
	InputHeaders      []string `json:"input_headers"`
	InputQueryStrings []string `json:"input_query_strings"`
	ExtraConfig       struct {
		RateLimit *struct {
			MaxRate int    `json:"max_rate"`
			Every   string `json:"every"`
		} `json:"qos/ratelimit/router"`
		Validator *validator `json:"auth/validator"`
	} `json:"extra_config"`
	Backend []backend `json:"backend"`
}

// validator is KrakenD's auth/validator of an endpoint.
type validator struct {
	Alg                string   `json:"alg"`
	JWKURL             string   `json:"jwk_url"`
	Cache              bool     `json:"cache"`
	DisableJWKSecurity bool     `json:"disable_jwk_security"`
	Issuer             string   `json:"issuer"`
	Audience           []string `json:"audience"`
	RolesKey           string   `json:"roles_key"`
	Roles              []string `json:"roles"`
}

type backend struct {
	Host       []string `json:"host"`
	URLPattern string   `json:"url_pattern"`
	Method     string   `json:"method"`
	Encoding   string   `json:"encoding"`
	Group      string   `json:"group"`
}

func (e endpoint) key() string { return e.Method + " " + e.Endpoint }

func loadKrakend(t *testing.T) krakend {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(kittest.RepoRoot(t), "gateway", "krakend.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	var k krakend
	if err := dec.Decode(&k); err != nil {
		t.Fatalf("krakend.json: %v", err)
	}
	return k
}

// hostName is the compose service a backend host names ("panier-1").
func hostName(t *testing.T, h string) (name, port string) {
	t.Helper()
	u, err := url.Parse(h)
	if err != nil || u.Scheme != "http" || u.Hostname() == "" || u.Path != "" {
		t.Fatalf("backend host %q is not http://<service>:<port>", h)
	}
	return u.Hostname(), u.Port()
}

// operation is one route of a service's OpenAPI document.
type operation struct {
	query, headers []string
	access         []string // its grants (x-acces): "public", "client(client_id)", "maison_mere", "service"…
}

// public says whether anyone may call the route, token or not.
func (o operation) public() bool { return slices.Contains(o.access, "public") }

// roles are the roles the route grants, other than the service role, each
// once: what KrakenD's validator must ask for. None (and not public) means
// an internal route, for services only.
func (o operation) roles() []string {
	var roles []string
	for _, g := range o.access {
		role, _, _ := strings.Cut(g, "(")
		if role != "public" && role != string(kit.RoleService) && !slices.Contains(roles, role) {
			roles = append(roles, role)
		}
	}
	return roles
}

var (
	specMu sync.Mutex
	specs  = map[string]map[string]operation{}
)

// openapi gives the routes ("GET /clients/{id}") a running process really
// registers, read from its /openapi.json.
func openapi(t *testing.T, process string) map[string]operation {
	t.Helper()
	specMu.Lock()
	defer specMu.Unlock()
	if ops, ok := specs[process]; ok {
		return ops
	}
	r := fleettest.Do(t, fl, "GET", process, "/openapi.json", nil, kittest.Anonymous...)
	if r.Status != 200 {
		t.Fatalf("%s /openapi.json: %d", process, r.Status)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string } `json:"parameters"`
			Access     []string                    `json:"x-acces"`
		} `json:"paths"`
	}
	r.JSON(t, &spec)
	ops := map[string]operation{}
	for path, methods := range spec.Paths {
		for method, op := range methods {
			o := operation{access: op.Access}
			for _, p := range op.Parameters {
				switch p.In {
				case "query":
					o.query = append(o.query, p.Name)
				case "header":
					o.headers = append(o.headers, p.Name)
				}
			}
			ops[strings.ToUpper(method)+" "+path] = o
		}
	}
	specs[process] = ops
	return ops
}

// infra are the routes every service serves for operations, not the public.
func infra(path string) bool {
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/docs", "/openapi"} {
		if path == p || strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

var (
	signerOnce sync.Once
	signer     *kit.Signer
	signerErr  error
)

// as is the Authorization header of a token for p, signed with the fleet's
// own key (identite's, in its secrets directory), as name, value pairs for
// gw and fleettest.Do.
func as(t *testing.T, p kit.Principal) []string {
	t.Helper()
	signerOnce.Do(func() {
		var key []byte
		if key, signerErr = os.ReadFile(fl.SecretPath(fleet.SigningKeyFile)); signerErr == nil {
			signer, signerErr = kit.NewSigner(key, kit.DefaultIssuer, kit.DefaultAudience)
		}
	})
	if signerErr != nil {
		t.Fatalf("the fleet's signing key: %v", signerErr)
	}
	tok, _, err := signer.Sign(p, kit.MaxTokenTTL)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"Authorization", "Bearer " + tok}
}
