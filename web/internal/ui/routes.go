package ui

import "github.com/go-chi/chi/v5"

// Routes lists every page and form of the interface.
func Routes(r chi.Router, s *Server) {
	r.Get("/", s.Home)
	r.Get("/static/app.css", s.CSS)

	r.Get("/maison-mere", s.MaisonMere)
	r.Get("/maison-mere/produits", s.Produits)
	r.Post("/maison-mere/produits", s.CreerProduit)
	r.Post("/maison-mere/produits/{id}", s.ModifierProduit)
	r.Get("/maison-mere/seuils", s.Seuils)
	r.Post("/maison-mere/seuils", s.ModifierSeuil)

	r.Get("/magasins", s.Magasins)
	r.Get("/magasins/{id}", s.Magasin)
	r.Post("/magasins/{id}/ventes", s.Vente)
	r.Post("/magasins/{id}/retours", s.Retour)
	r.Post("/magasins/{id}/demandes", s.Demande)

	r.Get("/logistique", s.Logistique)
	r.Post("/logistique/demandes/{id}/approuver", s.Approuver)
	r.Post("/logistique/demandes/{id}/refuser", s.Refuser)

	r.Get("/boutique", s.Boutique)
	r.Post("/boutique/clients", s.CreerClient)
	r.Get("/boutique/{client_id}", s.BoutiqueClient)
	r.Post("/boutique/{client_id}/panier", s.AjouterPanier)
	r.Post("/boutique/{client_id}/panier/{produit_id}", s.ModifierPanier)
	r.Post("/boutique/{client_id}/commander", s.Commander)
}
