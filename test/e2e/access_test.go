package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

// The services whose every route the access table covers, by fleet process.
var apiProcesses = []string{"identite", "clients", "stock", "panier-1", "commande", "paiement", "orchestrator"}

// route is one operation of a fleet process and its access rule.
type route struct {
	process string
	kittest.Route
}

// routesOf reads every operation of a process with its rule (kittest.Routes
// fails on a route without one).
func routesOf(t *testing.T, process string) []route {
	t.Helper()
	var out []route
	for _, r := range kittest.Routes(t, fl.URL(process)) {
		out = append(out, route{process: process, Route: r})
	}
	return out
}

// caller is one row of the table's other axis.
type caller struct {
	name string
	p    kit.Principal // zero: anonymous
}

func (c caller) headers(t *testing.T) []string {
	if c.p.Anonymous() {
		return kittest.Anonymous
	}
	return kittest.As(t, c.p)
}

var grantParam = regexp.MustCompile(`^(\w+)\((\w+)\)$`)

// allows says whether grants let c call the route once the route's
// parameters name c's own client or store, as request fills them in.
func allows(grants []string, c caller) bool {
	for _, g := range grants {
		if g == "public" {
			return true
		}
		role := g
		if m := grantParam.FindStringSubmatch(g); m != nil {
			role = m[1]
		}
		if c.p.Has(kit.Role(role)) {
			return true
		}
	}
	return false
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// request fills the route's parameters for c: its own client id or store
// where a parameter names one, ids nobody has elsewhere, and an empty body,
// so an allowed call is refused by validation or lookup but never by access,
// and changes nothing.
func request(r route, c caller, self int64) string {
	path := pathParam.ReplaceAllStringFunc(r.Path, func(p string) string {
		name := p[1 : len(p)-1]
		switch {
		case name == "client_id", name == "id" && strings.HasPrefix(r.Path, "/clients/"):
			return strconv.FormatInt(self, 10)
		case name == "id" && (strings.HasPrefix(r.Path, "/magasins/") || strings.HasPrefix(r.Path, "/emplacements/")):
			return "1"
		case name == "produit_id", name == "id" && strings.HasPrefix(r.Path, "/produits/"):
			return "1"
		case name == "id" && strings.HasPrefix(r.Path, "/demandes/"):
			return "987654321"
		case name == "cle":
			return "acces-" + uuid.NewString()
		default:
			return uuid.NewString()
		}
	})
	var q []string
	for _, g := range r.Grants {
		m := grantParam.FindStringSubmatch(g)
		if m == nil || strings.Contains(r.Path, "{"+m[2]+"}") {
			continue
		}
		switch {
		case m[1] == string(kit.RoleClient) && c.p.Has(kit.RoleClient):
			q = append(q, m[2]+"="+strconv.FormatInt(c.p.ClientID, 10))
		case m[1] == string(kit.RoleCaissier) && c.p.Has(kit.RoleCaissier):
			q = append(q, m[2]+"="+strconv.FormatInt(c.p.MagasinID, 10))
		}
	}
	if len(q) > 0 {
		path += "?" + strings.Join(q, "&")
	}
	return path
}

// TestAccess_EveryRouteByEveryRole is the (route × role) table, generated
// from the routes the services register: anonymous callers get 401 where a
// token is needed, the wrong role 403, the right role anything but those
// (and never a 5xx).
func TestAccess_EveryRouteByEveryRole(t *testing.T) {
	self := int64(num64(t, want(t, do(t, "POST", "clients", "/clients",
		map[string]any{"nom": "Acces Table", "email": unique("acces") + "@exemple.ca"}), 201)["id"]))
	callers := []caller{
		{"anonyme", kit.Principal{}},
		{"client", kittest.Client(self)},
		{"caissier", kittest.Caissier(1)},
		{"logistique", kittest.Logistique},
		{"maison_mere", kittest.MaisonMere},
		{"service", kittest.ServicePrincipal},
	}
	total := 0
	for _, process := range apiProcesses {
		for _, r := range routesOf(t, process) {
			// Deleting the table's own client would only change later rows' 404s; keep it.
			if r.Method == http.MethodDelete && strings.HasPrefix(r.Path, "/clients/") {
				continue
			}
			for _, c := range callers {
				total++
				name := fmt.Sprintf("%s/%s_%s/%s", process, r.Method, r.Path, c.name)
				t.Run(name, func(t *testing.T) {
					var body any
					if r.Method == http.MethodPost || r.Method == http.MethodPut {
						body = map[string]any{}
					}
					got := do(t, r.Method, process, request(r, c, self), body, c.headers(t)...)
					switch {
					case allows(r.Grants, c):
						assert.NotContains(t, []int{401, 403}, got.Status, "%v: %s", r.Grants, got.Body)
						assert.Less(t, got.Status, 500, "%s", got.Body)
					case c.p.Anonymous():
						kittest.RequireProblem(t, got, http.StatusUnauthorized, "")
					default:
						kittest.RequireProblem(t, got, http.StatusForbidden, "")
					}
				})
			}
		}
	}
	require.Greater(t, total, 300, "the table covers every route of every service")
}

// TestAccess_AClientReadsOnlyItsOwn: client A asking for client B's account,
// cart, orders and payments gets 403 on every service, and B's data is untouched.
func TestAccess_AClientReadsOnlyItsOwn(t *testing.T) {
	newClient := func(nom string) int64 {
		return int64(num64(t, want(t, do(t, "POST", "clients", "/clients",
			map[string]any{"nom": nom, "email": unique("own") + "@exemple.ca"}), 201)["id"]))
	}
	a, b := newClient("Client A"), newClient("Client B")
	asA := kittest.As(t, kittest.Client(a))
	asB := kittest.As(t, kittest.Client(b))

	// B fills a cart and checks it out, as itself.
	want(t, do(t, "POST", "panier-1", "/panier", map[string]any{"client_id": b, "produit_id": 1, "quantite": 1}, asB...), 201)
	order := want(t, do(t, "POST", "orchestrator", "/commande", map[string]any{"client_id": b}, append(asB, key()...)...), 201)
	commandeID := fmt.Sprint(order["commande_id"])
	pays := want(t, do(t, "GET", "paiement", "/paiements?client_id="+strconv.FormatInt(b, 10), nil, asB...), 200)
	payments := items(t, pays)
	require.NotEmpty(t, payments)
	paiementID := fmt.Sprint(payments[0]["id"])

	bs := strconv.FormatInt(b, 10)
	for _, c := range []struct{ process, method, path string }{
		{"clients", "GET", "/clients/" + bs},
		{"clients", "PUT", "/clients/" + bs},
		{"panier-1", "GET", "/panier/" + bs},
		{"panier-2", "DELETE", "/panier/" + bs},
		{"commande", "GET", "/commandes?client_id=" + bs},
		{"commande", "GET", "/commande/" + commandeID},
		{"commande", "GET", "/commande/" + commandeID + "/retours"},
		{"paiement", "GET", "/comptes/" + bs},
		{"paiement", "GET", "/paiements?client_id=" + bs},
		{"paiement", "GET", "/paiements/" + paiementID},
		{"orchestrator", "GET", "/saga/" + fmt.Sprint(order["saga_id"])},
	} {
		t.Run(c.process+c.method+c.path, func(t *testing.T) {
			var body any
			if c.method == "PUT" {
				body = map[string]any{"nom": "Pris", "email": unique("pris") + "@exemple.ca"}
			}
			kittest.RequireProblem(t, do(t, c.method, c.process, c.path, body, asA...), http.StatusForbidden, "")
		})
	}
	// Untouched: B still reads its own.
	require.NotEqual(t, "Pris", want(t, do(t, "GET", "clients", "/clients/"+bs, nil, asB...), 200)["nom"])
	require.Equal(t, "CONFIRMEE", want(t, do(t, "GET", "commande", "/commande/"+commandeID, nil, asB...), 200)["statut"])
}

// TestAccess_TheSeedCurlsNeedNoToken: the guest checkout on :8002 and the
// catalogue stay open to anyone.
func TestAccess_TheSeedCurlsNeedNoToken(t *testing.T) {
	r := do(t, "POST", "orchestrator", "/saga/commande/", map[string]any{
		"produits": []map[string]any{{"produit_id": 1, "quantite": 1}, {"produit_id": 2, "quantite": 1}}}, kittest.Anonymous...)
	require.Equal(t, "CONFIRMEE", want(t, r, 201)["statut"])
	want(t, do(t, "GET", "stock", "/produits", nil, kittest.Anonymous...), 200)
	want(t, do(t, "GET", "stock", "/magasins", nil, kittest.Anonymous...), 200)
	kittest.RequireProblem(t, do(t, "POST", "orchestrator", "/saga/commande/", map[string]any{
		"client_id": 1, "produits": []map[string]any{{"produit_id": 1, "quantite": 1}}}, kittest.Anonymous...), 401, "")
}

// TestAccess_RealTokensFromIdentite: a demo staff account signs in at
// identite's token endpoint and its token works where its role may go.
func TestAccess_RealTokensFromIdentite(t *testing.T) {
	tok := fleettest.PasswordToken(t, fl, "caissier2", "multimagasins")
	bearer := []string{"Authorization", "Bearer " + tok}
	want(t, do(t, "GET", "stock", "/magasins/2/stock", nil, bearer...), 200)
	want(t, do(t, "GET", "commande", "/commandes?magasin_id=2", nil, bearer...), 200)
	kittest.RequireProblem(t, do(t, "GET", "commande", "/commandes?magasin_id=3", nil, bearer...), 403, "")
	kittest.RequireProblem(t, do(t, "PUT", "stock", "/produits/1", map[string]any{}, bearer...), 403, "")
}

func num64(t *testing.T, v any) float64 {
	t.Helper()
	n, err := strconv.ParseFloat(num(t, v), 64)
	require.NoError(t, err)
	return n
}
