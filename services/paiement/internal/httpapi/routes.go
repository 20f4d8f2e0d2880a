// Package httpapi is the HTTP face of the paiement service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/kit"
)

// Routes lists the whole API of the paiement service, each route with who may
// call it: the saga (a service) charges and refunds; a client reads its own
// account and payments (the handler checks the payment it read); the head
// office reads all, sets limits and refunds.
func Routes(api huma.API, repo Repo, log *slog.Logger, reg prometheus.Registerer) {
	h := &handlers{repo: repo, log: log, metrics: newMetrics(reg)}
	huma.Register(api, kit.Access(huma.Operation{OperationID: "get-compte", Method: http.MethodGet, Path: "/comptes/{client_id}",
		Summary: "Lire la limite d'autorisation d'un client (500.00 par défaut)"},
		kit.ClientOf("client_id"), kit.MaisonMere, kit.Services), h.getCompte)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "put-compte", Method: http.MethodPut, Path: "/comptes/{client_id}",
		Summary: "Fixer la limite d'autorisation d'un client"},
		kit.MaisonMere), h.putCompte)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-paiement", Method: http.MethodPost, Path: "/paiements",
		Summary:       "Payer une commande (idempotent par Idempotency-Key)",
		Description:   "201 when accepted; 402 when a card charge is over the client's limit. Both are stored and replayed.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusPaymentRequired, http.StatusConflict}},
		kit.Services), h.payer)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "list-paiements", Method: http.MethodGet, Path: "/paiements",
		Summary: "Lister les paiements, du plus récent au plus ancien"},
		kit.ClientOf("client_id"), kit.MaisonMere, kit.Services), h.list)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "get-paiement", Method: http.MethodGet, Path: "/paiements/{id}",
		Summary: "Lire un paiement et ses remboursements"},
		kit.AnyClient, kit.MaisonMere, kit.Services), h.get)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "create-remboursement", Method: http.MethodPost,
		Path: "/paiements/{id}/remboursements", Summary: "Rembourser tout ou partie d'un paiement (idempotent)",
		Description: "201 with the refund made. Beyond what is left to refund: 409, or with jusqu_au_reste the rest is " +
			"refunded (201), and 200 with montant 0.00 and no refund made when nothing is left.",
		DefaultStatus: http.StatusCreated, Errors: []int{http.StatusNotFound, http.StatusConflict}},
		kit.Services, kit.MaisonMere), h.rembourser)
	nothingLeft(api, "/paiements/{id}/remboursements")
}

// nothingLeft documents the 200 of a refund with jusqu_au_reste when nothing
// is left: the same body as the 201, montant 0.00 and the nil id.
func nothingLeft(api huma.API, path string) {
	op := api.OpenAPI().Paths[path].Post
	op.Responses["200"] = &huma.Response{Content: op.Responses["201"].Content,
		Description: "OK: jusqu_au_reste and nothing left to refund; no refund made (montant 0.00, nil id)."}
}
