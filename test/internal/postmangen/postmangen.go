// Package postmangen builds the Postman collection of the public API and its
// environments (deploy/postman) from gateway/krakend.json, which lists every
// public route and the roles its token needs, and from the OpenAPI documents
// the services serve, which give each route's summary, parameters and body.
//
// The collection holds three folders:
//   - Parcours: the seed's flows, in order, with pm.test assertions on status
//     and body (parcours.go), chaining ids through collection variables;
//   - Lectures: every public GET route, each asserting its documented status;
//   - Écritures: every other public route, with an example body made from its
//     schema, each asserting only that its service answered without a server
//     error, since what a write does depends on what ran before it.
//
// The output is deterministic (fixed order, two-space indent, no HTML
// escaping), so test/postman can compare the committed files with what the
// running services give now. test/cmd/postman writes them.
package postmangen

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// File names under deploy/postman.
const (
	CollectionFile  = "multimagasins.postman_collection.json"
	NativeEnvFile   = "native.postman_environment.json"
	ComposeEnvFile  = "compose.postman_environment.json"
	schemaV21       = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
	defaultBaseURL  = "http://localhost:8080"
	demoPassword    = "multimagasins"
	compteHeader    = "X-Compte"
	tokenVariable   = "{{access_token}}"
	baseURLVariable = "{{base_url}}"
)

//go:embed scripts/jeton.js
var jetonScript string

// Input is what the collection is made from.
type Input struct {
	Krakend []byte // gateway/krakend.json
	// Specs holds each backend's OpenAPI document (its /openapi.json), by the
	// host name krakend.json gives it ("stock", "panier-1").
	Specs map[string][]byte
}

