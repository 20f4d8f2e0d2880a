package ui

import (
	"net/http"

	"github.com/go-chi/chi/v5"

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
	}
	s.render(w, r, "boutique.html", "Boutique en ligne", erreurs, data)
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

// Commander checks the cart out through the orchestrator's saga.
func (s *Server) Commander(w http.ResponseWriter, r *http.Request) {
	sg, err := s.orch.Panier(r.Context(), "", sagaapi.DemandePanier{ClientID: clientOf(r)})
	if err != nil {
		redirect(w, r, "/boutique", err, "")
		return
	}
	redirect(w, r, sagaPage("/boutique", sg), nil, "")
}
