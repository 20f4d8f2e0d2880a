package fleettest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"multimagasins/fleet"
	"multimagasins/kit/kittest"
)

// SagaHeaders returns the Authorization header of the person the
// orchestrator expects at path for body: the client itself for a cart
// checkout (POST /commande), the caissier of the sale's store for a counter
// sale, and for a return the caissier of the store the order was sold in (any
// store's, here the first, for an online order). Elsewhere it returns nil:
// the Staff token kittest sends by default. Safe from any goroutine.
func SagaHeaders(ctx context.Context, f *fleet.Fleet, path string, body any) ([]string, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var b struct {
		ClientID   json.Number `json:"client_id"`
		MagasinID  json.Number `json:"magasin_id"`
		CommandeID string      `json:"commande_id"`
	}
	_ = json.Unmarshal(raw, &b) // a body the test means to be invalid names nobody
	switch path {
	case "/commande":
		id, _ := b.ClientID.Int64()
		return kittest.Header(kittest.Client(id))
	case "/saga/vente":
		id, _ := b.MagasinID.Int64()
		return kittest.Header(kittest.Caissier(id))
	case "/saga/retour":
		magasin := int64(1)
		if b.CommandeID != "" {
			r, err := Send(ctx, http.MethodGet, f.URL("commande")+"/commande/"+b.CommandeID, nil)
			if err != nil {
				return nil, err
			}
			var order struct {
				MagasinID *int64 `json:"magasin_id"`
			}
			if r.Status == http.StatusOK {
				if err := json.Unmarshal(r.Body, &order); err != nil {
					return nil, fmt.Errorf("order %s: %w", b.CommandeID, err)
				}
				if order.MagasinID != nil && *order.MagasinID != 0 {
					magasin = *order.MagasinID
				}
			}
		}
		return kittest.Header(kittest.Caissier(magasin))
	}
	return nil, nil
}
