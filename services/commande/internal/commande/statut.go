package commande

import (
	"errors"
	"fmt"
	"strings"
)

// Statut is where an order stands in the checkout saga.
type Statut string

// The saga's states, from the seed.
const (
	Creee        Statut = "CREEE"
	StockVerifie Statut = "STOCK_VERIFIE"
	StockReserve Statut = "STOCK_RESERVE"
	Payee        Statut = "PAYEE"
	Confirmee    Statut = "CONFIRMEE"
	Annulee      Statut = "ANNULEE"
)

// Statuts lists every state, in saga order.
var Statuts = []Statut{Creee, StockVerifie, StockReserve, Payee, Confirmee, Annulee}

// suivants is the whole state machine. Payment is the saga's pivot: once an
// order is PAYEE it can only be confirmed, never cancelled (refunds are
// paiement's business). CONFIRMEE and ANNULEE have no way out.
var suivants = map[Statut][]Statut{
	Creee:        {StockVerifie, Annulee},
	StockVerifie: {StockReserve, Annulee},
	StockReserve: {Payee, Annulee},
	Payee:        {Confirmee},
}

// Valide tells whether s is one of the known states.
func (s Statut) Valide() bool {
	for _, v := range Statuts {
		if v == s {
			return true
		}
	}
	return false
}

// Final tells whether nothing can follow s.
func (s Statut) Final() bool { return s.Valide() && len(suivants[s]) == 0 }

// PeutPasser tells whether the table allows from → to.
func PeutPasser(from, to Statut) bool {
	for _, s := range suivants[from] {
		if s == to {
			return true
		}
	}
	return false
}

// ErrMotifRequis: a cancellation must say why, for the customer and for support.
var ErrMotifRequis = errors.New("motif is required to cancel an order")

// ErrTransitionInterdite is wrapped by every TransitionError.
var ErrTransitionInterdite = errors.New("transition not allowed")

// TransitionError says which move was refused and from where.
type TransitionError struct {
	De, Vers Statut
}

func (e *TransitionError) Error() string {
	next := suivants[e.De]
	if len(next) == 0 {
		return fmt.Sprintf("commande is %s, a final state; it cannot become %s", e.De, e.Vers)
	}
	names := make([]string, len(next))
	for i, s := range next {
		names[i] = string(s)
	}
	return fmt.Sprintf("commande is %s; it may become %s, not %s", e.De, strings.Join(names, " or "), e.Vers)
}

func (e *TransitionError) Unwrap() error { return ErrTransitionInterdite }

// VerifierMotif checks the part of a transition that needs no stored state.
func VerifierMotif(vers Statut, motif string) error {
	if vers == Annulee && strings.TrimSpace(motif) == "" {
		return ErrMotifRequis
	}
	return nil
}

// Transition decides whether an order in from may become to with motif.
func Transition(from, to Statut, motif string) error {
	if err := VerifierMotif(to, motif); err != nil {
		return err
	}
	if !PeutPasser(from, to) {
		return &TransitionError{De: from, Vers: to}
	}
	return nil
}
