package gateway

import (
	"context"
	"net/url"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

// composeNames are the compose service names every helper uses, with their
// container ports (DESIGN.md).
var composeNames = map[string]int{
	"clients": 8001, "orchestrator": 8002, "commande": 8006, "stock": 8007, "paiement": 8008,
	"identite": 8009, "panier-1": 8010, "panier-2": 8011,
}

// processes are the fleet's processes that serve public routes.
var processes = []string{"identite", "clients", "stock", "panier-1", "panier-2", "commande", "paiement", "orchestrator"}

// composeServices are the services of docker-compose.yml, loaded as docker
// compose would; a missing file fails the test.
func composeServices(t *testing.T) map[string]bool {
	t.Helper()
	root := kittest.RepoRoot(t)
	path := filepath.Join(root, "docker-compose.yml")
	require.FileExists(t, path)
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithWorkingDirectory(root),
		cli.WithEnv(nil), cli.WithProfiles([]string{"*"}))
	require.NoError(t, err)
	p, err := opts.LoadProject(context.Background())
	require.NoError(t, err, "docker-compose.yml")
	names := map[string]bool{}
	for name := range p.Services {
		names[name] = true
	}
	return names
}

func TestKrakend_EveryBackendHostIsAComposeServiceOnItsDesignPort(t *testing.T) {
	k := loadKrakend(t)
	services := composeServices(t)
	for _, e := range k.Endpoints {
		for _, b := range e.Backend {
			require.NotEmpty(t, b.Host, "%s: a backend without host would use the global one", e.key())
			for _, h := range b.Host {
				name, port := hostName(t, h)
				want, ok := composeNames[name]
				require.True(t, ok, "%s: host %s is no service of the fleet", e.key(), h)
				require.Equal(t, strconv.Itoa(want), port, "%s: host %s", e.key(), h)
				require.True(t, services[name], "%s: host %s is not a service of docker-compose.yml", e.key(), h)
			}
		}
	}
}

// Each url_pattern is a route its service registers, with the same method,
// and the query strings forwarded are exactly those the route reads.
func TestKrakend_EveryBackendRouteIsOneTheServiceReallyServes(t *testing.T) {
	for _, e := range loadKrakend(t).Endpoints {
		for _, b := range e.Backend {
			path, rawQuery, _ := strings.Cut(b.URLPattern, "?")
			method := b.Method
			if method == "" {
				method = e.Method
			}
			for _, h := range b.Host {
				process, _ := hostName(t, h)
				ops := openapi(t, process)
				op, ok := ops[method+" "+path]
				require.True(t, ok, "%s: %s does not serve %s %s", e.key(), process, method, path)
				fixed, err := url.ParseQuery(rawQuery)
				require.NoError(t, err)
				for name := range fixed {
					require.Contains(t, op.query, name, "%s: %s %s reads no ?%s", e.key(), method, path, name)
				}
				if len(e.Backend) == 1 {
					require.ElementsMatch(t, op.query, e.InputQueryStrings,
						"%s: input_query_strings must be the query parameters %s %s reads", e.key(), method, path)
				}
				for _, hd := range op.headers {
					require.Contains(t, e.InputHeaders, hd, "%s: %s %s reads the %s header", e.key(), method, path, hd)
				}
			}
		}
	}
}

// Nothing forgotten: every route of every service that anyone but a service
// may call is an endpoint of the same method and path, proxied to that
// service; a route for services only is not.
func TestKrakend_RoutesEveryPublicRouteOfEveryService(t *testing.T) {
	k := loadKrakend(t)
	routed := map[string][]string{} // "GET /x" -> hosts of the one-backend endpoint
	for _, e := range k.Endpoints {
		if len(e.Backend) == 1 && e.Backend[0].URLPattern == e.Endpoint {
			for _, h := range e.Backend[0].Host {
				name, _ := hostName(t, h)
				routed[e.key()] = append(routed[e.key()], name)
			}
		}
	}
	count, internal := 0, 0
	for _, process := range processes {
		ops := openapi(t, process)
		keys := make([]string, 0, len(ops))
		for key := range ops {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			_, path, _ := strings.Cut(key, " ")
			if infra(path) {
				continue
			}
			op := ops[key]
			require.NotEmpty(t, op.access, "%s of %s has no x-acces: every route declares who may call it", key, process)
			if !op.public() && len(op.roles()) == 0 {
				internal++
				require.NotContains(t, routed[key], process, "%s of %s is for services only, yet published", key, process)
				continue
			}
			count++
			require.Contains(t, routed[key], process, "%s of %s is not routed by gateway/krakend.json", key, process)
		}
	}
	t.Logf("%d published service routes (panier counted twice), %d internal ones, %d gateway endpoints",
		count, internal, len(k.Endpoints))
}

