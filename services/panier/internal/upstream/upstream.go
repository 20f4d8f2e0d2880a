// Package upstream calls the services the cart depends on: clients (does the
// account exist?) and stock (the catalogue and the centre's availability),
// through their typed clients.
package upstream

import (
	"context"
	"fmt"
	"net/http"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/panier/internal/panier"
)

// CentreLogistique is the stock location online orders are served from.
const CentreLogistique = stockapi.CentreID

// Clients asks the clients service.
type Clients struct{ c *clientsapi.Client }

// NewClients wraps a client for the clients service.
func NewClients(c *kit.Client) *Clients { return &Clients{c: clientsapi.New(c)} }

// Verifier returns nil when the account exists.
func (s *Clients) Verifier(ctx context.Context, clientID int64) error {
	_, err := s.c.GetClient(ctx, clientID)
	return classer(err, "clients", panier.ErrClientInconnu)
}

// Stock asks the stock service.
type Stock struct{ c *stockapi.Client }

// NewStock wraps a client for the stock service.
func NewStock(c *kit.Client) *Stock { return &Stock{c: stockapi.New(c)} }

// Produit reads one catalogue product.
func (s *Stock) Produit(ctx context.Context, produitID int64) (panier.Produit, error) {
	p, err := s.c.GetProduit(ctx, produitID)
	if err != nil {
		return panier.Produit{}, classer(err, "stock", panier.ErrProduitInconnu)
	}
	return panier.Produit{ID: p.ID, Prix: p.Prix, Actif: p.Actif}, nil
}

// Disponible asks how many units of the product the centre can sell now.
// The call only reads, so it needs no idempotency key.
func (s *Stock) Disponible(ctx context.Context, produitID int64, quantite int) (int, error) {
	v, err := s.c.CheckDisponibilites(ctx, stockapi.Demande{EmplacementID: CentreLogistique,
		Lignes: []stockapi.Ligne{{ProduitID: produitID, Quantite: int64(quantite)}}})
	if err != nil {
		return 0, classer(err, "stock", panier.ErrProduitInconnu)
	}
	for _, l := range v.Lignes {
		if l.ProduitID == produitID {
			return int(l.Disponible), nil
		}
	}
	return 0, &panier.IndisponibleError{Service: "stock",
		Err: fmt.Errorf("disponibilites answered no line for produit %d", produitID)}
}

// classer turns a 404 into the domain's "unknown" error and anything else
// (transport error, timeout, 5xx, an answer we did not expect) into
// "unavailable": the cart cannot decide without the other service.
func classer(err error, service string, inconnu error) error {
	switch {
	case err == nil:
		return nil
	case kit.StatusOf(err) == http.StatusNotFound:
		return inconnu
	default:
		return &panier.IndisponibleError{Service: service, Err: err}
	}
}
