package gateway

import (
	"encoding/json"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

// gw sends a request through the running gateway (KrakenD or nginx).
func gw(t *testing.T, method, path string, body any, headers ...string) kittest.Response {
	t.Helper()
	return fleettest.Do(t, fl, method, "gateway", path, body, headers...)
}

var (
	want   = fleettest.Want
	id     = fleettest.ID
	items  = fleettest.Items
	unique = fleettest.Unique
)

func TestThrough_ClientsListAndCreate(t *testing.T) {
	mm := as(t, kittest.MaisonMere)
	email := unique("passerelle") + "@exemple.ca"
	c := want(t, gw(t, "POST", "/clients", map[string]any{"nom": "Client Passerelle", "email": email}, mm...), 201)
	page := want(t, gw(t, "GET", "/clients?q="+email, nil, mm...), 200)
	list := items(t, page)
	require.Len(t, list, 1, "the q filter reached the service")
	require.Equal(t, id(t, c), id(t, list[0]))
	require.Len(t, items(t, want(t, gw(t, "GET", "/clients?limit=1", nil, mm...), 200)), 1, "limit reached the service")
}

func TestThrough_SeedCheckoutIsConfirmedAndTheOrderReadable(t *testing.T) {
	body := map[string]any{"produits": []map[string]any{{"produit_id": 1, "quantite": 1}, {"produit_id": 2, "quantite": 1}}}
	for _, path := range []string{"/saga/commande/", "/saga/commande"} {
		t.Run(path, func(t *testing.T) {
			// The seed's curl, as it is: no token.
			r := gw(t, "POST", path, body, kittest.Anonymous...)
			saga := want(t, r, 201)
			require.Equal(t, "CONFIRMEE", saga["statut"])
			// A guest's order belongs to no client: head office reads it.
			o := want(t, gw(t, "GET", "/commande/"+saga["commande_id"].(string), nil, as(t, kittest.MaisonMere)...), 200)
			require.Equal(t, "CONFIRMEE", o["statut"])
			// A guest saga's id is its capability: anyone holding it reads it.
			want(t, gw(t, "GET", "/saga/"+saga["saga_id"].(string), nil, kittest.Anonymous...), 200)
		})
	}
}

// A client fills its cart and checks out, every call with its own token.
func TestThrough_CartCheckout(t *testing.T) {
	c := want(t, gw(t, "POST", "/clients", map[string]any{"nom": "Panier Passerelle", "email": unique("panier") + "@exemple.ca"},
		as(t, kittest.MaisonMere)...), 201)
	cid, err := strconv.Atoi(id(t, c))
	require.NoError(t, err)
	self := as(t, kittest.Client(int64(cid)))
	want(t, gw(t, "POST", "/panier", map[string]any{"client_id": cid, "produit_id": 1, "quantite": 2}, self...), 201)
	cart := want(t, gw(t, "GET", "/panier/"+id(t, c), nil, self...), 200)
	require.Len(t, cart["lignes"], 1)

	saga := want(t, gw(t, "POST", "/commande", map[string]any{"client_id": cid}, append(fleettest.Key(), self...)...), 201)
	require.Equal(t, "CONFIRMEE", saga["statut"])
	o := want(t, gw(t, "GET", "/commande/"+saga["commande_id"].(string), nil, self...), 200)
	require.Equal(t, "CONFIRMEE", o["statut"])
	require.Equal(t, id(t, c), fleettest.Num(t, o["client_id"]))
}

// A cart is its client's: no token is 401, another client's is 403, at the
// edge (KrakenD) or at the service (behind the nginx twin) alike.
func TestThrough_ACartIsReadOnlyByItsClient(t *testing.T) {
	cart := want(t, gw(t, "GET", "/panier/1", nil, as(t, kittest.Client(1))...), 200)
	require.Contains(t, cart, "lignes")
	require.Equal(t, 401, gw(t, "GET", "/panier/1", nil, kittest.Anonymous...).Status)
	require.Equal(t, 403, gw(t, "GET", "/panier/1", nil, as(t, kittest.Client(2))...).Status)
}

// Both panier replicas answer through the gateway.
func TestThrough_PanierRoundRobinsOverBothReplicas(t *testing.T) {
	before := map[string]int{"panier-1": panierReads(t, "panier-1"), "panier-2": panierReads(t, "panier-2")}
	self := as(t, kittest.Client(1))
	for range 6 {
		want(t, gw(t, "GET", "/panier/1", nil, self...), 200)
	}
	for _, p := range []string{"panier-1", "panier-2"} {
		require.Greater(t, panierReads(t, p), before[p], "%s got none of the gateway's requests", p)
	}
}

var panierReadLine = regexp.MustCompile(`(?m)^http_requests_total\{code="200",method="GET",route="/panier/\{client_id\}"[^}]*\} (\d+)`)

func panierReads(t *testing.T, process string) int {
	t.Helper()
	r := fleettest.Do(t, fl, "GET", process, "/metrics", nil, kittest.Anonymous...)
	m := panierReadLine.FindSubmatch(r.Body)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	return n
}

// A refusal passes through as the service gave it: same status, same
// problem+json body, same content type.
func TestThrough_BadInputGivesTheServicesOwnProblem(t *testing.T) {
	rid := "gw-bad-" + uuid.NewString()
	mm, client := as(t, kittest.MaisonMere), as(t, kittest.Client(1))
	cases := []struct {
		process, method, path string
		body                  any
		token                 []string
	}{
		{"clients", "POST", "/clients", map[string]any{"nom": "x", "email": "pas-un-courriel", "inconnu": 1}, mm},
		{"orchestrator", "POST", "/saga/commande/", map[string]any{"produits": []map[string]any{{"produit_id": 1, "quantite": 0}}}, kittest.Anonymous},
		{"panier-1", "POST", "/panier", `{"client_id": 1, "produit_id": "un", "quantite": 1}`, client},
		{"clients", "GET", "/clients/999999999", nil, mm},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			direct := fleettest.Do(t, fl, c.method, c.process, c.path, c.body, append([]string{"X-Request-ID", rid}, c.token...)...)
			through := gw(t, c.method, c.path, c.body, append([]string{"X-Request-ID", rid}, c.token...)...)
			require.GreaterOrEqual(t, direct.Status, 400)
			require.Equal(t, direct.Status, through.Status, "%s", through.Body)
			require.Equal(t, "application/problem+json", direct.Header.Get("Content-Type"))
			require.Equal(t, direct.Header.Get("Content-Type"), through.Header.Get("Content-Type"))
			require.JSONEq(t, string(direct.Body), string(through.Body))
		})
	}
	kittest.RequireProblem(t, gw(t, "POST", "/clients", map[string]any{"nom": "x"}, mm...), 422, "body.email")
}