// No endpoint publishes a route for services only, whatever its path: such
// a route is reached inside the network, never from the edge.
func TestKrakend_PublishesNoInternalRoute(t *testing.T) {
	for _, e := range loadKrakend(t).Endpoints {
		for _, b := range e.Backend {
			for _, h := range b.Host {
				process, _ := hostName(t, h)
				op := openapi(t, process)[b.Method+" "+strings.SplitN(b.URLPattern, "?", 2)[0]]
				require.True(t, op.public() || len(op.roles()) > 0,
					"%s: %s %s of %s is for services only (x-acces %v)", e.key(), b.Method, b.URLPattern, process, op.access)
			}
		}
	}
}

// The edge asks for the route's own roles: an endpoint whose route is not
// public carries auth/validator with identite's key set and exactly the
// roles the route grants besides the service role (a merged endpoint: the
// roles all of its routes grant); a public route carries none, since the
// service decides. The service checks the token again, so it must receive
// Authorization.
func TestKrakend_EveryNonPublicEndpointValidatesTheRoutesRoles(t *testing.T) {
	k := loadKrakend(t)
	require.Contains(t, k.ExtraConfig.CORS.AllowHeaders, "Authorization", "a browser may send a bearer token")
	validated := 0
	for _, e := range k.Endpoints {
		require.Contains(t, e.InputHeaders, "Authorization", "%s: the service checks the token again", e.key())
		public := false
		var roles []string
		for i, b := range e.Backend {
			process, _ := hostName(t, b.Host[0])
			op := openapi(t, process)[b.Method+" "+b.URLPattern]
			public = public || op.public()
			if i == 0 {
				roles = op.roles()
			} else {
				roles = slices.DeleteFunc(roles, func(r string) bool { return !slices.Contains(op.roles(), r) })
			}
		}
		v := e.ExtraConfig.Validator
		if public {
			require.Nil(t, v, "%s: a public route has no validator at the edge; the service decides", e.key())
			continue
		}
		validated++
		require.NotNil(t, v, "%s is not public, yet KrakenD checks no token", e.key())
		require.NotEmpty(t, roles, "%s: its routes have no role in common", e.key())
		require.ElementsMatch(t, roles, v.Roles, "%s: the validator's roles must be the route's (x-acces) without service", e.key())
		require.Equal(t, "RS256", v.Alg, e.key())
		require.Equal(t, "http://identite:8009/.well-known/jwks.json", v.JWKURL, e.key())
		require.True(t, v.Cache, "%s: the key set is cached, not fetched per request", e.key())
		require.True(t, v.DisableJWKSecurity, "%s: identite is plain http inside the network", e.key())
		require.Equal(t, kit.DefaultIssuer, v.Issuer, e.key())
		require.Equal(t, []string{kit.DefaultAudience}, v.Audience, e.key())
		require.Equal(t, kit.ClaimRoles, v.RolesKey, e.key())
	}
	t.Logf("%d of %d endpoints check a token at the edge", validated, len(k.Endpoints))
}

