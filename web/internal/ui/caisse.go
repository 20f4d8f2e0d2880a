package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"multimagasins/kit"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/web/internal/codebarre"
)

// The till keeps no state either: the ticket being rung up travels in the
// page's address and forms, one "ligne=produit:quantité" per line
// (/magasins/3?ligne=5:2&ligne=9:1). Each button of the till (ajouter, +, −,
// retirer, a scanned code) is a GET that the page answers with a 303 to the
// new ticket's address, so a reload never adds an article twice, the back
// button walks back through the ticket, and nothing is lost when the page
// is served by the other instance.

// Bounds of a ticket: the catalogue prices at most 100 products in one call,
// and a quantity past 999 at a counter is a typing slip.
const (
	maxLignesTicket = 100
	maxQuantite     = 999
)

// ligneTicket is one product of the ticket and how many.
type ligneTicket struct {
	ProduitID int64
	Quantite  int
}

// ticket is the sale being rung up, lines in the order they were added.
type ticket []ligneTicket

// lireTicket reads the "ligne" values. A product named twice is one line
// with both quantities. A malformed value is skipped and reported: the rest
// of the ticket is kept rather than lost.
func lireTicket(valeurs []string) (ticket, error) {
	var t ticket
	var mauvaises []string
	for _, v := range valeurs {
		id, qte, ok := strings.Cut(strings.TrimSpace(v), ":")
		p, err1 := strconv.ParseInt(id, 10, 64)
		n, err2 := strconv.Atoi(qte)
		if !ok || err1 != nil || err2 != nil || p < 1 || n < 1 {
			mauvaises = append(mauvaises, v)
			continue
		}
		t = t.ajouter(p, n)
	}
	if len(t) > maxLignesTicket {
		t = t[:maxLignesTicket]
		mauvaises = append(mauvaises, fmt.Sprintf("plus de %d lignes", maxLignesTicket))
	}
	if len(mauvaises) > 0 {
		return t, formError("Ligne de ticket illisible ignorée : « " + strings.Join(mauvaises, " », « ") + " ».")
	}
	return t, nil
}

func (t ticket) index(id int64) int {
	return slices.IndexFunc(t, func(l ligneTicket) bool { return l.ProduitID == id })
}

// ajouter adds n of product id (a new line at the end, or more of a line).
func (t ticket) ajouter(id int64, n int) ticket {
	out := slices.Clone(t)
	if i := out.index(id); i >= 0 {
		out[i].Quantite = min(out[i].Quantite+n, maxQuantite)
		return out
	}
	return append(out, ligneTicket{ProduitID: id, Quantite: min(n, maxQuantite)})
}

// changer raises or lowers a line by delta; at 0 the line goes.
func (t ticket) changer(id int64, delta int) ticket {
	out := slices.Clone(t)
	i := out.index(id)
	if i < 0 {
		if delta > 0 {
			return out.ajouter(id, delta)
		}
		return out
	}
	out[i].Quantite = min(out[i].Quantite+delta, maxQuantite)
	if out[i].Quantite <= 0 {
		return slices.Delete(out, i, i+1)
	}
	return out
}

func (t ticket) retirer(id int64) ticket {
	out := slices.Clone(t)
	if i := out.index(id); i >= 0 {
		return slices.Delete(out, i, i+1)
	}
	return out
}

func (t ticket) quantite(id int64) int {
	if i := t.index(id); i >= 0 {
		return t[i].Quantite
	}
	return 0
}

// valeurs is the ticket as the "ligne" values of a form or an address.
func (t ticket) valeurs() []string {
	out := make([]string, len(t))
	for i, l := range t {
		out[i] = strconv.FormatInt(l.ProduitID, 10) + ":" + strconv.Itoa(l.Quantite)
	}
	return out
}

func (t ticket) ids() []int64 {
	out := make([]int64, len(t))
	for i, l := range t {
		out[i] = l.ProduitID
	}
	return out
}

// demande is the ticket as the sale saga takes it.
func (t ticket) demande() []sagaapi.LigneDemandee {
	out := make([]sagaapi.LigneDemandee, len(t))
	for i, l := range t {
		out[i] = sagaapi.LigneDemandee{ProduitID: l.ProduitID, Quantite: l.Quantite}
	}
	return out
}

