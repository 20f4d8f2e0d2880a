// Package httpapi is the HTTP face of the panier service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/kit"
)

// Routes lists the whole API of the panier service, each route with who may
// call it: a client its own cart, the other services (the orchestrator's
// checkout) any cart; only the client itself edits its lines.
func Routes(api huma.API, paniers Paniers, reg prometheus.Registerer, log *slog.Logger) error {
	ajoutees := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "panier_lignes_ajoutees_total",
		Help: "Successful POST /panier: lines created or incremented in a cart.",
	})
	if err := reg.Register(ajoutees); err != nil {
		return err
	}
	h := &handlers{paniers: paniers, log: log, ajoutees: ajoutees}

	huma.Register(api, kit.Access(huma.Operation{OperationID: "get-panier", Method: http.MethodGet, Path: "/panier/{client_id}",
		Summary:     "Lire le panier d'un client",
		Description: "A client with no lines, or an unknown client, has an empty cart (lignes [], total 0.00)."},
		kit.ClientOf("client_id"), kit.Services), h.get)
	// A client adds to its own cart only: the handler checks the body's client_id.
	huma.Register(api, kit.Access(huma.Operation{OperationID: "add-panier-ligne", Method: http.MethodPost, Path: "/panier",
		Summary: "Ajouter un produit au panier",
		Description: "Creates the line (201) or increments it (200) at the current catalogue price, " +
			"if the client exists, the produit is active and the centre logistique has the new line quantity. " +
			"With an Idempotency-Key the add happens once: a repeat replays the first answer.",
		DefaultStatus: http.StatusCreated}, kit.AnyClient, kit.Services), h.add)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "set-panier-ligne", Method: http.MethodPut,
		Path: "/panier/{client_id}/lignes/{produit_id}", Summary: "Changer la quantité d'une ligne",
		Description: "Sets the quantity at the current catalogue price; 404 when the line is not in the cart."},
		kit.ClientOf("client_id")), h.set)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "delete-panier-ligne", Method: http.MethodDelete,
		Path: "/panier/{client_id}/lignes/{produit_id}", Summary: "Retirer une ligne du panier",
		DefaultStatus: http.StatusNoContent}, kit.ClientOf("client_id")), h.removeLigne)
	huma.Register(api, kit.Access(huma.Operation{OperationID: "empty-panier", Method: http.MethodDelete, Path: "/panier/{client_id}",
		Summary: "Vider le panier", Description: "Idempotent: emptying an empty cart answers 204 too.",
		DefaultStatus: http.StatusNoContent}, kit.ClientOf("client_id"), kit.Services), h.empty)
	return nil
}