// Build returns every file of deploy/postman the generator owns, by name.
func Build(in Input) (map[string][]byte, error) {
	routes, err := publicRoutes(in.Krakend)
	if err != nil {
		return nil, err
	}
	specs := map[string]*spec{}
	for host, raw := range in.Specs {
		s, err := parseSpec(raw)
		if err != nil {
			return nil, fmt.Errorf("%s /openapi.json: %w", host, err)
		}
		specs[host] = s
	}
	reads, writes, err := referenceFolders(routes, specs)
	if err != nil {
		return nil, err
	}
	parcours, err := parcoursFolder(routes, specs)
	if err != nil {
		return nil, err
	}
	c := collection{
		Info: info{
			Name:        "Multi-magasins",
			Description: collectionDescription,
			Schema:      schemaV21,
		},
		Item: []item{parcours, reads, writes},
		Auth: &auth{Type: "noauth"},
		Event: []event{
			{Listen: "prerequest", Script: script{Type: "text/javascript", Exec: lines(jetonScript)}},
		},
		Variable: []variable{
			{Key: "base_url", Value: defaultBaseURL, Type: "string"},
			{Key: "demo_password", Value: demoPassword, Type: "string"},
			{Key: "access_token", Value: "", Type: "string"},
			{Key: "client_id", Value: "", Type: "string"},
			{Key: "client_email", Value: "", Type: "string"},
			{Key: "client_password", Value: "", Type: "string"},
			{Key: "commande_id", Value: "", Type: "string"},
			{Key: "saga_id", Value: "", Type: "string"},
			{Key: "paiement_id", Value: "", Type: "string"},
			{Key: "vente_id", Value: "", Type: "string"},
			{Key: "demande_id", Value: "", Type: "string"},
		},
	}
	out := map[string][]byte{}
	if out[CollectionFile], err = encode(c); err != nil {
		return nil, err
	}
	for file, name := range map[string]string{
		NativeEnvFile:  "Multi-magasins · natif (make run)",
		ComposeEnvFile: "Multi-magasins · docker compose",
	} {
		if out[file], err = encode(environment{
			Name: name,
			Values: []envValue{
				{Key: "base_url", Value: defaultBaseURL, Type: "default", Enabled: true},
				{Key: "demo_password", Value: demoPassword, Type: "secret", Enabled: true},
			},
			Scope: "environment",
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

const collectionDescription = `Every public route of Multi-magasins, through the gateway (KrakenD, or its nginx twin natively),
generated from gateway/krakend.json and the services' OpenAPI documents by test/cmd/postman: do not edit by hand.

- **Parcours**: the seed's flows in order (sign-up, cart, checkout, the three saga curls, a counter sale and a return,
  a supply request approved), each request with pm.test assertions; run it first, it sets the ids the other folders use.
- **Lectures**: every GET route, expecting its documented status.
- **Écritures**: every other route, with an example body from its schema; it changes data.

A request that needs a token names its account in an X-Compte header (a demo login, or ` + "`client`" + `: a customer the
collection signs up); the collection's pre-request script signs in as that account, caches the token until it expires
and sends it as {{access_token}}. Pick an environment (native or compose) for {{base_url}}. See docs/postman.md.`

// route is one public endpoint of krakend.json.
type route struct {
	Method, Path string
	Roles        []string // the roles its auth/validator asks for; none: public
	Query        []string // the query strings the gateway forwards
	Backends     []backendRef
}

type backendRef struct {
	Host, Path, Method string // host name ("panier-1"), path and method at the service
}

func (r route) key() string { return r.Method + " " + r.Path }

// publicRoutes reads krakend.json's endpoints, in its order.
func publicRoutes(raw []byte) ([]route, error) {
	var k struct {
		Endpoints []struct {
			Endpoint          string   `json:"endpoint"`
			Method            string   `json:"method"`
			InputQueryStrings []string `json:"input_query_strings"`
			ExtraConfig       struct {
				Validator *struct {
					Roles []string `json:"roles"`
				} `json:"auth/validator"`
			} `json:"extra_config"`
			Backend []struct {
				Host       []string `json:"host"`
				URLPattern string   `json:"url_pattern"`
				Method     string   `json:"method"`
			} `json:"backend"`
		} `json:"endpoints"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return nil, fmt.Errorf("krakend.json: %w", err)
	}
	var routes []route
	for _, e := range k.Endpoints {
		r := route{Method: cmpOr(e.Method, "GET"), Path: e.Endpoint, Query: e.InputQueryStrings}
		if v := e.ExtraConfig.Validator; v != nil {
			if len(v.Roles) == 0 {
				return nil, fmt.Errorf("krakend.json: %s: a validator without roles", r.key())
			}
			r.Roles = v.Roles
		}
		for _, b := range e.Backend {
			// Several hosts are replicas of one service (panier-1, panier-2):
			// the first one's document stands for all.
			var hosts []string
			for _, h := range b.Host {
				u, err := url.Parse(h)
				if err != nil || u.Hostname() == "" {
					return nil, fmt.Errorf("krakend.json: %s: host %q is not a URL", r.key(), h)
				}
				hosts = append(hosts, u.Hostname())
				if service(u.Hostname()) != service(hosts[0]) {
					return nil, fmt.Errorf("krakend.json: %s: one backend on two services %v", r.key(), b.Host)
				}
			}
			if len(hosts) == 0 {
				return nil, fmt.Errorf("krakend.json: %s: a backend without host", r.key())
			}
			r.Backends = append(r.Backends, backendRef{Host: hosts[0], Path: b.URLPattern, Method: cmpOr(b.Method, r.Method)})
		}
		if len(r.Backends) == 0 {
			return nil, fmt.Errorf("krakend.json: %s has no backend", r.key())
		}
		routes = append(routes, r)
	}
	if len(routes) == 0 {
		return nil, fmt.Errorf("krakend.json: no endpoints")
	}
	return routes, nil
}

// Hosts are the backend host names of krakend.json, each once, sorted: the
// processes whose /openapi.json Build needs.
func Hosts(krakend []byte) ([]string, error) {
	routes, err := publicRoutes(krakend)
	if err != nil {
		return nil, err
	}
	var hosts []string
	for _, r := range routes {
		for _, b := range r.Backends {
			if !slices.Contains(hosts, b.Host) {
				hosts = append(hosts, b.Host)
			}
		}
	}
	sort.Strings(hosts)
	return hosts, nil
}

// service is the folder a host's routes go in: "panier-1" serves panier.
func service(host string) string {
	name, _, _ := strings.Cut(host, "-")
	return name
}

// compte is the account a request of a route with these roles signs in as:
// the widest role the route grants, so the request reaches any row.
func compte(roles []string) string {
	for _, c := range []struct{ role, login string }{
		{"maison_mere", "maison-mere"},
		{"logistique", "logistique"},
		{"caissier", "caissier1"},
		{"client", "client"},
	} {
		if slices.Contains(roles, c.role) {
			return c.login
		}
	}
	return ""
}

// pathIDs says which collection variable fills the {id} of a route, by the
// path segment before it: the ids the Parcours folder sets.
var pathIDs = map[string]string{
	"clients":   "client_id",
	"commande":  "commande_id",
	"saga":      "saga_id",
	"paiements": "paiement_id",
	"demandes":  "demande_id",
}

// namedValue is the collection variable that fills a parameter or body
// member of that name and type wherever it appears.
type namedValue struct{ variable, kind string }

var namedValues = map[string]namedValue{
	"client_id":   {"client_id", "integer"}, // a customer, not an OAuth2 client (a string)
	"commande_id": {"commande_id", "string"},
	"password":    {"demo_password", "string"},
}

// named is the variable for a member or parameter of that name and schema.
func named(name string, sc *schema) (placeholder, bool) {
	nv, ok := namedValues[name]
	if !ok || sc == nil {
		return placeholder{}, false
	}
	kind := sc.types()
	if len(kind) == 0 || kind[0] != nv.kind {
		return placeholder{}, false
	}
	return placeholder{variable: nv.variable, number: nv.kind == "integer"}, true
}

// formExamples are the forms of the routes that take one, written out: the
// members of a token request belong to different grants, and an example
// made of every member with an example would mix them.
var formExamples = map[string][][2]string{
	"POST /auth/jeton": {{"grant_type", "password"}, {"username", "caissier1"}, {"password", "{{demo_password}}"}},
}

func referenceFolders(routes []route, specs map[string]*spec) (reads, writes item, err error) {
	reads = item{Name: "Lectures", Description: "Every public GET route of the gateway, by service. Each expects the " +
		"status its OpenAPI document gives for success; run Parcours first, which sets the ids these requests use."}
	writes = item{Name: "Écritures", Description: "Every public route of the gateway that changes something, by " +
		"service, with an example body built from its schema. What each does depends on what ran before it, so each " +
		"only expects an answer from its service without a server error (no 5xx, no 401: the token was accepted)."}
	var readGroups, writeGroups []item
	for _, r := range routes {
		req, err := referenceRequest(r, specs)
		if err != nil {
			return item{}, item{}, err
		}
		folder := service(r.Backends[0].Host)
		if len(r.Backends) > 1 {
			folder = "passerelle" // an aggregate the gateway makes
		}
		groups := &writeGroups
		if r.Method == "GET" {
			groups = &readGroups
		}
		i := slices.IndexFunc(*groups, func(g item) bool { return g.Name == folder })
		if i < 0 {
			*groups = append(*groups, item{Name: folder})
			i = len(*groups) - 1
		}
		(*groups)[i].Item = append((*groups)[i].Item, req)
	}
	reads.Item, writes.Item = readGroups, writeGroups
	return reads, writes, nil
}

// referenceRequest is the request of one public route.
func referenceRequest(r route, specs map[string]*spec) (item, error) {
	var ops []*operation
	var notes []string
	for _, b := range r.Backends {
		s, ok := specs[b.Host]
		if !ok {
			return item{}, fmt.Errorf("%s: no OpenAPI document for %s", r.key(), b.Host)
		}
		op := s.operation(b.Method, b.Path)
		if op == nil {
			return item{}, fmt.Errorf("%s: %s does not serve %s %s", r.key(), b.Host, b.Method, b.Path)
		}
		ops = append(ops, op)
		notes = append(notes, fmt.Sprintf("- `%s %s` on %s: %s", b.Method, b.Path, service(b.Host), op.Summary))
	}
	op, s := ops[0], specs[r.Backends[0].Host]
	name := op.Summary
	desc := []string{fmt.Sprintf("`%s %s` through the gateway.", r.Method, r.Path)}
	if len(ops) > 1 {
		name = "Aperçu de la maison mère (agrégat de la passerelle)"
		desc = append(desc, "The gateway merges the answers of:\n"+strings.Join(notes, "\n"))
	} else {
		desc[0] = fmt.Sprintf("`%s %s` through the gateway, served by %s.", r.Method, r.Path, service(r.Backends[0].Host))
		if op.Description != "" {
			desc = append(desc, op.Description)
		}
	}
	if len(r.Roles) == 0 {
		desc = append(desc, "Public: no token.")
	} else {
		desc = append(desc, fmt.Sprintf("Roles: %s (the request signs in as %s).", strings.Join(r.Roles, ", "), compte(r.Roles)))
	}
	if name == "" {
		name = r.key()
	}
	req := &request{Method: r.Method, Header: []header{}, Description: strings.Join(desc, "\n\n")}
	u, err := referenceURL(r, op)
	if err != nil {
		return item{}, err
	}
	req.URL = u
	setAuth(req, compte(r.Roles))
	if len(ops) == 1 {
		if idempotent(op) {
			req.Header = append(req.Header, header{Key: "Idempotency-Key", Value: "{{$guid}}"})
		}
		if err := setExampleBody(req, r.key(), op, s); err != nil {
			return item{}, fmt.Errorf("%s: %w", r.key(), err)
		}
	}
	return item{Name: name, Request: req, Event: []event{testEvent(referenceTest(r, op))}}, nil
}

// referenceURL is the route's URL with Postman path variables (":id") and
// the query strings the gateway forwards, disabled until wanted.
func referenceURL(r route, op *operation) (*pmURL, error) {
	u := &pmURL{Host: []string{baseURLVariable}}
	segments := strings.Split(strings.TrimPrefix(r.Path, "/"), "/")
	for i, seg := range segments {
		if !strings.HasPrefix(seg, "{") {
			u.Path = append(u.Path, seg)
			continue
		}
		name := strings.Trim(seg, "{}")
		u.Path = append(u.Path, ":"+name)
		v := urlVar{Key: name}
		p := op.param("path", name)
		if p != nil {
			v.Description = p.Description
		}
		var sc *schema
		if p != nil {
			sc = p.Schema
		}
		if ph, ok := named(name, sc); ok {
			v.Value = scalarText(ph)
			u.Variable = append(u.Variable, v)
			continue
		}
		switch {
		case name == "id" && i > 0 && pathIDs[segments[i-1]] != "":
			v.Value = "{{" + pathIDs[segments[i-1]] + "}}"
		case p != nil && p.Schema != nil:
			v.Value = scalarText(p.Schema.example(nil, 0))
		default:
			return nil, fmt.Errorf("%s: path parameter %s is not in the OpenAPI document", r.key(), name)
		}
		u.Variable = append(u.Variable, v)
	}
	for _, q := range r.Query {
		qp := query{Key: q, Disabled: true}
		if p := op.param("query", q); p != nil {
			qp.Description = p.Description
			if p.Schema != nil && (len(p.Schema.Examples) > 0 || len(p.Schema.Enum) > 0 || p.Schema.Default != nil) {
				qp.Value = scalarText(p.Schema.example(nil, 0))
			}
		}
		u.Query = append(u.Query, qp)
	}
	u.Raw = baseURLVariable + "/" + strings.Join(u.Path, "/")
	if len(u.Query) > 0 {
		var qs []string
		for _, q := range u.Query {
			if !q.Disabled {
				qs = append(qs, q.Key+"="+q.Value)
			}
		}
		if len(qs) > 0 {
			u.Raw += "?" + strings.Join(qs, "&")
		}
	}
	return u, nil
}

// setAuth makes the request carry the token of compte (none: public).
func setAuth(req *request, login string) {
	if login == "" {
		req.Auth = &auth{Type: "noauth"}
		return
	}
	req.Header = append([]header{{Key: compteHeader, Value: login,
		Description: "The account the collection's pre-request script signs in as; never sent."}}, req.Header...)
	req.Auth = &auth{Type: "bearer", Bearer: []authParam{{Key: "token", Value: tokenVariable, Type: "string"}}}
}

func idempotent(op *operation) bool { return op.param("header", "Idempotency-Key") != nil }

// setExampleBody gives the request an example of the body its operation
// takes: a form where the route takes one (OAuth2's token endpoint), else JSON.
func setExampleBody(req *request, key string, op *operation, s *spec) error {
	if op.RequestBody == nil {
		return nil
	}
	if form, ok := op.RequestBody.Content["application/x-www-form-urlencoded"]; ok && form.Schema != nil {
		ex, ok := form.Schema.example(s, 0).(ordered)
		if !ok {
			return fmt.Errorf("the form is not an object")
		}
		if written, ok := formExamples[key]; ok {
			props := form.Schema.resolve(s).Properties
			ex = nil
			for _, kv := range written {
				if props[kv[0]] == nil {
					return fmt.Errorf("the form has no member %q", kv[0])
				}
				ex = append(ex, field{kv[0], kv[1]})
			}
		}
		b := &body{Mode: "urlencoded"}
		for _, f := range ex {
			b.URLEncoded = append(b.URLEncoded, formField{Key: f.name, Value: scalarText(f.value), Type: "text"})
		}
		req.Header = append(req.Header, header{Key: "Content-Type", Value: "application/x-www-form-urlencoded"})
		req.Body = b
		return nil
	}
	j, ok := op.RequestBody.Content["application/json"]
	if !ok || j.Schema == nil {
		return fmt.Errorf("a body that is neither JSON nor a form")
	}
	var buf bytes.Buffer
	writeJSON(&buf, j.Schema.example(s, 0), "")
	req.Header = append(req.Header, header{Key: "Content-Type", Value: "application/json"})
	req.Body = &body{Mode: "raw", Raw: buf.String(), Options: &bodyOptions{Raw: rawOptions{Language: "json"}}}
	return nil
}

// referenceTest is the assertion of a reference request: the documented
// status of a read; for a write, an answer from its service that is neither
// a server error nor a refused token.
func referenceTest(r route, op *operation) string {
	if r.Method == "GET" {
		return fmt.Sprintf(`pm.test(%q, function () {
    pm.response.to.have.status(%d);
    pm.response.json(); // a JSON answer
});`, fmt.Sprintf("%s answers %d", r.key(), op.successStatus()), op.successStatus())
	}
	return fmt.Sprintf(`pm.test(%q, function () {
    pm.expect(pm.response.code, pm.response.text()).to.be.below(500);
    pm.expect(pm.response.code, "the token was refused: " + pm.response.text()).to.not.equal(401);
    if (pm.response.text().length > 0) {
        pm.expect(pm.response.headers.get("Content-Type")).to.match(/json/);
    }
});`, r.key()+" is answered by its service, without a server error")
}

func testEvent(js string) event {
	return event{Listen: "test", Script: script{Type: "text/javascript", Exec: lines(js)}}
}

func prerequestEvent(js string) event {
	return event{Listen: "prerequest", Script: script{Type: "text/javascript", Exec: lines(js)}}
}

func lines(js string) []string { return strings.Split(strings.TrimRight(js, "\n"), "\n") }

// encode writes v as the generator always does: two-space indent, no HTML
// escaping, a final newline.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Files are the names of the files Build makes, in a fixed order.
var Files = []string{CollectionFile, NativeEnvFile, ComposeEnvFile}