// The caller's X-Request-ID comes back, and the orchestrator and every
// participant the saga called log it: one id follows a checkout everywhere.
func TestThrough_RequestIDCrossesEveryServiceAndComesBack(t *testing.T) {
	rid := "gw-" + uuid.NewString()
	body := map[string]any{"produits": []map[string]any{{"produit_id": 1, "quantite": 1}}}
	r := gw(t, "POST", "/saga/commande/", body, "X-Request-ID", rid, "Authorization", "")
	want(t, r, 201)
	require.Equal(t, rid, r.Header.Get("X-Request-ID"))
	for _, process := range []string{"orchestrator", "stock", "commande", "paiement"} {
		require.Eventually(t, func() bool {
			raw, err := os.ReadFile(fl.LogPath(process))
			return err == nil && strings.Contains(string(raw), `"request_id":"`+rid+`"`)
		}, 10*time.Second, 50*time.Millisecond, "the %s log never shows request_id %s", process, rid)
	}

	// Without one, the gateway's own id reaches the service and comes back.
	r = gw(t, "GET", "/clients?limit=1", nil, as(t, kittest.MaisonMere)...)
	want(t, r, 200)
	require.NotEmpty(t, r.Header.Get("X-Request-ID"))
}

// The overview merges four reports: two of commande, two of stock.
func TestThrough_HeadOfficeOverviewMergesTheFourReports(t *testing.T) {
	m := want(t, gw(t, "GET", "/maison-mere/apercu", nil, as(t, kittest.MaisonMere)...), 200)
	for group, field := range map[string]string{"ventes_par_magasin": "magasins", "performance_magasins": "moyenne_chaine",
		"ruptures": "items", "demandes_en_attente": "en_attente"} {
		report, ok := m[group].(map[string]any)
		require.True(t, ok, "%s is not a report: %v", group, m[group])
		require.Contains(t, report, field, group)
	}
}

