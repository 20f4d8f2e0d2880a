// Package httpapi is the HTTP face of the clients service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Routes lists the whole API of the clients service.
func Routes(api huma.API, repo Repo, log *slog.Logger) {
	h := &handlers{repo: repo, log: log}
	huma.Register(api, huma.Operation{OperationID: "list-clients", Method: http.MethodGet, Path: "/clients",
		Summary: "Lister les clients (recherche par nom ou email)"}, h.list)
	huma.Register(api, huma.Operation{OperationID: "create-client", Method: http.MethodPost, Path: "/clients",
		Summary: "Créer un client", DefaultStatus: http.StatusCreated}, h.create)
	huma.Register(api, huma.Operation{OperationID: "get-client", Method: http.MethodGet, Path: "/clients/{id}",
		Summary: "Lire un client"}, h.get)
	huma.Register(api, huma.Operation{OperationID: "update-client", Method: http.MethodPut, Path: "/clients/{id}",
		Summary: "Modifier un client"}, h.update)
	huma.Register(api, huma.Operation{OperationID: "delete-client", Method: http.MethodDelete, Path: "/clients/{id}",
		Summary: "Supprimer un client", DefaultStatus: http.StatusNoContent}, h.remove)
}