func TestKrakend_EndpointsPassAnswersThroughAndAreLimited(t *testing.T) {
	k := loadKrakend(t)
	require.Equal(t, 3, k.Version)
	require.Equal(t, 8080, k.Port)
	require.NotEmpty(t, k.Timeout)
	require.Equal(t, true, k.ExtraConfig.Router["disable_redirect_trailing_slash"])
	require.Equal(t, true, k.ExtraConfig.Router["disable_redirect_fixed_path"])
	require.NotNil(t, k.ExtraConfig.CORS)
	require.NotNil(t, k.ExtraConfig.Otel)
	require.Equal(t, 9090, k.ExtraConfig.Otel.Exporters.Prometheus[0].Port, "Prometheus scrapes krakend:9090")

	seen := map[string]bool{}
	merges := 0
	for _, e := range k.Endpoints {
		require.False(t, seen[e.key()], "%s declared twice", e.key())
		seen[e.key()] = true
		require.Contains(t, []string{"GET", "POST", "PUT", "DELETE"}, e.Method, e.key())
		require.NotNil(t, e.ExtraConfig.RateLimit, "%s has no rate limit", e.key())
		require.Positive(t, e.ExtraConfig.RateLimit.MaxRate, e.key())
		require.Contains(t, e.InputHeaders, "X-Request-ID", e.key())
		if len(e.Backend) > 1 {
			merges++
			require.Equal(t, "GET", e.Method)
			for _, b := range e.Backend {
				require.NotEmpty(t, b.Group, "%s: a merged backend needs a group", e.key())
			}
			continue
		}
		require.Equal(t, "no-op", e.OutputEncoding, "%s: statuses and problem+json must pass unchanged", e.key())
		require.Equal(t, "no-op", e.Backend[0].Encoding, e.key())
		for _, h := range []string{"Content-Type", "Idempotency-Key", "Accept"} {
			require.Contains(t, e.InputHeaders, h, e.key())
		}
		if strings.HasPrefix(e.Endpoint, "/panier") {
			require.Equal(t, []string{"http://panier-1:8010", "http://panier-2:8011"}, e.Backend[0].Host, "%s round-robins", e.key())
		}
		if strings.HasPrefix(e.Endpoint, "/saga/") && e.Method == "POST" || e.key() == "POST /commande" {
			require.Equal(t, "10s", e.Timeout, "%s: a saga may take longer than a read", e.key())
		}
	}
	require.Equal(t, 1, merges, "one head-office endpoint")
	for _, key := range []string{"GET /clients", "POST /clients", "GET /panier/{client_id}", "POST /panier",
		"GET /commande/{id}", "POST /commande", "POST /saga/commande", "POST /saga/commande/"} {
		require.True(t, seen[key], "the seed's %s", key)
	}
	for _, key := range []string{"GET /.well-known/jwks.json", "POST /auth/jeton", "POST /auth/inscription",
		"POST /auth/revocation", "GET /auth/moi"} {
		require.True(t, seen[key], "identite's %s: a script gets its token through the gateway", key)
	}
	t.Logf("%d endpoints", len(k.Endpoints))
}

// The nginx gateway's route table has exactly krakend.json's METHOD /path set.
func TestNativeGateway_RouteTableEqualsKrakend(t *testing.T) {
	conf := nativeConf(t)
	table := mapBlock(t, conf, `map "$request_method $gw_path" $gw_upstream`)
	var got []string
	for key := range table {
		got = append(got, key)
	}
	var want []string
	for _, e := range loadKrakend(t).Endpoints {
		want = append(want, e.key())
	}
	slices.Sort(got)
	slices.Sort(want)
	require.Equal(t, want, got)

	// Every path template of the table is matched by the $uri map.
	paths := map[string]bool{}
	for _, tmpl := range mapBlock(t, conf, `map $uri $gw_path`) {
		paths[tmpl] = true
	}
	for _, key := range want {
		_, path, _ := strings.Cut(key, " ")
		require.True(t, paths[path], "no $uri pattern gives %s", path)
	}
	require.Contains(t, conf, "upstream "+table["GET /panier/{client_id}"]+" {")
	up := conf[strings.Index(conf, "upstream "+table["GET /panier/{client_id}"]+" {"):]
	up = up[:strings.Index(up, "}")]
	require.Equal(t, 2, strings.Count(up, "server "), "panier round-robins over two servers:\n%s", up)
}

func TestNativeGateway_ConfigPassesNginxT(t *testing.T) {
	nativeConf(t)
	path := fl.ConfigPath("gateway")
	bin, err := lookNginx()
	require.NoError(t, err)
	dir := filepath.Dir(path)
	out, err := runCmd(bin, "-t", "-p", dir, "-c", path, "-e", filepath.Join(t.TempDir(), "error.log"))
	require.NoError(t, err, out)
}
