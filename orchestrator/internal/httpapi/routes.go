// Package httpapi is the HTTP face of the orchestrator.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"multimagasins/kit"
)

// Routes lists the whole API of the orchestrator. Each line says who may
// call it (kit.Access); what only the body or the stored saga tells (which
// client, which store) the handler checks with kit.CheckOwner.
func Routes(api huma.API, sagas Sagas, repo Repo, log *slog.Logger) {
	h := &handlers{sagas: sagas, repo: repo, log: log}
	commande := start(h, sagas.Commande, acheteur)
	sagaErrors := []int{http.StatusPaymentRequired, http.StatusConflict, http.StatusServiceUnavailable}
	// The seed's path has a trailing slash; both spellings are the same operation.
	// Public: with no client_id and no token it is the seed's guest checkout.
	huma.Register(api, kit.Access(huma.Operation{OperationID: "saga-commande", Method: http.MethodPost, Path: "/saga/commande",
		Summary: "Commander en ligne (saga de commande)", Description: checkoutDoc,
		DefaultStatus: http.StatusCreated, Errors: sagaErrors}, kit.Public), commande)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "saga-commande-slash", Method: http.MethodPost, Path: "/saga/commande/",
		Summary: "Commander en ligne (saga de commande, chemin du seed)", Description: checkoutDoc,
		DefaultStatus: http.StatusCreated, Errors: sagaErrors}, kit.Public), commande)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "commande-panier", Method: http.MethodPost, Path: "/commande",
		Summary:       "Commander le panier d'un client (même saga ; CONFIRMEE vide le panier)",
		Description:   statutsDoc + "The client itself: a token acting for body.client_id. Send an Idempotency-Key: a repeat returns the same saga, never a second order.",
		DefaultStatus: http.StatusCreated, Errors: sagaErrors}, kit.AnyClient), start(h, sagas.Panier, titulaire))
	huma.Register(api, kit.Access(huma.Operation{OperationID: "saga-vente", Method: http.MethodPost, Path: "/saga/vente",
		Summary:       "Vente au comptoir d'un magasin (même saga, stock du magasin)",
		Description:   statutsDoc + "A caissier of body.magasin_id.",
		DefaultStatus: http.StatusCreated, Errors: sagaErrors}, kit.AnyCaissier), start(h, sagas.Vente, comptoir))
	huma.Register(api, kit.Access(huma.Operation{OperationID: "saga-retour", Method: http.MethodPost, Path: "/saga/retour",
		Summary: "Retour de marchandise : enregistrer, remettre en stock, rembourser",
		Description: statutsDoc + "A caissier of the store that sold it (a counter sale), or of any store (an online order, " +
			"restocked at the centre); checked once the order is read, so an unknown order is a 404 first.",
		DefaultStatus: http.StatusCreated, Errors: append(sagaErrors, http.StatusNotFound)}, kit.AnyCaissier),
		start(h, sagas.Retour, nil))
	for _, path := range []string{"/saga/commande", "/saga/commande/", "/commande", "/saga/vente", "/saga/retour"} {
		accepted(api, path)
	}
	// Head office: ?a_verifier=true lists the sagas recovery cannot move.
	huma.Register(api, kit.Access(huma.Operation{OperationID: "list-sagas", Method: http.MethodGet, Path: "/sagas",
		Summary:     "Lister les sagas (les plus récentes d'abord ; ?a_verifier=true : celles à vérifier)",
		Description: "Every field of an item is in docs/api.md (orchestrator)."}, kit.MaisonMere, kit.Services), h.list)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "get-saga", Method: http.MethodGet, Path: "/saga/{id}",
		Summary: "Lire une saga, ses états et son journal d'appels",
		Description: "A guest checkout is readable by anyone who holds its id; any other saga by its client, " +
			"its store's caissier and the chain's roles."}, kit.Public), h.get)
}

// accepted documents the 202 of a saga POST: the same body as its 201, with
// the Location and Retry-After headers that huma would put on the 201.
func accepted(api huma.API, path string) {
	op := api.OpenAPI().Paths[path].Post
	created := op.Responses["201"]
	op.Responses["202"] = &huma.Response{Content: created.Content, Headers: created.Headers,
		Description: "Accepted: the saga started and is not over (termine false; it waits for the recovery worker). " +
			"Poll Location (GET /saga/{id}) until termine; it may still end CONFIRMEE and paid."}
	op.Responses["201"] = &huma.Response{Description: created.Description, Content: created.Content}
}

// statutsDoc is what every saga POST answers.
const statutsDoc = "201 CONFIRMEE; 409 ANNULEE for lack of stock (or a return commande refuses); 402 ANNULEE when " +
	"the payment is refused; 202 Accepted when the saga started but is not over (a participant down or slow): poll " +
	"the Location, GET /saga/{id}, until termine, after Retry-After seconds; 503 only when nothing was started, or " +
	"when a participant failure undid everything (ANNULEE). "

const checkoutDoc = statutsDoc +
	"The same Idempotency-Key with the same body returns the same saga; with another body, 422. " +
	"No client_id and no token: the guest checkout. A client_id needs a token acting for that client; " +
	"a client token with no client_id checks out as that client."
