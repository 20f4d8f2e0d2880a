// Package saga checks the sagas end to end against the real fleet: every
// service a process, a fresh PostgreSQL database, HTTP only. The tests run one
// after the other (the fault tests restart processes under everybody's feet);
// the concurrency lives inside each test.
package saga

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/fleet"
	"multimagasins/kit"
	"multimagasins/kit/api/stockapi"
	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

var (
	fl  *fleet.Fleet
	api fleettest.Clients // the services' typed clients
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(fleettest.Main(m, "saga", fleet.Options{LogLevel: "warn"}, func(f *fleet.Fleet) { fl, api = f, fleettest.Typed(f) }))
}

const centre = 6 // the centre logistique, where online orders are served from

var (
	want   = fleettest.Want
	num    = fleettest.Num
	id     = fleettest.ID
	items  = fleettest.Items
	unique = fleettest.Unique
	key    = fleettest.Key
)

func do(t testing.TB, method, name, path string, body any, headers ...string) kittest.Response {
	t.Helper()
	return fleettest.Do(t, fl, method, name, path, body, headers...)
}

// Final states: a saga or an order in one of them will not move by itself.
var finals = []string{"CONFIRMEE", "ANNULEE"}

// unfinished are the states a saga passes through; none may stay.
var unfinished = []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE"}

// answer is what every saga POST returns.
type answer struct {
	SagaID     string      `json:"saga_id"`
	Type       string      `json:"type"`
	CommandeID string      `json:"commande_id"`
	Statut     string      `json:"statut"`
	Motif      string      `json:"motif"`
	Total      json.Number `json:"total"`
	Etapes     []struct {
		Etat string    `json:"etat"`
		At   time.Time `json:"at"`
	} `json:"etapes"`
}

func (a answer) etats() []string {
	var s []string
	for _, e := range a.Etapes {
		s = append(s, e.Etat)
	}
	return s
}

// result is one saga POST as a goroutine saw it.
type result struct {
	status   int
	answer   answer
	body     string
	location string // Location of a 202: where the saga goes on
	err      error
}

func (r result) String() string {
	if r.err != nil {
		return "error: " + r.err.Error()
	}
	return fmt.Sprintf("%d %s", r.status, r.body)
}

// send posts to the orchestrator from any goroutine.
// It acts as the person the route expects (fleettest.SagaHeaders); headers
// may name another.
func send(path string, body any, headers ...string) result {
	who, err := fleettest.SagaHeaders(context.Background(), fl, path, body)
	if err != nil {
		return result{err: err}
	}
	r, err := fleettest.Send(context.Background(), "POST", fl.URL("orchestrator")+path, body, append(who, headers...)...)
	if err != nil {
		return result{err: err}
	}
	res := result{status: r.Status, body: string(r.Body), location: r.Header.Get("Location")}
	if r.Status < 400 || strings.Contains(r.Header.Get("Content-Type"), "application/json") {
		_ = json.Unmarshal(r.Body, &res.answer)
	}
	return res
}

// requireHonest holds a saga answer to what it said once the saga is final:
// 201 is CONFIRMEE, 202 points at a saga still running, and 503 or any
// refusal is never a saga that later confirms (and charges).
func requireHonest(t *testing.T, r result) {
	t.Helper()
	require.NoError(t, r.err, "the orchestrator itself stayed up")
	require.Contains(t, []int{201, 202, 402, 409, 422, 503}, r.status, r.body)
	if r.status == 202 {
		require.Equal(t, "/saga/"+r.answer.SagaID, r.location, "a 202 says where to follow the saga")
	}
	if r.answer.SagaID == "" {
		require.Contains(t, []int{422, 503}, r.status, "only 'nothing started' has no saga: %s", r.body)
		return
	}
	var final string
	eventually(t, 60*time.Second, func() (bool, string) {
		s := want(t, do(t, "GET", "orchestrator", "/saga/"+r.answer.SagaID, nil), 200)
		final, _ = s["statut"].(string)
		return final == "CONFIRMEE" || final == "ANNULEE", fmt.Sprintf("saga %s is %v", r.answer.SagaID, s["statut"])
	})
	if r.status == 201 {
		require.Equal(t, "CONFIRMEE", final)
	} else if r.status != 202 {
		require.Equal(t, "ANNULEE", final, "answered %d, then the saga ended %s", r.status, final)
	}
}

