package ui

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/stockapi"
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

// periode turns the form's dates (YYYY-MM-DD, Montréal days) into the bounds
// the reports take; jusqu_a is the day after the last one shown.
func periode(r *http.Request) (commandeapi.Periode, string, string) {
	var p commandeapi.Periode
	depuis, jusqua := r.URL.Query().Get("depuis"), r.URL.Query().Get("jusqu_a")
	if t, err := time.ParseInLocation("2006-01-02", depuis, montreal); err == nil {
		p.Depuis = t
	}
	if t, err := time.ParseInLocation("2006-01-02", jusqua, montreal); err == nil {
		p.JusquA = t.AddDate(0, 0, 1)
	}
	return p, depuis, jusqua
}

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

// MaisonMere is the head office's dashboard: the reports of commande and stock.
func (s *Server) MaisonMere(w http.ResponseWriter, r *http.Request) {
	p, depuis, jusqua := periode(r)
	var (
		ventes    commandeapi.VentesParMagasin
		jours     commandeapi.ChiffreAffairesParJour
		meilleurs commandeapi.TopProduits
		perf      commandeapi.PerformanceMagasins
		ruptures  kit.Page[stockapi.LigneRapport]
		surplus   kit.Page[stockapi.LigneRapport]
		attente   stockapi.DemandesEnAttente
		magasins  kit.Page[stockapi.Emplacement]
	)
	ctx := r.Context()
	cent := kit.PageQuery{Limit: 100}
	// The reports are independent: ask them all at once.
	appels := []func() error{
		func() (err error) { ventes, err = s.commande.RapportVentesParMagasin(ctx, p); return },
		func() (err error) {
			jours, err = s.commande.RapportChiffreAffairesParJour(ctx, commandeapi.ParJourParams{Periode: p})
			return
		},
		func() (err error) {
			meilleurs, err = s.commande.RapportTopProduits(ctx, commandeapi.TopProduitsParams{Periode: p, Limit: 10})
			return
		},
		func() (err error) { perf, err = s.commande.RapportPerformanceMagasins(ctx, p); return },
		func() (err error) {
			ruptures, err = s.stock.RapportRuptures(ctx, stockapi.RapportParams{PageQuery: cent})
			return
		},
		func() (err error) {
			surplus, err = s.stock.RapportSurplus(ctx, stockapi.RapportParams{PageQuery: cent})
			return
		},
		func() (err error) { attente, err = s.stock.RapportDemandesEnAttente(ctx, cent); return },
		func() (err error) { magasins, err = s.stock.ListMagasins(ctx, kit.PageQuery{}); return },
	}
	errs := make([]error, len(appels))
	var wg sync.WaitGroup
	for i, appel := range appels {
		wg.Go(func() { errs[i] = appel() })
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
	var erreurs []string
	produits, err := s.stock.ListProduits(r.Context(), stockapi.ListProduitsParams{Q: r.URL.Query().Get("q"),
		PageQuery: kit.PageQuery{Limit: 500}})
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "produits.html", "Catalogue", erreurs, map[string]any{"Produits": produits.Items, "Q": r.URL.Query().Get("q")})
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

// Seuils lists the replenishment thresholds of one location.
func (s *Server) Seuils(w http.ResponseWriter, r *http.Request) {
	emp, err := strconv.ParseInt(r.URL.Query().Get("emplacement_id"), 10, 64)
	if err != nil {
		emp = 1
	}
	var erreurs []string
	seuils, err := s.stock.ListSeuils(r.Context(), stockapi.SeuilsParams{EmplacementID: emp, PageQuery: kit.PageQuery{Limit: 500}})
	if err != nil {
		erreurs = append(erreurs, message(err))
	}
	s.render(w, r, "seuils.html", "Seuils de réapprovisionnement", erreurs, map[string]any{
		"Seuils": seuils.Items, "Emplacement": strconv.FormatInt(emp, 10), "Emplacements": []int{1, 2, 3, 4, 5, 6},
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
		_, err = s.stock.SetSeuil(r.Context(), emp, prod, val)
	}
	redirect(w, r, "/maison-mere/seuils?emplacement_id="+strconv.FormatInt(emp, 10), err, "Seuil enregistré.")
}
