package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/web/internal/vignette"
)

// The shop acts only for the signed-in client: its id comes from the
// verified token in the session, never from the URL or a form field.

// dernieresCommandes is how many orders the shop page lists; the rest are
// on the orders page.
const dernieresCommandes = 5

// carteProduit is a product as its card shows it, with its picture.
type carteProduit struct {
	stockapi.Produit
	Image string
}

func carteDe(p stockapi.Produit) carteProduit {
	return carteProduit{Produit: p, Image: imageProduit(p)}
}

// imageProduit is the address of a product's picture, versioned by its
// content: the browser keeps it until the name or category changes.
func imageProduit(p stockapi.Produit) string {
	return "/boutique/images/" + strconv.FormatInt(p.ID, 10) + ".svg?v=" + vignette.Version(p.Nom, p.Categorie)
}

// ligneVue is a line of the cart with its product's name and picture.
type ligneVue struct {
	panierapi.Ligne
	Nom   string
	Image string
}

// Boutique is the catalogue; for a signed-in client also its cart, the
// checkout it follows, and its latest orders.
func (s *Server) Boutique(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query().Get("q")
	actif := true
	var (
		produits  kit.Page[stockapi.Produit]
		cl        clientsapi.Compte
		pn        panierapi.Panier
		commandes kit.Page[commandeapi.Commande]
		sg        *sagaapi.Saga
		panierLu  bool
	)
	appels := []func() error{func() (err error) {
		produits, err = s.stock.ListProduits(ctx, stockapi.ListProduitsParams{Q: q, Actif: &actif, PageQuery: kit.PageQuery{Limit: 100}})
		return
	}}
	p := kit.PrincipalOf(ctx)
	client := asClient.allow(p, r)
	if client {
		id := p.ClientID
		appels = append(appels,
			func() (err error) { cl, err = s.clients.GetClient(ctx, id); return },
			func() (err error) { pn, err = s.panier.GetPanier(ctx, id); panierLu = err == nil; return },
			func() (err error) {
				commandes, err = s.commande.ListCommandes(ctx, commandeapi.ListCommandesParams{ClientID: id,
					PageQuery: kit.PageQuery{Limit: dernieresCommandes}})
				return
			},
			func() (err error) { sg, err = s.sagaLue(r); return },
		)
	}
	// Independent calls: ask them all at once.
	erreurs := ensemble(appels...)

	cartes := make([]carteProduit, 0, len(produits.Items))
	for _, p := range produits.Items {
		cartes = append(cartes, carteDe(p))
	}
	data := map[string]any{"Produits": cartes, "Q": q}
	if !client {
		s.render(w, r, "boutique.html", "Boutique en ligne", erreurs, data)
		return
	}
	lignes, err := s.lignesPanier(r, pn, produits.Items)
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	data["Connecte"], data["ClientID"], data["Client"], data["Panier"], data["Lignes"] = true, p.ClientID, cl, pn, lignes
	data["Commandes"] = resumes(commandes.Items)
	data["Suivi"], data["Cle"] = suiviDe(sg), cleCommande(sg)
	if panierLu {
		// The header's badge counts this very cart: no second call for it.
		r = r.WithContext(avecPanierLu(ctx, pn))
	}
	s.renderSaga(w, r, "boutique.html", "Boutique en ligne", erreurs, data, sg)
}