// post runs a saga and fails the test on a transport error.
func post(t testing.TB, path string, body any, headers ...string) result {
	t.Helper()
	r := send(path, body, headers...)
	require.NoError(t, r.err, "POST %s", path)
	return r
}

func line(produit any, quantite int) map[string]any {
	return map[string]any{"produit_id": produit, "quantite": quantite}
}

func commande(client any, lignes ...map[string]any) map[string]any {
	b := map[string]any{"produits": lignes}
	if client != nil {
		b["client_id"] = client
	}
	return b
}

// cents reads a money amount as written on the wire ("350.00") without a float.
func cents(t testing.TB, v any) int64 {
	t.Helper()
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	case nil:
		return 0
	default:
		t.Fatalf("%v (%T) is not an amount", v, v)
	}
	n, err := parseCents(s)
	require.NoError(t, err)
	return n
}

func parseCents(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("amount %q has more than two decimals", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	neg := strings.HasPrefix(whole, "-")
	w, err := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", s, err)
	}
	if neg {
		return -(w*100 + f), nil
	}
	return w*100 + f, nil
}

func newClient(t testing.TB) string {
	t.Helper()
	c := want(t, do(t, "POST", "clients", "/clients", map[string]any{"nom": "Client saga", "email": unique("saga") + "@exemple.ca"}), 201)
	return id(t, c)
}

// newProduct makes a product at prix ("10.00") with enAuCentre units received at the centre.
func newProduct(t testing.TB, prix string, enAuCentre int) string {
	t.Helper()
	p := want(t, do(t, "POST", "stock", "/produits", map[string]any{"nom": unique("Article"), "categorie": "Essai", "prix": json.Number(prix)}), 201)
	pid := id(t, p)
	if enAuCentre > 0 {
		want(t, do(t, "POST", "stock", "/logistique/receptions",
			map[string]any{"produit_id": json.Number(pid), "quantite": enAuCentre, "reference": "saga-e2e"}), 201)
	}
	return pid
}

// niveau is a product's stock at one location.
type niveau struct{ Quantite, Reserve, Disponible int64 }

// readStock reads a product's stock at a location (a store 1..5 or the
// centre), from any goroutine. A product never received there reads as zero.
func readStock(ctx context.Context, emplacement int, produit string) (niveau, error) {
	for offset := 0; ; offset += 500 {
		p := stockapi.StockParams{PageQuery: kit.PageQuery{Limit: 500, Offset: offset}}
		var page kit.Page[stockapi.Niveau]
		var err error
		if emplacement == centre {
			page, err = api.Stock.StockLogistique(ctx, p)
		} else {
			page, err = api.Stock.StockMagasin(ctx, int64(emplacement), p)
		}
		if err != nil {
			return niveau{}, err
		}
		for _, it := range page.Items {
			if strconv.FormatInt(it.ProduitID, 10) == produit {
				return niveau{it.Quantite, it.Reserve, it.Disponible}, nil
			}
		}
		if int64(offset+500) >= page.Total {
			return niveau{}, nil
		}
	}
}

func stockAt(t testing.TB, emplacement int, produit string) niveau {
	t.Helper()
	n, err := readStock(context.Background(), emplacement, produit)
	require.NoError(t, err)
	return n
}

// all reads every page of a list endpoint.
func all(t testing.TB, name, path string, query url.Values) []map[string]any {
	t.Helper()
	var list []map[string]any
	for offset := 0; ; offset += 500 {
		query.Set("limit", "500")
		query.Set("offset", strconv.Itoa(offset))
		page := want(t, do(t, "GET", name, path+"?"+query.Encode(), nil), 200)
		list = append(list, items(t, page)...)
		total, err := strconv.Atoi(num(t, page["total"]))
		require.NoError(t, err)
		if offset+500 >= total {
			return list
		}
	}
}

func ordersOf(t testing.TB, client string) []map[string]any {
	t.Helper()
	return all(t, "commande", "/commandes", url.Values{"client_id": {client}})
}

func paymentsOf(t testing.TB, client string) []map[string]any {
	t.Helper()
	return all(t, "paiement", "/paiements", url.Values{"client_id": {client}})
}

func paymentsOfOrder(t testing.TB, commandeID string) []map[string]any {
	t.Helper()
	return all(t, "paiement", "/paiements", url.Values{"commande_id": {commandeID}})
}

