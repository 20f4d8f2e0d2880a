package operations

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/test/internal/fleettest"
)

// Bad input on every new endpoint, through the gateway: a 4xx problem+json,
// the same as the service's own, and nothing changed.
func TestBadInput_EveryNewEndpointAnswersAProblemAndChangesNothing(t *testing.T) {
	p := newProduct(t, 9_00, 20)
	setSeuil(t, 2, p, 7)
	pending := demander(t, 2, p, 3, "")
	decided := demander(t, 1, p, 2, "")
	want(t, do(t, "POST", "stock", "/demandes/"+id(t, decided)+"/refuser", map[string]any{"motif": "non"}), 200)
	pid, did := p.ID, id(t, pending)
	pn := p.n()

	cases := []struct {
		process, method, path string
		body                  any
		status                int    // 0: any 4xx
		field                 string // the field the problem names, when known
	}{
		{"stock", "GET", "/magasins/1/stock?niveau=vide", nil, 422, "query.niveau"},
		{"stock", "GET", "/magasins/99/stock", nil, 404, ""},
		{"stock", "GET", "/logistique/stock?niveau=beaucoup", nil, 422, "query.niveau"},
		{"stock", "GET", "/mouvements?depuis=hier", nil, 422, "query.depuis"},
		{"stock", "GET", "/mouvements?type=vol", nil, 422, "query.type"},
		{"stock", "POST", "/magasins/2/demandes", map[string]any{"produit_id": pn, "quantite": 0}, 422, "body.quantite"},
		{"stock", "POST", "/magasins/2/demandes", map[string]any{"produit_id": pn, "quantite": 100001}, 422, "body.quantite"},
		{"stock", "POST", "/magasins/2/demandes", map[string]any{"produit_id": pn, "quantite": "dix"}, 422, "body.quantite"},
		{"stock", "POST", "/magasins/2/demandes", map[string]any{"produit_id": pn, "quantite": 1, "inconnu": true}, 422, ""},
		{"stock", "POST", "/magasins/2/demandes", map[string]any{"produit_id": 999999999, "quantite": 1}, 0, "body.produit_id"},
		{"stock", "POST", "/magasins/99/demandes", map[string]any{"produit_id": pn, "quantite": 1}, 0, "path.id"},
		{"stock", "POST", "/magasins/6/demandes", map[string]any{"produit_id": pn, "quantite": 1}, 0, "path.id"},
		{"stock", "POST", "/magasins/2/demandes", `{"produit_id": 1, "quantite":`, 400, ""},
		{"stock", "POST", "/magasins/2/demandes", map[string]any{"produit_id": pn, "quantite": 1}, 409, "body.produit_id"}, // one is pending
		{"stock", "POST", "/magasins/2/demandes", map[string]any{"produit_id": pn, "quantite": 1, "motif": strings.Repeat("x", 501)}, 422, "body.motif"},
		{"stock", "GET", "/demandes?statut=perdue", nil, 422, "query.statut"},
		{"stock", "GET", "/demandes?magasin_id=zero", nil, 422, "query.magasin_id"},
		{"stock", "GET", "/demandes/999999999", nil, 404, ""},
		{"stock", "GET", "/demandes/abc", nil, 422, "path.id"},
		{"stock", "POST", "/demandes/999999999/approuver", nil, 404, ""},
		{"stock", "POST", "/demandes/" + id(t, decided) + "/approuver", nil, 409, ""},
		{"stock", "POST", "/demandes/" + did + "/refuser", map[string]any{"motif": ""}, 422, "body.motif"},
		{"stock", "POST", "/demandes/" + did + "/refuser", map[string]any{"motif": "   "}, 422, "body.motif"},
		{"stock", "POST", "/demandes/" + did + "/refuser", map[string]any{}, 422, "body"},
		{"stock", "POST", "/demandes/" + did + "/refuser", `pas du json`, 400, ""},
		{"stock", "POST", "/demandes/999999999/refuser", map[string]any{"motif": "non"}, 404, ""},
		{"stock", "GET", "/seuils?emplacement_id=abc", nil, 422, "query.emplacement_id"},
		{"stock", "GET", "/seuils?limit=0", nil, 422, "query.limit"},
		{"stock", "PUT", "/emplacements/2/seuils/" + pid, map[string]any{"seuil": -1}, 422, "body.seuil"},
		{"stock", "PUT", "/emplacements/2/seuils/" + pid, map[string]any{"seuil": 100001}, 422, "body.seuil"},
		{"stock", "PUT", "/emplacements/2/seuils/" + pid, map[string]any{}, 422, "body"},
		{"stock", "PUT", "/emplacements/99/seuils/" + pid, map[string]any{"seuil": 3}, 404, "path.id"},
		{"stock", "PUT", "/emplacements/2/seuils/999999999", map[string]any{"seuil": 3}, 404, "path.produit_id"},
		{"stock", "GET", "/rapports/ruptures?seuil=-1", nil, 422, "query.seuil"},
		{"stock", "GET", "/rapports/ruptures?emplacement_id=x", nil, 422, "query.emplacement_id"},
		{"stock", "GET", "/rapports/surplus?seuil=beaucoup", nil, 422, "query.seuil"},
		{"stock", "GET", "/rapports/demandes-en-attente?limit=501", nil, 422, "query.limit"},
		{"commande", "GET", "/rapports/ventes-par-magasin?depuis=hier", nil, 422, "query.depuis"},
		{"commande", "GET", "/rapports/ventes-par-magasin?depuis=2030-01-02T00:00:00Z&jusqu_a=2030-01-01T00:00:00Z", nil, 422, "query.jusqu_a"},
		{"commande", "GET", "/rapports/top-produits?par=prix", nil, 422, "query.par"},
		{"commande", "GET", "/rapports/top-produits?limit=0", nil, 422, "query.limit"},
		{"commande", "GET", "/rapports/chiffre-affaires-par-jour?magasin_id=6", nil, 422, "query.magasin_id"},
		{"commande", "GET", "/rapports/chiffre-affaires-par-jour?depuis=2020-01-01T00:00:00Z&jusqu_a=2030-01-01T00:00:00Z", nil, 422, "query.jusqu_a"},
		{"commande", "GET", "/rapports/performance-magasins?jusqu_a=demain", nil, 422, "query.jusqu_a"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			through := fleettest.Do(t, fl, c.method, "gateway", c.path, c.body)
			requireProblem(t, through, c.method+" "+c.path)
			if c.status != 0 {
				require.Equal(t, c.status, through.Status, "%s", through.Body)
			}
			if c.field != "" {
				requireField(t, through, c.field)
			}
			if c.method == "GET" {
				direct := do(t, c.method, c.process, c.path, c.body)
				require.Equal(t, direct.Status, through.Status)
				require.JSONEq(t, string(direct.Body), string(through.Body))
			}
		})
	}

	// Nothing changed: the one pending request, the refused one, the threshold.
	list := all(t, "stock", "/demandes", url.Values{"produit_id": {pid}})
	require.Len(t, list, 2, "%v", list)
	require.Equal(t, "en_attente", want(t, do(t, "GET", "stock", "/demandes/"+did, nil), 200)["statut"])
	require.Equal(t, "refusee", want(t, do(t, "GET", "stock", "/demandes/"+id(t, decided), nil), 200)["statut"])
	seuils := all(t, "stock", "/seuils", url.Values{"emplacement_id": {"2"}, "produit_id": {pid}})
	require.Len(t, seuils, 1)
	require.Equal(t, "7", num(t, seuils[0]["seuil"]))
	require.Equal(t, int64(20), stockAt(t, centre, p).Quantite)
	require.Empty(t, mouvements(t, p, url.Values{"type": {"transfert"}}))
}

// requireField checks that a problem names the field in its errors or detail.
func requireField(t *testing.T, r kittest.Response, field string) {
	t.Helper()
	p, err := fleettest.Decode(r.Body)
	require.NoError(t, err)
	if errs, ok := p["errors"].([]any); ok {
		for _, e := range errs {
			if loc, _ := e.(map[string]any)["location"].(string); loc == field {
				return
			}
		}
	}
	require.Contains(t, fmt.Sprint(p["detail"]), field, "the problem names %s: %s", field, r.Body)
}
