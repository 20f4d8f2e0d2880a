package kittest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
)

type essaiInput struct {
	ClientID int64 `path:"client_id" minimum:"1"`
	Body     struct {
		Note string `json:"note"`
	}
}

type essaiQuery struct {
	MagasinID int64 `query:"magasin_id"`
}

// runEssai is a service with one route of each kind of rule.
func runEssai(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	return kit.Run(ctx, kit.Service{Name: "essai", Port: 1}, getenv, stdout, func(app *kit.App, _ *pgxpool.Pool) error {
		ok := func(context.Context, *struct{}) (*struct{}, error) { return &struct{}{}, nil }
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "public", Method: http.MethodGet, Path: "/public"},
			kit.Public), ok)
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "notes", Method: http.MethodPut, Path: "/notes/{client_id}"},
			kit.ClientOf("client_id"), kit.MaisonMere), func(context.Context, *essaiInput) (*struct{}, error) {
			return &struct{}{}, nil
		})
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "caisse", Method: http.MethodGet, Path: "/caisse"},
			kit.CaissierOf("magasin_id"), kit.Services), func(context.Context, *essaiQuery) (*struct{}, error) {
			return &struct{}{}, nil
		})
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "clients", Method: http.MethodGet, Path: "/clients"},
			kit.AnyClient, kit.Logistique), ok)
		return nil
	})
}

func TestRoutes_ReadTheGrantsAndBodies(t *testing.T) {
	base := Start(t, runEssai, nil)
	got := Routes(t, base)
	want := []Route{
		{Method: "GET", Path: "/caisse", Grants: []string{"caissier(magasin_id)", "service"}},
		{Method: "GET", Path: "/clients", Grants: []string{"client", "logistique"}},
		{Method: "PUT", Path: "/notes/{client_id}", Grants: []string{"client(client_id)", "maison_mere"}, HasBody: true},
		{Method: "GET", Path: "/public", Grants: []string{"public"}},
	}
	if len(got) != len(want) {
		t.Fatalf("routes = %+v", got)
	}
	for i := range want {
		if got[i].String() != want[i].String() || got[i].HasBody != want[i].HasBody ||
			len(got[i].Grants) != len(want[i].Grants) || got[i].Grants[0] != want[i].Grants[0] {
			t.Errorf("route %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestRequireAccess_HoldsEveryRouteToItsRule(t *testing.T) {
	base := Start(t, runEssai, nil)
	RequireAccess(t, base, map[string]string{"client_id": "7", "magasin_id": "2"})
}

// wants is each call of a table as "who target" and its wanted status.
func wants(t *testing.T, r Route, examples map[string]string) map[string]int {
	t.Helper()
	calls, err := accessCalls(r, examples)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, c := range calls {
		k := c.who + " " + c.target
		if _, dup := out[k]; dup {
			t.Fatalf("%s twice", k)
		}
		out[k] = c.want
		wantBody := AccessBody
		if strings.Contains(c.target, "limit=0") {
			wantBody = malformedBody
		}
		if !r.HasBody {
			wantBody = ""
		}
		if got, _ := c.body.(string); got != wantBody {
			t.Errorf("%s: body %v, want %q", k, c.body, wantBody)
		}
	}
	return out
}

func requireWants(t *testing.T, got, want map[string]int) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: want %d, got %d (present %v)", k, w, g, ok)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected call %s (want %d)", k, g)
		}
	}
}

// The owner and its neighbour, every other role, and the refusals again
// with bad values; an allowed caller is not sent bad values.
func TestAccessCalls_BoundPathParameter(t *testing.T) {
	r := Route{Method: "PUT", Path: "/notes/{client_id}", Grants: []string{"client(client_id)", "maison_mere"}, HasBody: true}
	want := map[string]int{}
	for _, target := range []string{"/notes/7", "/notes/0?limit=0", "/notes/999999999?limit=0"} {
		example := target == "/notes/7"
		allowedThere := func(status int) {
			if example {
				want["client:7 "+target] = status
			} else {
				want["client:7 "+target] = http.StatusForbidden
			}
		}
		want["anonyme "+target] = http.StatusUnauthorized
		want["jeton invalide "+target] = http.StatusUnauthorized
		allowedThere(0)
		want["client:8 "+target] = http.StatusForbidden
		want["personnel:test-caissier1 "+target] = http.StatusForbidden
		want["personnel:test-caissier2 "+target] = http.StatusForbidden
		want["personnel:test-logistique "+target] = http.StatusForbidden
		if example {
			want["personnel:test-maison-mere "+target] = 0
		}
		want["service:test "+target] = http.StatusForbidden
	}
	requireWants(t, wants(t, r, map[string]string{"client_id": "7"}), want)
}

