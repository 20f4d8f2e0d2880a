package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
	"multimagasins/kit/api/stockapi"
)

// nomMagasin names a store as stock does ("Plateau"); the online shop has no
// store id. A store stock did not list (stock down) keeps its number.
func nomMagasin(noms map[int64]string, id any) string {
	var n int64
	switch v := id.(type) {
	case *int:
		if v == nil {
			return "En ligne"
		}
		n = int64(*v)
	case int:
		n = int64(v)
	case int64:
		n = v
	}
	if nom, ok := noms[n]; ok {
		return nom
	}
	return "Magasin " + strconv.FormatInt(n, 10)
}

// MaisonMere is the head office's dashboard: the reports of commande and
// stock over a period, each as a chart, a table and a CSV export.
func (s *Server) MaisonMere(w http.ResponseWriter, r *http.Request) {
	p, err := lirePeriode(r.URL.Query(), time.Now())
	t, erreurs := s.charger(r.Context(), p, tousLesRapports...)
	if err != nil {
		erreurs = append([]string{message(err)}, erreurs...)
	}
	exports := make(map[string]string, len(tousLesRapports))
	for _, rp := range tousLesRapports {
		exports[string(rp)] = lienExport(rp, p)
	}
	s.render(w, r, "maison-mere.html", "Maison mère", erreurs, map[string]any{
		"T": t, "P": p, "Exports": exports,
		"Jours": courbesJours(t), "GraphVentes": barresVentes(t), "GraphMeilleurs": barresMeilleurs(t),
	})
}

// lireProduit reads the product form; an unchecked actif box is false, not "default".
func lireProduit(r *http.Request) (stockapi.ProduitFields, error) {
	actif := r.PostFormValue("actif") != ""
	p := stockapi.ProduitFields{
		Nom: strings.TrimSpace(r.PostFormValue("nom")), Categorie: strings.TrimSpace(r.PostFormValue("categorie")),
		Description: r.PostFormValue("description"), Actif: &actif,
	}
	prix, err := kit.ParseCents(strings.Replace(strings.TrimSpace(r.PostFormValue("prix")), ",", ".", 1))
	if err != nil {
		return p, formError("Le prix doit être un montant comme 12,50.")
	}
	p.Prix = prix
	return p, nil
}

// CreerProduit posts a new product to stock.
func (s *Server) CreerProduit(w http.ResponseWriter, r *http.Request) {
	p, err := lireProduit(r)
	if err == nil {
		_, err = s.stock.CreateProduit(r.Context(), p)
	}
	redirect(w, r, "/maison-mere/produits", err, "Produit créé.")
}

// ModifierProduit replaces a product; the name is kept from the current record.
func (s *Server) ModifierProduit(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "produit")
	var p stockapi.ProduitFields
	if err == nil {
		p, err = lireProduit(r)
	}
	if err == nil && p.Nom == "" {
		var actuel stockapi.Produit
		actuel, err = s.stock.GetProduit(r.Context(), id)
		p.Nom = actuel.Nom
	}
	if err == nil {
		_, err = s.stock.UpdateProduit(r.Context(), id, p)
	}
	redirect(w, r, "/maison-mere/produits", err, "Produit modifié.")
}

// ModifierSeuil sets one threshold.
func (s *Server) ModifierSeuil(w http.ResponseWriter, r *http.Request) {
	emp, err := entier(r.PostFormValue("emplacement_id"), "emplacement")
	var prod, val int64
	if err == nil {
		prod, err = entier(r.PostFormValue("produit_id"), "produit")
	}
	if err == nil {
		val, err = entier(r.PostFormValue("seuil"), "seuil")
	}
	if err == nil {
		_, err = s.stock.SetSeuil(r.Context(), emp, prod, val)
	}
	redirect(w, r, "/maison-mere/seuils?emplacement_id="+strconv.FormatInt(emp, 10), err, "Seuil enregistré.")
}
