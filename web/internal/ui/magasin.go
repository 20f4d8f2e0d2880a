package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/web/internal/codebarre"
)

// Magasins lets the head office choose a store; a caissier has only its own.
func (s *Server) Magasins(w http.ResponseWriter, r *http.Request) {
	if p := kit.PrincipalOf(r.Context()); !p.Has(kit.RoleMaisonMere) {
		http.Redirect(w, r, "/magasins/"+strconv.FormatInt(p.MagasinID, 10), http.StatusSeeOther)
		return
	}
	var erreurs []string
	magasins, err := s.stock.ListMagasins(r.Context(), kit.PageQuery{})
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "magasins.html", "Magasins", erreurs, magasins.Items)
}

// pageMagasin is what magasin.html shows.
type pageMagasin struct {
	ID       int64
	Magasin  stockapi.Emplacement
	Stock    []stockapi.Niveau // the "stock" partial, narrowed by Q
	Demandes []stockapi.DemandeAppro
	Centre   []stockapi.Niveau // what the supply request may ask for
	Saga     *sagaapi.Saga
	Q        string
	Liste    bool       // head office: a link back to the store list
	Caisse   *vueCaisse // that store's caissier only
}

// vueCaisse is the till: the products to pick, the ticket and its payment.
type vueCaisse struct {
	Recherche string
	Produits  []produitCaisse
	Ticket    []ligneAffichee
	Valeurs   []string // the ticket's "ligne" values, for every form of the till
	Total     kit.Cents
	Articles  int
	Cle       string // the payment form's one-time key
	// After a confirmed sale: its receipt, and the change when paid cash.
	Recu       string
	Comptant   bool
	Remis      kit.Cents
	Monnaie    kit.Cents
	AvecRemis  bool
	Disponible bool // the ticket can be paid: lines, all priced, none short
}

// produitCaisse is one product the till can add, with the store's stock.
type produitCaisse struct {
	ID         int64
	Nom        string
	Categorie  string
	Code       string
	Prix       kit.Cents
	Disponible int64
	AuTicket   int // already on the ticket
}

// Ajout tells whether one more may go on the ticket.
func (p produitCaisse) Ajout() bool { return int64(p.AuTicket) < p.Disponible }

// Magasin is one store's page: stock and supply requests, and for that
// store's caissier the till (counter sale, returns from the sales list).
// The head office sees every store but sells at none.
func (s *Server) Magasin(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "magasin")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	caisse := atTill.allow(kit.PrincipalOf(ctx), r)
	if caisse && actionCaisse(q) {
		s.actionCaisse(w, r, id)
		return
	}
	var (
		d         = pageMagasin{ID: id, Q: q.Get("q"), Liste: kit.PrincipalOf(ctx).Has(kit.RoleMaisonMere)}
		stock     kit.Page[stockapi.Niveau]
		tous      kit.Page[stockapi.Niveau]
		demandes  kit.Page[stockapi.DemandeAppro]
		centre    kit.Page[stockapi.Niveau]
		catalogue kit.Page[stockapi.Produit]
	)
	appels := []func() error{
		func() (err error) { d.Magasin, err = s.stock.GetMagasin(ctx, id); return },
		func() (err error) {
			stock, err = s.stock.StockMagasin(ctx, id, stockapi.StockParams{Q: d.Q, PageQuery: kit.PageQuery{Limit: 500}})
			return
		},
		func() (err error) {
			demandes, err = s.stock.ListDemandes(ctx, stockapi.DemandesParams{MagasinID: id, PageQuery: kit.PageQuery{Limit: 50}})
			return
		},
		func() (err error) {
			centre, err = s.stock.StockLogistique(ctx, stockapi.StockParams{PageQuery: kit.PageQuery{Limit: 500}})
			return
		},
		func() (err error) { d.Saga, err = s.sagaLue(r); return },
	}
	if caisse {
		// The till picks from the whole store, whatever the stock table is narrowed to.
		if d.Q != "" {
			appels = append(appels, func() (err error) {
				tous, err = s.stock.StockMagasin(ctx, id, stockapi.StockParams{PageQuery: kit.PageQuery{Limit: 500}})
				return
			})
		}
		actif := true
		appels = append(appels, func() (err error) {
			catalogue, err = s.stock.ListProduits(ctx, stockapi.ListProduitsParams{Actif: &actif, PageQuery: kit.PageQuery{Limit: 500}})
			return
		})
	}
	erreurs := ensemble(appels...)
	d.Stock, d.Demandes, d.Centre = stock.Items, demandes.Items, centre.Items
	if caisse {
		if d.Q == "" {
			tous = stock
		}
		t, err := lireTicket(q["ligne"])
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
		d.Caisse = vueDeCaisse(id, t, q, tous.Items, catalogue.Items, d.Saga)
	}
	s.renderSaga(w, r, "magasin.html", titreMagasin(d.Magasin, id), erreurs, d, d.Saga)
}

