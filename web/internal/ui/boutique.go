package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
)

// Boutique lets a shopper create an account or pick an existing one.
func (s *Server) Boutique(w http.ResponseWriter, r *http.Request) {
	var erreurs []string
	clients, err := s.clients.ListClients(r.Context(), clientsapi.ListClientsParams{Q: r.URL.Query().Get("q"),
		PageQuery: kit.PageQuery{Limit: 50}})
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "boutique.html", "Boutique en ligne", erreurs, map[string]any{"Clients": clients.Items, "Q": r.URL.Query().Get("q")})
}

// CreerClient opens an account, then goes to that client's shop.
func (s *Server) CreerClient(w http.ResponseWriter, r *http.Request) {
	c, err := s.clients.CreateClient(r.Context(), clientsapi.Fields{
		Nom: strings.TrimSpace(r.PostFormValue("nom")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Telephone: strings.TrimSpace(r.PostFormValue("telephone")), Adresse: strings.TrimSpace(r.PostFormValue("adresse")),
	})
	if err != nil {
		redirect(w, r, "/boutique", err, "")
		return
	}
	redirect(w, r, "/boutique/"+strconv.FormatInt(c.ID, 10), nil, "Compte créé. Bienvenue !")
}

// BoutiqueClient is one client's shop: catalogue, cart, checkout, orders.
func (s *Server) BoutiqueClient(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "client_id"), "client")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var erreurs []string
	note := func(err error) {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}
	ctx := r.Context()
	cl, err := s.clients.GetClient(ctx, id)
	note(err)
	actif := true
	produits, err := s.stock.ListProduits(ctx, stockapi.ListProduitsParams{Q: r.URL.Query().Get("q"), Actif: &actif,
		PageQuery: kit.PageQuery{Limit: 100}})
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
	s.render(w, r, "boutique-client.html", "Boutique — "+cl.Nom, erreurs, map[string]any{
		"ID": id, "Client": cl, "Produits": produits.Items, "Panier": pn, "Noms": noms,
		"Commandes": commandes.Items, "Saga": sg, "Q": r.URL.Query().Get("q"),
	})
}

// AjouterPanier adds a product to the cart.
func (s *Server) AjouterPanier(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "client_id"), "client")
	base := "/boutique/" + strconv.FormatInt(id, 10)
	var prod, qte int64
	if err == nil {
		prod, err = entier(r.PostFormValue("produit_id"), "produit")
	}
	if err == nil {
		qte, err = entier(r.PostFormValue("quantite"), "quantité")
	}
	if err == nil {
		_, _, err = s.panier.AddLigne(r.Context(), panierapi.Ajout{ClientID: id, ProduitID: prod, Quantite: int(qte)})
	}
	redirect(w, r, base+"#panier", err, "Produit ajouté au panier.")
}

// ModifierPanier changes a line's quantity, or removes it (the Retirer button
// or a quantity of 0).
func (s *Server) ModifierPanier(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "client_id"), "client")
	base := "/boutique/" + strconv.FormatInt(id, 10)
	var prod, qte int64
	if err == nil {
		prod, err = entier(chi.URLParam(r, "produit_id"), "produit")
	}
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
	redirect(w, r, base+"#panier", err, ok)
}

// Commander checks the cart out through the orchestrator's saga.
func (s *Server) Commander(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "client_id"), "client")
	base := "/boutique/" + strconv.FormatInt(id, 10)
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	sg, err := s.orch.Panier(r.Context(), "", sagaapi.DemandePanier{ClientID: id})
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	redirect(w, r, sagaPage(base, sg), nil, "")
}
