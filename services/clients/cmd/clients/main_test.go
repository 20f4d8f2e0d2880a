package main

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"multimagasins/clients/migrations"
	"multimagasins/kit/kittest"
)

func start(t testing.TB) (base, dbURL string) {
	t.Helper()
	dbURL = kittest.DB(t, "clients", migrations.FS)
	return kittest.Start(t, run, map[string]string{"DATABASE_URL": dbURL}), dbURL
}

func TestClients_CRUDRoundTrip(t *testing.T) {
	base, _ := start(t)

	r := kittest.Do(t, "POST", base+"/clients", map[string]any{
		"nom": "  Ana Tremblay ", "email": "Ana@Exemple.ca", "telephone": "514-555-0101"})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	created := r.Map(t)
	require.Equal(t, "Ana Tremblay", created["nom"])
	id := int64(created["id"].(float64))
	require.NotEmpty(t, r.Header.Get("X-Request-ID"))

	got := kittest.Do(t, "GET", base+"/clients/"+itoa(id), nil)
	require.Equal(t, http.StatusOK, got.Status)
	require.Equal(t, "Ana@Exemple.ca", got.Map(t)["email"])

	list := kittest.Do(t, "GET", base+"/clients?q=exemple.CA", nil).Map(t)
	require.EqualValues(t, 1, list["total"])

	upd := kittest.Do(t, "PUT", base+"/clients/"+itoa(id), map[string]any{"nom": "Ana T.", "email": "ana@exemple.ca"})
	require.Equal(t, http.StatusOK, upd.Status, string(upd.Body))
	require.Equal(t, "Ana T.", upd.Map(t)["nom"])

	require.Equal(t, http.StatusNoContent, kittest.Do(t, "DELETE", base+"/clients/"+itoa(id), nil).Status)
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/clients/"+itoa(id), nil), 404, "path.id")
}

func TestClients_EmailUniqueWhateverTheCase(t *testing.T) {
	base, _ := start(t)
	first := kittest.Do(t, "POST", base+"/clients", map[string]any{"nom": "Léa", "email": "lea@exemple.ca"})
	require.Equal(t, http.StatusCreated, first.Status)
	dup := kittest.Do(t, "POST", base+"/clients", map[string]any{"nom": "Léa 2", "email": "LEA@exemple.CA"})
	kittest.RequireProblem(t, dup, http.StatusConflict, "body.email")

	other := kittest.Do(t, "POST", base+"/clients", map[string]any{"nom": "Zoé", "email": "zoe@exemple.ca"}).Map(t)
	steal := kittest.Do(t, "PUT", base+"/clients/"+itoa(int64(other["id"].(float64))),
		map[string]any{"nom": "Zoé", "email": "Lea@Exemple.ca"})
	kittest.RequireProblem(t, steal, http.StatusConflict, "body.email")
}

func TestClients_ListIsPaginatedAndSearchIsLiteral(t *testing.T) {
	base, _ := start(t)
	for _, n := range []string{"Alpha 100%", "Beta", "Gamma", "Delta"} {
		r := kittest.Do(t, "POST", base+"/clients", map[string]any{"nom": n, "email": strings.ToLower(n[:3]) + "@x.ca"})
		require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	}
	page := kittest.Do(t, "GET", base+"/clients?limit=2&offset=1", nil).Map(t)
	require.EqualValues(t, 5, page["total"]) // four plus the guest
	require.Len(t, page["items"], 2)
	require.EqualValues(t, 1, kittest.Do(t, "GET", base+"/clients?q=100%25", nil).Map(t)["total"])
	require.EqualValues(t, 0, kittest.Do(t, "GET", base+"/clients?q=_eta", nil).Map(t)["total"])
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/clients?limit=0", nil), 422, "query.limit")
}