// lignesPanier names the cart's lines. The catalogue on the page may be a
// search that left some of them out: those are asked for by id.
func (s *Server) lignesPanier(r *http.Request, pn panierapi.Panier, connus []stockapi.Produit) ([]ligneVue, error) {
	parID := make(map[int64]stockapi.Produit, len(connus))
	for _, p := range connus {
		parID[p.ID] = p
	}
	var manquants []int64
	for _, l := range pn.Lignes {
		if _, ok := parID[l.ProduitID]; !ok {
			manquants = append(manquants, l.ProduitID)
		}
	}
	var err error
	if len(manquants) > 0 {
		var autres kit.Page[stockapi.Produit]
		autres, err = s.stock.ListProduits(r.Context(), stockapi.ListProduitsParams{IDs: manquants, PageQuery: kit.PageQuery{Limit: len(manquants)}})
		for _, p := range autres.Items {
			parID[p.ID] = p
		}
	}
	lignes := make([]ligneVue, 0, len(pn.Lignes))
	for _, l := range pn.Lignes {
		v := ligneVue{Ligne: l, Nom: "Produit " + strconv.FormatInt(l.ProduitID, 10)}
		if p, ok := parID[l.ProduitID]; ok {
			v.Nom, v.Image = p.Nom, imageProduit(p)
		}
		lignes = append(lignes, v)
	}
	return lignes, err
}

// cleCommande is the one-time key of the page's checkout form: a double
// submit or a retry of the same form is the same saga at the orchestrator,
// never a second order. While the page follows a checkout that is not over
// (it reloads itself), the form keeps that checkout's key, so pressing
// Commander again meanwhile answers the same saga instead of buying twice.
func cleCommande(sg *sagaapi.Saga) string {
	if sg != nil && !sg.Termine && sg.Type == sagaapi.TypeCommande && sg.CleIdempotence != nil {
		if _, err := uuid.Parse(*sg.CleIdempotence); err == nil {
			return *sg.CleIdempotence
		}
	}
	return uuid.NewString()
}

// clientOf is the signed-in client's id; the route's rule (asClient) has
// already refused anyone else.
func clientOf(r *http.Request) int64 { return kit.PrincipalOf(r.Context()).ClientID }

// AjouterPanier adds a product to the cart.
func (s *Server) AjouterPanier(w http.ResponseWriter, r *http.Request) {
	prod, err := entier(r.PostFormValue("produit_id"), "produit")
	var qte int64
	if err == nil {
		qte, err = entier(r.PostFormValue("quantite"), "quantité")
	}
	if err == nil {
		_, _, err = s.panier.AddLigne(r.Context(), panierapi.Ajout{ClientID: clientOf(r), ProduitID: prod, Quantite: int(qte)})
	}
	redirect(w, r, "/boutique#panier", err, "Produit ajouté au panier.")
}

// ModifierPanier changes a line's quantity, or removes it (the Retirer button
// or a quantity of 0).
func (s *Server) ModifierPanier(w http.ResponseWriter, r *http.Request) {
	id := clientOf(r)
	prod, err := entier(chi.URLParam(r, "produit_id"), "produit")
	var qte int64
	ok := "Panier mis à jour."
	if err == nil && r.PostFormValue("action") != "retirer" {
		qte, err = entier(r.PostFormValue("quantite"), "quantité")
	}
	switch {
	case err != nil:
	case r.PostFormValue("action") == "retirer" || qte == 0:
		err = s.panier.DeleteLigne(r.Context(), id, prod)
		ok = "Produit retiré du panier."
	default:
		_, err = s.panier.SetLigne(r.Context(), id, prod, int(qte))
	}
	redirect(w, r, "/boutique#panier", err, ok)
}

// Commander checks the cart out through the orchestrator's saga, under the
// one-time key the cart page put in its form (Idempotency-Key): submitting
// that form twice, or again after a lost answer, returns the first saga.
// A saga not over yet (202) lands on the page that follows it until it is.
func (s *Server) Commander(w http.ResponseWriter, r *http.Request) {
	cle := strings.TrimSpace(r.PostFormValue("cle"))
	if _, err := uuid.Parse(cle); err != nil {
		redirect(w, r, "/boutique#panier", formError("Ce formulaire de commande a expiré ; rien n'a été commandé. Vérifiez le panier et commandez à nouveau."), "")
		return
	}
	sg, err := s.orch.Panier(r.Context(), cle, sagaapi.DemandePanier{ClientID: clientOf(r)})
	if err != nil {
		redirect(w, r, "/boutique", err, "")
		return
	}
	redirect(w, r, sagaPage("/boutique", sg), nil, "")
}