// titreMagasin names a store's pages by the store's name; its number only
// when stock did not answer.
func titreMagasin(m stockapi.Emplacement, id int64) string {
	if m.Nom != "" {
		return "Magasin " + m.Nom
	}
	return "Magasin n° " + strconv.FormatInt(id, 10)
}

// vueDeCaisse puts the till together from the ticket, the store's stock and
// the catalogue; after a sale confirmed (sg), a fresh ticket and the receipt.
func vueDeCaisse(magasin int64, t ticket, q url.Values, stock []stockapi.Niveau, catalogue []stockapi.Produit, sg *sagaapi.Saga) *vueCaisse {
	v := &vueCaisse{Recherche: strings.TrimSpace(q.Get("recherche")), Cle: cleVente(sg)}
	if sg != nil && sg.Type == sagaapi.TypeVente && sg.Termine && sg.Statut == sagaapi.Confirmee && sg.CommandeID != nil {
		t = nil // sold: the next customer starts a new ticket
		v.Comptant = methodeDe(sg) == methodeComptant
		recu := url.Values{"vente": {sg.SagaID.String()}}
		if remis, err := strconv.ParseInt(q.Get("remis"), 10, 64); err == nil && v.Comptant && kit.Cents(remis) >= sg.Total {
			v.AvecRemis, v.Remis, v.Monnaie = true, kit.Cents(remis), kit.Cents(remis)-sg.Total
			recu.Set("remis", q.Get("remis"))
		}
		v.Recu = "/magasins/" + strconv.FormatInt(magasin, 10) + "/ventes/" + sg.CommandeID.String() + "?" + recu.Encode()
	}
	prix := make(map[int64]stockapi.Produit, len(catalogue))
	for _, p := range catalogue {
		prix[p.ID] = p
	}
	dispo := make(map[int64]stockapi.Niveau, len(stock))
	for _, n := range stock {
		dispo[n.ProduitID] = n
		p, vendu := prix[n.ProduitID]
		if !vendu || !correspondCaisse(v.Recherche, n) {
			continue
		}
		code, _ := codebarre.Produit(n.ProduitID)
		v.Produits = append(v.Produits, produitCaisse{ID: n.ProduitID, Nom: p.Nom, Categorie: n.Categorie, Code: code,
			Prix: p.Prix, Disponible: n.Disponible, AuTicket: t.quantite(n.ProduitID)})
	}
	v.Ticket, v.Total = chiffrer(t, prix, dispo)
	v.Valeurs = t.valeurs()
	v.Disponible = len(t) > 0
	for _, l := range v.Ticket {
		v.Articles += l.Quantite
		if l.Inconnu || l.Manque() {
			v.Disponible = false
		}
	}
	return v
}

