package kittest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"multimagasins/kit"
)

// Route is one operation of a service's /openapi.json and its access rule.
type Route struct {
	Method, Path string   // "GET", "/panier/{client_id}"
	Grants       []string // x-acces: "public", "maison_mere", "client(client_id)", ...
	HasBody      bool     // the operation takes a request body
}

func (r Route) String() string { return r.Method + " " + r.Path }

// Routes reads every operation of base's /openapi.json with its grants,
// sorted by path then method. An operation with no x-acces or no security
// requirement fails the test: kit.Access writes both.
func Routes(t testing.TB, base string) []Route {
	t.Helper()
	var spec struct {
		Paths map[string]map[string]struct {
			Acces       []string              `json:"x-acces"`
			Security    []map[string][]string `json:"security"`
			RequestBody json.RawMessage       `json:"requestBody"`
		} `json:"paths"`
	}
	r := Do(t, "GET", strings.TrimRight(base, "/")+"/openapi.json", nil, Anonymous...)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d", r.Status)
	}
	r.JSON(t, &spec)
	var out []Route
	for path, ops := range spec.Paths {
		for method, op := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch":
			default:
				continue
			}
			if len(op.Acces) == 0 {
				t.Fatalf("%s %s has no %s", strings.ToUpper(method), path, kit.AccessExtension)
			}
			if len(op.Security) == 0 {
				t.Fatalf("%s %s has no security requirement", strings.ToUpper(method), path)
			}
			out = append(out, Route{Method: strings.ToUpper(method), Path: path, Grants: op.Acces,
				HasBody: len(op.RequestBody) > 0})
		}
	}
	slices.SortFunc(out, func(a, b Route) int { return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method) })
	return out
}

// AccessBody is what RequireAccess sends to an operation that takes a body:
// valid JSON that no schema of ours accepts, so an answer of 401 or 403
// proves the rule was judged before the input was read, and an allowed call
// changes nothing.
const AccessBody = `{"champ_inconnu_du_test_d_acces":true}`

// malformedBody is the body of the bad-input refusals: not even JSON.
const malformedBody = `{"inconnu":`

// badValues replace every path parameter and bound parameter in a second and
// third round of refusals: out of range (0) and naming nothing, so a 401 or
// 403 there proves the rule comes before validation and lookup too.
var badValues = []string{"0", "999999999"}

// RequireAccess holds every operation of base's /openapi.json to its x-acces
// rule, so a route added to the service is covered without a new test. Each
// route is called by: no token, a token no issuer signed, a client and a
// caissier bound to the route's example value and another client and
// another store's caissier, logistique, maison_mere and service. It wants:
//
//   - an invalid token: 401 everywhere, public routes included;
//   - anonymous: 401 unless the rule is public;
//   - a caller the rule does not let in: 403;
//   - every other caller: neither 401 nor 403, nor 5xx.
//
// A 401 carries WWW-Authenticate, and every refusal is problem+json. The
// refusals are sent again with every path and bound parameter out of range
// (0) or unknown, a page of limit=0, and a body that is not JSON: still
// 401 or 403, as the rule comes before validation and lookup.
//
// examples gives each path parameter, and each parameter a grant binds, a
// value; a missing one fails the test. A bound parameter that is not in the
// path goes in the query; a client or caissier bound to nothing on a route
// is examples["client_id"] or 7, examples["magasin_id"] or 1. Make ids
// unknown ones (a random UUID, a client with no data), so the refusals prove
// the rule comes before the lookup (401/403, not 404); bodies are
// AccessBody, so they prove it comes before validation (not 422).
//
// Each of after, a check that nothing changed (DBUnchanged, or the
// service's own), runs once a route's refusals are sent and again after its
// allowed calls: with unknown ids and AccessBody, those change nothing
// either. Set up first what an allowed call would otherwise create (a
// release of an unknown key that leaves a tombstone: release it before).
func RequireAccess(t *testing.T, base string, examples map[string]string, after ...func(t *testing.T)) {
	t.Helper()
	base = strings.TrimRight(base, "/")
	routes := Routes(t, base)
	if len(routes) == 0 {
		t.Fatal("/openapi.json lists no operation")
	}
	for _, r := range routes {
		t.Run(r.String(), func(t *testing.T) {
			calls, err := accessCalls(r, examples)
			if err != nil {
				t.Fatal(err)
			}
			send := func(c accessCall) Response {
				headers := c.headers
				if headers == nil {
					headers = As(t, c.p)
				}
				return Do(t, r.Method, base+c.target, c.body, headers...)
			}
			for _, c := range calls {
				if c.want != 0 {
					requireRefusal(t, c, send(c))
				}
			}
			for _, check := range after {
				check(t)
			}
			for _, c := range calls {
				if c.want != 0 {
					continue
				}
				if a := send(c); a.Status == http.StatusUnauthorized || a.Status == http.StatusForbidden || a.Status >= 500 {
					t.Errorf("%s: %d %s", c, a.Status, a.Body)
				}
			}
			for _, check := range after {
				check(t)
			}
		})
	}
}

