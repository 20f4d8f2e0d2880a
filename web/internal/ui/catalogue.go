package ui

import (
	"net/http"
	"strconv"

	"multimagasins/kit"
	"multimagasins/kit/api/stockapi"
)

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

// ligneSeuil is one product's threshold at a location, named, beside what
// the location has of it now.
type ligneSeuil struct {
	stockapi.Seuil
	Produit    string
	Disponible int64
	Connu      bool // the location holds the product (a stock row exists)
	Sous       bool // disponible is under the threshold
}

// emplacementChoix is one entry of the location picker.
type emplacementChoix struct {
	ID  int64
	Nom string
}

// Seuils lists the replenishment thresholds of one location, each product
// by its name, with the location's stock of it. The location picker names
// the stores as stock does.
func (s *Server) Seuils(w http.ResponseWriter, r *http.Request) {
	emp, err := strconv.ParseInt(r.URL.Query().Get("emplacement_id"), 10, 64)
	if err != nil || emp < 1 {
		emp = 1
	}
	ctx := r.Context()
	var (
		seuils   kit.Page[stockapi.Seuil]
		produits kit.Page[stockapi.Produit]
		magasins kit.Page[stockapi.Emplacement]
		niveaux  kit.Page[stockapi.Niveau]
	)
	cinqCents := kit.PageQuery{Limit: 500}
	erreurs := ensemble(
		func() (err error) {
			seuils, err = s.stock.ListSeuils(ctx, stockapi.SeuilsParams{EmplacementID: emp, PageQuery: cinqCents})
			return
		},
		func() (err error) {
			produits, err = s.stock.ListProduits(ctx, stockapi.ListProduitsParams{PageQuery: cinqCents})
			return
		},
		func() (err error) { magasins, err = s.stock.ListMagasins(ctx, kit.PageQuery{}); return },
		func() (err error) {
			if emp == stockapi.CentreID {
				niveaux, err = s.stock.StockLogistique(ctx, stockapi.StockParams{PageQuery: cinqCents})
			} else {
				niveaux, err = s.stock.StockMagasin(ctx, emp, stockapi.StockParams{PageQuery: cinqCents})
			}
			return
		},
	)

	noms := make(map[int64]string, len(produits.Items))
	for _, p := range produits.Items {
		noms[p.ID] = p.Nom
	}
	dispo := make(map[int64]int64, len(niveaux.Items))
	for _, n := range niveaux.Items {
		dispo[n.ProduitID] = n.Disponible
		if _, ok := noms[n.ProduitID]; !ok {
			noms[n.ProduitID] = n.Nom
		}
	}
	lignes := make([]ligneSeuil, 0, len(seuils.Items))
	for _, sl := range seuils.Items {
		d, connu := dispo[sl.ProduitID]
		lignes = append(lignes, ligneSeuil{Seuil: sl, Produit: nomProduit(noms, sl.ProduitID), Disponible: d, Connu: connu,
			Sous: connu && d < sl.Seuil})
	}
	choix := make([]emplacementChoix, 0, len(magasins.Items)+1)
	for _, m := range magasins.Items {
		choix = append(choix, emplacementChoix{ID: m.ID, Nom: m.Nom})
	}
	if len(magasins.Items) == 0 { // stock did not answer: the five stores still, by number
		for id := int64(1); id < stockapi.CentreID; id++ {
			choix = append(choix, emplacementChoix{ID: id, Nom: nomMagasin(nil, id)})
		}
	}
	choix = append(choix, emplacementChoix{ID: stockapi.CentreID, Nom: nomCentre})
	s.render(w, r, "seuils.html", "Seuils de réapprovisionnement", erreurs, map[string]any{
		"Seuils": lignes, "Emplacement": emp, "Nom": nomMagasin(nomsEmplacements(magasins.Items), emp), "Emplacements": choix,
	})
}
