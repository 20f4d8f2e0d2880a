// Package paiementapi is the typed contract of the paiement service: the
// bodies of its routes exactly as it serves them (see its /openapi.json) and
// a Client with one method per route.
//
// The orchestrator's fakes (orchestrator/internal/fakes) are built on these
// types; participantstest.Contract holds them and the real services to what
// the sagas rely on. The full contract of this service:
// paiementapitest.Contract runs against any base URL seeded with paiement's
// demo data.
//
// Errors: a refusal is a *kit.ProblemError (use kit.StatusOf); a card charge
// over the limit is a 402 whose problem instance names the stored payment. To
// see every call's exact status and raw body, use kit.WithTrace.
package paiementapi

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/internal/wire"
)

// LimiteParDefaut is the card limit of a client with no account row.
const LimiteParDefaut kit.Cents = 500_00

// Methode is how a client pays.
type Methode string

// The two ways to pay.
const (
	Carte    Methode = "carte"
	Comptant Methode = "comptant"
)

// Statut is where a payment stands.
type Statut string

// Payment states.
const (
	Accepte                Statut = "accepte"
	Refuse                 Statut = "refuse"
	Rembourse              Statut = "rembourse"
	PartiellementRembourse Statut = "partiellement_rembourse"
)

// Compte is a client's payment account: the largest card charge allowed at once.
type Compte struct {
	ClientID int64     `json:"client_id"`
	Limite   kit.Cents `json:"limite"`
}

// Demande is the body of POST /paiements.
type Demande struct {
	CommandeID uuid.UUID `json:"commande_id"`
	ClientID   int64     `json:"client_id"`
	Montant    kit.Cents `json:"montant"`
	Methode    Methode   `json:"methode"`
}

// DemandeRemboursement is the body of POST /paiements/{id}/remboursements.
type DemandeRemboursement struct {
	Montant kit.Cents `json:"montant"`
	Motif   string    `json:"motif,omitempty"`
	// JusquAuReste caps the refund at what is left to refund instead of a
	// 409; the answer's Montant is what was refunded.
	JusquAuReste bool `json:"jusqu_au_reste,omitempty"`
}

// Paiement is one charge, accepted or refused, with its refunds.
type Paiement struct {
	ID             uuid.UUID       `json:"id"`
	CommandeID     uuid.UUID       `json:"commande_id"`
	ClientID       int64           `json:"client_id"`
	Montant        kit.Cents       `json:"montant"`
	Methode        Methode         `json:"methode"`
	Statut         Statut          `json:"statut"`
	Motif          string          `json:"motif"`     // why it was refused
	Rembourse      kit.Cents       `json:"rembourse"` // refunded so far
	Remboursements []Remboursement `json:"remboursements"`
	Cle            string          `json:"cle"` // the charge's Idempotency-Key
	CreeLe         time.Time       `json:"cree_le"`
}

// Remboursement is money given back on a payment. With JusquAuReste and
// nothing left, it is the 200 answer: Montant 0, ID uuid.Nil, no refund made.
type Remboursement struct {
	ID         uuid.UUID `json:"id"`
	PaiementID uuid.UUID `json:"paiement_id"`
	Montant    kit.Cents `json:"montant"`
	Motif      string    `json:"motif"`
	At         time.Time `json:"at"`
}

// Client calls the paiement service.
type Client struct{ c *kit.Client }

// New wraps a pooled client made once for the paiement service's base URL.
func New(c *kit.Client) *Client { return &Client{c: c} }

// GetCompte reads a client's card limit (500.00 when never set).
func (c *Client) GetCompte(ctx context.Context, clientID int64) (Compte, error) {
	return wire.Call[Compte](ctx, c.c, http.MethodGet, "/comptes/"+wire.ID(clientID), nil, nil)
}

// PutCompte sets a client's card limit.
func (c *Client) PutCompte(ctx context.Context, clientID int64, limite kit.Cents) (Compte, error) {
	body := struct {
		Limite kit.Cents `json:"limite"`
	}{limite}
	return wire.Call[Compte](ctx, c.c, http.MethodPut, "/comptes/"+wire.ID(clientID), body, nil)
}

// CreatePaiement charges an order once per key (required; the saga sends
// saga_id:step): 201 accepted, or a 402 *kit.ProblemError when a card charge
// is over the limit. Both are stored and replayed on a repeat.
func (c *Client) CreatePaiement(ctx context.Context, key string, d Demande) (Paiement, error) {
	return wire.Call[Paiement](ctx, c.c, http.MethodPost, "/paiements", d, wire.Key(key))
}

// ListPaiementsParams narrows GET /paiements; zero values are not sent.
type ListPaiementsParams struct {
	CommandeID uuid.UUID // uuid.Nil: any order
	ClientID   int64
	Statut     Statut
	Cle        string // the charge's Idempotency-Key: did a charge happen under it?
	kit.PageQuery
}

// ListPaiements lists payments, newest first.
func (c *Client) ListPaiements(ctx context.Context, p ListPaiementsParams) (kit.Page[Paiement], error) {
	var q wire.Query
	if p.CommandeID != uuid.Nil {
		q.Str("commande_id", p.CommandeID.String())
	}
	q.Int("client_id", p.ClientID).Str("statut", string(p.Statut)).Str("cle", p.Cle).Page(p.PageQuery)
	return wire.Call[kit.Page[Paiement]](ctx, c.c, http.MethodGet, q.On("/paiements"), nil, nil)
}

// GetPaiement reads a payment and its refunds.
func (c *Client) GetPaiement(ctx context.Context, id uuid.UUID) (Paiement, error) {
	return wire.Call[Paiement](ctx, c.c, http.MethodGet, "/paiements/"+id.String(), nil, nil)
}

// CreateRemboursement refunds all or part of a payment, once per key
// (required). More than what is left is a 409, or with JusquAuReste the rest
// (201; 200 with Montant 0 when nothing is left). A refused charge is a 409.
func (c *Client) CreateRemboursement(ctx context.Context, key string, paiementID uuid.UUID, d DemandeRemboursement) (Remboursement, error) {
	return wire.Call[Remboursement](ctx, c.c, http.MethodPost, "/paiements/"+paiementID.String()+"/remboursements", d, wire.Key(key))
}
