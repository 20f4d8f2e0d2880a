package kittest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"multimagasins/kit"
)

func TestRoleURL_SwapsOnlyTheUser(t *testing.T) {
	got := RoleURL("postgres://postgres:secret@127.0.0.1:5432/testdb_1?sslmode=disable", "stock")
	if got != "postgres://stock@127.0.0.1:5432/testdb_1?sslmode=disable" {
		t.Fatalf("RoleURL = %q", got)
	}
}

func TestRepoRoot_HoldsGoWorkAndTheSchemas(t *testing.T) {
	if sql := SchemasSQL(t); !strings.Contains(sql, "CREATE SCHEMA") {
		t.Fatalf("schemas.sql from %s has no CREATE SCHEMA", RepoRoot(t))
	}
}

// The isolation every service relies on: a role works in its own schema and
// is refused in another's.
func TestDB_RoleOwnsOnlyItsSchema(t *testing.T) {
	ctx := context.Background()
	url := DB(t, "stock", nil)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	var user string
	if err := conn.QueryRow(ctx, "SELECT current_user").Scan(&user); err != nil || user != "stock" {
		t.Fatalf("current_user = %q, %v", user, err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE stock.essai (id int)"); err != nil {
		t.Fatalf("own schema: %v", err)
	}
	for _, stmt := range []string{"CREATE TABLE clients.essai (id int)", "CREATE TABLE public.essai (id int)"} {
		_, err := conn.Exec(ctx, stmt)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" { // insufficient_privilege
			t.Errorf("%s: err = %v, want permission denied", stmt, err)
		}
	}
}

func TestDB_EachTestGetsItsOwnDatabase(t *testing.T) {
	a, b := DB(t, "clients", nil), DB(t, "clients", nil)
	if a == b {
		t.Fatalf("two calls returned the same database %s", a)
	}
}

// run is the smallest service: no database, one route.
func run(ctx context.Context, _ []string, getenv func(string) string, stdout io.Writer) error {
	return kit.Run(ctx, kit.Service{Name: "demo", Port: 1}, getenv, stdout, func(app *kit.App, _ *pgxpool.Pool) error {
		app.Router.Get("/conflit", func(w http.ResponseWriter, _ *http.Request) {
			kit.WriteProblem(w, http.StatusConflict, "déjà là")
		})
		huma.Register(app.API, kit.Access(huma.Operation{OperationID: "note", Method: http.MethodPost, Path: "/notes"}, kit.Public),
			func(context.Context, *noteInput) (*struct{}, error) { return &struct{}{}, nil })
		return nil
	})
}

func TestStart_RunsTheServiceUntilTheTestEnds(t *testing.T) {
	base := Start(t, run, nil)
	r := Do(t, http.MethodGet, base+"/healthz", nil, kit.HeaderRequestID, "t-1")
	if r.Status != http.StatusOK || r.Header.Get(kit.HeaderRequestID) != "t-1" {
		t.Fatalf("GET /healthz = %d %s", r.Status, r.Header)
	}
	if got := r.Map(t)["status"]; got != "ok" {
		t.Fatalf("status = %v", got)
	}
	p := RequireProblem(t, Do(t, http.MethodGet, base+"/conflit", nil), http.StatusConflict, "")
	if p.Detail != "déjà là" {
		t.Fatalf("detail = %q", p.Detail)
	}
}

func TestNewRequest_RawOrJSONBodyAndHeaders(t *testing.T) {
	cases := []struct {
		name       string
		body       any
		want, ctyp string
	}{
		{"no body", nil, "", ""},
		{"string sent raw", `{"a":`, `{"a":`, "application/json"},
		{"bytes sent raw", []byte("x=1"), "x=1", "application/json"},
		{"value as JSON", map[string]int{"a": 1}, `{"a":1}`, "application/json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := NewRequest(context.Background(), http.MethodPost, "http://h/p", c.body, "Idempotency-Key", "k")
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			if req.Body != nil {
				got, _ = io.ReadAll(req.Body)
			}
			if string(got) != c.want || req.Header.Get("Content-Type") != c.ctyp || req.Header.Get("Idempotency-Key") != "k" {
				t.Fatalf("body %q, header %v", got, req.Header)
			}
		})
	}
	if _, err := NewRequest(context.Background(), "GET", "http://h", func() {}); err == nil {
		t.Fatal("a value JSON cannot encode gave no error")
	}
}

func TestRequireBadInputs_RunsEveryCaseAndCheck(t *testing.T) {
	base := Start(t, run, nil)
	checks := 0
	RequireBadInputs(t, base, []BadInput{
		{"conflict", http.MethodGet, "/conflit", "", nil, http.StatusConflict, ""},
		{"unknown route", http.MethodGet, "/nulle-part", nil, []string{kit.HeaderRequestID, "t-2"}, http.StatusNotFound, ""},
	}, func(*testing.T) { checks++ })
	if checks != 2 {
		t.Fatalf("after ran %d times, want 2", checks)
	}
}

type noteInput struct {
	Cle  kit.IdempotencyKey `header:"Idempotency-Key"`
	Body struct {
		Texte  string   `json:"texte" maxLength:"500"`
		Lignes []string `json:"lignes" minItems:"1" maxItems:"10"`
	}
}

func TestBadInputHelpers_HoldARouteToTheInputPolicy(t *testing.T) {
	base := Start(t, run, nil)
	note := func(texte, lignes string) string { return `{"texte":"` + texte + `","lignes":` + lignes + `}` }
	if r := Do(t, http.MethodPost, base+"/notes", note("ok", `["a"]`), kit.HeaderIdempotencyKey, "n-1"); r.Status != http.StatusNoContent {
		t.Fatalf("a good note = %d %s", r.Status, r.Body)
	}
	cases := TextCases("texte", http.MethodPost, "/notes", "body.texte", func(s string) string { return note(s, `["a"]`) })
	cases = append(cases, TextCases("ligne", http.MethodPost, "/notes", "body.lignes[0]", func(s string) string {
		return note("ok", `["`+s+`"]`)
	})...)
	cases = append(cases, NullList("lignes", http.MethodPost, "/notes", "body.lignes", func(l string) string { return note("ok", l) }))
	cases = append(cases, KeyCases("note", http.MethodPost, "/notes", note("ok", `["a"]`))...)
	RequireBadInputs(t, base, cases)
}