// methodeDe is how a sale saga was paid, from the request it keeps.
func methodeDe(sg *sagaapi.Saga) string {
	var d sagaapi.DemandeVente
	if sg == nil || sg.Type != sagaapi.TypeVente || json.Unmarshal(sg.Requete, &d) != nil {
		return ""
	}
	return d.Methode
}

// cleVente is the one-time key of the till's payment form, as cleCommande is
// the shop's: while the page follows a sale not over yet, the form keeps
// that sale's key, so paying again meanwhile answers the same saga.
func cleVente(sg *sagaapi.Saga) string {
	if sg != nil && !sg.Termine && sg.Type == sagaapi.TypeVente && sg.CleIdempotence != nil {
		if _, err := uuid.Parse(*sg.CleIdempotence); err == nil {
			return *sg.CleIdempotence
		}
	}
	return uuid.NewString()
}

// The till's buttons, each a query parameter naming a product (code: what
// was scanned or typed in the scan field).
var actionsCaisse = []string{"code", "ajouter", "plus", "moins", "retirer", "vider"}

func actionCaisse(q url.Values) bool {
	for _, a := range actionsCaisse {
		if q.Has(a) {
			return true
		}
	}
	return false
}

// actionCaisse applies one till button to the ticket in the address, then
// sends the browser to the new ticket (303): the page that shows it is a
// plain read, safe to reload. The address has no fragment: a browser gives
// the scan field its autofocus only on a page opened without one.
func (s *Server) actionCaisse(w http.ResponseWriter, r *http.Request, magasin int64) {
	q := r.URL.Query()
	t, err := lireTicket(q["ligne"])
	recherche := strings.TrimSpace(q.Get("recherche"))
	if err == nil {
		t, recherche, err = s.appliquer(r, magasin, t, recherche)
	}
	redirect(w, r, adresseTicket(magasin, t, recherche, nil), err, "")
}

func (s *Server) appliquer(r *http.Request, magasin int64, t ticket, recherche string) (ticket, string, error) {
	q := r.URL.Query()
	produit := func(nom string) (int64, error) { return entier(q.Get(nom), "produit") }
	switch {
	case q.Has("vider"):
		return nil, "", nil
	case q.Has("retirer"):
		id, err := produit("retirer")
		if err != nil {
			return t, recherche, err
		}
		return t.retirer(id), recherche, nil
	case q.Has("moins"):
		id, err := produit("moins")
		if err != nil {
			return t, recherche, err
		}
		return t.changer(id, -1), recherche, nil
	}
	var id int64
	var err error
	switch {
	case q.Has("plus"):
		id, err = produit("plus")
	case q.Has("ajouter"):
		id, err = produit("ajouter")
	default:
		var code bool
		id, code, err = produitCode(q.Get("code"))
		if err == nil && !code {
			// Neither a bar code nor a number: a name, searched like the search box.
			return t, strings.TrimSpace(q.Get("code") + " " + recherche), nil
		}
	}
	if err != nil {
		return t, recherche, err
	}
	// One more must be in the store, and for sale: ask stock now rather than
	// trust the page the button was on.
	n, err := s.niveau(r, magasin, id)
	if err != nil {
		return t, recherche, err
	}
	if int64(t.quantite(id)) >= n.Disponible {
		return t, recherche, formError("Stock insuffisant : il reste " + strconv.FormatInt(n.Disponible, 10) + " « " + n.Nom + " » disponible(s) au magasin.")
	}
	if q.Has("plus") {
		return t.ajouter(id, 1), recherche, nil
	}
	return t.ajouter(id, 1), "", nil // added: the next search starts afresh
}

// niveau is product id's stock in the store, refused when the store does
// not sell it.
func (s *Server) niveau(r *http.Request, magasin, id int64) (stockapi.Niveau, error) {
	page, err := s.stock.StockMagasin(r.Context(), magasin, stockapi.StockParams{PageQuery: kit.PageQuery{Limit: 500}})
	if err != nil {
		return stockapi.Niveau{}, err
	}
	for _, n := range page.Items {
		if n.ProduitID == id {
			return n, nil
		}
	}
	return stockapi.Niveau{}, formError("Aucun produit n° " + strconv.FormatInt(id, 10) + " n'est vendu dans ce magasin.")
}

