// Package httpapi is the HTTP face of the panier service.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"
)

// Routes lists the whole API of the panier service.
func Routes(api huma.API, paniers Paniers, reg prometheus.Registerer, log *slog.Logger) error {
	ajoutees := prometheus.NewCounter(prometheus.CounterOpts{
		Name: "panier_lignes_ajoutees_total",
		Help: "Successful POST /panier: lines created or incremented in a cart.",
	})
	if err := reg.Register(ajoutees); err != nil {
		return err
	}
	h := &handlers{paniers: paniers, log: log, ajoutees: ajoutees}

	huma.Register(api, huma.Operation{OperationID: "get-panier", Method: http.MethodGet, Path: "/panier/{client_id}",
		Summary:     "Lire le panier d'un client",
		Description: "A client with no lines, or an unknown client, has an empty cart (lignes [], total 0.00)."}, h.get)
	huma.Register(api, huma.Operation{OperationID: "add-panier-ligne", Method: http.MethodPost, Path: "/panier",
		Summary: "Ajouter un produit au panier",
		Description: "Creates the line (201) or increments it (200) at the current catalogue price, " +
			"if the client exists, the produit is active and the centre logistique has the new line quantity.",
		DefaultStatus: http.StatusCreated}, h.add)
	huma.Register(api, huma.Operation{OperationID: "set-panier-ligne", Method: http.MethodPut,
		Path: "/panier/{client_id}/lignes/{produit_id}", Summary: "Changer la quantité d'une ligne",
		Description: "Sets the quantity at the current catalogue price; 404 when the line is not in the cart."}, h.set)
	huma.Register(api, huma.Operation{OperationID: "delete-panier-ligne", Method: http.MethodDelete,
		Path: "/panier/{client_id}/lignes/{produit_id}", Summary: "Retirer une ligne du panier",
		DefaultStatus: http.StatusNoContent}, h.removeLigne)
	huma.Register(api, huma.Operation{OperationID: "empty-panier", Method: http.MethodDelete, Path: "/panier/{client_id}",
		Summary: "Vider le panier", Description: "Idempotent: emptying an empty cart answers 204 too.",
		DefaultStatus: http.StatusNoContent}, h.empty)
	return nil
}
