package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
	"multimagasins/panier/migrations"
)

// The catalogue the fake stock service serves: product 2 is no longer sold.
var catalogue = map[int64]struct {
	prix       string
	actif      bool
	disponible int
}{
	1: {"100.00", true, 50},
	2: {"5.00", false, 100},
	3: {"19.99", true, 5000},
}

// fakeClients stands in for the clients service: clients 1 (the guest), 7
// and 8 exist. Like the real one, it answers only a service token, so a
// panier that does not get one from the issuer fails here. lookups counts
// the reads it answered.
func fakeClients(t testing.TB) (url string, lookups *atomic.Int64) {
	verifier := kittest.TestIssuer(t).Signer.Verifier()
	lookups = new(atomic.Int64)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /clients/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, err := verifier.Verify(r.Context(), strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		if err != nil || !p.Has(kit.RoleService) {
			kitProblem(w, http.StatusUnauthorized, "a service token is required")
			return
		}
		lookups.Add(1)
		id := r.PathValue("id")
		if id != "1" && id != "7" && id != "8" {
			kitProblem(w, http.StatusNotFound, "client not found")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%s,"nom":"Client %s","email":"client%s@multi-magasins.example"}`, id, id, id)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL, lookups
}

// fakeStock stands in for the stock service's catalogue and availability.
func fakeStock(t testing.TB) string {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /produits/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		p, ok := catalogue[id]
		if !ok {
			kitProblem(w, http.StatusNotFound, "produit not found")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%d,"nom":"Produit %d","categorie":"test","prix":%s,"description":"","actif":%t}`,
			id, id, p.prix, p.actif)
	})
	mux.HandleFunc("POST /disponibilites", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			EmplacementID int `json:"emplacement_id"`
			Lignes        []struct {
				ProduitID int64 `json:"produit_id"`
				Quantite  int   `json:"quantite"`
			} `json:"lignes"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.EmplacementID != 6 {
			kitProblem(w, http.StatusUnprocessableEntity, "want the centre logistique (6)")
			return
		}
		type ligne struct {
			ProduitID  int64 `json:"produit_id"`
			Quantite   int   `json:"quantite"`
			Disponible int   `json:"disponible"`
		}
		out := struct {
			Suffisant bool    `json:"suffisant"`
			Lignes    []ligne `json:"lignes"`
		}{Suffisant: true}
		for _, l := range in.Lignes {
			d := catalogue[l.ProduitID].disponible
			out.Suffisant = out.Suffisant && l.Quantite <= d
			out.Lignes = append(out.Lignes, ligne{l.ProduitID, l.Quantite, d})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func kitProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"title":%q,"status":%d,"detail":%q}`, http.StatusText(status), status, detail)
}

type fleet struct {
	dbURL, clientsURL, stockURL string
	clientLookups               *atomic.Int64
}

func newFleet(t testing.TB) fleet {
	t.Helper()
	f := fleet{dbURL: kittest.DB(t, "panier", migrations.FS), stockURL: fakeStock(t)}
	f.clientsURL, f.clientLookups = fakeClients(t)
	return f
}

// guest is client 1's token, as headers: only the client itself edits its
// cart's lines.
func guest(t *testing.T) []string { return kittest.As(t, kittest.Client(1)) }

// start runs one replica; overrides replace the environment's defaults.
func (f fleet) start(t testing.TB, overrides ...string) string {
	t.Helper()
	env := map[string]string{"DATABASE_URL": f.dbURL, "CLIENTS_URL": f.clientsURL, "STOCK_URL": f.stockURL,
		"DB_MAX_CONNS": "8", "UPSTREAM_TIMEOUT": "2s"}
	for i := 0; i+1 < len(overrides); i += 2 {
		env[overrides[i]] = overrides[i+1]
	}
	return kittest.Start(t, run, env)
}

func add(t *testing.T, base string, client, produit int64, quantite int, headers ...string) kittest.Response {
	t.Helper()
	return kittest.Do(t, "POST", base+"/panier", map[string]any{"client_id": client, "produit_id": produit, "quantite": quantite},
		headers...)
}

type ligne struct {
	ProduitID    int64       `json:"produit_id"`
	Quantite     int         `json:"quantite"`
	PrixUnitaire json.Number `json:"prix_unitaire"`
}

type panierBody struct {
	ClientID int64       `json:"client_id"`
	Lignes   []ligne     `json:"lignes"`
	Total    json.Number `json:"total"`
}

func decode(t *testing.T, r kittest.Response) panierBody {
	t.Helper()
	var p panierBody
	dec := json.NewDecoder(strings.NewReader(string(r.Body)))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&p), string(r.Body))
	return p
}

