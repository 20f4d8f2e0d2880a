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
		Summary: "Créer une commande (CREEE)", DefaultStatus: http.StatusCreated}, h.create)
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
}
