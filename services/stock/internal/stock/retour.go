package stock

import (
	"slices"
	"strings"
)

// NouveauRetour is the body of POST /retours: goods a customer brought back,
// put on the shelf of the location they came from.
type NouveauRetour struct {
	EmplacementID int64   `json:"emplacement_id" minimum:"1" example:"6" doc:"Where the goods go back: a store (1–5) or the centre (6)."`
	Reference     string  `json:"reference" minLength:"1" maxLength:"200" example:"7d4f…" doc:"The caller's reference, such as the order id; written on each ledger row."`
	Lignes        []Ligne `json:"lignes" minItems:"1" maxItems:"100"`
}

// Demande returns the lines and location of the return.
func (n NouveauRetour) Demande() Demande {
	return Demande{EmplacementID: n.EmplacementID, Lignes: n.Lignes}
}

// Validate rejects what the schema cannot: a blank reference, a product twice.
func (n NouveauRetour) Validate() error {
	if strings.TrimSpace(n.Reference) == "" {
		return &FieldErr{Field: "body.reference", Msg: "reference must not be blank", Value: n.Reference}
	}
	return n.Demande().Validate()
}

// Canonical is the request with its lines by product id, so the same return
// sent with its lines in another order is the same request under one key.
func (n NouveauRetour) Canonical() NouveauRetour {
	n.Lignes = slices.Clone(n.Lignes)
	slices.SortFunc(n.Lignes, func(a, b Ligne) int { return compareInt(a.ProduitID, b.ProduitID) })
	return n
}

// Retour answers POST /retours: the lines put back and their ledger rows.
type Retour struct {
	EmplacementID int64       `json:"emplacement_id"`
	Reference     string      `json:"reference"`
	Lignes        []Ligne     `json:"lignes"`
	Mouvements    []Mouvement `json:"mouvements" doc:"One retour ledger row per line, by product id."`
}
