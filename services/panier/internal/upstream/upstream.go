// Package upstream calls the services the cart depends on: clients (does the
// account exist?) and stock (the catalogue and the centre's availability).
package upstream

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"multimagasins/kit"
	"multimagasins/panier/internal/panier"
)

// CentreLogistique is the stock location online orders are served from.
const CentreLogistique = 6

// Clients asks the clients service.
type Clients struct{ c *kit.Client }

// NewClients wraps a client for the clients service.
func NewClients(c *kit.Client) *Clients { return &Clients{c: c} }

// Verifier returns nil when the account exists.
func (s *Clients) Verifier(ctx context.Context, clientID int64) error {
	err := s.c.Do(ctx, http.MethodGet, "/clients/"+strconv.FormatInt(clientID, 10), nil, nil, nil)
	return classer(err, "clients", panier.ErrClientInconnu)
}

// Stock asks the stock service.
type Stock struct{ c *kit.Client }

// NewStock wraps a client for the stock service.
func NewStock(c *kit.Client) *Stock { return &Stock{c: c} }

type produit struct {
	ID    int64     `json:"id"`
	Prix  kit.Cents `json:"prix"`
	Actif bool      `json:"actif"`
}

// Produit reads one catalogue product.
func (s *Stock) Produit(ctx context.Context, produitID int64) (panier.Produit, error) {
	var p produit
	err := s.c.Do(ctx, http.MethodGet, "/produits/"+strconv.FormatInt(produitID, 10), nil, &p, nil)
	if err != nil {
		return panier.Produit{}, classer(err, "stock", panier.ErrProduitInconnu)
	}
	return panier.Produit{ID: p.ID, Prix: p.Prix, Actif: p.Actif}, nil
}

type ligne struct {
	ProduitID  int64 `json:"produit_id"`
	Quantite   int   `json:"quantite"`
	Disponible int   `json:"disponible,omitempty"`
}

type disponibilites struct {
	EmplacementID int     `json:"emplacement_id"`
	Lignes        []ligne `json:"lignes"`
}

// Disponible asks how many units of the product the centre can sell now.
// The call only reads, so it needs no idempotency key.
func (s *Stock) Disponible(ctx context.Context, produitID int64, quantite int) (int, error) {
	in := disponibilites{EmplacementID: CentreLogistique, Lignes: []ligne{{ProduitID: produitID, Quantite: quantite}}}
	var out struct {
		Lignes []ligne `json:"lignes"`
	}
	if err := s.c.Do(ctx, http.MethodPost, "/disponibilites", in, &out, nil); err != nil {
		return 0, classer(err, "stock", panier.ErrProduitInconnu)
	}
	for _, l := range out.Lignes {
		if l.ProduitID == produitID {
			return l.Disponible, nil
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