func TestPanier_AddIncrementSetRemoveEmpty(t *testing.T) {
	f := newFleet(t)
	base := f.start(t)

	empty := kittest.Do(t, "GET", base+"/panier/1", nil)
	require.Equal(t, http.StatusOK, empty.Status)
	require.JSONEq(t, `{"client_id":1,"lignes":[],"total":0.00}`, string(empty.Body))
	require.Contains(t, string(empty.Body), `"total":0.00`)

	r := add(t, base, 1, 3, 3)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	p := decode(t, r)
	require.Equal(t, []ligne{{3, 3, "19.99"}}, p.Lignes)
	require.Equal(t, json.Number("59.97"), p.Total)

	r = add(t, base, 1, 3, 2)
	require.Equal(t, http.StatusOK, r.Status, "an increment is not a creation: %s", r.Body)
	require.Equal(t, json.Number("99.95"), decode(t, r).Total)

	r = add(t, base, 1, 1, 1)
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	p = decode(t, r)
	require.Equal(t, []ligne{{1, 1, "100.00"}, {3, 5, "19.99"}}, p.Lignes)
	require.Equal(t, json.Number("199.95"), p.Total)

	r = kittest.Do(t, "PUT", base+"/panier/1/lignes/3", map[string]any{"quantite": 1}, guest(t)...)
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	require.Equal(t, json.Number("119.99"), decode(t, r).Total)

	require.Equal(t, http.StatusNoContent, kittest.Do(t, "DELETE", base+"/panier/1/lignes/1", nil, guest(t)...).Status)
	p = decode(t, kittest.Do(t, "GET", base+"/panier/1", nil))
	require.Equal(t, []ligne{{3, 1, "19.99"}}, p.Lignes)
	require.Equal(t, json.Number("19.99"), p.Total)

	require.Equal(t, http.StatusNoContent, kittest.Do(t, "DELETE", base+"/panier/1", nil).Status)
	require.Equal(t, http.StatusNoContent, kittest.Do(t, "DELETE", base+"/panier/1", nil).Status, "emptying is idempotent")
	require.JSONEq(t, `{"client_id":1,"lignes":[],"total":0.00}`, string(kittest.Do(t, "GET", base+"/panier/1", nil).Body))
	require.Empty(t, lignes(t, f.dbURL))

	metrics := string(kittest.Do(t, "GET", base+"/metrics", nil).Body)
	require.Contains(t, metrics, "\npanier_lignes_ajoutees_total 3\n")
}

func TestPanier_TwoReplicasAnswerTheSameCart(t *testing.T) {
	f := newFleet(t)
	replicas := []string{f.start(t), f.start(t)}

	steps := []func(base string) kittest.Response{
		func(b string) kittest.Response { return add(t, b, 1, 3, 2) },
		func(b string) kittest.Response { return add(t, b, 1, 1, 1) },
		func(b string) kittest.Response { return add(t, b, 1, 3, 1) },
		func(b string) kittest.Response {
			return kittest.Do(t, "PUT", b+"/panier/1/lignes/1", map[string]any{"quantite": 4}, guest(t)...)
		},
		func(b string) kittest.Response {
			return kittest.Do(t, "DELETE", b+"/panier/1/lignes/3", nil, guest(t)...)
		},
	}
	for i, step := range steps {
		writer, reader := replicas[i%2], replicas[(i+1)%2]
		r := step(writer)
		require.Less(t, r.Status, 300, string(r.Body))
		a := kittest.Do(t, "GET", writer+"/panier/1", nil)
		b := kittest.Do(t, "GET", reader+"/panier/1", nil)
		require.Equal(t, string(a.Body), string(b.Body), "step %d: replicas disagree", i)
		if r.Status != http.StatusNoContent {
			require.JSONEq(t, string(a.Body), string(r.Body), "step %d: the write answers the cart it left", i)
		}
	}
	require.JSONEq(t, `{"client_id":1,"lignes":[{"produit_id":1,"quantite":4,"prix_unitaire":100.00}],"total":400.00}`,
		string(kittest.Do(t, "GET", replicas[1]+"/panier/1", nil).Body))
}

