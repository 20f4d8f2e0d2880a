package stock

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// SeuilParDefaut is the minimum stock of a (location, product) nobody set.
const SeuilParDefaut int64 = 20

// Stock levels the lists can be narrowed to.
const (
	NiveauRupture = "rupture" // disponible <= SeuilRupture
	NiveauBas     = "bas"     // disponible < the location's seuil
	NiveauSurplus = "surplus" // quantite >= SeuilSurplus
)

// Head-office report limits, also the defaults of the report endpoints.
const (
	SeuilRupture int64 = 5
	SeuilSurplus int64 = 100
)

// NiveauFilter narrows a location's stock list; zero values mean "any".
type NiveauFilter struct {
	Q         string
	Categorie string
	Niveau    string
}

// Statuts of a supply request.
const (
	DemandeEnAttente = "en_attente"
	DemandeApprouvee = "approuvee"
	DemandeRefusee   = "refusee"
	DemandeLivree    = "livree"
)

// Origins of a supply request.
const (
	OrigineMagasin     = "magasin"
	OrigineAutomatique = "automatique"
)

// Ledger actors.
const (
	ActeurSaga       = "saga"
	ActeurLogistique = "logistique"
	ActeurSysteme    = "systeme"
)

// DemandeAppro is a store's supply request to the centre.
type DemandeAppro struct {
	ID         int64     `json:"id"`
	MagasinID  int64     `json:"magasin_id"`
	MagasinNom string    `json:"magasin_nom" doc:"The store's name, so a list of requests needs no second call."`
	ProduitID  int64     `json:"produit_id"`
	ProduitNom string    `json:"produit_nom" doc:"The product's name, for the same reason."`
	Quantite   int64     `json:"quantite"`
	Statut     string    `json:"statut" enum:"en_attente,approuvee,refusee,livree"`
	Origine    string    `json:"origine" enum:"magasin,automatique"`
	Motif      string    `json:"motif" doc:"Why the store asks (for automatique: the level that triggered it)."`
	MotifRefus string    `json:"motif_refus" doc:"Why head office refused; empty unless refusee."`
	CreeLe     time.Time `json:"cree_le"`
	ModifieLe  time.Time `json:"modifie_le"`
}

// NouvelleDemandeAppro is what a store types in.
type NouvelleDemandeAppro struct {
	ProduitID int64  `json:"produit_id" minimum:"1"`
	Quantite  int64  `json:"quantite" minimum:"1" maximum:"100000"`
	Motif     string `json:"motif,omitempty" maxLength:"500"`
}

// Normalize trims what people paste by accident.
func (n NouvelleDemandeAppro) Normalize() NouvelleDemandeAppro {
	n.Motif = strings.TrimSpace(n.Motif)
	return n
}

// Refus is head office's answer no.
type Refus struct {
	Motif string `json:"motif" minLength:"1" maxLength:"500"`
}

// Validate rejects a blank motif: a refusal must say why.
func (r Refus) Validate() error {
	if strings.TrimSpace(r.Motif) == "" {
		return &FieldErr{Field: "body.motif", Msg: "motif must not be blank", Value: r.Motif}
	}
	return nil
}

// AutoQuantite is what an automatic request asks for: back to twice the
// threshold, at least one unit.
func AutoQuantite(seuil, disponible int64) int64 {
	return max(2*seuil-disponible, 1)
}

// CanDecide tells whether a request in statut may still be approved or refused.
func CanDecide(statut string) error {
	if statut != DemandeEnAttente {
		return fmt.Errorf("%w: the request is %s", ErrDemandeDecidee, statut)
	}
	return nil
}

// DemandeFilter narrows GET /demandes; zero values mean "any".
type DemandeFilter struct {
	Statut    string
	MagasinID int64
	ProduitID int64
}

// Seuil is the minimum stock of one product at one location.
type Seuil struct {
	EmplacementID int64 `json:"emplacement_id"`
	ProduitID     int64 `json:"produit_id"`
	Seuil         int64 `json:"seuil"`
}

// SeuilFilter narrows GET /seuils; zero values mean "any".
type SeuilFilter struct {
	EmplacementID int64
	ProduitID     int64
}

// LigneRapport is one (location, product) row of a stock report.
type LigneRapport struct {
	EmplacementID  int64  `json:"emplacement_id"`
	EmplacementNom string `json:"emplacement_nom"`
	ProduitID      int64  `json:"produit_id"`
	Nom            string `json:"nom"`
	Categorie      string `json:"categorie"`
	Quantite       int64  `json:"quantite"`
	Reserve        int64  `json:"reserve"`
	Disponible     int64  `json:"disponible"`
}

// EnAttenteMagasin counts one store's pending requests.
type EnAttenteMagasin struct {
	MagasinID int64  `json:"magasin_id"`
	Nom       string `json:"nom"`
	EnAttente int64  `json:"en_attente" doc:"Pending requests."`
	Quantite  int64  `json:"quantite" doc:"Units they ask for."`
}

// Errors of supply requests.
var (
	ErrDemandeNotFound = errors.New("supply request not found")
	ErrDemandeDecidee  = errors.New("supply request already decided")
	ErrDemandeEnCours  = errors.New("a request for this product is already pending at this store")
)

// CentreInsuffisant is an approval the centre cannot serve; nothing moved.
type CentreInsuffisant struct {
	ProduitID  int64
	Demande    int64
	Disponible int64
}

func (e *CentreInsuffisant) Error() string {
	return fmt.Sprintf("the centre has only %d available of product %d, %d asked", e.Disponible, e.ProduitID, e.Demande)
}