// A bound parameter not in the path goes in the query; the caissiers are
// the example's store and the next one.
func TestAccessCalls_BoundQueryParameter(t *testing.T) {
	r := Route{Method: "GET", Path: "/caisse", Grants: []string{"caissier(magasin_id)", "service"}}
	got := wants(t, r, map[string]string{"magasin_id": "2"})
	requireWants(t, got, map[string]int{
		"anonyme /caisse?magasin_id=2":                    http.StatusUnauthorized,
		"jeton invalide /caisse?magasin_id=2":             http.StatusUnauthorized,
		"client:7 /caisse?magasin_id=2":                   http.StatusForbidden,
		"client:8 /caisse?magasin_id=2":                   http.StatusForbidden,
		"personnel:test-caissier2 /caisse?magasin_id=2":   0,
		"personnel:test-caissier3 /caisse?magasin_id=2":   http.StatusForbidden,
		"personnel:test-logistique /caisse?magasin_id=2":  http.StatusForbidden,
		"personnel:test-maison-mere /caisse?magasin_id=2": http.StatusForbidden,
		"service:test /caisse?magasin_id=2":               0,

		"anonyme /caisse?limit=0&magasin_id=0":                    http.StatusUnauthorized,
		"jeton invalide /caisse?limit=0&magasin_id=0":             http.StatusUnauthorized,
		"client:7 /caisse?limit=0&magasin_id=0":                   http.StatusForbidden,
		"client:8 /caisse?limit=0&magasin_id=0":                   http.StatusForbidden,
		"personnel:test-caissier2 /caisse?limit=0&magasin_id=0":   http.StatusForbidden,
		"personnel:test-caissier3 /caisse?limit=0&magasin_id=0":   http.StatusForbidden,
		"personnel:test-logistique /caisse?limit=0&magasin_id=0":  http.StatusForbidden,
		"personnel:test-maison-mere /caisse?limit=0&magasin_id=0": http.StatusForbidden,

		"anonyme /caisse?limit=0&magasin_id=999999999":                    http.StatusUnauthorized,
		"jeton invalide /caisse?limit=0&magasin_id=999999999":             http.StatusUnauthorized,
		"client:7 /caisse?limit=0&magasin_id=999999999":                   http.StatusForbidden,
		"client:8 /caisse?limit=0&magasin_id=999999999":                   http.StatusForbidden,
		"personnel:test-caissier2 /caisse?limit=0&magasin_id=999999999":   http.StatusForbidden,
		"personnel:test-caissier3 /caisse?limit=0&magasin_id=999999999":   http.StatusForbidden,
		"personnel:test-logistique /caisse?limit=0&magasin_id=999999999":  http.StatusForbidden,
		"personnel:test-maison-mere /caisse?limit=0&magasin_id=999999999": http.StatusForbidden,
	})
}

// On a public route only the invalid token is refused, with any input.
func TestAccessCalls_PublicRoute(t *testing.T) {
	got := wants(t, Route{Method: "GET", Path: "/public", Grants: []string{"public"}}, nil)
	refused := 0
	for k, w := range got {
		if w != 0 {
			refused++
			if !strings.HasPrefix(k, "jeton invalide ") || w != http.StatusUnauthorized {
				t.Errorf("%s: %d", k, w)
			}
		}
	}
	if refused != 2 || got["anonyme /public"] != 0 || len(got) != 9+1 {
		t.Errorf("calls = %v", got)
	}
}

func TestAccessCalls_RefusesAnIncompleteTable(t *testing.T) {
	for _, c := range []struct {
		r        Route
		examples map[string]string
		want     string
	}{
		{Route{Method: "GET", Path: "/a/{id}", Grants: []string{"maison_mere"}}, nil, "no example value for {id}"},
		{Route{Method: "GET", Path: "/a", Grants: []string{"client(client_id)"}}, nil, "positive id"},
		{Route{Method: "GET", Path: "/a", Grants: []string{"client(client_id)"}}, map[string]string{"client_id": "x"}, "positive id"},
		{Route{Method: "GET", Path: "/a", Grants: []string{"chef"}}, nil, "unknown grant"},
	} {
		if _, err := accessCalls(c.r, c.examples); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: err = %v, want %q", c.r, c.examples, err, c.want)
		}
	}
}

func TestDBUnchanged_SeesARowAddedOrChanged(t *testing.T) {
	ctx := context.Background()
	url := DB(t, "stock", nil)
	if _, err := dbState(ctx, url); err == nil {
		t.Fatal("an empty schema must fail: the check would check nothing")
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	exec := func(sql string) {
		t.Helper()
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec("CREATE TABLE essai (id int PRIMARY KEY, note text)")
	exec("INSERT INTO essai VALUES (1, 'a')")
	DBUnchanged(t, url)(t) // nothing happened in between

	states := map[string]bool{}
	for _, sql := range []string{"UPDATE essai SET note = 'b'", "INSERT INTO essai VALUES (2, 'a')", "DELETE FROM essai WHERE id = 1"} {
		before, err := dbState(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		states[before] = true
		exec(sql)
		after, err := dbState(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if after == before || states[after] {
			t.Errorf("%s: the state did not change: %s", sql, after)
		}
	}
}
