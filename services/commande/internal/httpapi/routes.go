// Package httpapi is the HTTP face of the commande service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/kit"
)

// Routes lists the whole API of the commande service, each route with who may
// call it: the saga (a service) writes orders; a client reads its own, a
// caissier its store's (the handler checks the order it read); the head
// office reads all and the reports. Business metrics go to reg.
func Routes(api huma.API, repo Repo, log *slog.Logger, reg prometheus.Registerer) {
	h := &handlers{repo: repo, log: log, metrics: newMetrics(reg)}
	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-commande", Method: http.MethodPost, Path: "/commandes",
		Summary: "Créer une commande (CREEE), ou l'enregistrer avec l'historique de la saga qui l'a menée", DefaultStatus: http.StatusCreated},
		kit.Services), h.create)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "list-commandes", Method: http.MethodGet, Path: "/commandes",
		Summary: "Lister les commandes, les plus récentes d'abord (sans historique)"},
		kit.ClientOf("client_id"), kit.CaissierOf("magasin_id"), kit.MaisonMere, kit.Services), h.list)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "get-commande", Method: http.MethodGet, Path: "/commande/{id}",
		Summary: "Lire une commande avec ses lignes et son historique"},
		kit.AnyClient, kit.AnyCaissier, kit.MaisonMere, kit.Services), h.get)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "transition-commande", Method: http.MethodPost, Path: "/commande/{id}/transitions",
		Summary: "Faire passer une commande à l'état suivant ou l'annuler"},
		kit.Services), h.transition)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "retour-commande", Method: http.MethodPost, Path: "/commande/{id}/retours",
		Summary: "Enregistrer le retour de produits d'une commande confirmée", DefaultStatus: http.StatusCreated},
		kit.Services), h.retourner)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "list-retours-commande", Method: http.MethodGet, Path: "/commande/{id}/retours",
		Summary: "Lister les retours d'une commande, les plus anciens d'abord"},
		kit.AnyClient, kit.AnyCaissier, kit.MaisonMere, kit.Services), h.listRetours)

	// Head-office reports: confirmed orders only, net of returns, over [depuis, jusqu_a).
	huma.Register(api, kit.Access(huma.Operation{OperationID: "rapport-ventes-par-magasin", Method: http.MethodGet, Path: "/rapports/ventes-par-magasin",
		Summary: "Chiffre d'affaires, ventes et panier moyen par magasin et en ligne"},
		kit.MaisonMere), h.ventesParMagasin)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "rapport-top-produits", Method: http.MethodGet, Path: "/rapports/top-produits",
		Summary: "Produits les plus vendus, par quantité ou par chiffre d'affaires"},
		kit.MaisonMere), h.topProduits)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "rapport-chiffre-affaires-par-jour", Method: http.MethodGet, Path: "/rapports/chiffre-affaires-par-jour",
		Summary: "Chiffre d'affaires de chaque jour (heure de Montréal), jours sans vente compris"},
		kit.MaisonMere), h.parJour)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "rapport-performance-magasins", Method: http.MethodGet, Path: "/rapports/performance-magasins",
		Summary: "Chaque magasin comparé à la moyenne de la chaîne"},
		kit.MaisonMere), h.performanceMagasins)
}
