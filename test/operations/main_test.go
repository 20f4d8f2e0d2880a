// Package operations checks the store operations end to end against the real
// fleet (every service a process, a fresh database without generated
// history, HTTP only): counter sales and returns, stock by location, supply
// requests and their approval, automatic replenishment, the catalogue's
// rules and the head-office reports. Each test makes its own products, so
// the figures it checks are its own; the tests run one after the other, and
// the concurrency lives inside each test.
package operations

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

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
	os.Exit(fleettest.Main(m, "operations", fleet.Options{LogLevel: "warn"}, func(f *fleet.Fleet) { fl, api = f, fleettest.Typed(f) }))
}

const centre = 6 // the centre logistique

var (
	want   = fleettest.Want
	num    = fleettest.Num
	id     = fleettest.ID
	items  = fleettest.Items
	unique = fleettest.Unique
)

func do(t testing.TB, method, name, path string, body any, headers ...string) kittest.Response {
	t.Helper()
	return fleettest.Do(t, fl, method, name, path, body, headers...)
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
	default:
		t.Fatalf("%v (%T) is not an amount", v, v)
	}
	whole, frac, _ := strings.Cut(s, ".")
	require.LessOrEqual(t, len(frac), 2, "amount %q", s)
	frac += strings.Repeat("0", 2-len(frac))
	neg := strings.HasPrefix(whole, "-")
	w, err := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	require.NoError(t, err, "amount %q", s)
	f, err := strconv.ParseInt(frac, 10, 64)
	require.NoError(t, err, "amount %q", s)
	if neg {
		return -(w*100 + f)
	}
	return w*100 + f
}

// integer reads a JSON integer.
func integer(t testing.TB, v any) int64 {
	t.Helper()
	n, err := strconv.ParseInt(num(t, v), 10, 64)
	require.NoError(t, err)
	return n
}

func money(c int64) json.Number { return json.Number(fmt.Sprintf("%d.%02d", c/100, c%100)) }

func newClient(t testing.TB) json.Number {
	t.Helper()
	c := want(t, do(t, "POST", "clients", "/clients", map[string]any{"nom": "Client opérations", "email": unique("ops") + "@exemple.ca"}), 201)
	return json.Number(id(t, c))
}

// product is a product the test made, with its own name (for q=).
type product struct {
	ID  string
	Nom string
}

func (p product) n() json.Number { return json.Number(p.ID) }

// newProduct makes a product at prix (cents) with auCentre units received at the centre.
func newProduct(t testing.TB, prix int64, auCentre int) product {
	t.Helper()
	nom := unique("Article ops")
	p := want(t, do(t, "POST", "stock", "/produits", map[string]any{"nom": nom, "categorie": "Opérations", "prix": money(prix)}), 201)
	pid := id(t, p)
	if auCentre > 0 {
		want(t, do(t, "POST", "stock", "/logistique/receptions",
			map[string]any{"produit_id": json.Number(pid), "quantite": auCentre, "reference": "ops-e2e"}), 201)
	}
	return product{ID: pid, Nom: nom}
}

func setSeuil(t testing.TB, emplacement int, p product, seuil int) {
	t.Helper()
	r := want(t, do(t, "PUT", "stock", fmt.Sprintf("/emplacements/%d/seuils/%s", emplacement, p.ID), map[string]any{"seuil": seuil}), 200)
	require.Equal(t, strconv.Itoa(seuil), num(t, r["seuil"]))
}

func demander(t testing.TB, magasin int, p product, quantite int, motif string) map[string]any {
	t.Helper()
	body := map[string]any{"produit_id": p.n(), "quantite": quantite}
	if motif != "" {
		body["motif"] = motif
	}
	return want(t, do(t, "POST", "stock", fmt.Sprintf("/magasins/%d/demandes", magasin), body), 201)
}

// supply brings quantite units of p from the centre to a store through an
// approved request, with the store's threshold at 0 first so that the test's
// own sales never start an automatic request.
func supply(t testing.TB, magasin int, p product, quantite int) {
	t.Helper()
	setSeuil(t, magasin, p, 0)
	d := demander(t, magasin, p, quantite, "mise en place")
	r := want(t, do(t, "POST", "stock", "/demandes/"+id(t, d)+"/approuver", nil), 200)
	require.Equal(t, "livree", r["statut"])
}

