package e2e

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

// Every process of the fleet, by name.
var processes = []string{"identite", "clients", "orchestrator", "web-1", "web-2", "commande", "stock", "paiement", "panier-1", "panier-2"}

func TestSmoke_EveryServiceAnswersHealthReadinessMetricsAndOpenAPI(t *testing.T) {
	for _, name := range processes {
		t.Run(name, func(t *testing.T) {
			require.Equal(t, http.StatusOK, do(t, "GET", name, "/readyz", nil).Status)
			require.Equal(t, http.StatusOK, do(t, "GET", name, "/healthz", nil).Status)

			metrics := do(t, "GET", name, "/metrics", nil)
			require.Equal(t, http.StatusOK, metrics.Status)
			// The /healthz call above was counted, under its route template.
			require.Contains(t, string(metrics.Body), `http_requests_total{code="200",method="GET",route="/healthz"`)

			var spec struct {
				OpenAPI string         `json:"openapi"`
				Paths   map[string]any `json:"paths"`
			}
			r := do(t, "GET", name, "/openapi.json", nil)
			require.Equal(t, http.StatusOK, r.Status)
			r.JSON(t, &spec)
			require.True(t, strings.HasPrefix(spec.OpenAPI, "3."), "openapi = %q", spec.OpenAPI)
		})
	}
}

func TestSmoke_ClientsRoundTrip(t *testing.T) {
	email := unique("ana") + "@exemple.ca"
	c := want(t, do(t, "POST", "clients", "/clients", map[string]any{"nom": "Ana Tremblay", "email": email}), 201)
	path := "/clients/" + id(t, c)
	require.Equal(t, email, want(t, do(t, "GET", "clients", path, nil), 200)["email"])
	upd := want(t, do(t, "PUT", "clients", path, map[string]any{"nom": "Ana T.", "email": email, "telephone": "514-555-0101"}), 200)
	require.Equal(t, "Ana T.", upd["nom"])
	want(t, do(t, "DELETE", "clients", path, nil), 204)
	kittest.RequireProblem(t, do(t, "GET", "clients", path, nil), 404, "path.id")
}

func TestSmoke_StockProductReceptionAndLogistiqueStock(t *testing.T) {
	nom := unique("Tablette")
	p := want(t, do(t, "POST", "stock", "/produits", map[string]any{"nom": nom, "categorie": "Électronique", "prix": 129.99}), 201)
	require.Equal(t, "129.99", num(t, p["prix"]))
	pid := id(t, p)
	want(t, do(t, "GET", "stock", "/produits/"+pid, nil), 200)

	want(t, do(t, "POST", "stock", "/logistique/receptions",
		map[string]any{"produit_id": json.Number(pid), "quantite": 20, "reference": "BL-1"}), 201)
	page := want(t, do(t, "GET", "stock", "/logistique/stock?q="+nom, nil), 200)
	lines := items(t, page)
	require.Len(t, lines, 1, "the goods received are in /logistique/stock")
	require.Equal(t, pid, num(t, lines[0]["produit_id"]))
	require.Equal(t, "20", num(t, lines[0]["quantite"]))
	require.Equal(t, "20", num(t, lines[0]["disponible"]))
}

// newClientAndStockedProduct makes a customer and a product received at the
// logistique (where online orders are served from), the preconditions of a cart line.
func newClientAndStockedProduct(t *testing.T, prix float64, quantite int) (clientID, produitID string) {
	t.Helper()
	c := want(t, do(t, "POST", "clients", "/clients", map[string]any{"nom": "Léa", "email": unique("lea") + "@exemple.ca"}), 201)
	p := want(t, do(t, "POST", "stock", "/produits", map[string]any{"nom": unique("Lampe"), "categorie": "Maison", "prix": prix}), 201)
	want(t, do(t, "POST", "stock", "/logistique/receptions", map[string]any{"produit_id": json.Number(id(t, p)), "quantite": quantite}), 201)
	return id(t, c), id(t, p)
}

