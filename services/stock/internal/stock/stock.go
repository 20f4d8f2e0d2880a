// Package stock holds the catalogue and inventory domain: products,
// locations, stock levels, reservations and the movement ledger. No HTTP, no SQL.
package stock

import (
	"errors"
	"strings"
	"time"

	"multimagasins/kit"
)

// CentreID is the centre logistique; online orders are served from it.
const CentreID int64 = 6

// Location kinds.
const (
	TypeMagasin = "magasin"
	TypeCentre  = "centre"
)

// Produit is a catalogue item. prix is in cents.
type Produit struct {
	ID          int64     `json:"id"`
	Nom         string    `json:"nom"`
	Categorie   string    `json:"categorie"`
	Prix        kit.Cents `json:"prix"`
	Description string    `json:"description"`
	Actif       bool      `json:"actif"`
}

// MaxPrix keeps prices far from overflow when multiplied by quantities.
const MaxPrix kit.Cents = 100_000_000 // 1 000 000.00

// ProduitFields are what head office types in to create or replace a product.
type ProduitFields struct {
	Nom         string    `json:"nom" minLength:"1" maxLength:"200" example:"Tablette 10 pouces"`
	Categorie   string    `json:"categorie" minLength:"1" maxLength:"100" example:"Électronique"`
	Prix        kit.Cents `json:"prix" doc:"Price, more than 0, at most two decimals."`
	Description string    `json:"description,omitempty" maxLength:"2000"`
	Actif       *bool     `json:"actif,omitempty" doc:"Defaults to true."`
}

// Normalize trims what people paste by accident.
func (f ProduitFields) Normalize() ProduitFields {
	f.Nom = strings.TrimSpace(f.Nom)
	f.Categorie = strings.TrimSpace(f.Categorie)
	f.Description = strings.TrimSpace(f.Description)
	return f
}

// IsActif is the actif flag, true when omitted.
func (f ProduitFields) IsActif() bool { return f.Actif == nil || *f.Actif }

// Validate checks what the schema cannot express; the error names the field.
func (f ProduitFields) Validate() error {
	switch {
	case f.Nom == "":
		return &FieldErr{Field: "body.nom", Msg: "nom must not be blank", Value: f.Nom}
	case f.Categorie == "":
		return &FieldErr{Field: "body.categorie", Msg: "categorie must not be blank", Value: f.Categorie}
	case f.Prix <= 0:
		return &FieldErr{Field: "body.prix", Msg: "prix must be more than 0", Value: f.Prix}
	case f.Prix > MaxPrix:
		return &FieldErr{Field: "body.prix", Msg: "prix must be at most " + MaxPrix.String(), Value: f.Prix}
	}
	return nil
}

// Emplacement is a store or the centre logistique.
type Emplacement struct {
	ID      int64  `json:"id"`
	Nom     string `json:"nom"`
	Adresse string `json:"adresse"`
	Type    string `json:"-"`
}

// Niveau is the stock of one product at one location.
type Niveau struct {
	ProduitID  int64  `json:"produit_id"`
	Nom        string `json:"nom"`
	Categorie  string `json:"categorie"`
	Quantite   int64  `json:"quantite" doc:"Units on hand."`
	Reserve    int64  `json:"reserve" doc:"Units promised to active reservations."`
	Disponible int64  `json:"disponible" doc:"quantite - reserve."`
	Seuil      int64  `json:"seuil" doc:"Minimum stock here; below it the store asks the centre for more."`
}

// Movement types of the ledger.
const (
	MvtReception   = "reception"
	MvtReservation = "reservation"
	MvtLiberation  = "liberation"
	MvtVente       = "vente"
	MvtRetour      = "retour"
	MvtTransfert   = "transfert"
	MvtAjustement  = "ajustement"
)

// Mouvement is a ledger row. quantite is always positive and the type gives
// the direction: reception and retour add to the shelf, vente takes from it,
// reservation adds to the reserved units, liberation gives them back.
type Mouvement struct {
	ID            int64     `json:"id"`
	EmplacementID int64     `json:"emplacement_id"`
	ProduitID     int64     `json:"produit_id"`
	Type          string    `json:"type"`
	Quantite      int64     `json:"quantite"`
	Reference     string    `json:"reference"`
	Acteur        string    `json:"acteur" doc:"Who: saga, magasin:3, maison-mere, logistique, systeme."`
	Motif         string    `json:"motif" doc:"Why."`
	At            time.Time `json:"at"`
}

// Reception is supplier goods arriving at the centre.
type Reception struct {
	ProduitID int64  `json:"produit_id" minimum:"1"`
	Quantite  int64  `json:"quantite" minimum:"1" maximum:"100000"`
	Reference string `json:"reference,omitempty" maxLength:"200" doc:"Supplier's delivery note."`
}

// ReceptionResult is the ledger row written and the centre's stock after it.
type ReceptionResult struct {
	Mouvement Mouvement `json:"mouvement"`
	Niveau    Niveau    `json:"niveau"`
}

// Errors the HTTP layer maps to problem types.
var (
	ErrProduitNotFound     = errors.New("product not found")
	ErrEmplacementNotFound = errors.New("location not found")
	ErrMagasinNotFound     = errors.New("store not found")
	ErrReservationNotFound = errors.New("reservation not found")
	ErrAlreadyReleased     = errors.New("reservation already released")
	ErrAlreadyConfirmed    = errors.New("reservation already confirmed")
	ErrKeyReused           = errors.New("key already used with a different request")
)

// FieldErr is a business rule broken by one input field (422).
type FieldErr struct {
	Field string
	Msg   string
	Value any
}

func (e *FieldErr) Error() string { return e.Field + ": " + e.Msg }

// NotFoundErr is an id in the body that names nothing (404).
type NotFoundErr struct {
	Field string
	Msg   string
	Value any
}

func (e *NotFoundErr) Error() string { return e.Field + ": " + e.Msg }

// ProduitFilter narrows the catalogue list.
type ProduitFilter struct {
	IDs       []int64 // any of these ids; none means any product
	Q         string  // part of the name, any case
	Categorie string  // exact, any case
	Actif     *bool
}

// MouvementFilter narrows the ledger list; zero values mean "any".
type MouvementFilter struct {
	EmplacementID int64
	ProduitID     int64
	Type          string
	Reference     string
	Depuis        time.Time // at >= Depuis
	JusquA        time.Time // at < JusquA
}
