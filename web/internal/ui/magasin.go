package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// lignesVente is how many product rows the counter-sale form offers.
const lignesVente = 5

// Magasins lets the user choose a store.
func (s *Server) Magasins(w http.ResponseWriter, r *http.Request) {
	var magasins page[magasin]
	var erreurs []string
	if err := s.stock.Do(r.Context(), http.MethodGet, "/magasins", nil, &magasins, nil); err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "magasins.html", "Magasins", erreurs, magasins.Items)
}

// Magasin is one store's page: stock, counter sale, return, supply requests.
func (s *Server) Magasin(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "magasin")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	base := "/magasins/" + strconv.FormatInt(id, 10)
	var (
		erreurs  []string
		mag      magasin
		stock    page[stockLigne]
		demandes page[demande]
	)
	note := func(err error) {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}
	note(s.stock.Do(r.Context(), http.MethodGet, base, nil, &mag, nil))
	sq := url.Values{"limit": {"500"}}
	if q := r.URL.Query().Get("q"); q != "" {
		sq.Set("q", q)
	}
	note(s.stock.Do(r.Context(), http.MethodGet, base+"/stock?"+sq.Encode(), nil, &stock, nil))
	note(s.stock.Do(r.Context(), http.MethodGet, "/demandes?limit=50&magasin_id="+strconv.FormatInt(id, 10), nil, &demandes, nil))
	sg, err := s.sagaLue(r)
	note(err)
	s.render(w, r, "magasin.html", "Magasin "+strconv.FormatInt(id, 10), erreurs, map[string]any{
		"ID": id, "Magasin": mag, "Stock": stock.Items, "Demandes": demandes.Items, "Saga": sg,
		"Q": r.URL.Query().Get("q"), "Lignes": make([]int, lignesVente),
	})
}

// lignesFormulaire reads the produit_id / quantite rows, skipping empty ones.
func lignesFormulaire(r *http.Request) ([]ligne, error) {
	ids, qtes := r.PostForm["produit_id"], r.PostForm["quantite"]
	var out []ligne
	for i, idTexte := range ids {
		if strings.TrimSpace(idTexte) == "" {
			continue
		}
		id, err := entier(idTexte, "produit")
		if err != nil {
			return nil, err
		}
		q := ""
		if i < len(qtes) {
			q = qtes[i]
		}
		n, err := entier(q, "quantité")
		if err != nil {
			return nil, err
		}
		out = append(out, ligne{ProduitID: id, Quantite: int(n)})
	}
	if len(out) == 0 {
		return nil, formError("Choisissez au moins un produit.")
	}
	return out, nil
}

// Vente runs a counter sale through the orchestrator's saga.
func (s *Server) Vente(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "magasin")
	base := "/magasins/" + strconv.FormatInt(id, 10)
	if err == nil {
		err = r.ParseForm()
	}
	var lignes []ligne
	if err == nil {
		lignes, err = lignesFormulaire(r)
	}
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	sg, err := s.postSaga(r.Context(), "/saga/vente", map[string]any{
		"magasin_id": id, "produits": lignes, "methode": r.PostFormValue("methode"),
	})
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	redirect(w, r, base+"?saga="+url.QueryEscape(sg.SagaID)+"#saga-resultat", nil, "")
}

// Retour runs a return saga for one product of an order.
func (s *Server) Retour(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "magasin")
	base := "/magasins/" + strconv.FormatInt(id, 10)
	body := map[string]any{"commande_id": strings.TrimSpace(r.PostFormValue("commande_id"))}
	if err == nil && strings.TrimSpace(r.PostFormValue("produit_id")) != "" {
		var prod, qte int64
		prod, err = entier(r.PostFormValue("produit_id"), "produit")
		if err == nil {
			qte, err = entier(r.PostFormValue("quantite"), "quantité")
		}
		body["lignes"] = []ligne{{ProduitID: prod, Quantite: int(qte)}}
	}
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	sg, err := s.postSaga(r.Context(), "/saga/retour", body)
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	redirect(w, r, base+"?saga="+url.QueryEscape(sg.SagaID)+"#saga-resultat", nil, "")
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
		body := map[string]any{"produit_id": prod, "quantite": qte}
		if m := strings.TrimSpace(r.PostFormValue("motif")); m != "" {
			body["motif"] = m
		}
		err = s.stock.Do(r.Context(), http.MethodPost, base+"/demandes", body, nil, nil)
	}
	redirect(w, r, base+"#demandes", err, "Demande envoyée au centre logistique.")
}
