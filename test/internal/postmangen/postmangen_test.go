package postmangen

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A small gateway and one service's document, enough to see each rule.
const testKrakend = `{"endpoints": [
  {"endpoint": "/produits/{id}", "method": "GET", "input_query_strings": ["actif"],
   "backend": [{"host": ["http://stock:8007"], "url_pattern": "/produits/{id}"}]},
  {"endpoint": "/panier", "method": "POST",
   "extra_config": {"auth/validator": {"roles": ["client"]}},
   "backend": [{"host": ["http://panier-1:8010", "http://panier-2:8011"], "url_pattern": "/panier"}]},
  {"endpoint": "/clients/{id}", "method": "GET",
   "extra_config": {"auth/validator": {"roles": ["client", "maison_mere"]}},
   "backend": [{"host": ["http://clients:8001"], "url_pattern": "/clients/{id}"}]}
]}`

const testStock = `{"paths": {"/produits/{id}": {"get": {
  "summary": "Lire un produit",
  "parameters": [
    {"name": "id", "in": "path", "schema": {"type": "integer", "minimum": 1}},
    {"name": "actif", "in": "query", "description": "Only active ones.", "schema": {"type": "boolean", "default": true}}
  ],
  "responses": {"200": {}, "default": {}}
}}}}`

const testPanier = `{"paths": {"/panier": {"post": {
  "summary": "Ajouter un produit au panier",
  "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}],
  "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ajout"}}}},
  "responses": {"201": {}, "200": {}}
}}},
"components": {"schemas": {"Ajout": {"type": "object", "required": ["quantite", "client_id", "produit_id"],
  "properties": {
    "client_id": {"type": "integer", "format": "int64"},
    "produit_id": {"type": "integer", "examples": [3]},
    "quantite": {"type": "integer", "minimum": 1, "maximum": 100},
    "note": {"type": "string"},
    "prix": {"type": "number", "format": "decimal", "examples": [19.99]},
    "lignes": {"type": ["array", "null"], "items": {"type": "string", "enum": ["a", "b"]}}
  }}}}}`

const testClients = `{"paths": {"/clients/{id}": {"get": {"summary": "Lire un client",
  "parameters": [{"name": "id", "in": "path", "schema": {"type": "integer"}}],
  "responses": {"200": {}}}}}}`

func testInput() Input {
	return Input{Krakend: []byte(testKrakend), Specs: map[string][]byte{
		"stock": []byte(testStock), "panier-1": []byte(testPanier), "clients": []byte(testClients)}}
}

// testRoutes are the public routes and parsed specs of testInput.
func testRoutes(t *testing.T) ([]route, map[string]*spec) {
	t.Helper()
	routes, err := publicRoutes([]byte(testKrakend))
	require.NoError(t, err)
	specs := map[string]*spec{}
	for h, raw := range testInput().Specs {
		specs[h], err = parseSpec(raw)
		require.NoError(t, err)
	}
	return routes, specs
}

