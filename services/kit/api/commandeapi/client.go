// Package commandeapi is the typed contract of the commande service: the
// bodies of its routes exactly as it serves them (see its /openapi.json) and
// a Client with one method per route.
//
// The orchestrator's fakes (orchestrator/internal/fakes) are built on these
// types; participantstest.Contract holds them and the real services to what
// the sagas rely on. The full contract of this service:
// commandeapitest.Contract runs against any base URL of a commande server.
//
// Errors: a refusal is a *kit.ProblemError (use kit.StatusOf). To see every
// call's exact status and raw body, use kit.WithTrace.
package commandeapi

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/internal/wire"
)

// Client calls the commande service.
type Client struct{ c *kit.Client }

// New wraps a pooled client made once for the commande service's base URL.
func New(c *kit.Client) *Client { return &Client{c: c} }

// CreateCommande records an order (CREEE) with its priced lines. key is the
// Idempotency-Key ("" for none); d.ID, when set, makes a retry the same order.
func (c *Client) CreateCommande(ctx context.Context, key string, d Demande) (Commande, error) {
	return wire.Call[Commande](ctx, c.c, http.MethodPost, "/commandes", d, wire.Key(key))
}

// ListCommandesParams narrows GET /commandes; zero values are not sent.
type ListCommandesParams struct {
	ClientID  int64
	Statut    Statut
	MagasinID int
	Canal     Canal
	Depuis    time.Time
	JusquA    time.Time // excluded
	kit.PageQuery
}

// ListCommandes lists orders, newest first, without their history.
func (c *Client) ListCommandes(ctx context.Context, p ListCommandesParams) (kit.Page[Commande], error) {
	var q wire.Query
	q.Int("client_id", p.ClientID).Str("statut", string(p.Statut)).Int("magasin_id", int64(p.MagasinID)).
		Str("canal", string(p.Canal)).Time("depuis", p.Depuis).Time("jusqu_a", p.JusquA).Page(p.PageQuery)
	return wire.Call[kit.Page[Commande]](ctx, c.c, http.MethodGet, q.On("/commandes"), nil, nil)
}

// GetCommande reads an order with its lines, history and returns.
func (c *Client) GetCommande(ctx context.Context, id uuid.UUID) (Commande, error) {
	return wire.Call[Commande](ctx, c.c, http.MethodGet, "/commande/"+id.String(), nil, nil)
}

// TransitionCommande moves an order to its next state, or cancels it (motif
// required), once per key (required). A move the state machine forbids is a 409.
func (c *Client) TransitionCommande(ctx context.Context, key string, id uuid.UUID, ch Changement) (Commande, error) {
	return wire.Call[Commande](ctx, c.c, http.MethodPost, "/commande/"+id.String()+"/transitions", ch, wire.Key(key))
}

// CreateRetour records goods coming back from a confirmed order, priced as
// they were sold, once per key (required). More than is left to return, or an
// order that is not CONFIRMEE, is a 409.
func (c *Client) CreateRetour(ctx context.Context, key string, commandeID uuid.UUID, d DemandeRetour) (Retour, error) {
	return wire.Call[Retour](ctx, c.c, http.MethodPost, "/commande/"+commandeID.String()+"/retours", d, wire.Key(key))
}

// ListRetours lists an order's returns, oldest first.
func (c *Client) ListRetours(ctx context.Context, commandeID uuid.UUID, p kit.PageQuery) (kit.Page[Retour], error) {
	var q wire.Query
	q.Page(p)
	return wire.Call[kit.Page[Retour]](ctx, c.c, http.MethodGet, q.On("/commande/"+commandeID.String()+"/retours"), nil, nil)
}

// Periode is the [Depuis, JusquA) every report takes; zero values are the
// service's defaults (the 30 days before now).
type Periode struct {
	Depuis time.Time
	JusquA time.Time
}

func (p Periode) query() *wire.Query {
	var q wire.Query
	return q.Time("depuis", p.Depuis).Time("jusqu_a", p.JusquA)
}

// RapportVentesParMagasin is revenue, sales and average basket per store and online.
func (c *Client) RapportVentesParMagasin(ctx context.Context, p Periode) (VentesParMagasin, error) {
	return wire.Call[VentesParMagasin](ctx, c.c, http.MethodGet, p.query().On("/rapports/ventes-par-magasin"), nil, nil)
}

// TopProduitsParams is the period, the ranking ("" for quantite) and how many (0 for 10).
type TopProduitsParams struct {
	Periode
	Par   Classement
	Limit int
}

// RapportTopProduits lists the best-selling products.
func (c *Client) RapportTopProduits(ctx context.Context, p TopProduitsParams) (TopProduits, error) {
	q := p.query().Str("par", string(p.Par)).Int("limit", int64(p.Limit))
	return wire.Call[TopProduits](ctx, c.c, http.MethodGet, q.On("/rapports/top-produits"), nil, nil)
}

// ParJourParams is the period (at most 366 days) and one store (0 for the whole chain).
type ParJourParams struct {
	Periode
	MagasinID int
}

// RapportChiffreAffairesParJour is every day's revenue, days without sales included.
func (c *Client) RapportChiffreAffairesParJour(ctx context.Context, p ParJourParams) (ChiffreAffairesParJour, error) {
	q := p.query().Int("magasin_id", int64(p.MagasinID))
	return wire.Call[ChiffreAffairesParJour](ctx, c.c, http.MethodGet, q.On("/rapports/chiffre-affaires-par-jour"), nil, nil)
}

// RapportPerformanceMagasins compares each store with the chain average.
func (c *Client) RapportPerformanceMagasins(ctx context.Context, p Periode) (PerformanceMagasins, error) {
	return wire.Call[PerformanceMagasins](ctx, c.c, http.MethodGet, p.query().On("/rapports/performance-magasins"), nil, nil)
}
