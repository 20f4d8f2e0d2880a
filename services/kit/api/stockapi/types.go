package stockapi

import (
	"time"

	"multimagasins/kit"
)

// CentreID is the centre logistique; online orders are served from it.
const CentreID int64 = 6

// Produit is a catalogue item.
type Produit struct {
	ID          int64     `json:"id"`
	Nom         string    `json:"nom"`
	Categorie   string    `json:"categorie"`
	Prix        kit.Cents `json:"prix"`
	Description string    `json:"description"`
	Actif       bool      `json:"actif"`
}

// ProduitFields is the body of POST /produits and PUT /produits/{id}.
type ProduitFields struct {
	Nom         string    `json:"nom"`
	Categorie   string    `json:"categorie"`
	Prix        kit.Cents `json:"prix"`
	Description string    `json:"description,omitempty"`
	Actif       *bool     `json:"actif,omitempty"` // nil: true
}

// Emplacement is a store (1 to 5) or the centre logistique (6).
type Emplacement struct {
	ID      int64  `json:"id"`
	Nom     string `json:"nom"`
	Adresse string `json:"adresse"`
}

// Niveau is the stock of one product at one location.
type Niveau struct {
	ProduitID  int64  `json:"produit_id"`
	Nom        string `json:"nom"`
	Categorie  string `json:"categorie"`
	Quantite   int64  `json:"quantite"`   // on hand
	Reserve    int64  `json:"reserve"`    // promised to active reservations
	Disponible int64  `json:"disponible"` // quantite - reserve
	Seuil      int64  `json:"seuil"`
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

// Mouvement is a ledger row; quantite is positive and type gives the direction.
type Mouvement struct {
	ID            int64     `json:"id"`
	EmplacementID int64     `json:"emplacement_id"`
	ProduitID     int64     `json:"produit_id"`
	Type          string    `json:"type"`
	Quantite      int64     `json:"quantite"`
	Reference     string    `json:"reference"`
	Acteur        string    `json:"acteur"`
	Motif         string    `json:"motif"`
	At            time.Time `json:"at"`
}

// Reception is the body of POST /logistique/receptions.
type Reception struct {
	ProduitID int64  `json:"produit_id"`
	Quantite  int64  `json:"quantite"`
	Reference string `json:"reference,omitempty"`
}

// ReceptionResult is the ledger row written and the centre's stock after it.
type ReceptionResult struct {
	Mouvement Mouvement `json:"mouvement"`
	Niveau    Niveau    `json:"niveau"`
}

// Ligne is a quantity of one product.
type Ligne struct {
	ProduitID int64 `json:"produit_id"`
	Quantite  int64 `json:"quantite"`
}

// Demande is the body of POST /disponibilites.
type Demande struct {
	EmplacementID int64   `json:"emplacement_id,omitempty"` // 0: the centre
	Lignes        []Ligne `json:"lignes"`
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

// Reservation states.
const (
	StatutActive    = "active"
	StatutLiberee   = "liberee"
	StatutConfirmee = "confirmee"
)

// NouvelleReservation is the body of POST /reservations. Cle is the caller's
// idempotency key (the saga sends saga_id:step); it later names the
// reservation in a path, so it holds no /, ?, #, % or space.
type NouvelleReservation struct {
	Cle           string  `json:"cle"`
	EmplacementID int64   `json:"emplacement_id,omitempty"` // 0: the centre
	Reference     string  `json:"reference,omitempty"`
	Lignes        []Ligne `json:"lignes"`
}

// Reservation is units set aside under a key. A tombstone (a release that
// came before its reservation) has no location and no lines.
type Reservation struct {
	Cle           string    `json:"cle"`
	EmplacementID *int64    `json:"emplacement_id"`
	Statut        string    `json:"statut"`
	Reference     string    `json:"reference"`
	Lignes        []Ligne   `json:"lignes"`
	CreeLe        time.Time `json:"cree_le"`
}

// NouveauRetour is the body of POST /retours: returned goods put back on the
// shelf of emplacement_id.
type NouveauRetour struct {
	EmplacementID int64   `json:"emplacement_id"`
	Reference     string  `json:"reference"`
	Lignes        []Ligne `json:"lignes"`
}

// Retour answers POST /retours: the lines put back and their ledger rows.
type Retour struct {
	EmplacementID int64       `json:"emplacement_id"`
	Reference     string      `json:"reference"`
	Lignes        []Ligne     `json:"lignes"`
	Mouvements    []Mouvement `json:"mouvements"`
}

// Statuts of a supply request.
const (
	DemandeEnAttente = "en_attente"
	DemandeApprouvee = "approuvee"
	DemandeRefusee   = "refusee"
	DemandeLivree    = "livree"
)

// DemandeAppro is a store's supply request to the centre.
type DemandeAppro struct {
	ID         int64     `json:"id"`
	MagasinID  int64     `json:"magasin_id"`
	MagasinNom string    `json:"magasin_nom"`
	ProduitID  int64     `json:"produit_id"`
	ProduitNom string    `json:"produit_nom"`
	Quantite   int64     `json:"quantite"`
	Statut     string    `json:"statut"`
	Origine    string    `json:"origine"` // magasin or automatique
	Motif      string    `json:"motif"`
	MotifRefus string    `json:"motif_refus"`
	CreeLe     time.Time `json:"cree_le"`
	ModifieLe  time.Time `json:"modifie_le"`
}

// NouvelleDemandeAppro is the body of POST /magasins/{id}/demandes.
type NouvelleDemandeAppro struct {
	ProduitID int64  `json:"produit_id"`
	Quantite  int64  `json:"quantite"`
	Motif     string `json:"motif,omitempty"`
}

// Seuil is the minimum stock of one product at one location.
type Seuil struct {
	EmplacementID int64 `json:"emplacement_id"`
	ProduitID     int64 `json:"produit_id"`
	Seuil         int64 `json:"seuil"`
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
	EnAttente int64  `json:"en_attente"`
	Quantite  int64  `json:"quantite"`
}

// DemandesEnAttente answers GET /rapports/demandes-en-attente.
type DemandesEnAttente struct {
	EnAttente int64                  `json:"en_attente"`
	Magasins  []EnAttenteMagasin     `json:"magasins"`
	Demandes  kit.Page[DemandeAppro] `json:"demandes"`
}