// Product 1 has 50 units at the centre. 60 shoppers add one each, through
// both replicas at once: exactly 50 get in, no update is lost, and the line
// never holds more than the centre has.
func TestPanier_ConcurrentAddsNeitherLoseNorOverflow(t *testing.T) {
	f := newFleet(t)
	replicas := []string{f.start(t), f.start(t)}

	const shoppers = 60
	adds := make([]*http.Request, shoppers)
	for i := range adds {
		adds[i] = kittest.Request(t, "POST", replicas[i%2]+"/panier", `{"client_id":1,"produit_id":1,"quantite":1}`)
	}
	count := map[int]int{}
	for _, r := range kittest.SendAll(t, adds) {
		count[r.Status]++
	}
	require.Equal(t, 50, count[http.StatusOK]+count[http.StatusCreated], "statuses %v", count)
	require.Equal(t, 1, count[http.StatusCreated], "one line created, the rest incremented: %v", count)
	require.Equal(t, 10, count[http.StatusConflict], "statuses %v", count)
	require.Equal(t, []row{{1, 1, 50, 10000}}, lignes(t, f.dbURL))

	kittest.RequireProblem(t, add(t, replicas[0], 1, 1, 1), http.StatusConflict, "body.quantite")
	require.Equal(t, []row{{1, 1, 50, 10000}}, lignes(t, f.dbURL))
}

func TestPanier_UpstreamDownIsA503AndChangesNothing(t *testing.T) {
	f := newFleet(t)
	healthy := f.start(t)
	require.Equal(t, http.StatusCreated, add(t, healthy, 1, 3, 2).Status)
	before := lignes(t, f.dbURL)

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nobody answers on this address any more

	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	t.Cleanup(hanging.Close)
	t.Cleanup(func() { close(hang) }) // runs before hanging.Close

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		kitProblem(w, http.StatusInternalServerError, "boom")
	}))
	t.Cleanup(failing.Close)

	cases := []struct {
		name, service string
		env           []string
	}{
		{"stock unreachable", "stock", []string{"STOCK_URL", closed.URL}},
		{"stock times out", "stock", []string{"STOCK_URL", hanging.URL, "UPSTREAM_TIMEOUT", "200ms"}},
		{"stock answers 500", "stock", []string{"STOCK_URL", failing.URL}},
		{"clients unreachable", "clients", []string{"CLIENTS_URL", closed.URL}},
		{"clients times out", "clients", []string{"CLIENTS_URL", hanging.URL, "UPSTREAM_TIMEOUT", "200ms"}},
		// No service token, no client check: adding waits for identite, nothing else does.
		{"identite unreachable", "clients", []string{"TOKEN_URL", closed.URL}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := f.start(t, c.env...)
			p := kittest.RequireProblem(t, add(t, base, 1, 3, 1), http.StatusServiceUnavailable, "")
			require.Equal(t, c.service+" indisponible", p.Detail)
			p = kittest.RequireProblem(t, add(t, base, 1, 1, 1), http.StatusServiceUnavailable, "")
			require.Equal(t, c.service+" indisponible", p.Detail)
			put := kittest.Do(t, "PUT", base+"/panier/1/lignes/3", map[string]any{"quantite": 7}, guest(t)...)
			if c.service == "stock" {
				kittest.RequireProblem(t, put, http.StatusServiceUnavailable, "")
			} else {
				require.Equal(t, http.StatusOK, put.Status, "changing a line asks stock only: %s", put.Body)
				put = kittest.Do(t, "PUT", base+"/panier/1/lignes/3", map[string]any{"quantite": 2}, guest(t)...)
				require.Equal(t, http.StatusOK, put.Status, string(put.Body))
			}
			require.Equal(t, before, lignes(t, f.dbURL))
			// Reads never need the other services.
			require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+"/panier/1", nil).Status)
		})
	}
}

