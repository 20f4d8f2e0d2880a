// Package panierapi is the typed contract of the panier service: the bodies
// of its routes exactly as it serves them (see its /openapi.json) and a
// Client with one method per route.
//
// The orchestrator's fakes (orchestrator/internal/fakes) are built on these
// types; participantstest.Contract holds them and the real services to what
// the sagas rely on. The full contract of this service:
// panierapitest.Contract runs against any base URL of a panier server whose
// clients and stock hold the demo data.
//
// Errors: a refusal is a *kit.ProblemError (use kit.StatusOf); 503 when stock
// or clients cannot answer. To see every call's exact status and raw body,
// use kit.WithTrace.
package panierapi

import (
	"context"
	"net/http"

	"multimagasins/kit"
	"multimagasins/kit/api/internal/wire"
)

// QuantiteMax bounds one line of a cart.
const QuantiteMax = 1000

// Ligne is one product in a cart, at the catalogue price of its last change.
type Ligne struct {
	ProduitID    int64     `json:"produit_id"`
	Quantite     int       `json:"quantite"`
	PrixUnitaire kit.Cents `json:"prix_unitaire"`
}

// Panier is a client's open cart; a client with no lines has an empty one.
type Panier struct {
	ClientID int64     `json:"client_id"`
	Lignes   []Ligne   `json:"lignes"`
	Total    kit.Cents `json:"total"`
}

// Ajout is the body of POST /panier.
type Ajout struct {
	ClientID  int64 `json:"client_id"`
	ProduitID int64 `json:"produit_id"`
	Quantite  int   `json:"quantite"` // units to add to the line
}

// Client calls the panier service.
type Client struct{ c *kit.Client }

// New wraps a pooled client made once for the panier service's base URL.
func New(c *kit.Client) *Client { return &Client{c: c} }

// GetPanier reads a client's cart (empty, never a 404, for an unknown client).
func (c *Client) GetPanier(ctx context.Context, clientID int64) (Panier, error) {
	return wire.Call[Panier](ctx, c.c, http.MethodGet, "/panier/"+wire.ID(clientID), nil, nil)
}

// AddLigne adds units of a product at the current catalogue price, when the
// client exists, the product is active and the centre has the new quantity
// (409 otherwise). created tells a new line (201) from an incremented one (200).
func (c *Client) AddLigne(ctx context.Context, a Ajout) (p Panier, created bool, err error) {
	ans, err := c.c.Send(ctx, http.MethodPost, "/panier", a, nil)
	if err != nil {
		return p, false, err
	}
	if err := ans.Decode(http.MethodPost, "/panier", &p); err != nil {
		return p, false, err
	}
	return p, ans.Status == http.StatusCreated, nil
}

// SetLigne sets a line's quantity at the current price; 404 when the line is not in the cart.
func (c *Client) SetLigne(ctx context.Context, clientID, produitID int64, quantite int) (Panier, error) {
	body := struct {
		Quantite int `json:"quantite"`
	}{quantite}
	return wire.Call[Panier](ctx, c.c, http.MethodPut, "/panier/"+wire.ID(clientID)+"/lignes/"+wire.ID(produitID), body, nil)
}

// DeleteLigne removes a line from the cart.
func (c *Client) DeleteLigne(ctx context.Context, clientID, produitID int64) error {
	return c.c.Do(ctx, http.MethodDelete, "/panier/"+wire.ID(clientID)+"/lignes/"+wire.ID(produitID), nil, nil, nil)
}

// EmptyPanier empties a client's cart; emptying an empty cart is fine too.
func (c *Client) EmptyPanier(ctx context.Context, clientID int64) error {
	return c.c.Do(ctx, http.MethodDelete, "/panier/"+wire.ID(clientID), nil, nil, nil)
}
