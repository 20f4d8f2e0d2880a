// Package clientsapi is the typed contract of the clients service: the bodies
// of its routes exactly as it serves them (see its /openapi.json) and a
// Client with one method per route.
//
// The orchestrator's fakes (orchestrator/internal/fakes) are built on these
// types; participantstest.Contract holds them and the real services to what
// the sagas rely on. The full contract of this service:
// clientsapitest.Contract runs against any base URL of a clients server
// seeded with the demo data.
//
// Errors: a refusal is a *kit.ProblemError (use kit.StatusOf). To see every
// call's exact status and raw body, use kit.WithTrace.
package clientsapi

import (
	"context"
	"net/http"
	"time"

	"multimagasins/kit"
	"multimagasins/kit/api/internal/wire"
)

// GuestID is the demo account of checkouts that name no client.
const GuestID int64 = 1

// Compte is a customer account. (Client is the type that calls the service.)
type Compte struct {
	ID        int64     `json:"id"`
	Nom       string    `json:"nom"`
	Email     string    `json:"email"`
	Telephone string    `json:"telephone"`
	Adresse   string    `json:"adresse"`
	CreeLe    time.Time `json:"cree_le"`
	ModifieLe time.Time `json:"modifie_le"`
}

// Fields is the body of POST /clients and PUT /clients/{id}.
type Fields struct {
	Nom       string `json:"nom"`
	Email     string `json:"email"`
	Telephone string `json:"telephone,omitempty"`
	Adresse   string `json:"adresse,omitempty"`
}

// ListClientsParams narrows GET /clients; zero values are not sent.
type ListClientsParams struct {
	Q string // part of the name or email, any case
	kit.PageQuery
}

// Client calls the clients service.
type Client struct{ c *kit.Client }

// New wraps a pooled client made once for the clients service's base URL.
func New(c *kit.Client) *Client { return &Client{c: c} }

// ListClients lists accounts, by part of the name or email.
func (c *Client) ListClients(ctx context.Context, p ListClientsParams) (kit.Page[Compte], error) {
	var q wire.Query
	q.Str("q", p.Q).Page(p.PageQuery)
	return wire.Call[kit.Page[Compte]](ctx, c.c, http.MethodGet, q.On("/clients"), nil, nil)
}

// CreateClient makes an account; an email already used (any case) is a 409.
func (c *Client) CreateClient(ctx context.Context, f Fields) (Compte, error) {
	return c.CreateClientOnce(ctx, "", f)
}

// CreateClientOnce is CreateClient under an Idempotency-Key ("" for none;
// identite's sign-up sends inscription:<uuid>): a repeat with the same fields
// gets the first answer, the same account; other fields under the key are a 422.
func (c *Client) CreateClientOnce(ctx context.Context, key string, f Fields) (Compte, error) {
	return wire.Call[Compte](ctx, c.c, http.MethodPost, "/clients", f, wire.Key(key))
}

// GetClient reads an account; an unknown id is a 404.
func (c *Client) GetClient(ctx context.Context, id int64) (Compte, error) {
	return wire.Call[Compte](ctx, c.c, http.MethodGet, "/clients/"+wire.ID(id), nil, nil)
}

// UpdateClient replaces an account's fields.
func (c *Client) UpdateClient(ctx context.Context, id int64, f Fields) (Compte, error) {
	return wire.Call[Compte](ctx, c.c, http.MethodPut, "/clients/"+wire.ID(id), f, nil)
}

// DeleteClient deletes an account; the guest (1) is protected (409).
func (c *Client) DeleteClient(ctx context.Context, id int64) error {
	return c.c.Do(ctx, http.MethodDelete, "/clients/"+wire.ID(id), nil, nil, nil)
}
