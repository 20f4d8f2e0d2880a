package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
)

// barre is one bar of a server-rendered SVG chart.
type barre struct {
	Libelle string
	Valeur  string
	Largeur int // in the chart's 0–300 user units
	Y       int
}

type graphique struct {
	Titre   string
	Barres  []barre
	Hauteur int
}

const hauteurBarre = 22

func nouveauGraphique(titre string, libelles, valeurs []string, mesures []int64) graphique {
	var plus int64
	for _, m := range mesures {
		plus = max(plus, m)
	}
	g := graphique{Titre: titre, Hauteur: len(mesures)*hauteurBarre + 4}
	for i, m := range mesures {
		w := 0
		if plus > 0 && m > 0 {
			w = int(m * 300 / plus)
		}
		g.Barres = append(g.Barres, barre{Libelle: libelles[i], Valeur: valeurs[i], Largeur: w, Y: i * hauteurBarre})
	}
	return g
}

// periode turns the form's dates (YYYY-MM-DD, Montréal days) into the RFC 3339
// bounds the reports take; jusqu_a is the day after the last one shown.
func periode(r *http.Request) (url.Values, string, string) {
	q := url.Values{}
	depuis, jusqua := r.URL.Query().Get("depuis"), r.URL.Query().Get("jusqu_a")
	if t, err := time.ParseInLocation("2006-01-02", depuis, montreal); err == nil {
		q.Set("depuis", t.Format(time.RFC3339))
	}
	if t, err := time.ParseInLocation("2006-01-02", jusqua, montreal); err == nil {
		q.Set("jusqu_a", t.AddDate(0, 0, 1).Format(time.RFC3339))
	}
	return q, depuis, jusqua
}

// nomMagasin names a store as stock does ("Plateau"); the online shop has no
// store id. A store stock did not list (stock down) keeps its number.
func nomMagasin(noms map[int64]string, id any) string {
	var n int64
	switch v := id.(type) {
	case *int64:
		if v == nil {
			return "En ligne"
		}
		n = *v
	case int64:
		n = v
	}
	if nom, ok := noms[n]; ok {
		return nom
	}
	return "Magasin " + strconv.FormatInt(n, 10)
}

// MaisonMere is the head office's dashboard: the reports of commande and stock.
func (s *Server) MaisonMere(w http.ResponseWriter, r *http.Request) {
	q, depuis, jusqua := periode(r)
	suffixe := ""
	if len(q) > 0 {
		suffixe = "?" + q.Encode()
	}
	top := url.Values{"limit": {"10"}}
	for k, v := range q {
		top[k] = v
	}
	var (
		ventes    ventesParMagasin
		jours     parJour
		meilleurs topProduits
		perf      performance
		ruptures  page[rupture]
		surplus   page[rupture]
		attente   demandesEnAttente
		magasins  page[magasin]
	)
	appels := []struct {
		c    *kit.Client
		path string
		out  any
	}{
		{s.commande, "/rapports/ventes-par-magasin" + suffixe, &ventes},
		{s.commande, "/rapports/chiffre-affaires-par-jour" + suffixe, &jours},
		{s.commande, "/rapports/top-produits?" + top.Encode(), &meilleurs},
		{s.commande, "/rapports/performance-magasins" + suffixe, &perf},
		{s.stock, "/rapports/ruptures?limit=100", &ruptures},
		{s.stock, "/rapports/surplus?limit=100", &surplus},
		{s.stock, "/rapports/demandes-en-attente?limit=100", &attente},
		{s.stock, "/magasins", &magasins},
	}
	errs := make([]error, len(appels))
	var wg sync.WaitGroup
	for i, a := range appels {
		wg.Go(func() { errs[i] = a.c.Do(r.Context(), http.MethodGet, a.path, nil, a.out, nil) })
	}
	wg.Wait()
	var erreurs []string
	for _, err := range errs {
		if err != nil {
			erreurs = append(erreurs, message(err))
		}
	}

	noms := make(map[int64]string, len(magasins.Items))
	for _, m := range magasins.Items {
		noms[m.ID] = m.Nom
	}
	var lib, val []string
	var mes []int64
	for _, m := range ventes.Magasins {
		lib = append(lib, nomMagasin(noms, m.MagasinID))
		val = append(val, argent(m.ChiffreAffaires))
		mes = append(mes, int64(m.ChiffreAffaires))
	}
	gVentes := nouveauGraphique("Chiffre d'affaires par magasin", lib, val, mes)
	lib, val, mes = nil, nil, nil
	for _, j := range jours.Jours {
		lib = append(lib, j.Jour)
		val = append(val, argent(j.ChiffreAffaires))
		mes = append(mes, int64(j.ChiffreAffaires))
	}
	gJours := nouveauGraphique("Chiffre d'affaires par jour", lib, val, mes)

	s.render(w, r, "maison-mere.html", "Maison mère", erreurs, map[string]any{
		"Depuis": depuis, "JusquA": jusqua,
		"Ventes": ventes, "GraphVentes": gVentes, "GraphJours": gJours,
		"Top": meilleurs, "Perf": perf, "Ruptures": ruptures, "Surplus": surplus, "Attente": attente,
		"Noms": noms,
	})
}

