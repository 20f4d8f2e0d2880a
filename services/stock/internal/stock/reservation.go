package stock

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Reservation states.
const (
	StatutActive    = "active"
	StatutLiberee   = "liberee"
	StatutConfirmee = "confirmee"
)

// Ligne is a quantity of one product.
type Ligne struct {
	ProduitID int64 `json:"produit_id" minimum:"1"`
	Quantite  int64 `json:"quantite" minimum:"1" maximum:"1000000"`
}

// Demande is a set of lines at one location: what a reservation or an
// availability check asks for.
type Demande struct {
	EmplacementID int64   `json:"emplacement_id,omitempty" minimum:"1" doc:"Defaults to the centre logistique (6)."`
	Lignes        []Ligne `json:"lignes" minItems:"1" maxItems:"100"`
}

// Location returns the requested location, the centre when none is given.
func (d Demande) Location() int64 {
	if d.EmplacementID == 0 {
		return CentreID
	}
	return d.EmplacementID
}

// Validate rejects a product named twice: the caller must add the quantities.
func (d Demande) Validate() error {
	seen := make(map[int64]int, len(d.Lignes))
	for i, l := range d.Lignes {
		if j, dup := seen[l.ProduitID]; dup {
			return &FieldErr{
				Field: fmt.Sprintf("body.lignes[%d].produit_id", i),
				Msg:   fmt.Sprintf("product %d is already on line %d", l.ProduitID, j),
				Value: l.ProduitID,
			}
		}
		seen[l.ProduitID] = i
	}
	return nil
}

// Indexed is a line with its position in the request, so errors name the
// line the caller sent even after the lines are sorted.
type Indexed struct {
	Index int
	Ligne
}

// LockOrder returns the lines by product id: every transaction locks stock
// rows in that one order, so two reservations never wait on each other.
func (d Demande) LockOrder() []Indexed {
	out := make([]Indexed, len(d.Lignes))
	for i, l := range d.Lignes {
		out[i] = Indexed{Index: i, Ligne: l}
	}
	slices.SortFunc(out, func(a, b Indexed) int { return compareInt(a.ProduitID, b.ProduitID) })
	return out
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// NouvelleReservation is the body of POST /reservations.
type NouvelleReservation struct {
	Cle           string  `json:"cle" minLength:"1" maxLength:"200" pattern:"^[^/?#%\\s]+$" example:"3f1c…:reserver_stock" doc:"The caller's idempotency key; no /, ?, #, % or spaces, since it is later a path segment."`
	EmplacementID int64   `json:"emplacement_id,omitempty" minimum:"1" doc:"Defaults to the centre logistique (6)."`
	Reference     string  `json:"reference,omitempty" maxLength:"200" doc:"The caller's reference, such as the order id."`
	Lignes        []Ligne `json:"lignes" minItems:"1" maxItems:"100"`
}

// Demande returns the lines and location asked for.
func (n NouvelleReservation) Demande() Demande {
	return Demande{EmplacementID: n.EmplacementID, Lignes: n.Lignes}
}

// Empreinte identifies the request behind a key, whatever the order of its
// lines: a repeat with the same empreinte is a replay, another is a misuse.
func (n NouvelleReservation) Empreinte() string {
	d := n.Demande()
	var b strings.Builder
	b.WriteString(strconv.FormatInt(d.Location(), 10))
	b.WriteByte('|')
	b.WriteString(n.Reference)
	for _, l := range d.LockOrder() {
		fmt.Fprintf(&b, "|%d:%d", l.ProduitID, l.Quantite)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// Reservation is units set aside under a key. A tombstone (a release that came
// first) has no location and no lines.
type Reservation struct {
	Cle           string    `json:"cle"`
	EmplacementID *int64    `json:"emplacement_id" nullable:"true"`
	Statut        string    `json:"statut" enum:"active,liberee,confirmee"`
	Reference     string    `json:"reference"`
	Lignes        []Ligne   `json:"lignes" nullable:"false"`
	CreeLe        time.Time `json:"cree_le"`
}

// Action is what a caller asks of an existing reservation.
type Action int

// Actions on a reservation.
const (
	Liberer Action = iota
	Confirmer
)

// Transition says what an action does to a reservation in statut: the next
// statut and whether stock must move. A repeat of what already happened moves
// nothing; an action against the other outcome is refused.
func Transition(statut string, a Action) (next string, act bool, err error) {
	switch {
	case statut == StatutActive && a == Liberer:
		return StatutLiberee, true, nil
	case statut == StatutActive && a == Confirmer:
		return StatutConfirmee, true, nil
	case statut == StatutLiberee && a == Liberer:
		return statut, false, nil
	case statut == StatutConfirmee && a == Confirmer:
		return statut, false, nil
	case statut == StatutLiberee && a == Confirmer:
		return statut, false, ErrAlreadyReleased
	case statut == StatutConfirmee && a == Liberer:
		return statut, false, ErrAlreadyConfirmed
	}
	return statut, false, fmt.Errorf("unknown reservation statut %q", statut)
}

// Manque is one line that cannot be served.
type Manque struct {
	Index      int
	ProduitID  int64
	Demande    int64
	Disponible int64
}

// InsufficientError lists every short line of an all-or-nothing request.
type InsufficientError struct{ Lignes []Manque }

func (e *InsufficientError) Error() string {
	parts := make([]string, len(e.Lignes))
	for i, m := range e.Lignes {
		parts[i] = fmt.Sprintf("product %d: %d asked, %d available", m.ProduitID, m.Demande, m.Disponible)
	}
	return "insufficient stock: " + strings.Join(parts, "; ")
}

// Sort puts the short lines back in the caller's order.
func (e *InsufficientError) Sort() {
	slices.SortFunc(e.Lignes, func(a, b Manque) int { return a.Index - b.Index })
}

// Disponibilite is one line of an availability check.
type Disponibilite struct {
	ProduitID  int64 `json:"produit_id"`
	Quantite   int64 `json:"quantite"`
	Disponible int64 `json:"disponible"`
}

// Verification answers POST /disponibilites.
type Verification struct {
	Suffisant bool            `json:"suffisant"`
	Lignes    []Disponibilite `json:"lignes"`
}

// Verifier tells whether every line is covered by what is available.
func Verifier(lignes []Ligne, disponible map[int64]int64) Verification {
	v := Verification{Suffisant: true, Lignes: make([]Disponibilite, len(lignes))}
	for i, l := range lignes {
		d := max(disponible[l.ProduitID], 0)
		v.Lignes[i] = Disponibilite{ProduitID: l.ProduitID, Quantite: l.Quantite, Disponible: d}
		if d < l.Quantite {
			v.Suffisant = false
		}
	}
	return v
}