// adresseTicket is the till's page holding t (and, kept while one looks for
// products, the search), with more query parameters from extra.
func adresseTicket(magasin int64, t ticket, recherche string, extra url.Values) string {
	q := url.Values{}
	for k, v := range extra {
		q[k] = v
	}
	if len(t) > 0 {
		q["ligne"] = t.valeurs()
	}
	if recherche != "" {
		q.Set("recherche", recherche)
	}
	p := "/magasins/" + strconv.FormatInt(magasin, 10)
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// ligneAffichee is a ticket line as the till shows it, priced from the catalogue.
type ligneAffichee struct {
	ProduitID    int64
	Valeur       string // its "ligne" value
	Nom          string
	Code         string // EAN-13
	Quantite     int
	PrixUnitaire kit.Cents
	SousTotal    kit.Cents
	Disponible   int64 // in the store
	Inconnu      bool  // not (or no longer) sold: the sale would be refused
}

// Plus tells whether one more may be sold: the store has it.
func (l ligneAffichee) Plus() bool { return !l.Inconnu && int64(l.Quantite) < l.Disponible }

// Manque tells whether the line asks for more than the store has.
func (l ligneAffichee) Manque() bool { return !l.Inconnu && int64(l.Quantite) > l.Disponible }

// chiffrer prices t from the catalogue (prix, by product) and the store's
// stock (dispo, by product); the total counts the priced lines only. Lines
// the catalogue does not price are marked, not dropped: the cashier sees them.
func chiffrer(t ticket, prix map[int64]stockapi.Produit, dispo map[int64]stockapi.Niveau) ([]ligneAffichee, kit.Cents) {
	var total kit.Cents
	out := make([]ligneAffichee, 0, len(t))
	for i, l := range t {
		a := ligneAffichee{ProduitID: l.ProduitID, Valeur: t.valeurs()[i], Quantite: l.Quantite,
			Disponible: dispo[l.ProduitID].Disponible, Nom: dispo[l.ProduitID].Nom}
		a.Code, _ = codebarre.Produit(l.ProduitID)
		p, ok := prix[l.ProduitID]
		if !ok || !p.Actif {
			a.Inconnu = true
		} else {
			a.Nom = p.Nom
			a.PrixUnitaire = p.Prix
			a.SousTotal = p.Prix * kit.Cents(l.Quantite)
			total += a.SousTotal
		}
		if a.Nom == "" {
			a.Nom = "Produit inconnu n° " + strconv.FormatInt(l.ProduitID, 10)
		}
		out = append(out, a)
	}
	return out, total
}

// Ways to pay at the counter, as the payment service names them.
const (
	methodeComptant = "comptant"
	methodeCarte    = "carte"
)

func nomMethode(m string) string {
	switch m {
	case methodeComptant:
		return "Comptant"
	case methodeCarte:
		return "Carte"
	}
	return m
}

// lireMontant reads an amount as a person types it at a till: "50", "50,5",
// "50,00 $", "1 234,56" or "50.00".
func lireMontant(s, champ string) (kit.Cents, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "$"))
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(s)
	if s == "" {
		return 0, formError(fmt.Sprintf("Le champ « %s » est requis pour un paiement comptant.", champ))
	}
	c, err := kit.ParseCents(s)
	if err != nil || c < 0 {
		return 0, formError(fmt.Sprintf("Le champ « %s » doit être un montant, par exemple 50,00.", champ))
	}
	return c, nil
}

// monnaie is the change due on remis for total; remis short of the total
// is refused, naming the field.
func monnaie(remis, total kit.Cents) (kit.Cents, error) {
	if remis < total {
		return 0, formError(fmt.Sprintf("Le champ « montant remis » (%s) est inférieur au total (%s) : il manque %s.",
			argent(remis), argent(total), argent(total-remis)))
	}
	return remis - total, nil
}

// produitCode finds the product a scanned or typed code names: the chain's
// EAN-13 (package codebarre) or the product number. ok is false for text
// that is neither, which the till then searches by name.
func produitCode(code string) (id int64, ok bool, err error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return 0, false, nil
	}
	for i := range len(code) {
		if code[i] < '0' || code[i] > '9' {
			return 0, false, nil
		}
	}
	if len(code) == 13 {
		id, err := codebarre.ProduitDe(code)
		if err != nil {
			return 0, true, formError("Le code « " + code + " » n'est pas un code de produit de la chaîne (chiffre de contrôle ou préfixe).")
		}
		return id, true, nil
	}
	n, err := strconv.ParseInt(code, 10, 64)
	if err != nil || n < 1 {
		return 0, true, formError("Aucun produit ne porte le numéro « " + code + " ».")
	}
	return n, true, nil
}

// correspondCaisse tells whether a product matches the till's search: every word
// in its name or category, any case and accents as typed.
func correspondCaisse(recherche string, n stockapi.Niveau) bool {
	texte := strings.ToLower(n.Nom + " " + n.Categorie)
	for _, mot := range strings.Fields(strings.ToLower(recherche)) {
		if !strings.Contains(texte, mot) {
			return false
		}
	}
	return true
}