func TestPanier_BadInputIsAProblemAndChangesNothing(t *testing.T) {
	f := newFleet(t)
	base := f.start(t)
	require.Equal(t, http.StatusCreated, add(t, base, 1, 3, 600).Status)
	require.Equal(t, http.StatusCreated, add(t, base, 1, 1, 1).Status)
	before := lignes(t, f.dbURL)

	huge := `{"client_id":1,"produit_id":3,"quantite":1,"note":"` + strings.Repeat("x", 70<<10) + `"}`
	cases := []kittest.BadInput{
		{Name: "malformed JSON", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":`, Status: 400},
		{Name: "not JSON at all", Method: "POST", Path: "/panier", Body: `client_id=1`, Status: 400},
		{Name: "unknown field", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":3,"quantite":1,"remise":5}`, Status: 422, Field: "body.remise"},
		{Name: "wrong type", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":3,"quantite":"deux"}`, Status: 422, Field: "body.quantite"},
		{Name: "fractional quantite", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":3,"quantite":1.5}`, Status: 422, Field: "body.quantite"},
		{Name: "quantite 0", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":3,"quantite":0}`, Status: 422, Field: "body.quantite"},
		{Name: "quantite -1", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":3,"quantite":-1}`, Status: 422, Field: "body.quantite"},
		{Name: "quantite 1001", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":3,"quantite":1001}`, Status: 422, Field: "body.quantite"},
		{Name: "line over 1000", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":3,"quantite":401}`, Status: 422, Field: "body.quantite"},
		{Name: "more than the centre has", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":1,"quantite":50}`, Status: 409, Field: "body.quantite"},
		{Name: "missing produit_id", Method: "POST", Path: "/panier", Body: `{"client_id":1,"quantite":1}`, Status: 422, Field: "body.produit_id"},
		{Name: "unknown produit", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":999,"quantite":1}`, Status: 404, Field: "body.produit_id"},
		{Name: "inactive produit", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":2,"quantite":1}`, Status: 422, Field: "body.produit_id"},
		{Name: "unknown client", Method: "POST", Path: "/panier", Body: `{"client_id":999,"produit_id":3,"quantite":1}`, Status: 404, Field: "body.client_id"},
		{Name: "client_id 0", Method: "POST", Path: "/panier", Body: `{"client_id":0,"produit_id":3,"quantite":1}`, Status: 422, Field: "body.client_id"},
		{Name: "null body", Method: "POST", Path: "/panier", Body: `null`, Status: 422},
		{Name: "body over the limit", Method: "POST", Path: "/panier", Body: huge, Status: 413},

		{Name: "PUT malformed JSON", Method: "PUT", Path: "/panier/1/lignes/3", Body: `{"quantite":`, Headers: guest(t), Status: 400},
		{Name: "PUT unknown field", Method: "PUT", Path: "/panier/1/lignes/3", Body: `{"quantite":2,"prix_unitaire":0.01}`, Headers: guest(t), Status: 422, Field: "body.prix_unitaire"},
		{Name: "PUT wrong type", Method: "PUT", Path: "/panier/1/lignes/3", Body: `{"quantite":true}`, Headers: guest(t), Status: 422, Field: "body.quantite"},
		{Name: "PUT quantite 0", Method: "PUT", Path: "/panier/1/lignes/3", Body: `{"quantite":0}`, Headers: guest(t), Status: 422, Field: "body.quantite"},
		{Name: "PUT quantite -1", Method: "PUT", Path: "/panier/1/lignes/3", Body: `{"quantite":-1}`, Headers: guest(t), Status: 422, Field: "body.quantite"},
		{Name: "PUT quantite 1001", Method: "PUT", Path: "/panier/1/lignes/3", Body: `{"quantite":1001}`, Headers: guest(t), Status: 422, Field: "body.quantite"},
		{Name: "PUT more than the centre has", Method: "PUT", Path: "/panier/1/lignes/1", Body: `{"quantite":51}`, Headers: guest(t), Status: 409, Field: "body.quantite"},
		{Name: "PUT line not in the cart", Method: "PUT", Path: "/panier/1/lignes/2", Body: `{"quantite":1}`, Headers: guest(t), Status: 404, Field: "path.produit_id"},
		{Name: "PUT unknown client's cart", Method: "PUT", Path: "/panier/999/lignes/3", Body: `{"quantite":1}`, Headers: kittest.As(t, kittest.Client(999)), Status: 404, Field: "path.produit_id"},
		// No token acts for client 0: the rule refuses before the path is validated.
		{Name: "PUT client_id 0", Method: "PUT", Path: "/panier/0/lignes/3", Body: `{"quantite":1}`, Headers: guest(t), Status: 403},
		{Name: "PUT produit_id not a number", Method: "PUT", Path: "/panier/1/lignes/abc", Body: `{"quantite":1}`, Headers: guest(t), Status: 422, Field: "path.produit_id"},
		{Name: "PUT body over the limit", Method: "PUT", Path: "/panier/1/lignes/3", Body: huge, Headers: guest(t), Status: 413},

		{Name: "GET client_id 0", Method: "GET", Path: "/panier/0", Status: 422, Field: "path.client_id"},
		{Name: "GET client_id not a number", Method: "GET", Path: "/panier/abc", Status: 422, Field: "path.client_id"},
		{Name: "DELETE line not in the cart", Method: "DELETE", Path: "/panier/1/lignes/2", Headers: guest(t), Status: 404, Field: "path.produit_id"},
		{Name: "DELETE line produit_id 0", Method: "DELETE", Path: "/panier/1/lignes/0", Headers: guest(t), Status: 422, Field: "path.produit_id"},
		{Name: "DELETE client_id -1", Method: "DELETE", Path: "/panier/-1", Status: 422, Field: "path.client_id"},
		{Name: "unknown route", Method: "GET", Path: "/paniers/1", Status: 404},
		{Name: "unknown method", Method: "PATCH", Path: "/panier", Status: 405},
		{Name: "client_id 2^63-1", Method: "POST", Path: "/panier", Body: `{"client_id":9223372036854775807,"produit_id":3,"quantite":1}`, Status: 422, Field: "body.client_id"},
		{Name: "produit_id 2^53", Method: "POST", Path: "/panier", Body: `{"client_id":1,"produit_id":9007199254740992,"quantite":1}`, Status: 422, Field: "body.produit_id"},
		{Name: "GET client_id 2^63-1", Method: "GET", Path: "/panier/9223372036854775807", Status: 422, Field: "path.client_id"},
	}
	cases = append(cases, kittest.KeyCases("POST", "POST", "/panier", `{"client_id":1,"produit_id":3,"quantite":1}`)...)
	kittest.RequireBadInputs(t, base, cases, func(t *testing.T) {
		require.Equal(t, before, lignes(t, f.dbURL))
	})
}

type row struct {
	ClientID, ProduitID int64
	Quantite            int
	PrixUnitaire        int64
}

// lignes reads the table directly, so a test sees what was stored rather
// than what the API chose to say.
func lignes(t *testing.T, dbURL string) []row {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx,
		`SELECT client_id, produit_id, quantite, prix_unitaire FROM panier_lignes ORDER BY client_id, produit_id`)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	require.NoError(t, err)
	return out
}

// A retry of an add under its Idempotency-Key adds nothing: it gets the
// first answer, even once the centre could no longer serve the line, and
// without asking clients or stock again.
func TestPanier_AnAddUnderAKeyHappensOnce(t *testing.T) {
	f := newFleet(t)
	base := f.start(t)
	key := []string{"Idempotency-Key", "ajout-1"}

	first := add(t, base, 1, 1, 50, key...) // all the centre has
	require.Equal(t, http.StatusCreated, first.Status, string(first.Body))
	lookups := f.clientLookups.Load()
	again := add(t, base, 1, 1, 50, key...)
	require.Equal(t, http.StatusCreated, again.Status, string(again.Body))
	require.JSONEq(t, string(first.Body), string(again.Body))
	require.Equal(t, []row{{1, 1, 50, 10000}}, lignes(t, f.dbURL))
	require.Equal(t, lookups, f.clientLookups.Load(), "a replay asks nobody")

	// Another key is another add: the centre has no more.
	kittest.RequireProblem(t, add(t, base, 1, 1, 1, "Idempotency-Key", "ajout-2"), http.StatusConflict, "body.quantite")
	// The same key with another add is the caller's mistake.
	kittest.RequireProblem(t, add(t, base, 1, 3, 1, key...), http.StatusUnprocessableEntity, "header.Idempotency-Key")
	require.Equal(t, []row{{1, 1, 50, 10000}}, lignes(t, f.dbURL))
	// Another client's key space is its own.
	require.Equal(t, http.StatusCreated, add(t, base, 7, 3, 1, key...).Status)
	require.Equal(t, []row{{1, 1, 50, 10000}, {7, 3, 1, 1999}}, lignes(t, f.dbURL))

	metrics := string(kittest.Do(t, "GET", base+"/metrics", nil).Body)
	require.Contains(t, metrics, "\npanier_lignes_ajoutees_total 2\n")
}

// Twins under one key, sent at once to two replicas: one add, one answer.
func TestPanier_ConcurrentAddsUnderOneKeyAddOnce(t *testing.T) {
	f := newFleet(t)
	replicas := []string{f.start(t), f.start(t)}
	require.Equal(t, http.StatusCreated, add(t, replicas[0], 1, 3, 2).Status)

	twins := make([]*http.Request, 12)
	for i := range twins {
		twins[i] = kittest.Request(t, "POST", replicas[i%2]+"/panier", `{"client_id":1,"produit_id":3,"quantite":5}`,
			"Idempotency-Key", "checkout-retry")
	}
	answers := kittest.SendAll(t, twins)
	for _, a := range answers {
		require.Equal(t, http.StatusOK, a.Status, string(a.Body))
		require.JSONEq(t, string(answers[0].Body), string(a.Body))
	}
	require.Equal(t, []row{{1, 3, 7, 1999}}, lignes(t, f.dbURL))
}
