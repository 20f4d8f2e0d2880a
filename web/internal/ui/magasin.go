package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
)

// lignesVente is how many product rows the counter-sale form offers.
const lignesVente = 5

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

// Magasin is one store's page: stock and supply requests, and for that
// store's caissier the till (counter sale, return). The head office sees
// every store but sells at none.
func (s *Server) Magasin(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "magasin")
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
	mag, err := s.stock.GetMagasin(ctx, id)
	note(err)
	stock, err := s.stock.StockMagasin(ctx, id, stockapi.StockParams{Q: r.URL.Query().Get("q"), PageQuery: kit.PageQuery{Limit: 500}})
	note(err)
	demandes, err := s.stock.ListDemandes(ctx, stockapi.DemandesParams{MagasinID: id, PageQuery: kit.PageQuery{Limit: 50}})
	note(err)
	sg, err := s.sagaLue(r)
	note(err)
	s.renderSaga(w, r, "magasin.html", "Magasin "+strconv.FormatInt(id, 10), erreurs, map[string]any{
		"ID": id, "Magasin": mag, "Stock": stock.Items, "Demandes": demandes.Items, "Saga": sg,
		"Q": r.URL.Query().Get("q"), "Lignes": make([]int, lignesVente),
		"Caisse": atTill.allow(kit.PrincipalOf(ctx), r), "Liste": kit.PrincipalOf(ctx).Has(kit.RoleMaisonMere),
	}, sg)
}

// lignesFormulaire reads the produit_id / quantite rows, skipping empty ones.
func lignesFormulaire(r *http.Request) ([]sagaapi.LigneDemandee, error) {
	ids, qtes := r.PostForm["produit_id"], r.PostForm["quantite"]
	var out []sagaapi.LigneDemandee
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
		out = append(out, sagaapi.LigneDemandee{ProduitID: id, Quantite: int(n)})
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
	var lignes []sagaapi.LigneDemandee
	if err == nil {
		lignes, err = lignesFormulaire(r)
	}
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	sg, err := s.orch.Vente(r.Context(), "", sagaapi.DemandeVente{MagasinID: int(id), Produits: lignes,
		Methode: r.PostFormValue("methode")})
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	redirect(w, r, sagaPage(base, sg), nil, "")
}

// Retour runs a return saga for one product of an order, or for everything
// not yet returned when no product is named.
func (s *Server) Retour(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "magasin")
	base := "/magasins/" + strconv.FormatInt(id, 10)
	var d sagaapi.DemandeRetour
	if err == nil {
		d.CommandeID, err = uuid.Parse(strings.TrimSpace(r.PostFormValue("commande_id")))
		if err != nil {
			err = formError("Le champ « commande » doit être un numéro de commande (UUID).")
		}
	}
	if err == nil && strings.TrimSpace(r.PostFormValue("produit_id")) != "" {
		var prod, qte int64
		prod, err = entier(r.PostFormValue("produit_id"), "produit")
		if err == nil {
			qte, err = entier(r.PostFormValue("quantite"), "quantité")
		}
		d.Lignes = []sagaapi.LigneDemandee{{ProduitID: prod, Quantite: int(qte)}}
	}
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	sg, err := s.orch.Retour(r.Context(), "", d)
	if err != nil {
		redirect(w, r, base, err, "")
		return
	}
	redirect(w, r, sagaPage(base, sg), nil, "")
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
