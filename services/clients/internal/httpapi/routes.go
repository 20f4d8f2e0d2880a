// Package httpapi is the HTTP face of the clients service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"multimagasins/kit"
)

// Routes lists the whole API of the clients service, each route with who
// may call it. Customers sign up at identite's /auth/inscription, which
// creates their account here as a service.
func Routes(api huma.API, repo Repo, log *slog.Logger) {
	h := &handlers{repo: repo, log: log}
	huma.Register(api, kit.Access(huma.Operation{OperationID: "list-clients", Method: http.MethodGet, Path: "/clients",
		Summary: "Lister les clients (recherche par nom ou email)"},
		kit.MaisonMere, kit.Services), h.list)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-client", Method: http.MethodPost, Path: "/clients",
		Summary: "Créer un client (idempotent par Idempotency-Key)", DefaultStatus: http.StatusCreated},
		kit.MaisonMere, kit.Services), h.create)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "get-client", Method: http.MethodGet, Path: "/clients/{id}",
		Summary: "Lire un client"},
		kit.ClientOf("id"), kit.MaisonMere, kit.Services), h.get)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "update-client", Method: http.MethodPut, Path: "/clients/{id}",
		Summary: "Modifier un client"},
		kit.ClientOf("id"), kit.MaisonMere), h.update)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "delete-client", Method: http.MethodDelete, Path: "/clients/{id}",
		Summary: "Supprimer un client", DefaultStatus: http.StatusNoContent},
		kit.ClientOf("id"), kit.MaisonMere), h.remove)
}