// Vente pays the ticket through the orchestrator's sale saga, under the
// one-time key the till put in its form (Idempotency-Key): paying twice, or
// again after a lost answer, is the same sale. The total the page checks the
// cash against is priced here from the catalogue; the saga prices it again.
func (s *Server) Vente(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "magasin")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	_ = r.ParseForm()
	t, err := lireTicket(r.PostForm["ligne"])
	retour := adresseTicket(id, t, "", nil) + "#paiement"
	if err != nil {
		redirect(w, r, retour, err, "")
		return
	}
	remis, err := s.verifierVente(r, t)
	if err != nil {
		redirect(w, r, retour, err, "")
		return
	}
	methode := r.PostFormValue("methode")
	sg, err := s.orch.Vente(r.Context(), r.PostFormValue("cle"), sagaapi.DemandeVente{MagasinID: int(id), Produits: t.demande(), Methode: methode})
	if err != nil {
		redirect(w, r, retour, err, "")
		return
	}
	extra := url.Values{"saga": {sg.SagaID.String()}}
	if methode == methodeComptant {
		extra.Set("remis", strconv.FormatInt(int64(remis), 10))
	}
	redirect(w, r, adresseTicket(id, t, "", extra)+"#saga-resultat", nil, "")
}

// verifierVente refuses, before any saga, a sale the page can tell is
// wrong: an empty ticket, an expired form, no way to pay, cash short of the
// total. It returns the cash handed over.
func (s *Server) verifierVente(r *http.Request, t ticket) (kit.Cents, error) {
	if len(t) == 0 {
		return 0, formError("Le ticket est vide : ajoutez au moins un produit.")
	}
	if _, err := uuid.Parse(strings.TrimSpace(r.PostFormValue("cle"))); err != nil {
		return 0, formError("Ce formulaire de paiement a expiré ; rien n'a été vendu. Vérifiez le ticket et encaissez à nouveau.")
	}
	switch r.PostFormValue("methode") {
	case methodeCarte:
		return 0, nil
	case methodeComptant:
	default:
		return 0, formError("Choisissez le mode de paiement : comptant ou carte.")
	}
	remis, err := lireMontant(r.PostFormValue("remis"), "montant remis")
	if err != nil {
		return 0, err
	}
	page, err := s.stock.ListProduits(r.Context(), stockapi.ListProduitsParams{IDs: t.ids(), PageQuery: kit.PageQuery{Limit: maxLignesTicket}})
	if err != nil {
		return 0, err
	}
	prix := map[int64]stockapi.Produit{}
	for _, p := range page.Items {
		prix[p.ID] = p
	}
	lignes, total := chiffrer(t, prix, nil)
	for _, l := range lignes {
		if l.Inconnu {
			return 0, formError("« " + l.Nom + " » n'est plus en vente : retirez-le du ticket.")
		}
	}
	_, err = monnaie(remis, total)
	return remis, err
}

// Demande asks the logistics centre for goods.
func (s *Server) Demande(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "magasin")
	base := "/magasins/" + strconv.FormatInt(id, 10)
	var prod, qte int64
	if err == nil {
		prod, err = entier(r.PostFormValue("produit_id"), "produit")
	}
	if err == nil {
		qte, err = entier(r.PostFormValue("quantite"), "quantité")
	}
	if err == nil {
		_, err = s.stock.CreateDemande(r.Context(), id, stockapi.NouvelleDemandeAppro{ProduitID: prod, Quantite: qte,
			Motif: strings.TrimSpace(r.PostFormValue("motif"))})
	}
	redirect(w, r, base+"#demandes", err, "Demande envoyée au centre logistique.")
}
