package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Boutique lets a shopper create an account or pick an existing one.
func (s *Server) Boutique(w http.ResponseWriter, r *http.Request) {
	var clients page[client]
	var erreurs []string
	q := url.Values{"limit": {"50"}}
	if v := r.URL.Query().Get("q"); v != "" {
		q.Set("q", v)
	}
	if err := s.clients.Do(r.Context(), http.MethodGet, "/clients?"+q.Encode(), nil, &clients, nil); err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "boutique.html", "Boutique en ligne", erreurs, map[string]any{"Clients": clients.Items, "Q": r.URL.Query().Get("q")})
}

// CreerClient opens an account, then goes to that client's shop.
func (s *Server) CreerClient(w http.ResponseWriter, r *http.Request) {
	body := map[string]string{"nom": strings.TrimSpace(r.PostFormValue("nom")), "email": strings.TrimSpace(r.PostFormValue("email"))}
	for _, k := range []string{"telephone", "adresse"} {
		if v := strings.TrimSpace(r.PostFormValue(k)); v != "" {
			body[k] = v
		}
	}
	var c client
	if err := s.clients.Do(r.Context(), http.MethodPost, "/clients", body, &c, nil); err != nil {
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
	cid := strconv.FormatInt(id, 10)
	var (
		erreurs   []string
		cl        client
		produits  page[produit]
		pn        panier
		commandes page[commande]
	)
	note := func(err error) {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}
	note(s.clients.Do(r.Context(), http.MethodGet, "/clients/"+cid, nil, &cl, nil))
	pq := url.Values{"limit": {"100"}, "actif": {"true"}}
	if v := r.URL.Query().Get("q"); v != "" {
		pq.Set("q", v)
	}
	note(s.stock.Do(r.Context(), http.MethodGet, "/produits?"+pq.Encode(), nil, &produits, nil))
	note(s.panier.Do(r.Context(), http.MethodGet, "/panier/"+cid, nil, &pn, nil))
	note(s.commande.Do(r.Context(), http.MethodGet, "/commandes?limit=20&client_id="+cid, nil, &commandes, nil))
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
		err = s.panier.Do(r.Context(), http.MethodPost, "/panier",
			map[string]int64{"client_id": id, "produit_id": prod, "quantite": qte}, nil, nil)
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
	path := "/panier/" + strconv.FormatInt(id, 10) + "/lignes/" + strconv.FormatInt(prod, 10)
	ok := "Panier mis à jour."
	if err == nil && r.PostFormValue("action") != "retirer" {
		qte, err = entier(r.PostFormValue("quantite"), "quantité")
	}
	switch {
	case err != nil:
	case r.PostFormValue("action") == "retirer" || qte == 0:
		err = s.panier.Do(r.Context(), http.MethodDelete, path, nil, nil, nil)
		ok = "Produit retiré du panier."
	default:
		err = s.panier.Do(r.Context(), http.MethodPut, path, map[string]int64{"quantite": qte}, nil, nil)
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
	sg, err := s.postSaga(r.Context(), "/commande", map[string]int64{"client_id": id})
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	redirect(w, r, base+"?saga="+url.QueryEscape(sg.SagaID)+"#saga-resultat", nil, "")
}
