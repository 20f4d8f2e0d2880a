package kittest

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The decoder fuzzer every service's fuzz_test.go runs: any body and any
// Idempotency-Key to every route that writes, through the real server and
// database. FuzzRoutes says what every answer must be.

// FuzzRoute is a route that writes, as the decoder fuzzer calls it.
type FuzzRoute struct {
	Method, Path string
	// headers: a token that passes the route's rule when the default Staff
	// token does not, a Content-Type other than JSON.
	Headers []string
	Key     string   // when the input has no Idempotency-Key: the prefix of one per body; "" sends none
	InPath  bool     // the route takes no body: the input is the path's %s segment
	Seeds   []string // bodies the route takes, then each one mistake away
	// writes are the refusals the route records by design (a refused
	// payment is stored, to be replayed): those may change the service.
	Writes []int
	// outcome, when set, says whether a non-2xx answer is one the route
	// documents with its own body instead of a problem (a saga that ended
	// ANNULEE), and checks it.
	Outcome func(t *testing.T, a Response) bool
}

// fuzzMaxKey keeps a fuzzed key under net/http's own header limit, past
// which Go answers a text/plain 431 before any of ours runs; kit's limit
// (kit.MaxHeadBytes) is below it and answers a problem.
const fuzzMaxKey = 80 << 10

// The seeds are few on purpose: the fuzzer replays each one through an RPC
// that copies the coverage of the whole server, some 20 ms, before it fuzzes.
var (
	// fuzzBodies go to every route that takes a body: an empty one, null,
	// not an object, bytes that are not UTF-8, nesting past any decoder's limit.
	fuzzBodies = []string{"", "null", "[]", "{}", "\xff\xfe\xfd",
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001)}
	// fuzzKeys go with the first body of the routes that take a key: a lone
	// surrogate escaped and as raw bytes, 10 kB, a letter outside ASCII.
	fuzzKeys = []string{`\ud800`, "\xed\xa0\x80", strings.Repeat("k", 10<<10), "clé"}
)

// FuzzBad holds what the seeds put in place of one value of a valid body.
var FuzzBad = struct{ Texts, Numbers, Amounts, Lists []string }{
	// NUL, a lone surrogate, invalid UTF-8, 30 kB.
	Texts: []string{`"a\u0000b"`, `"a\ud800"`, "\"a\xffb\"", `"` + strings.Repeat("x", 30<<10) + `"`},
	// For an id or a quantity: 2^63-1, 0, not an integer, text, unknown.
	Numbers: []string{"9223372036854775807", "0", "1.5", `"1"`, "424242"},
	// For an amount: a third decimal, an exponent, text, 14 digits.
	Amounts: []string{"1.001", "1e3", `"1.00"`, "99999999999999.99"},
	// For a list: null, empty, a hole.
	Lists: []string{"null", "[]", "[null]"},
}

// FuzzWith is body with old replaced by each of bad in turn. old is a value
// in body, or a member ("client_id":1) whose value is replaced.
func FuzzWith(t testing.TB, body, old string, bad []string) []string {
	t.Helper()
	if !strings.Contains(body, old) {
		t.Fatalf("%s is not in %s", old, body)
	}
	name := ""
	if i := strings.Index(old, `":`); strings.HasPrefix(old, `"`) && i > 0 {
		name = old[:i+2]
	}
	out := make([]string, len(bad))
	for i, b := range bad {
		out[i] = strings.Replace(body, old, name+b, 1)
	}
	return out
}

// FuzzRoutes fuzzes routes: the input picks a route (by its index: the files
// of testdata/fuzz name routes so, add new ones at the end), an
// Idempotency-Key ("": the route's own) and a body. Every answer must be below 500, and
// unless 2xx a problem (application/problem+json, its status the answer's)
// that echoes no more than kit.MaxEchoBytes of a value, or an outcome the
// route documents. A 4xx must leave the service as snapshot sees it, unless
// the route writes it by design.
func FuzzRoutes(f *testing.F, base string, routes []FuzzRoute, snapshot func(testing.TB) func(*testing.T)) {
	f.Helper()
	for i, r := range routes {
		seeds := slices.Clone(r.Seeds)
		if !r.InPath {
			seeds = append(seeds, fuzzBodies...)
		}
		for _, s := range seeds {
			f.Add(uint8(i), "", []byte(s))
		}
		for _, k := range fuzzKeys {
			if r.Key != "" || i == 0 {
				f.Add(uint8(i), k, []byte(r.Seeds[0]))
			}
		}
	}
	var unchanged func(*testing.T) // the service as the last answers left it; nil: read it again
	f.Fuzz(func(t *testing.T, route uint8, key string, body []byte) {
		r := routes[int(route)%len(routes)]
		key = key[:min(len(key), fuzzMaxKey)]
		if key == "" && r.Key != "" {
			h := fnv.New64a()
			h.Write(body)
			key = fmt.Sprintf("%s:%x", r.Key, h.Sum64()) // a repeat is a replay, another body a new call
		}
		if strings.ContainsFunc(key, func(c rune) bool { return c < ' ' && c != '\t' || c == 0x7f }) {
			return // net/http will not send a control character in a header: no server sees it
		}
		target, payload := base+r.Path, any(body)
		if r.InPath {
			target, payload = strings.Replace(target, "%s", url.PathEscape(string(body)), 1), nil
		}
		headers := slices.Clone(r.Headers)
		if key != "" {
			headers = append(headers, "Idempotency-Key", key)
		}
		if unchanged == nil {
			unchanged = snapshot(t)
		}
		check := unchanged
		unchanged = nil
		req, err := NewRequest(context.Background(), r.Method, target, payload, headers...)
		if err != nil {
			t.Fatal(err)
		}
		a, err := Send(req)
		if err != nil {
			t.Fatal(err)
		}
		what := r.Method + " " + r.Path
		if a.Status >= 500 {
			t.Fatalf("%s: %d %.500s", what, a.Status, a.Body)
		}
		if a.Status < 300 {
			return
		}
		t.Logf("%s: %d", what, a.Status)
		if r.Outcome == nil || !r.Outcome(t, a) {
			RequireProblem(t, a, a.Status, "")
			RequireShortEchoes(t, a)
		}
		if !slices.Contains(r.Writes, a.Status) {
			check(t)
			unchanged = check
		}
	})
}

// FuzzDB is DBUnchanged (every row of every table of the service's
// schema) read with one query on one open connection: DBUnchanged connects
// and lists the tables at each call, some 40 ms, a hundred times the request
// it checks, which would starve the fuzzer.
func FuzzDB(f *testing.F, dbURL string) func(testing.TB) func(*testing.T) {
	f.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = conn.Close(ctx) })
	rows, err := conn.Query(ctx, `SELECT quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		f.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) == 0 {
		f.Fatalf("the service's tables: %v %v", tables, err)
	}
	parts := make([]string, len(tables))
	for i, table := range tables {
		parts[i] = fmt.Sprintf(`(SELECT '%s:' || count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM %s x)`,
			table, table)
	}
	query := "SELECT concat_ws(' ', " + strings.Join(parts, ", ") + ")"
	state := func(t testing.TB) string {
		t.Helper()
		var s string
		if err := conn.QueryRow(ctx, query).Scan(&s); err != nil {
			t.Fatalf("database state: %v", err)
		}
		return s
	}
	return func(t testing.TB) func(*testing.T) {
		before := state(t)
		return func(t *testing.T) {
			t.Helper()
			if now := state(t); now != before {
				t.Fatalf("the database changed:\nbefore %s\nnow    %s", before, now)
			}
		}
	}
}