func TestClients_BadInputIsAProblemAndChangesNothing(t *testing.T) {
	base, dbURL := start(t)
	cases := []kittest.BadInput{
		{Name: "malformed JSON", Method: "POST", Path: "/clients", Body: `{"nom": "A", "email":`, Status: 400},
		{Name: "not JSON at all", Method: "POST", Path: "/clients", Body: `nom=A`, Status: 400},
		{Name: "unknown field", Method: "POST", Path: "/clients", Body: `{"nom":"A","email":"a@x.ca","solde":5}`, Status: 422, Field: "body.solde"},
		{Name: "wrong type", Method: "POST", Path: "/clients", Body: `{"nom":12,"email":"a@x.ca"}`, Status: 422, Field: "body.nom"},
		{Name: "missing email", Method: "POST", Path: "/clients", Body: `{"nom":"A"}`, Status: 422, Field: "body.email"},
		{Name: "bad email", Method: "POST", Path: "/clients", Body: `{"nom":"A","email":"pas-un-email"}`, Status: 422, Field: "body.email"},
		{Name: "blank name", Method: "POST", Path: "/clients", Body: `{"nom":"   ","email":"a@x.ca"}`, Status: 422, Field: "body.nom"},
		{Name: "body over the limit", Method: "POST", Path: "/clients", Body: `{"nom":"` + strings.Repeat("x", 70<<10) + `","email":"a@x.ca"}`, Status: 413},
		{Name: "unknown id", Method: "PUT", Path: "/clients/999999", Body: `{"nom":"A","email":"a@x.ca"}`, Status: 404, Field: "path.id"},
		{Name: "negative id", Method: "GET", Path: "/clients/-1", Status: 422, Field: "path.id"},
		{Name: "id not a number", Method: "GET", Path: "/clients/abc", Status: 422, Field: "path.id"},
		{Name: "delete the guest", Method: "DELETE", Path: "/clients/1", Status: 409, Field: "path.id"},
		{Name: "unknown route", Method: "GET", Path: "/clientes", Status: 404},
		{Name: "unknown method", Method: "PATCH", Path: "/clients/1", Status: 405},
		{Name: "search with NUL", Method: "GET", Path: "/clients?q=a%00b", Status: 422, Field: "query.q"},
		{Name: "search not UTF-8", Method: "GET", Path: "/clients?q=%FF", Status: 422, Field: "query.q"},
		{Name: "id of 2^63-1", Method: "GET", Path: "/clients/9223372036854775807", Status: 422, Field: "path.id"},
	}
	// fields is a client's body with the text under test (s) where "%s" stands.
	fields := func(nom, email, adresse string) func(string) string {
		return func(s string) string {
			return strings.ReplaceAll(`{"nom":"`+nom+`","email":"`+email+`","adresse":"`+adresse+`"}`, "%s", s)
		}
	}
	cases = append(cases, kittest.TextCases("nom", "POST", "/clients", "body.nom", fields("%s", "a@x.ca", ""))...)
	cases = append(cases, kittest.TextCases("email", "POST", "/clients", "body.email", fields("A", "%s@x.ca", ""))...)
	cases = append(cases, kittest.TextCases("adresse", "POST", "/clients", "body.adresse", fields("A", "a@x.ca", "%s"))...)
	cases = append(cases, kittest.TextCases("PUT nom", "PUT", "/clients/1", "body.nom", fields("%s", "a@x.ca", ""))...)
	cases = append(cases, kittest.KeyCases("POST", "POST", "/clients", `{"nom":"A","email":"a@x.ca"}`)...)
	before := countClients(t, dbURL)
	kittest.RequireBadInputs(t, base, cases)
	require.Equal(t, before, countClients(t, dbURL))
}

// The stock role must not see customer data, even in the same database.
func TestRoles_StockCannotReadClients(t *testing.T) {
	dbURL := kittest.DB(t, "clients", migrations.FS)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, kittest.RoleURL(dbURL, "stock"))
	require.NoError(t, err)
	defer conn.Close(ctx)

	var n int
	err = conn.QueryRow(ctx, `SELECT count(*) FROM clients.clients`).Scan(&n)
	var pg *pgconn.PgError
	require.True(t, errors.As(err, &pg), "stock read clients.clients: %v", err)
	require.Equal(t, "42501", pg.Code, "want insufficient_privilege, got %s", pg.Message)

	_, err = conn.Exec(ctx, `CREATE TABLE clients.intrus (id int)`)
	require.True(t, errors.As(err, &pg) && pg.Code == "42501", "stock created a table in clients: %v", err)

	own, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer own.Close(ctx)
	require.NoError(t, own.QueryRow(ctx, `SELECT count(*) FROM clients.clients`).Scan(&n))
	require.Equal(t, 1, n, "the clients role reads its own table (the guest)")
}

func countClients(t *testing.T, dbURL string) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM clients`).Scan(&n))
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