func TestReferenceRequests(t *testing.T) {
	routes, specs := testRoutes(t)
	reads, writes, err := referenceFolders(routes, specs)
	require.NoError(t, err)

	require.Equal(t, []string{"stock", "clients"}, names(reads.Item), "reads grouped by service, in krakend.json's order")
	produit := reads.Item[0].Item[0]
	require.Equal(t, "Lire un produit", produit.Name)
	require.Equal(t, "noauth", produit.Request.Auth.Type, "a public route signs in as nobody")
	require.Empty(t, produit.Request.Header)
	require.Equal(t, "{{base_url}}/produits/:id", produit.Request.URL.Raw)
	require.Equal(t, []urlVar{{Key: "id", Value: "1"}}, produit.Request.URL.Variable, "the least id the schema allows")
	require.Equal(t, []query{{Key: "actif", Value: "true", Description: "Only active ones.", Disabled: true}},
		produit.Request.URL.Query, "forwarded query strings, off until wanted")
	require.Contains(t, strings.Join(produit.Event[0].Script.Exec, "\n"), "pm.response.to.have.status(200)")

	client := reads.Item[1].Item[0]
	require.Equal(t, "bearer", client.Request.Auth.Type)
	require.Equal(t, tokenVariable, client.Request.Auth.Bearer[0].Value)
	require.Equal(t, header{Key: compteHeader, Value: "maison-mere",
		Description: "The account the collection's pre-request script signs in as; never sent."},
		client.Request.Header[0], "the widest role the route grants")
	require.Equal(t, "{{client_id}}", client.Request.URL.Variable[0].Value, "the id of /clients/{id} is the collection's client")

	require.Equal(t, []string{"panier"}, names(writes.Item), "panier-1 and panier-2 are one service")
	ajout := writes.Item[0].Item[0]
	require.Equal(t, "client", ajout.Request.Header[0].Value)
	require.Equal(t, header{Key: "Idempotency-Key", Value: "{{$guid}}"}, ajout.Request.Header[1])
	require.Equal(t, `{
  "quantite": 1,
  "client_id": {{client_id}},
  "produit_id": 3,
  "prix": 19.99
}`, ajout.Request.Body.Raw, "required members in the schema's order, then optional ones with an example; "+
		"client_id is the collection's client, bare since it is a number")
	test := strings.Join(ajout.Event[0].Script.Exec, "\n")
	require.Contains(t, test, "to.be.below(500)")
	require.Contains(t, test, "to.not.equal(401)")
}

func names(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Name)
	}
	return out
}

func TestExample_Kinds(t *testing.T) {
	s, err := parseSpec([]byte(testPanier))
	require.NoError(t, err)
	var buf bytes.Buffer
	lignes := s.Components.Schemas["Ajout"].Properties["lignes"]
	writeJSON(&buf, lignes.example(s, 0), "")
	require.Equal(t, "[\n  \"a\"\n]", buf.String(), "a nullable list is a list of one example item")
	require.Equal(t, placeholder{variable: "$randomEmail"}, memberValue("email", &schema{Type: json.RawMessage(`"string"`), Format: "email"}, s, 0),
		"an email is taken once: a fresh one each send")
	_, isNamed := named("client_id", &schema{Type: json.RawMessage(`"string"`)})
	require.False(t, isNamed, "an OAuth2 client_id (a string) is not the collection's customer")
}

func TestCompte(t *testing.T) {
	require.Equal(t, "", compte(nil))
	require.Equal(t, "client", compte([]string{"client"}))
	require.Equal(t, "caissier1", compte([]string{"caissier"}))
	require.Equal(t, "logistique", compte([]string{"caissier", "logistique"}))
	require.Equal(t, "maison-mere", compte([]string{"client", "caissier", "logistique", "maison_mere"}))
}

func TestParcoursStepsMustBePublicRoutes(t *testing.T) {
	routes, specs := testRoutes(t)
	ok := step{name: "lire", method: "GET", path: "/produits/7?actif=true", test: `pm.test("200", function () {});`}
	it, err := ok.item(routes, specs)
	require.NoError(t, err)
	require.Equal(t, "{{base_url}}/produits/7?actif=true", it.Request.URL.Raw)

	for _, bad := range []step{
		{name: "unpublished", method: "DELETE", path: "/produits/7", test: "pm.test()"},
		{name: "query the gateway drops", method: "GET", path: "/produits/7?cache=0", test: "pm.test()"},
		{name: "no token where the gateway asks one", method: "GET", path: "/clients/{{client_id}}", test: "pm.test()"},
		{name: "no assertion", method: "GET", path: "/produits/7"},
	} {
		_, err := bad.item(routes, specs)
		require.Error(t, err, bad.name)
	}
}

func TestBuild_TheRealParcoursNeedsItsRoutes(t *testing.T) {
	// The test gateway publishes few routes: the Parcours steps on others
	// must make Build fail, not vanish from the collection.
	_, err := Build(testInput())
	require.ErrorContains(t, err, "is no public route of krakend.json")
}

func TestBuild_Deterministic(t *testing.T) {
	routes, specs := testRoutes(t)
	var first []byte
	for range 5 {
		reads, writes, err := referenceFolders(routes, specs)
		require.NoError(t, err)
		out, err := encode([]item{reads, writes})
		require.NoError(t, err)
		if first == nil {
			first = out
		}
		require.Equal(t, string(first), string(out))
	}
}