// accessCall is one request of a route's table and what it must get.
type accessCall struct {
	who     string        // "anonyme", "client:8", ...
	p       kit.Principal // the token sent, unless headers is set
	headers []string      // no token, or one no issuer signed
	invalid bool          // headers hold a token no issuer signed
	target  string        // path and query
	body    any
	want    int // 401 or 403; 0 when the rule lets the caller in
}

func (c accessCall) String() string { return c.who + " on " + c.target }

type accessGrant struct {
	role  kit.Role
	param string // "" when the grant binds nothing
}

var (
	grantRE     = regexp.MustCompile(`^([a-z_]+)(?:\(([a-z_]+)\))?$`)
	pathParamRE = regexp.MustCompile(`\{([^}]+)\}`)
)

// accessCalls is r's table: each caller with the example values, then each
// refused caller with every bad value. An allowed caller's bad input is
// validation's business, tested with the service's bad inputs.
func accessCalls(r Route, examples map[string]string) ([]accessCall, error) {
	public := false
	var grants []accessGrant
	for _, g := range r.Grants {
		if g == "public" {
			public = true
			continue
		}
		m := grantRE.FindStringSubmatch(g)
		if m == nil || !slices.Contains(kit.Roles, kit.Role(m[1])) {
			return nil, fmt.Errorf("%s: unknown grant %q", r, g)
		}
		grants = append(grants, accessGrant{role: kit.Role(m[1]), param: m[2]})
	}
	id := func(param string) (int64, error) {
		n, err := strconv.ParseInt(examples[param], 10, 64)
		if err != nil || n < 1 {
			return 0, fmt.Errorf("%s: the example of %q must be a positive id, not %q", r, param, examples[param])
		}
		return n, nil
	}

	// The callers: for a client or caissier, the owner of each parameter a
	// grant binds and the one next to it; of a route that binds none, a
	// client or caissier of the examples and the one next to it.
	callers := []accessCall{
		{who: "anonyme", headers: Anonymous},
		{who: "jeton invalide", headers: []string{"Authorization", "Bearer pas.un.jeton"}, invalid: true},
	}
	for _, role := range kit.Roles {
		var ids []int64
		for _, g := range grants {
			if g.role == role && g.param != "" {
				n, err := id(g.param)
				if err != nil {
					return nil, err
				}
				ids = append(ids, n, n+1)
			}
		}
		var p func(int64) kit.Principal
		switch role {
		case kit.RoleClient:
			p = Client
			if ids == nil {
				n := exampleID(examples, "client_id", 7)
				ids = []int64{n, n + 1}
			}
		case kit.RoleCaissier:
			p = Caissier
			if ids == nil {
				n := exampleID(examples, "magasin_id", 1)
				ids = []int64{n, n + 1}
			}
		case kit.RoleLogistique:
			callers = append(callers, accessCall{p: Logistique})
		case kit.RoleMaisonMere:
			callers = append(callers, accessCall{p: MaisonMere})
		default:
			callers = append(callers, accessCall{p: ServicePrincipal})
		}
		slices.Sort(ids)
		for _, n := range slices.Compact(ids) {
			callers = append(callers, accessCall{p: p(n)})
		}
	}

	var calls []accessCall
	for _, bad := range append([]string{""}, badValues...) {
		values := map[string]string{}
		var missing error
		path := pathParamRE.ReplaceAllStringFunc(r.Path, func(p string) string {
			name := strings.Trim(p, "{}")
			v, ok := examples[name]
			if !ok {
				missing = fmt.Errorf("%s: no example value for {%s}", r, name)
			}
			if bad != "" {
				v = bad
			}
			values[name] = v
			return url.PathEscape(v)
		})
		if missing != nil {
			return nil, missing
		}
		q := url.Values{}
		for _, g := range grants {
			if _, done := values[g.param]; g.param == "" || done {
				continue
			}
			v, ok := examples[g.param]
			if !ok {
				return nil, fmt.Errorf("%s: no example value for %q", r, g.param)
			}
			if bad != "" {
				v = bad
			}
			values[g.param] = v
			q.Set(g.param, v)
		}
		var body any
		if r.HasBody {
			body = AccessBody
		}
		if bad != "" {
			q.Set("limit", "0") // out of range wherever a page is asked for
			if r.HasBody {
				body = malformedBody
			}
		}
		target := path
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		if slices.ContainsFunc(calls, func(c accessCall) bool { return c.target == target }) {
			continue // a route with no parameter: one bad round says it all
		}
		for _, c := range callers {
			c.target, c.body = target, body
			if c.who == "" {
				c.who = c.p.Subject
			}
			switch {
			case c.invalid, c.p.Anonymous() && !public:
				c.want = http.StatusUnauthorized
			case !public && !accessAllows(grants, c.p, values):
				c.want = http.StatusForbidden
			}
			if c.want == 0 && bad != "" {
				continue
			}
			calls = append(calls, c)
		}
	}
	return calls, nil
}