func TestSmoke_PanierRoundTripAcrossBothReplicas(t *testing.T) {
	cid, pid := newClientAndStockedProduct(t, 12.50, 10)
	// The client itself, as the shop does: only it may change its lines.
	self := kittest.As(t, kittest.Client(mustInt(t, cid)))
	add := do(t, "POST", "panier-1", "/panier", map[string]any{"client_id": json.Number(cid), "produit_id": json.Number(pid), "quantite": 2}, self...)
	require.Contains(t, []int{200, 201}, add.Status, string(add.Body))

	// The other replica sees the same cart: the state is in PostgreSQL.
	cart := want(t, do(t, "GET", "panier-2", "/panier/"+cid, nil, self...), 200)
	lignes := cart["lignes"].([]any)
	require.Len(t, lignes, 1)
	require.Equal(t, "2", num(t, lignes[0].(map[string]any)["quantite"]))
	require.Equal(t, "25.00", num(t, cart["total"]))

	want(t, do(t, "PUT", "panier-2", "/panier/"+cid+"/lignes/"+pid, map[string]any{"quantite": 3}, self...), 200)
	require.Equal(t, "37.50", num(t, want(t, do(t, "GET", "panier-1", "/panier/"+cid, nil, self...), 200)["total"]))

	want(t, do(t, "DELETE", "panier-1", "/panier/"+cid+"/lignes/"+pid, nil, self...), 204)
	empty := want(t, do(t, "GET", "panier-2", "/panier/"+cid, nil, self...), 200)
	require.Empty(t, empty["lignes"])
}

func TestSmoke_CommandeCreateReadTransitionList(t *testing.T) {
	c := want(t, do(t, "POST", "clients", "/clients", map[string]any{"nom": "Zoé", "email": unique("zoe") + "@exemple.ca"}), 201)
	cid := id(t, c)
	order := want(t, do(t, "POST", "commande", "/commandes", map[string]any{
		"client_id": json.Number(cid), "canal": "en_ligne",
		"lignes": []map[string]any{{"produit_id": 1, "quantite": 2, "prix_unitaire": 10.00}},
	}, key()...), 201)
	require.Equal(t, "CREEE", order["statut"])
	oid := id(t, order)

	got := want(t, do(t, "GET", "commande", "/commande/"+oid, nil), 200)
	require.Equal(t, "20.00", num(t, got["total"]))
	require.NotEmpty(t, got["historique"])

	moved := want(t, do(t, "POST", "commande", "/commande/"+oid+"/transitions", map[string]any{"statut": "STOCK_VERIFIE"}, key()...), 200)
	require.Equal(t, "STOCK_VERIFIE", moved["statut"])
	require.Equal(t, "STOCK_VERIFIE", want(t, do(t, "GET", "commande", "/commande/"+oid, nil), 200)["statut"])

	list := items(t, want(t, do(t, "GET", "commande", "/commandes?client_id="+cid, nil), 200))
	require.Len(t, list, 1)
	require.Equal(t, oid, list[0]["id"])
}

func TestSmoke_PaiementChargeReadRefund(t *testing.T) {
	charge := want(t, do(t, "POST", "paiement", "/paiements", map[string]any{
		"commande_id": uuid.NewString(),
		"client_id":   1, "montant": 25.00, "methode": "carte",
	}, key()...), 201)
	require.Equal(t, "accepte", charge["statut"])
	path := "/paiements/" + id(t, charge)
	require.Equal(t, "25.00", num(t, want(t, do(t, "GET", "paiement", path, nil), 200)["montant"]))

	want(t, do(t, "POST", "paiement", path+"/remboursements", map[string]any{"montant": 10.00, "motif": "retour"}, key()...), 201)
	after := want(t, do(t, "GET", "paiement", path, nil), 200)
	require.Len(t, after["remboursements"], 1)
	require.Equal(t, "10.00", num(t, after["rembourse"]))
}

