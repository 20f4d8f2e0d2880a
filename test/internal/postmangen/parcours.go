package postmangen

import (
	"fmt"
	"strings"
)

// step is one request of the Parcours folder: the seed's flows, written by
// hand (what each asserts is the point), checked against krakend.json (each
// must be a public route) and described from the route's OpenAPI summary.
type step struct {
	name   string
	method string
	path   string // with {{variables}} for the ids earlier steps set
	compte string // the account it signs in as; "" for a public route
	json   string // raw JSON body
	form   [][2]string
	idem   bool   // sends a fresh Idempotency-Key
	pre    string // pre-request script
	test   string // pm.test assertions
}

type flow struct {
	name, description string
	steps             []step
}

// Assertions shared by the saga steps: the answer is the saga itself.
const sagaBody = `const saga = pm.response.json();
pm.test("the answer is the saga, ended", function () {
    pm.expect(saga.saga_id).to.match(/^[0-9a-f-]{36}$/);
    pm.expect(saga.commande_id).to.match(/^[0-9a-f-]{36}$/);
    pm.expect(saga.termine).to.equal(true);
});`

func sagaEnds(status int, statut, typ, motif string, states ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "pm.test(\"%d\", function () { pm.response.to.have.status(%d); });\n", status, status)
	b.WriteString(sagaBody + "\n")
	fmt.Fprintf(&b, "pm.test(%q, function () {\n", "statut "+statut+", type "+typ)
	fmt.Fprintf(&b, "    pm.expect(saga.statut).to.equal(%q);\n", statut)
	fmt.Fprintf(&b, "    pm.expect(saga.type).to.equal(%q);\n", typ)
	if motif == "" {
		b.WriteString("    pm.expect(saga.motif).to.equal(\"\");\n")
	} else {
		fmt.Fprintf(&b, "    pm.expect(saga.motif).to.include(%q);\n", motif)
	}
	quoted := make([]string, len(states))
	for i, s := range states {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	fmt.Fprintf(&b, "    pm.expect(saga.etapes.map(function (e) { return e.etat; })).to.eql([%s]);\n", strings.Join(quoted, ", "))
	b.WriteString("});")
	return b.String()
}

var confirmed = []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}

