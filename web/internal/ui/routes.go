package ui

import "github.com/go-chi/chi/v5"

// Routes lists every page and form of the interface, each with who may use
// it (connexion.go). The services check the same again on every call, with
// the person's own token. Serve the router through Server.Protect.
func Routes(r chi.Router, s *Server) {
	r.Get("/static/app.css", s.CSS)
	r.Get("/static/app.js", s.JS)
	// A product's picture, drawn here (boutique_images.go), for anyone. Like
	// the static files it reads no session: a page loads a dozen at once, and
	// each would otherwise be a chance to refresh the same session's tokens.
	r.Get("/boutique/images/{produit_id}.svg", s.ImageProduit)

	r.Group(func(r chi.Router) {
		r.Use(s.withSession)

		// Anyone.
		r.Get("/", s.Home)
		r.Get("/connexion", s.Connexion)
		r.Post("/connexion", s.Connecter)
		r.Post("/deconnexion", s.Deconnecter)
		r.Get("/inscription", s.Inscription)
		r.Post("/inscription", s.Inscrire)
		// The catalogue for anyone; a client also sees its cart and orders.
		r.Get("/boutique", s.Boutique)

		// The signed-in client, and only as itself: no client id in any URL.
		r.With(s.only(asClient)).Post("/boutique/panier", s.AjouterPanier)
		r.With(s.only(asClient)).Post("/boutique/panier/{produit_id}", s.ModifierPanier)
		r.With(s.only(asClient)).Post("/boutique/commander", s.Commander)
		r.With(s.only(asClient)).Get("/boutique/commandes", s.Commandes)
		r.With(s.only(asClient)).Get("/boutique/commandes/{id}", s.Commande)

		r.With(s.only(asMaisonMere)).Get("/maison-mere", s.MaisonMere)
		r.With(s.only(asMaisonMere)).Get("/maison-mere/export/{rapport}.csv", s.ExporterMaisonMere)
		r.With(s.only(asMaisonMere)).Get("/maison-mere/produits", s.Produits)
		r.With(s.only(asMaisonMere)).Post("/maison-mere/produits", s.CreerProduit)
		r.With(s.only(asMaisonMere)).Post("/maison-mere/produits/{id}", s.ModifierProduit)
		r.With(s.only(asMaisonMere)).Get("/maison-mere/seuils", s.Seuils)
		r.With(s.only(asMaisonMere)).Post("/maison-mere/seuils", s.ModifierSeuil)
		r.With(s.only(asMaisonMere)).Get("/maison-mere/sagas", s.SagasAVerifier)

		r.With(s.only(asStoreStaff)).Get("/magasins", s.Magasins)
		r.With(s.only(viewsStore)).Get("/magasins/{id}", s.Magasin)
		r.With(s.only(atTill)).Post("/magasins/{id}/ventes", s.Vente)
		// A store's sales: the head office reads them too; only the store's
		// caissier takes goods back.
		r.With(s.only(viewsStore)).Get("/magasins/{id}/ventes", s.Ventes)
		r.With(s.only(viewsStore)).Get("/magasins/{id}/ventes/{commande}", s.Recu)
		r.With(s.only(atTill)).Get("/magasins/{id}/ventes/{commande}/retour", s.RetourPage)
		r.With(s.only(atTill)).Post("/magasins/{id}/ventes/{commande}/retour", s.Retour)
		r.With(s.only(viewsStore)).Post("/magasins/{id}/demandes", s.Demande)

		r.With(s.only(asLogistique)).Get("/logistique", s.Logistique)
		r.With(s.only(asLogistique)).Post("/logistique/demandes/approuver", s.ApprouverSelection)
		r.With(s.only(asLogistique)).Post("/logistique/demandes/{id}/approuver", s.Approuver)
		r.With(s.only(asLogistique)).Post("/logistique/demandes/{id}/refuser", s.Refuser)
	})
}
