// Package httpapi is the HTTP face of the orchestrator.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Routes lists the whole API of the orchestrator.
func Routes(api huma.API, sagas Sagas, repo Repo, log *slog.Logger) {
	h := &handlers{sagas: sagas, repo: repo, log: log}
	commande := start(h, sagas.Commande)
	sagaErrors := []int{http.StatusPaymentRequired, http.StatusConflict, http.StatusServiceUnavailable}
	// The seed's path has a trailing slash; both spellings are the same operation.
	huma.Register(api, huma.Operation{OperationID: "saga-commande", Method: http.MethodPost, Path: "/saga/commande",
		Summary: "Commander en ligne (saga de commande)", Description: checkoutDoc,
		DefaultStatus: http.StatusCreated, Errors: sagaErrors}, commande)
	huma.Register(api, huma.Operation{OperationID: "saga-commande-slash", Method: http.MethodPost, Path: "/saga/commande/",
		Summary: "Commander en ligne (saga de commande, chemin du seed)", Description: checkoutDoc,
		DefaultStatus: http.StatusCreated, Errors: sagaErrors}, commande)
	huma.Register(api, huma.Operation{OperationID: "commande-panier", Method: http.MethodPost, Path: "/commande",
		Summary:       "Commander le panier d'un client (même saga ; CONFIRMEE vide le panier)",
		DefaultStatus: http.StatusCreated, Errors: sagaErrors}, start(h, sagas.Panier))
	huma.Register(api, huma.Operation{OperationID: "saga-vente", Method: http.MethodPost, Path: "/saga/vente",
		Summary:       "Vente au comptoir d'un magasin (même saga, stock du magasin)",
		DefaultStatus: http.StatusCreated, Errors: sagaErrors}, start(h, sagas.Vente))
	huma.Register(api, huma.Operation{OperationID: "saga-retour", Method: http.MethodPost, Path: "/saga/retour",
		Summary:       "Retour de marchandise : enregistrer, remettre en stock, rembourser",
		DefaultStatus: http.StatusCreated, Errors: append(sagaErrors, http.StatusNotFound)}, start(h, sagas.Retour))
	huma.Register(api, huma.Operation{OperationID: "list-sagas", Method: http.MethodGet, Path: "/sagas",
		Summary: "Lister les sagas (les plus récentes d'abord)"}, h.list)
	huma.Register(api, huma.Operation{OperationID: "get-saga", Method: http.MethodGet, Path: "/saga/{id}",
		Summary: "Lire une saga, ses états et son journal d'appels"}, h.get)
}

const checkoutDoc = "201 CONFIRMEE; 409 ANNULEE for lack of stock; 402 ANNULEE when the payment is refused; " +
	"503 when a participant is down (compensated, or left to the recovery worker with the last state reached). " +
	"The same Idempotency-Key with the same body returns the same saga; with another body, 422."
