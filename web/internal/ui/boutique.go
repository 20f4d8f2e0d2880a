package ui

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
)

// The shop acts only for the signed-in client: its id comes from the
// verified token in the session, never from the URL or a form field.

// Boutique is the catalogue; for a signed-in client also its cart, the
// checkout and its orders.
func (s *Server) Boutique(w http.ResponseWriter, r *http.Request) {
	var erreurs []string
	note := func(err error) {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}
	ctx := r.Context()
	actif := true
	produits, err := s.stock.ListProduits(ctx, stockapi.ListProduitsParams{Q: r.URL.Query().Get("q"), Actif: &actif,
		PageQuery: kit.PageQuery{Limit: 100}})
	note(err)
	data := map[string]any{"Produits": produits.Items, "Q": r.URL.Query().Get("q")}
	if p := kit.PrincipalOf(ctx); asClient.allow(p, r) {
		id := p.ClientID
		var cl clientsapi.Compte
		cl, err = s.clients.GetClient(ctx, id)
		note(err)
		pn, err := s.panier.GetPanier(ctx, id)
		note(err)
		commandes, err := s.commande.ListCommandes(ctx, commandeapi.ListCommandesParams{ClientID: id, PageQuery: kit.PageQuery{Limit: 20}})
		note(err)
		sg, err := s.sagaLue(r)
		note(err)
		noms := map[int64]string{}
		for _, p := range produits.Items {
			noms[p.ID] = p.Nom
		}
		data["Connecte"], data["ClientID"], data["Client"] = true, id, cl
		data["Panier"], data["Noms"], data["Commandes"], data["Saga"] = pn, noms, commandes.Items, sg
		data["Cle"] = cleCommande(sg)
		s.renderSaga(w, r, "boutique.html", "Boutique en ligne", erreurs, data, sg)
		return
	}
	s.render(w, r, "boutique.html", "Boutique en ligne", erreurs, data)
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
