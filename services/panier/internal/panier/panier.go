// Package panier holds the cart domain: one open cart per client, its lines
// and the rules of adding to it. No HTTP, no SQL.
package panier

import (
	"errors"
	"fmt"

	"multimagasins/kit"
)

// QuantiteMax bounds one line, so a typo cannot hold a whole warehouse in a cart.
const QuantiteMax = 1000

// Ligne is one product in a cart, at the catalogue price of its last change.
type Ligne struct {
	ProduitID    int64     `json:"produit_id"`
	Quantite     int       `json:"quantite"`
	PrixUnitaire kit.Cents `json:"prix_unitaire"`
}

// Panier is a client's open cart. A client with no lines has an empty cart.
type Panier struct {
	ClientID int64     `json:"client_id"`
	Lignes   []Ligne   `json:"lignes" nullable:"false"`
	Total    kit.Cents `json:"total"`
}

// Nouveau builds the cart of clientID from its lines and computes the total,
// in cents, so 3 × 19.99 is exactly 59.97.
func Nouveau(clientID int64, lignes []Ligne) Panier {
	if lignes == nil {
		lignes = []Ligne{}
	}
	var total kit.Cents
	for _, l := range lignes {
		total += kit.Cents(l.Quantite) * l.PrixUnitaire
	}
	return Panier{ClientID: clientID, Lignes: lignes, Total: total}
}

// Ajout asks for units of a product in a client's cart.
type Ajout struct {
	ClientID  int64 `json:"client_id"`
	ProduitID int64 `json:"produit_id"`
	Quantite  int   `json:"quantite"`
}

// Resultat is what an add did: the cart as it left it, whether it made the
// line, and whether it is the replay of an earlier add under the same
// Idempotency-Key (which then added nothing).
type Resultat struct {
	Panier   Panier
	Nouvelle bool
	Rejoue   bool
}

// Produit is what the cart needs to know of a catalogue product.
type Produit struct {
	ID    int64
	Prix  kit.Cents
	Actif bool
}

// Errors the HTTP layer maps to problem types.
var (
	ErrClientInconnu  = errors.New("client not found")
	ErrProduitInconnu = errors.New("produit not found")
	ErrProduitInactif = errors.New("produit is not sold any more")
	ErrLigneAbsente   = errors.New("produit is not in the panier")
	ErrQuantiteMax    = fmt.Errorf("a line holds at most %d units", QuantiteMax)
	// ErrPlafond is the store's answer when the line would exceed the ceiling it was given.
	ErrPlafond = errors.New("line quantity over its ceiling")
	// ErrCleReutilisee is an Idempotency-Key sent again with another add.
	ErrCleReutilisee = errors.New("Idempotency-Key already used for a different request")
)

// StockInsuffisantError says the logistics centre cannot serve the line.
type StockInsuffisantError struct {
	Demande    int
	Disponible int
}

func (e *StockInsuffisantError) Error() string {
	return fmt.Sprintf("not enough stock at the centre: %d asked, %d available", e.Demande, e.Disponible)
}

// IndisponibleError is another service down, slow or answering nonsense:
// the cart cannot decide, so it changes nothing.
type IndisponibleError struct {
	Service string
	Err     error
}

func (e *IndisponibleError) Error() string { return e.Service + " indisponible: " + e.Err.Error() }
func (e *IndisponibleError) Unwrap() error { return e.Err }

// VerifierQuantite checks the quantity a line would hold after a change
// against the line ceiling and what the centre has.
func VerifierQuantite(nouvelle, disponible int) error {
	if nouvelle > QuantiteMax {
		return ErrQuantiteMax
	}
	if nouvelle > disponible {
		return &StockInsuffisantError{Demande: nouvelle, Disponible: disponible}
	}
	return nil
}
