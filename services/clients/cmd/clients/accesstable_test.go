package main

// The access table: every route the service's /openapi.json lists, by every
// kind of caller, expected from the route's own x-acces. A route added to
// routes.go is covered as soon as it is registered; only a path parameter
// with no example value needs a line in the examples map.

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
)

// accessRoute is one operation of /openapi.json with its grants.
type accessRoute struct {
	method, path string
	grants       []string // x-acces: "public", "maison_mere", "client(id)", ...
}

func (r accessRoute) public() bool { return slices.Contains(r.grants, "public") }

// accessRoutes reads every operation of base's /openapi.json; each must show
// its grants and a security requirement.
func accessRoutes(t *testing.T, base string) []accessRoute {
	t.Helper()
	var spec struct {
		Paths map[string]map[string]struct {
			Acces    []string              `json:"x-acces"`
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	kittest.Do(t, http.MethodGet, base+"/openapi.json", nil, kittest.Anonymous...).JSON(t, &spec)
	var out []accessRoute
	for path, ops := range spec.Paths {
		for method, op := range ops {
			require.NotEmpty(t, op.Acces, "%s %s has no x-acces", method, path)
			require.NotEmpty(t, op.Security, "%s %s has no security requirement", method, path)
			out = append(out, accessRoute{method: strings.ToUpper(method), path: path, grants: op.Acces})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	require.NotEmpty(t, out)
	return out
}

// The client and the store the table's requests are about: a parameter a
// grant binds (client(id), caissier(magasin_id)) names them.
const (
	ownClient int64 = 7
	ownStore  int64 = 1
)

// accessCallers are the table's other axis: no token, a token no issuer
// signed, each role, and a client and a caissier bound to someone else.
func accessCallers(t *testing.T) []accessCaller {
	return []accessCaller{
		{name: "anonyme", headers: kittest.Anonymous},
		{name: "jeton_invalide", headers: []string{"Authorization", "Bearer pas.un.jeton"}, invalid: true},
		{name: "client_proprietaire", p: kittest.Client(ownClient)},
		{name: "autre_client", p: kittest.Client(ownClient + 1)},
		{name: "caissier_du_magasin", p: kittest.Caissier(ownStore)},
		{name: "caissier_d_un_autre_magasin", p: kittest.Caissier(ownStore + 1)},
		{name: "logistique", p: kittest.Logistique},
		{name: "maison_mere", p: kittest.MaisonMere},
		{name: "service", p: kittest.ServicePrincipal},
	}
}

type accessCaller struct {
	name    string
	p       kit.Principal
	headers []string // for the anonymous and the invalid token; else the token of p
	invalid bool
}

func (c accessCaller) header(t *testing.T) []string {
	if c.headers != nil {
		return c.headers
	}
	return kittest.As(t, c.p)
}

var (
	pathParam  = regexp.MustCompile(`\{(\w+)\}`)
	grantParam = regexp.MustCompile(`^(\w+)\((\w+)\)$`)
)

// accessRequest fills r's path parameters from examples (or with bad, for
// every one, when bad is not ""), and puts each bound grant's query parameter
// on the owner's id (or bad). values are the parameters as sent.
func accessRequest(t *testing.T, r accessRoute, examples map[string]string, bad string) (target string, values map[string]string) {
	t.Helper()
	values = map[string]string{}
	target = pathParam.ReplaceAllStringFunc(r.path, func(p string) string {
		name := p[1 : len(p)-1]
		v, ok := examples[name]
		require.True(t, ok, "%s %s: add an example value for {%s} to the access table", r.method, r.path, name)
		if bad != "" {
			v = bad
		}
		values[name] = v
		return v
	})
	var q []string
	for _, g := range r.grants {
		m := grantParam.FindStringSubmatch(g)
		if m == nil {
			continue
		}
		if _, inPath := values[m[2]]; inPath {
			continue
		}
		v := strconv.FormatInt(ownClient, 10)
		if kit.Role(m[1]) == kit.RoleCaissier {
			v = strconv.FormatInt(ownStore, 10)
		}
		if bad != "" {
			v = bad
		}
		values[m[2]] = v
		q = append(q, m[2]+"="+v)
	}
	if bad != "" {
		q = append(q, "limit=0") // out of range wherever a page is asked for
	}
	if len(q) > 0 {
		target += "?" + strings.Join(q, "&")
	}
	return target, values
}

// accessAllows says whether grants let p call the route with these values,
// as kit.Access decides.
func accessAllows(grants []string, p kit.Principal, values map[string]string) bool {
	for _, g := range grants {
		if g == "public" {
			return true
		}
		role, param := g, ""
		if m := grantParam.FindStringSubmatch(g); m != nil {
			role, param = m[1], m[2]
		}
		if !p.Has(kit.Role(role)) {
			continue
		}
		if param == "" {
			return true
		}
		own := p.ClientID
		if kit.Role(role) == kit.RoleCaissier {
			own = p.MagasinID
		}
		if values[param] == strconv.FormatInt(own, 10) {
			return true
		}
	}
	return false
}

// runAccessTable calls every route as every caller. The refusals come first:
// each is exactly 401 (no valid token) or 403 problem+json, also with input
// that would fail validation or name nothing (the refusal comes before
// both), and together they change nothing in the database. Then every
// allowed call gets something else than 401 or 403, and no 5xx.
func runAccessTable(t *testing.T, base, dbURL string, examples map[string]string) {
	routes := accessRoutes(t, base)
	callers := accessCallers(t)
	type call struct {
		name, method, target string
		body                 any
		headers              []string
		want                 int // 401 or 403; 0: allowed
	}
	var refused, allowed []call
	for _, r := range routes {
		for _, c := range callers {
			for _, bad := range []string{"", "0", "999999999"} {
				target, values := accessRequest(t, r, examples, bad)
				var body any
				if r.method == http.MethodPost || r.method == http.MethodPut {
					body = map[string]any{}
					if bad != "" {
						body = `{"inconnu":` // malformed
					}
				}
				cl := call{name: fmt.Sprintf("%s_%s/%s", r.method, r.path, c.name), method: r.method, target: target,
					body: body, headers: c.header(t)}
				if bad != "" {
					cl.name += "/entree_invalide_" + bad
				}
				switch {
				case c.invalid, c.p.Anonymous() && !r.public():
					cl.want = http.StatusUnauthorized
				case accessAllows(r.grants, c.p, values):
					if bad != "" {
						continue // validation's own tests cover an allowed caller's bad input
					}
				default:
					cl.want = http.StatusForbidden
				}
				if cl.want != 0 {
					refused = append(refused, cl)
				} else {
					allowed = append(allowed, cl)
				}
			}
		}
	}
	before := dbState(t, dbURL)
	t.Run("refus", func(t *testing.T) {
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				got := kittest.Do(t, c.method, base+c.target, c.body, c.headers...)
				kittest.RequireProblem(t, got, c.want, "")
				if c.want == http.StatusUnauthorized {
					assert.NotEmpty(t, got.Header.Get("WWW-Authenticate"))
				}
			})
		}
	})
	require.Equal(t, before, dbState(t, dbURL), "a refused call changed the database")
	t.Run("permis", func(t *testing.T) {
		for _, c := range allowed {
			t.Run(c.name, func(t *testing.T) {
				got := kittest.Do(t, c.method, base+c.target, c.body, c.headers...)
				assert.NotContains(t, []int{401, 403}, got.Status, "%s", got.Body)
				assert.Less(t, got.Status, 500, "%s", got.Body)
			})
		}
	})
	// Every route was called by someone it allows and refused to someone.
	for _, r := range routes {
		prefix := r.method + "_" + r.path + "/"
		has := func(calls []call) bool {
			return slices.ContainsFunc(calls, func(c call) bool { return strings.HasPrefix(c.name, prefix) })
		}
		assert.True(t, has(allowed), "%s %s: no caller of the table is allowed", r.method, r.path)
		assert.True(t, has(refused), "%s %s: no caller of the table is refused", r.method, r.path)
	}
}

// dbState sums up every row of every table of the service's schema.
func dbState(t *testing.T, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotEmpty(t, tables)
	var b strings.Builder
	for _, table := range tables {
		var n int64
		var sum string
		require.NoError(t, conn.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '')
			FROM `+table+` x`).Scan(&n, &sum))
		fmt.Fprintf(&b, "%s:%d:%s ", table, n, sum)
	}
	return b.String()
}