// The overview is head office's: 401 without a token, 403 with another
// role, before any report is asked. KrakenD checks the role at the edge; the
// nginx twin, which cannot check a JWT, asks identite first (auth_request).
func TestThrough_HeadOfficeOverviewIsHeadOfficesOnly(t *testing.T) {
	for _, c := range []struct {
		name   string
		token  []string
		status int
	}{{"anonymous", kittest.Anonymous, 401}, {"logistique", as(t, kittest.Logistique), 403}} {
		t.Run(c.name, func(t *testing.T) {
			r := gw(t, "GET", "/maison-mere/apercu", nil, c.token...)
			require.Equal(t, c.status, r.Status, "%s", r.Body)
			require.NotContains(t, string(r.Body), "magasins", "head office's sales reached a %s caller", c.name)
		})
	}
}

// What only services may call is not published: the edge does not know
// these routes at all, whatever the token.
func TestThrough_InternalRoutesAreNotPublished(t *testing.T) {
	staff := as(t, kittest.Staff)
	for _, c := range []struct{ method, path string }{
		{"POST", "/reservations"}, {"GET", "/reservations/une-cle"}, {"POST", "/reservations/une-cle/confirmation"},
		{"POST", "/retours"}, {"POST", "/paiements"}, {"POST", "/commandes"}, {"POST", "/commande/1/transitions"},
	} {
		status := gw(t, c.method, c.path, map[string]any{}, staff...).Status
		require.Contains(t, []int{404, 405}, status, "%s %s through the gateway", c.method, c.path)
	}
}

// A script's one call for a token: the password grant of a demo account,
// as a form, through the gateway; the token then opens a staff route, and a
// tampered one opens nothing.
func TestThrough_ATokenFromTheGatewayOpensTheStaffRoutes(t *testing.T) {
	form := url.Values{"grant_type": {"password"}, "username": {"maison-mere"}, "password": {"multimagasins"}}
	r := gw(t, "POST", "/auth/jeton", form.Encode(), "Content-Type", "application/x-www-form-urlencoded", "Authorization", "")
	tok := want(t, r, 200)
	access, ok := tok["access_token"].(string)
	require.True(t, ok, "no access_token in %s", r.Body)
	want(t, gw(t, "GET", "/clients?limit=1", nil, "Authorization", "Bearer "+access), 200)
	me := want(t, gw(t, "GET", "/auth/moi", nil, "Authorization", "Bearer "+access), 200)
	require.Contains(t, string(mustJSON(t, me)), "maison_mere")

	tampered := access[:len(access)-4] + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, access[len(access)-4:])
	require.Equal(t, 401, gw(t, "GET", "/clients?limit=1", nil, "Authorization", "Bearer "+tampered).Status)
	require.Equal(t, 401, gw(t, "GET", "/clients?limit=1", nil, kittest.Anonymous...).Status)
	require.Equal(t, 403, gw(t, "GET", "/clients?limit=1", nil, as(t, kittest.Client(1))...).Status)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestThrough_UnknownPathsAndMethodsAreRefused(t *testing.T) {
	require.Equal(t, 404, gw(t, "GET", "/pas-une-route", nil).Status)
	require.Equal(t, 404, gw(t, "GET", "/healthz-pas", nil).Status)
	require.Equal(t, 405, gw(t, "PATCH", "/clients", nil).Status)
	require.Equal(t, 405, gw(t, "POST", "/maison-mere/apercu", nil).Status)
}