// Produits lists the catalogue with a create form and one edit form per product.
func (s *Server) Produits(w http.ResponseWriter, r *http.Request) {
	var produits page[produit]
	var erreurs []string
	q := url.Values{"limit": {"500"}}
	if v := r.URL.Query().Get("q"); v != "" {
		q.Set("q", v)
	}
	if err := s.stock.Do(r.Context(), http.MethodGet, "/produits?"+q.Encode(), nil, &produits, nil); err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "produits.html", "Catalogue", erreurs, map[string]any{"Produits": produits.Items, "Q": r.URL.Query().Get("q")})
}

type produitForm struct {
	Nom         string    `json:"nom,omitempty"`
	Categorie   string    `json:"categorie"`
	Prix        kit.Cents `json:"prix"`
	Description string    `json:"description"`
	Actif       bool      `json:"actif"`
}

func lireProduit(r *http.Request) (produitForm, error) {
	p := produitForm{
		Nom: strings.TrimSpace(r.PostFormValue("nom")), Categorie: strings.TrimSpace(r.PostFormValue("categorie")),
		Description: r.PostFormValue("description"), Actif: r.PostFormValue("actif") != "",
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
		err = s.stock.Do(r.Context(), http.MethodPost, "/produits", p, nil, nil)
	}
	redirect(w, r, "/maison-mere/produits", err, "Produit créé.")
}

// ModifierProduit replaces a product; the name is kept from the current record.
func (s *Server) ModifierProduit(w http.ResponseWriter, r *http.Request) {
	id, err := entier(chi.URLParam(r, "id"), "produit")
	var p produitForm
	if err == nil {
		p, err = lireProduit(r)
	}
	if err == nil && p.Nom == "" {
		var actuel produit
		err = s.stock.Do(r.Context(), http.MethodGet, "/produits/"+strconv.FormatInt(id, 10), nil, &actuel, nil)
		p.Nom = actuel.Nom
	}
	if err == nil {
		err = s.stock.Do(r.Context(), http.MethodPut, "/produits/"+strconv.FormatInt(id, 10), p, nil, nil)
	}
	redirect(w, r, "/maison-mere/produits", err, "Produit modifié.")
}

// Seuils lists the replenishment thresholds of one location.
func (s *Server) Seuils(w http.ResponseWriter, r *http.Request) {
	emp := r.URL.Query().Get("emplacement_id")
	if _, err := strconv.Atoi(emp); err != nil {
		emp = "1"
	}
	var seuils page[seuil]
	var erreurs []string
	if err := s.stock.Do(r.Context(), http.MethodGet, "/seuils?limit=500&emplacement_id="+emp, nil, &seuils, nil); err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "seuils.html", "Seuils de réapprovisionnement", erreurs, map[string]any{
		"Seuils": seuils.Items, "Emplacement": emp, "Emplacements": []int{1, 2, 3, 4, 5, 6},
	})
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
		path := "/emplacements/" + strconv.FormatInt(emp, 10) + "/seuils/" + strconv.FormatInt(prod, 10)
		err = s.stock.Do(r.Context(), http.MethodPut, path, map[string]int64{"seuil": val}, nil, nil)
	}
	redirect(w, r, "/maison-mere/seuils?emplacement_id="+strconv.FormatInt(emp, 10), err, "Seuil enregistré.")
}
