// Package httpapi is the HTTP face of the commande service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Routes lists the whole API of the commande service. Business metrics go to reg.
func Routes(api huma.API, repo Repo, log *slog.Logger, reg prometheus.Registerer) {
	h := &handlers{repo: repo, log: log, metrics: newMetrics(reg)}
	huma.Register(api, huma.Operation{OperationID: "create-commande", Method: http.MethodPost, Path: "/commandes",
		Summary: "Créer une commande (CREEE), ou l'enregistrer avec l'historique de la saga qui l'a menée", DefaultStatus: http.StatusCreated}, h.create)
	huma.Register(api, huma.Operation{OperationID: "list-commandes", Method: http.MethodGet, Path: "/commandes",
		Summary: "Lister les commandes, les plus récentes d'abord (sans historique)"}, h.list)
	huma.Register(api, huma.Operation{OperationID: "get-commande", Method: http.MethodGet, Path: "/commande/{id}",
		Summary: "Lire une commande avec ses lignes et son historique"}, h.get)
	huma.Register(api, huma.Operation{OperationID: "transition-commande", Method: http.MethodPost, Path: "/commande/{id}/transitions",
		Summary: "Faire passer une commande à l'état suivant ou l'annuler"}, h.transition)
	huma.Register(api, huma.Operation{OperationID: "retour-commande", Method: http.MethodPost, Path: "/commande/{id}/retours",
		Summary: "Enregistrer le retour de produits d'une commande confirmée", DefaultStatus: http.StatusCreated}, h.retourner)
	huma.Register(api, huma.Operation{OperationID: "list-retours-commande", Method: http.MethodGet, Path: "/commande/{id}/retours",
		Summary: "Lister les retours d'une commande, les plus anciens d'abord"}, h.listRetours)

	// Head-office reports: confirmed orders only, net of returns, over [depuis, jusqu_a).
	huma.Register(api, huma.Operation{OperationID: "rapport-ventes-par-magasin", Method: http.MethodGet, Path: "/rapports/ventes-par-magasin",
		Summary: "Chiffre d'affaires, ventes et panier moyen par magasin et en ligne"}, h.ventesParMagasin)
	huma.Register(api, huma.Operation{OperationID: "rapport-top-produits", Method: http.MethodGet, Path: "/rapports/top-produits",
		Summary: "Produits les plus vendus, par quantité ou par chiffre d'affaires"}, h.topProduits)
	huma.Register(api, huma.Operation{OperationID: "rapport-chiffre-affaires-par-jour", Method: http.MethodGet, Path: "/rapports/chiffre-affaires-par-jour",
		Summary: "Chiffre d'affaires de chaque jour (heure de Montréal), jours sans vente compris"}, h.parJour)
	huma.Register(api, huma.Operation{OperationID: "rapport-performance-magasins", Method: http.MethodGet, Path: "/rapports/performance-magasins",
		Summary: "Chaque magasin comparé à la moyenne de la chaîne"}, h.performanceMagasins)
}