// kept is the money a payment still holds: nothing when refused, else the
// charge less its refunds.
func kept(t testing.TB, p map[string]any) int64 {
	t.Helper()
	if p["statut"] == "refuse" {
		return 0
	}
	return cents(t, p["montant"]) - cents(t, p["rembourse"])
}

func order(t testing.TB, commandeID string) map[string]any {
	t.Helper()
	return want(t, do(t, "GET", "commande", "/commande/"+commandeID, nil), 200)
}

func historique(t testing.TB, o map[string]any) []string {
	t.Helper()
	raw, _ := o["historique"].([]any)
	var s []string
	for _, h := range raw {
		s = append(s, h.(map[string]any)["statut"].(string))
	}
	return s
}

// eventually polls check until it says done, for at most limit; the message
// of the last check explains a timeout.
func eventually(t testing.TB, limit time.Duration, check func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, msg := check()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not reached within %s: %s", limit, msg)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitOrdersFinal waits until every order of the client is CONFIRMEE or
// ANNULEE. Orders are recorded as their sagas end, so it waits for the sagas first.
func waitOrdersFinal(t testing.TB, client string) []map[string]any {
	t.Helper()
	waitSagasFinal(t)
	var list []map[string]any
	eventually(t, 60*time.Second, func() (bool, string) {
		list = ordersOf(t, client)
		var open []string
		for _, o := range list {
			if s := o["statut"].(string); !slices.Contains(finals, s) {
				open = append(open, fmt.Sprintf("%s=%s", o["id"], s))
			}
		}
		return len(open) == 0, fmt.Sprintf("orders of client %s not final: %v", client, open)
	})
	return list
}

// waitSagasFinal waits until no saga of the orchestrator is in a passing state.
func waitSagasFinal(t testing.TB) {
	t.Helper()
	eventually(t, 60*time.Second, func() (bool, string) {
		var open []string
		for _, s := range unfinished {
			page := want(t, do(t, "GET", "orchestrator", "/sagas?limit=5&statut="+s, nil), 200)
			if n := num(t, page["total"]); n != "0" {
				open = append(open, fmt.Sprintf("%s sagas in %s (e.g. %v)", n, s, items(t, page)[0]["id"]))
			}
		}
		return len(open) == 0, strings.Join(open, "; ")
	})
}

// money is the balance of one client's orders and payments.
type money struct {
	payes, rembourses      int64 // accepted charges, refunds
	confirmees, retournes  int64 // totals of CONFIRMEE orders, and what came back of them
	nConfirmees, nAnnulees int
}

// checkMoney checks that every order of the client is final and that the
// money adds up: overall, and order by order (a CONFIRMEE order keeps exactly
// its total less its returns in one payment; an ANNULEE one keeps nothing).
func checkMoney(t testing.TB, client string) money {
	t.Helper()
	orders := waitOrdersFinal(t, client)
	byOrder := map[string][]map[string]any{}
	var m money
	for _, p := range paymentsOf(t, client) {
		byOrder[p["commande_id"].(string)] = append(byOrder[p["commande_id"].(string)], p)
		if p["statut"] != "refuse" {
			m.payes += cents(t, p["montant"])
			m.rembourses += cents(t, p["rembourse"])
		}
	}
	for _, o := range orders {
		oid := id(t, o)
		var keptHere int64
		accepted := 0
		for _, p := range byOrder[oid] {
			keptHere += kept(t, p)
			if p["statut"] != "refuse" {
				accepted++
			}
		}
		switch o["statut"] {
		case "CONFIRMEE":
			m.nConfirmees++
			full := order(t, oid)
			total, retourne := cents(t, full["total"]), cents(t, full["total_retourne"])
			m.confirmees += total
			m.retournes += retourne
			require.Equal(t, 1, accepted, "CONFIRMEE order %s has one accepted payment: %v", oid, byOrder[oid])
			require.Equal(t, total-retourne, keptHere, "order %s keeps its total less its returns", oid)
		case "ANNULEE":
			m.nAnnulees++
			require.Zero(t, keptHere, "ANNULEE order %s keeps no money: %v", oid, byOrder[oid])
		}
	}
	require.Equal(t, m.confirmees-m.retournes, m.payes-m.rembourses,
		"payments - refunds == confirmed totals - returned amounts (%+v)", m)
	return m
}

func count(results []result) map[int]int {
	c := map[int]int{}
	for _, r := range results {
		c[r.status]++
	}
	return c
}