// niveau is a product's stock row at one location.
type niveau struct {
	Quantite, Reserve, Disponible, Seuil int64
	found                                bool
}

// stockAt reads p's row at a location through its name (q=); a product never
// stocked there reads as zero.
func stockAt(t testing.TB, emplacement int, p product) niveau {
	t.Helper()
	q := stockapi.StockParams{Q: p.Nom}
	var page kit.Page[stockapi.Niveau]
	var err error
	if emplacement == centre {
		page, err = api.Stock.StockLogistique(t.Context(), q)
	} else {
		page, err = api.Stock.StockMagasin(t.Context(), int64(emplacement), q)
	}
	require.NoError(t, err, "stock of %s at %d", p.Nom, emplacement)
	for _, it := range page.Items {
		if strconv.FormatInt(it.ProduitID, 10) == p.ID {
			return niveau{it.Quantite, it.Reserve, it.Disponible, it.Seuil, true}
		}
	}
	return niveau{}
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
		if offset+500 >= int(integer(t, page["total"])) {
			return list
		}
	}
}

func mouvements(t testing.TB, p product, query url.Values) []map[string]any {
	t.Helper()
	query.Set("produit_id", p.ID)
	return all(t, "stock", "/mouvements", query)
}

func demandesOf(t testing.TB, magasin int, p product) []map[string]any {
	t.Helper()
	return all(t, "stock", "/demandes", url.Values{"magasin_id": {strconv.Itoa(magasin)}, "produit_id": {p.ID}})
}

func line(p product, quantite int) map[string]any {
	return map[string]any{"produit_id": p.n(), "quantite": quantite}
}

func venteBody(client json.Number, magasin int, methode string, lignes ...map[string]any) map[string]any {
	b := map[string]any{"magasin_id": magasin, "produits": lignes, "methode": methode}
	if client != "" {
		b["client_id"] = client
	}
	return b
}

// sagaAnswer is what every saga POST returns.
type sagaAnswer struct {
	status     int
	body       string
	CommandeID string      `json:"commande_id"`
	Statut     string      `json:"statut"`
	Total      json.Number `json:"total"`
}

func sagaPost(ctx context.Context, path string, body any) (sagaAnswer, error) {
	who, err := fleettest.SagaHeaders(ctx, fl, path, body)
	if err != nil {
		return sagaAnswer{}, err
	}
	r, err := fleettest.Send(ctx, "POST", fl.URL("orchestrator")+path, body, who...)
	if err != nil {
		return sagaAnswer{}, err
	}
	a := sagaAnswer{status: r.Status, body: string(r.Body)}
	if r.Status < 400 {
		if err := json.Unmarshal(r.Body, &a); err != nil {
			return a, err
		}
	}
	return a, nil
}

// sell makes a counter sale that must be confirmed.
func sell(t testing.TB, client json.Number, magasin int, lignes ...map[string]any) sagaAnswer {
	t.Helper()
	a, err := sagaPost(context.Background(), "/saga/vente", venteBody(client, magasin, "comptant", lignes...))
	require.NoError(t, err)
	require.Equal(t, 201, a.status, a.body)
	require.Equal(t, "CONFIRMEE", a.Statut, a.body)
	return a
}

func giveBack(t testing.TB, commandeID string, lignes ...map[string]any) {
	t.Helper()
	body := map[string]any{"commande_id": commandeID}
	if len(lignes) > 0 {
		body["lignes"] = lignes
	}
	a, err := sagaPost(context.Background(), "/saga/retour", body)
	require.NoError(t, err)
	require.Equal(t, 201, a.status, a.body)
}

func order(t testing.TB, commandeID string) map[string]any {
	t.Helper()
	return want(t, do(t, "GET", "commande", "/commande/"+commandeID, nil), 200)
}

// requireProblem checks a 4xx problem+json answer.
func requireProblem(t testing.TB, r kittest.Response, what string) {
	t.Helper()
	require.True(t, r.Status >= 400 && r.Status < 500, "%s: status %d, body %s", what, r.Status, r.Body)
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), "%s: %s", what, r.Body)
	p, err := fleettest.Decode(r.Body)
	require.NoError(t, err, "%s: %s", what, r.Body)
	require.Equal(t, strconv.Itoa(r.Status), num(t, p["status"]), what)
}
