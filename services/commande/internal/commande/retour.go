package commande

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
)

// LigneRetour is a quantity of one sold product that comes back.
type LigneRetour struct {
	ProduitID int64 `json:"produit_id" minimum:"1" example:"1"`
	Quantite  int   `json:"quantite" minimum:"1" maximum:"10000" example:"1"`
}

// DemandeRetour is the body of POST /commande/{id}/retours.
type DemandeRetour struct {
	Lignes []LigneRetour `json:"lignes" minItems:"1" maxItems:"100"`
}

// LigneRetournee is a returned line, priced as it was sold.
type LigneRetournee struct {
	ProduitID    int64     `json:"produit_id"`
	Quantite     int       `json:"quantite"`
	PrixUnitaire kit.Cents `json:"prix_unitaire" doc:"Unit price at the time of the sale."`
	Montant      kit.Cents `json:"montant" doc:"quantite × prix_unitaire."`
}

// Retour is goods that came back from a confirmed order, and what they are worth.
type Retour struct {
	ID         uuid.UUID        `json:"id"`
	CommandeID uuid.UUID        `json:"commande_id"`
	Lignes     []LigneRetournee `json:"lignes"`
	Montant    kit.Cents        `json:"montant" doc:"Sum of the lines: what the customer is owed."`
	At         time.Time        `json:"at"`
}

// RetourRefuseError: only a confirmed sale takes returns; anything earlier is
// still the saga's to finish or cancel.
type RetourRefuseError struct{ Statut Statut }

func (e *RetourRefuseError) Error() string {
	return fmt.Sprintf("commande is %s; only a %s commande takes returns", e.Statut, Confirmee)
}

// Excedent is a line asking back more than is left to return.
type Excedent struct {
	Index     int
	ProduitID int64
	Demande   int
	Restant   int
}

// RetourExcessifError lists every line asking back more than was sold and not
// yet returned; nothing is recorded.
type RetourExcessifError struct{ Lignes []Excedent }

func (e *RetourExcessifError) Error() string {
	parts := make([]string, len(e.Lignes))
	for i, x := range e.Lignes {
		parts[i] = x.Message()
	}
	return "return exceeds what was sold: " + strings.Join(parts, "; ")
}

// Message says how many can still come back.
func (x Excedent) Message() string {
	return fmt.Sprintf("only %d of product %d can still be returned, not %d", x.Restant, x.ProduitID, x.Demande)
}

// PreparerRetour checks a return against the order as it stands (statut and
// its lines with what already came back) and prices it at the sale's prices.
// Errors: *RetourRefuseError (not confirmed), *ValidationError (a product
// twice, or not in the order), *RetourExcessifError (more than is left).
func PreparerRetour(statut Statut, vendues []Ligne, d DemandeRetour) ([]LigneRetournee, kit.Cents, error) {
	if statut != Confirmee {
		return nil, 0, &RetourRefuseError{Statut: statut}
	}
	parProduit := make(map[int64]Ligne, len(vendues))
	for _, l := range vendues {
		parProduit[l.ProduitID] = l
	}
	var champs []Champ
	var excedents []Excedent
	seen := make(map[int64]int, len(d.Lignes))
	out := make([]LigneRetournee, len(d.Lignes))
	var montant kit.Cents
	for i, l := range d.Lignes {
		at := "body.lignes[" + strconv.Itoa(i) + "]."
		if first, dup := seen[l.ProduitID]; dup {
			champs = append(champs, Champ{at + "produit_id", fmt.Sprintf("product already on line %d; merge the quantities", first), l.ProduitID})
			continue
		}
		seen[l.ProduitID] = i
		v, ok := parProduit[l.ProduitID]
		if !ok {
			champs = append(champs, Champ{at + "produit_id", fmt.Sprintf("product %d is not in this commande", l.ProduitID), l.ProduitID})
			continue
		}
		if restant := v.Quantite - v.QuantiteRetournee; l.Quantite > restant {
			excedents = append(excedents, Excedent{Index: i, ProduitID: l.ProduitID, Demande: l.Quantite, Restant: restant})
			continue
		}
		m := v.PrixUnitaire * kit.Cents(l.Quantite)
		out[i] = LigneRetournee{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: v.PrixUnitaire, Montant: m}
		montant += m
	}
	// A malformed request is told first: its excess may only be a symptom.
	if len(champs) > 0 {
		return nil, 0, &ValidationError{Champs: champs}
	}
	if len(excedents) > 0 {
		return nil, 0, &RetourExcessifError{Lignes: excedents}
	}
	return out, montant, nil
}

// TotalRetourne is what the returned units of lines are worth.
func TotalRetourne(lignes []Ligne) kit.Cents {
	var t kit.Cents
	for _, l := range lignes {
		t += l.PrixUnitaire * kit.Cents(l.QuantiteRetournee)
	}
	return t
}

// Empreinte fingerprints the lines of a return, in the caller's order.
func (d DemandeRetour) Empreinte() string {
	var b strings.Builder
	for _, l := range d.Lignes {
		fmt.Fprintf(&b, "|%d:%d", l.ProduitID, l.Quantite)
	}
	return b.String()
}