// exampleID is examples[param] when it is a positive id, else def.
func exampleID(examples map[string]string, param string, def int64) int64 {
	if n, err := strconv.ParseInt(examples[param], 10, 64); err == nil && n > 0 {
		return n
	}
	return def
}

// accessAllows says whether grants let p in with the parameters values, as
// kit.Access decides.
func accessAllows(grants []accessGrant, p kit.Principal, values map[string]string) bool {
	for _, g := range grants {
		if !p.Has(g.role) {
			continue
		}
		if g.param == "" {
			return true
		}
		n, err := strconv.ParseInt(strings.TrimSpace(values[g.param]), 10, 64)
		if err != nil {
			continue
		}
		own := p.ClientID
		if g.role == kit.RoleCaissier {
			own = p.MagasinID
		}
		if own != 0 && n == own {
			return true
		}
	}
	return false
}

func requireRefusal(t *testing.T, c accessCall, r Response) {
	t.Helper()
	if r.Status != c.want {
		t.Errorf("%s: status %d, want %d; body %s", c, r.Status, c.want, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s: Content-Type %q, want application/problem+json", c, ct)
		return
	}
	var p Problem
	if err := json.Unmarshal(r.Body, &p); err != nil || p.Status != c.want {
		t.Errorf("%s: problem %s, want status %d", c, r.Body, c.want)
	}
	if c.want == http.StatusUnauthorized && r.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("%s: 401 without WWW-Authenticate", c)
	}
}

// DBUnchanged sums up every row of every table of dbURL's schema (the
// service role's own) and returns a check, for the after of RequireAccess
// or RequireBadInputs, that fails the test when a row was since added,
// removed or changed. A schema with no table fails: the check would check
// nothing.
func DBUnchanged(t testing.TB, dbURL string) func(t *testing.T) {
	t.Helper()
	before, err := dbState(context.Background(), dbURL)
	if err != nil {
		t.Fatalf("database state: %v", err)
	}
	return func(t *testing.T) {
		t.Helper()
		now, err := dbState(context.Background(), dbURL)
		if err != nil {
			t.Fatalf("database state: %v", err)
		}
		if now != before {
			t.Fatalf("the database changed:\nbefore %s\nnow    %s", before, now)
		}
	}
}

// dbState is each table of the current schema with its row count and a
// digest of its rows.
func dbState(ctx context.Context, dbURL string) (string, error) {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		return "", err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	if len(tables) == 0 {
		return "", errors.New("the role's schema has no table")
	}
	var b strings.Builder
	for _, table := range tables {
		var n int64
		var sum string
		if err := conn.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '')
			FROM `+table+` x`).Scan(&n, &sum); err != nil {
			return "", fmt.Errorf("%s: %w", table, err)
		}
		fmt.Fprintf(&b, "%s:%d:%s ", table, n, sum)
	}
	return b.String(), nil
}