func TestSmoke_BadInputThroughTheFleetIsAProblem(t *testing.T) {
	cases := []struct {
		name, process, method, path string
		body                        any
		status                      int
		field                       string
	}{
		{"clients unknown field", "clients", "POST", "/clients", `{"nom":"A","email":"a@x.ca","solde":5}`, 422, "body.solde"},
		{"stock zero quantity", "stock", "POST", "/logistique/receptions", `{"produit_id":1,"quantite":0}`, 422, "body.quantite"},
		{"panier negative quantity", "panier-2", "POST", "/panier", `{"client_id":1,"produit_id":1,"quantite":-1}`, 422, "body.quantite"},
		{"commande malformed JSON", "commande", "POST", "/commandes", `{"client_id": 1, "canal":`, 400, ""},
		{"paiement unknown method", "paiement", "POST", "/paiements",
			`{"commande_id":"6f1c2a52-1b9e-4c59-9d7e-0a4f3d2c1b00","client_id":1,"montant":5.00,"methode":"bitcoin"}`, 422, "body.methode"},
		{"orchestrator id not a uuid", "orchestrator", "GET", "/saga/abc", nil, 422, "path.id"},
		{"web unknown page", "web-1", "GET", "/nulle-part", nil, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kittest.RequireProblem(t, do(t, c.method, c.process, c.path, c.body, "Idempotency-Key", unique("k")), c.status, c.field)
		})
	}
}

var hexID = regexp.MustCompile(`<code id="request-id">([0-9a-f]{32})</code>`)

func TestSmoke_NginxRoundRobinsBothWebInstances(t *testing.T) {
	if why := fl.Skipped("nginx"); why != "" {
		t.Skip("nginx: " + why)
	}
	seen := map[string]int{}
	for range 10 {
		r := do(t, "GET", "nginx", "/", nil)
		require.Equal(t, http.StatusOK, r.Status)
		seen[r.Header.Get("X-Instance")]++
	}
	require.Equal(t, map[string]int{"web-1": 5, "web-2": 5}, seen)

	// A caller's request id reaches the app; without one, nginx's own does.
	mine := do(t, "GET", "nginx", "/", nil, "X-Request-ID", "e2e-trace-1")
	require.Equal(t, "e2e-trace-1", mine.Header.Get("X-Request-ID"))
	require.Contains(t, string(mine.Body), "e2e-trace-1")
	theirs := do(t, "GET", "nginx", "/", nil)
	m := hexID.FindStringSubmatch(string(theirs.Body))
	require.NotNil(t, m, "nginx's $request_id is on the page: %s", theirs.Body)
	require.Equal(t, m[1], theirs.Header.Get("X-Request-ID"))
}

func TestSmoke_PrometheusScrapesEveryTarget(t *testing.T) {
	if why := fl.Skipped("prometheus"); why != "" {
		t.Skip("prometheus: " + why)
	}
	type target struct {
		Labels    map[string]string `json:"labels"`
		ScrapeURL string            `json:"scrapeUrl"`
		Health    string            `json:"health"`
		LastError string            `json:"lastError"`
	}
	var last []target
	// Scrapes run every 5 s; a target is "unknown" until its first one.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var body struct {
			Data struct {
				ActiveTargets []target `json:"activeTargets"`
			} `json:"data"`
		}
		r := do(t, "GET", "prometheus", "/api/v1/targets?state=active", nil)
		require.Equal(t, http.StatusOK, r.Status)
		r.JSON(t, &body)
		last = body.Data.ActiveTargets
		up := 0
		for _, tg := range last {
			if tg.Health == "up" {
				up++
			}
		}
		// Every service process plus Prometheus itself.
		if len(last) >= len(processes)+1 && up == len(last) {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("not every target is up: %+v", last)
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return n
}
