// Package webpages lists every page of the web app as the person who sees
// it. The browser suite opens each at a desktop and a phone width
// (test/browser/pages_test.go) and webbench times each (test/cmd/webbench):
// a new page is one line in All, and both see it.
package webpages

import (
	"regexp"
	"strings"
)

// The roles a page is seen as: Anonyme has no session, Client is a fresh
// sign-up, the others are the logins of the demo staff accounts.
const (
	Anonyme    = "anonyme"
	Client     = "client"
	Caissier3  = "caissier3"
	MaisonMere = "maison-mere"
	Logistique = "logistique"
)

// Besoin is what a page needs made first, in the role's session, to have
// something to show.
type Besoin string

// What a page may need.
const (
	CommandeEnLigne Besoin = "commande en ligne" // the client checks out one product in the shop
	VenteAuComptoir Besoin = "vente au comptoir" // store 3's caissier sells one product, paid cash
)

// Page is one page as one role sees it.
type Page struct {
	Role string
	// Path is the page's; a pattern such as /boutique/commandes/{id}, for
	// the reader, when Link is set.
	Path string
	// Status is the answer the page must give; 0 means 200.
	Status int
	// Name names the page's screenshots; empty means the path's words.
	Name string
	// A page whose id only a list knows (an order, a receipt) is the first
	// link of the ListedOn page whose path Link matches, once what it
	// Needs is made.
	ListedOn string
	Link     *regexp.Regexp
	Needs    Besoin
}

const uuid = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

// All is every page of the app, the pages of one role together (each role
// signs in once, at its first page).
var All = []Page{
	{Role: Anonyme, Path: "/"},
	{Role: Anonyme, Path: "/connexion"},
	{Role: Anonyme, Path: "/inscription"},
	{Role: Anonyme, Path: "/boutique"},

	{Role: Client, Path: "/boutique"},
	{Role: Client, Path: "/boutique/commandes"},
	{Role: Client, Path: "/boutique/commandes/{id}", Name: "commande", Needs: CommandeEnLigne,
		ListedOn: "/boutique/commandes", Link: regexp.MustCompile(`^/boutique/commandes/` + uuid + `$`)},

	{Role: Caissier3, Path: "/magasins/3"},
	{Role: Caissier3, Path: "/magasins/3/ventes"},
	{Role: Caissier3, Path: "/magasins/3/ventes/{commande}", Name: "recu", Needs: VenteAuComptoir,
		ListedOn: "/magasins/3/ventes", Link: regexp.MustCompile(`^/magasins/3/ventes/` + uuid + `$`)},
	{Role: Caissier3, Path: "/magasins/3/ventes/{commande}/retour", Name: "retour", Needs: VenteAuComptoir,
		ListedOn: "/magasins/3/ventes", Link: regexp.MustCompile(`^/magasins/3/ventes/` + uuid + `/retour$`)},
	{Role: Caissier3, Path: "/magasins/1", Status: 403, Name: "refus"},

	{Role: MaisonMere, Path: "/maison-mere"},
	{Role: MaisonMere, Path: "/maison-mere/produits"},
	{Role: MaisonMere, Path: "/maison-mere/seuils"},
	{Role: MaisonMere, Path: "/maison-mere/sagas"},
	{Role: MaisonMere, Path: "/magasins"},
	{Role: MaisonMere, Path: "/magasins/1"},

	{Role: Logistique, Path: "/logistique"},
}

// Slug names the page in a file name: its Name, or its path's words.
func (p Page) Slug() string {
	if p.Name != "" {
		return p.Name
	}
	if s := strings.ReplaceAll(strings.Trim(p.Path, "/"), "/", "-"); s != "" {
		return s
	}
	return "accueil"
}