var parcours = []flow{
	{
		name: "1. Client en ligne : inscription, panier, commande",
		description: "A customer signs up, signs in, fills the cart and checks it out: the saga confirms the order, " +
			"empties the cart and records the payment.",
		steps: []step{
			{
				name: "Inscription", method: "POST", path: "/auth/inscription",
				pre: `// A fresh email each run: an email is taken once.
const n = Date.now().toString(36) + Math.floor(Math.random() * 1e9).toString(36);
pm.collectionVariables.set("client_email", "ana-" + n + "@exemple.ca");
pm.collectionVariables.set("client_password", "un long mot de passe " + n);
pm.collectionVariables.unset("jeton_client"); // the token of an earlier customer`,
				json: `{
  "nom": "Ana Tremblay",
  "email": "{{client_email}}",
  "mot_de_passe": "{{client_password}}"
}`,
				test: `pm.test("201", function () { pm.response.to.have.status(201); });
const compte = pm.response.json();
pm.test("the account is a new client with that email", function () {
    pm.expect(compte.client_id).to.be.a("number").and.above(1); // 1 is the guest
    pm.expect(compte.email).to.equal(pm.collectionVariables.get("client_email"));
    pm.expect(compte.nom).to.equal("Ana Tremblay");
});
pm.collectionVariables.set("client_id", compte.client_id);`,
			},
			{
				name: "Connexion du client (mot de passe)", method: "POST", path: "/auth/jeton",
				form: [][2]string{{"grant_type", "password"}, {"username", "{{client_email}}"}, {"password", "{{client_password}}"}},
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
const jeton = pm.response.json();
pm.test("a bearer token for 15 minutes and a refresh token", function () {
    pm.expect(jeton.token_type).to.equal("Bearer");
    pm.expect(jeton.expires_in).to.equal(900);
    pm.expect(jeton.access_token.split(".")).to.have.lengthOf(3); // a JWT
    pm.expect(jeton.refresh_token).to.be.a("string").and.not.empty;
});`,
			},
			{
				name: "Qui suis-je", method: "GET", path: "/auth/moi", compte: "client",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
const moi = pm.response.json();
pm.test("the token is the new client's", function () {
    pm.expect(moi.roles).to.eql(["client"]);
    pm.expect(moi.client_id).to.equal(Number(pm.collectionVariables.get("client_id")));
    pm.expect(moi.sujet).to.equal("client:" + pm.collectionVariables.get("client_id"));
});`,
			},
			{
				name: "Ajouter au panier", method: "POST", path: "/panier", compte: "client", idem: true,
				json: `{
  "client_id": {{client_id}},
  "produit_id": 1,
  "quantite": 2
}`,
				test: `pm.test("201", function () { pm.response.to.have.status(201); });
const panier = pm.response.json();
pm.test("one line: two of product 1, priced from the catalogue", function () {
    pm.expect(panier.client_id).to.equal(Number(pm.collectionVariables.get("client_id")));
    pm.expect(panier.lignes).to.have.lengthOf(1);
    pm.expect(panier.lignes[0].produit_id).to.equal(1);
    pm.expect(panier.lignes[0].quantite).to.equal(2);
    pm.expect(panier.lignes[0].prix_unitaire).to.be.above(0);
    pm.expect(panier.total).to.be.closeTo(2 * panier.lignes[0].prix_unitaire, 0.001);
});`,
			},
			{
				name: "Lire le panier", method: "GET", path: "/panier/{{client_id}}", compte: "client",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
pm.test("the line is there", function () {
    const panier = pm.response.json();
    pm.expect(panier.lignes.map(function (l) { return [l.produit_id, l.quantite]; })).to.eql([[1, 2]]);
});`,
			},
			{
				name: "Commander le panier", method: "POST", path: "/commande", compte: "client", idem: true,
				json: `{
  "client_id": {{client_id}}
}`,
				test: sagaEnds(201, "CONFIRMEE", "commande", "", confirmed...) + `
pm.collectionVariables.set("commande_id", saga.commande_id);
pm.collectionVariables.set("saga_id", saga.saga_id);`,
			},
			{
				name: "Le panier est vidé", method: "GET", path: "/panier/{{client_id}}", compte: "client",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
pm.test("CONFIRMEE emptied the cart", function () {
    const panier = pm.response.json();
    pm.expect(panier.lignes).to.eql([]);
    pm.expect(panier.total).to.equal(0);
});`,
			},
			{
				name: "Lire la commande", method: "GET", path: "/commande/{{commande_id}}", compte: "client",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
const commande = pm.response.json();
pm.test("the client's confirmed online order, with its history", function () {
    pm.expect(commande.id).to.equal(pm.collectionVariables.get("commande_id"));
    pm.expect(commande.client_id).to.equal(Number(pm.collectionVariables.get("client_id")));
    pm.expect(commande.statut).to.equal("CONFIRMEE");
    pm.expect(commande.canal).to.equal("en_ligne");
    pm.expect(commande.lignes.map(function (l) { return [l.produit_id, l.quantite]; })).to.eql([[1, 2]]);
    pm.expect(commande.historique.map(function (h) { return h.statut; }))
        .to.eql(["CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"]);
});`,
			},
			{
				name: "Le paiement de la commande", method: "GET", path: "/paiements?client_id={{client_id}}", compte: "client",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
const page = pm.response.json();
pm.test("one accepted payment, for the order, of its total", function () {
    pm.expect(page.items).to.have.lengthOf(1);
    const p = page.items[0];
    pm.expect(p.commande_id).to.equal(pm.collectionVariables.get("commande_id"));
    pm.expect(p.statut).to.equal("accepte");
    pm.expect(p.montant).to.be.above(0);
    pm.collectionVariables.set("paiement_id", p.id);
});`,
			},
			{
				name: "Lire la saga", method: "GET", path: "/saga/{{saga_id}}", compte: "client",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
pm.test("the saga of the checkout, CONFIRMEE", function () {
    const saga = pm.response.json();
    pm.expect(saga.saga_id).to.equal(pm.collectionVariables.get("saga_id"));
    pm.expect(saga.commande_id).to.equal(pm.collectionVariables.get("commande_id"));
    pm.expect(saga.statut).to.equal("CONFIRMEE");
});`,
			},
		},
	},
	{
		name: "2. Les trois curls du seed (commande invité)",
		description: "The seed's guest checkouts, without a token, as README.md shows them: one confirmed, one cancelled " +
			"for want of stock, one cancelled because the payment is refused (its stock released).",
		steps: []step{
			{
				name: "Succès : 201 CONFIRMEE", method: "POST", path: "/saga/commande/",
				json: `{
  "produits": [
    {"produit_id": 1, "quantite": 1},
    {"produit_id": 2, "quantite": 1}
  ]
}`,
				test: sagaEnds(201, "CONFIRMEE", "commande", "", confirmed...) + `
// A guest's saga: anyone holding its id reads it, as Lectures' GET /saga/{id} does without a token.
pm.collectionVariables.set("saga_id", saga.saga_id);`,
			},
			{
				name: "Stock insuffisant : 409 ANNULEE", method: "POST", path: "/saga/commande/",
				json: `{
  "produits": [
    {"produit_id": 2, "quantite": 999}
  ]
}`,
				test: sagaEnds(409, "ANNULEE", "commande", "stock insuffisant", "CREEE", "ANNULEE"),
			},
			{
				name: "Paiement refusé : 402 ANNULEE", method: "POST", path: "/saga/commande/",
				json: `{
  "produits": [
    {"produit_id": 4, "quantite": 10}
  ]
}`,
				test: sagaEnds(402, "ANNULEE", "commande", "paiement refusé", "CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "ANNULEE"),
			},
		},
	},
	{
		name: "3. Vente au comptoir et retour",
		description: "The Plateau store's caissier sells two units paid cash, then takes one back; another store's " +
			"caissier may not sell there.",
		steps: []step{
			{
				name: "Vente au comptoir (caissier1, magasin 1)", method: "POST", path: "/saga/vente", compte: "caissier1", idem: true,
				json: venteAuPlateau,
				test: sagaEnds(201, "CONFIRMEE", "vente", "", confirmed...) + `
pm.collectionVariables.set("vente_id", saga.commande_id);`,
			},
			{
				name: "La vente est une commande du magasin", method: "GET", path: "/commande/{{vente_id}}", compte: "caissier1",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
pm.test("a confirmed order of store 1, two units of product 3", function () {
    const commande = pm.response.json();
    pm.expect(commande.id).to.equal(pm.collectionVariables.get("vente_id"));
    pm.expect(commande.statut).to.equal("CONFIRMEE");
    pm.expect(commande.canal).to.equal("magasin");
    pm.expect(commande.magasin_id).to.equal(1);
    pm.expect(commande.lignes.map(function (l) { return [l.produit_id, l.quantite]; })).to.eql([[3, 2]]);
});`,
			},
			{
				name: "Retour d'une unité", method: "POST", path: "/saga/retour", compte: "caissier1", idem: true,
				json: `{
  "commande_id": "{{vente_id}}",
  "lignes": [
    {"produit_id": 3, "quantite": 1}
  ]
}`,
				test: sagaEnds(201, "CONFIRMEE", "retour", "", "CREEE", "RETOUR_ENREGISTRE", "RESTOCKE", "CONFIRMEE") + `
pm.test("the return is of the sale", function () {
    pm.expect(saga.commande_id).to.equal(pm.collectionVariables.get("vente_id"));
});`,
			},
			{
				name: "Un autre magasin ne vend pas ici : 403", method: "POST", path: "/saga/vente", compte: "caissier2", idem: true,
				json: venteAuPlateau,
				test: `pm.test("403", function () { pm.response.to.have.status(403); });
pm.test("an RFC 9457 problem", function () {
    pm.expect(pm.response.headers.get("Content-Type")).to.include("application/problem+json");
    pm.expect(pm.response.json().status).to.equal(403);
});`,
			},
		},
	},
	{
		name: "4. Demande d'approvisionnement approuvée",
		description: "Store 2's caissier asks the logistics centre for stock; logistique approves it (the stock moves " +
			"and the request is delivered); approving it again is a conflict.",
		steps: []step{
			{
				name: "Demander du stock (caissier2, magasin 2)", method: "POST", path: "/magasins/2/demandes", compte: "caissier2",
				json: `{
  "produit_id": 5,
  "quantite": 10
}`,
				test: `pm.test("201", function () { pm.response.to.have.status(201); });
const demande = pm.response.json();
pm.test("a pending request of store 2, made by the store", function () {
    pm.expect(demande.id).to.be.a("number").and.above(0);
    pm.expect(demande.magasin_id).to.equal(2);
    pm.expect(demande.produit_id).to.equal(5);
    pm.expect(demande.quantite).to.equal(10);
    pm.expect(demande.statut).to.equal("en_attente");
    pm.expect(demande.origine).to.equal("magasin");
});
pm.collectionVariables.set("demande_id", demande.id);`,
			},
			{
				name: "Les demandes en attente (logistique)", method: "GET", path: "/demandes?statut=en_attente&magasin_id=2", compte: "logistique",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
pm.test("the request is pending", function () {
    const ids = pm.response.json().items.map(function (d) { return d.id; });
    pm.expect(ids).to.include(Number(pm.collectionVariables.get("demande_id")));
});`,
			},
			{
				name: "Approuver (logistique)", method: "POST", path: "/demandes/{{demande_id}}/approuver", compte: "logistique",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
pm.test("the request is delivered", function () {
    const demande = pm.response.json();
    pm.expect(demande.id).to.equal(Number(pm.collectionVariables.get("demande_id")));
    pm.expect(demande.statut).to.equal("livree");
});`,
			},
			{
				name: "Approuver deux fois : 409", method: "POST", path: "/demandes/{{demande_id}}/approuver", compte: "logistique",
				test: `pm.test("409", function () { pm.response.to.have.status(409); });
pm.test("an RFC 9457 problem saying it is decided", function () {
    pm.expect(pm.response.headers.get("Content-Type")).to.include("application/problem+json");
    pm.expect(pm.response.json().detail).to.include("livree");
});`,
			},
			{
				name: "Le transfert au journal", method: "GET", compte: "logistique",
				path: "/mouvements?type=transfert&emplacement_id=2&reference=demande:{{demande_id}}",
				test: `pm.test("200", function () { pm.response.to.have.status(200); });
pm.test("the approval moved 10 units of product 5 into store 2", function () {
    const rows = pm.response.json().items;
    pm.expect(rows).to.have.lengthOf(1);
    pm.expect(rows[0].produit_id).to.equal(5);
    pm.expect(rows[0].quantite).to.equal(10);
    pm.expect(rows[0].acteur).to.equal("logistique");
});`,
			},
		},
	},
}

