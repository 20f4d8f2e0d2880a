// Package httpapi is the HTTP face of the orchestrator.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Routes lists the whole API of the orchestrator.
func Routes(api huma.API, repo Repo, log *slog.Logger) {
	h := &handlers{repo: repo, log: log}
	huma.Register(api, huma.Operation{OperationID: "list-sagas", Method: http.MethodGet, Path: "/sagas",
		Summary: "Lister les sagas (les plus récentes d'abord)"}, h.list)
	huma.Register(api, huma.Operation{OperationID: "get-saga", Method: http.MethodGet, Path: "/saga/{id}",
		Summary: "Lire une saga et son journal d'étapes"}, h.get)
}