// parcoursFolder builds the Parcours folder, each step checked against the
// public routes and described by its route's summary.
func parcoursFolder(routes []route, specs map[string]*spec) (item, error) {
	folder := item{Name: "Parcours", Description: "The seed's flows, in order, with assertions on status and body. " +
		"They chain ids through collection variables (client_id, commande_id, saga_id, paiement_id, vente_id, " +
		"demande_id), which the Lectures folder reuses. Run the folder as a whole: its requests depend on the ones before."}
	for _, f := range parcours {
		sub := item{Name: f.name, Description: f.description}
		for _, st := range f.steps {
			it, err := st.item(routes, specs)
			if err != nil {
				return item{}, fmt.Errorf("the Parcours step %q: %w", st.name, err)
			}
			sub.Item = append(sub.Item, it)
		}
		folder.Item = append(folder.Item, sub)
	}
	return folder, nil
}

func (st step) item(routes []route, specs map[string]*spec) (item, error) {
	path, rawQuery, _ := strings.Cut(st.path, "?")
	r, ok := matchRoute(routes, st.method, path)
	if !ok {
		return item{}, fmt.Errorf("%s %s is no public route of krakend.json", st.method, path)
	}
	// A public route may still be called with a token (a client's saga is
	// only its own), but a route with roles needs one.
	if st.compte == "" && len(r.Roles) > 0 {
		return item{}, fmt.Errorf("%s: no account, but the gateway asks for roles %v", r.key(), r.Roles)
	}
	b := r.Backends[0]
	op := specs[b.Host].operation(b.Method, b.Path)
	if op == nil {
		return item{}, fmt.Errorf("%s: %s does not serve %s %s", r.key(), b.Host, b.Method, b.Path)
	}
	u := &pmURL{Raw: baseURLVariable + st.path, Host: []string{baseURLVariable},
		Path: strings.Split(strings.TrimPrefix(path, "/"), "/")}
	if rawQuery != "" {
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if !contains(r.Query, k) {
				return item{}, fmt.Errorf("%s: the gateway does not forward the query string %q", r.key(), k)
			}
			u.Query = append(u.Query, query{Key: k, Value: v})
		}
	}
	req := &request{Method: st.method, URL: u, Header: []header{},
		Description: fmt.Sprintf("%s (`%s %s`).", op.Summary, r.Method, r.Path)}
	setAuth(req, st.compte)
	if st.idem {
		req.Header = append(req.Header, header{Key: "Idempotency-Key", Value: "{{$guid}}"})
	}
	switch {
	case st.json != "":
		req.Header = append(req.Header, header{Key: "Content-Type", Value: "application/json"})
		req.Body = &body{Mode: "raw", Raw: st.json, Options: &bodyOptions{Raw: rawOptions{Language: "json"}}}
	case st.form != nil:
		req.Header = append(req.Header, header{Key: "Content-Type", Value: "application/x-www-form-urlencoded"})
		b := &body{Mode: "urlencoded"}
		for _, kv := range st.form {
			b.URLEncoded = append(b.URLEncoded, formField{Key: kv[0], Value: kv[1], Type: "text"})
		}
		req.Body = b
	}
	it := item{Name: st.name, Request: req}
	if st.pre != "" {
		it.Event = append(it.Event, prerequestEvent(st.pre))
	}
	if st.test == "" {
		return item{}, fmt.Errorf("%s: a step without assertions", r.key())
	}
	it.Event = append(it.Event, testEvent(st.test))
	return it, nil
}

// matchRoute finds the public route a concrete path belongs to: a segment
// "{id}" of the route matches any segment, the others must be equal.
func matchRoute(routes []route, method, path string) (route, bool) {
	got := strings.Split(path, "/")
	for _, r := range routes {
		if r.Method != method {
			continue
		}
		want := strings.Split(r.Path, "/")
		if len(want) != len(got) {
			continue
		}
		ok := true
		for i := range want {
			if want[i] != got[i] && !(strings.HasPrefix(want[i], "{") && got[i] != "") {
				ok = false
				break
			}
		}
		if ok {
			return r, true
		}
	}
	return route{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// venteAuPlateau is two units of product 3 at store 1, paid cash: the
// counter sale of the "Vente au comptoir et retour" folder, by its caissier
// and by another store's, who is refused.
const venteAuPlateau = `{
  "magasin_id": 1,
  "produits": [
    {"produit_id": 3, "quantite": 2}
  ],
  "methode": "comptant"
}`
