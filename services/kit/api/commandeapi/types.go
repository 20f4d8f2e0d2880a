package commandeapi

import (
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
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

// Canal says where an order was placed.
type Canal string

// The two sales channels.
const (
	EnLigne Canal = "en_ligne"
	Magasin Canal = "magasin"
)

// Ligne is one product of an order, priced when the order was made.
type Ligne struct {
	ProduitID         int64     `json:"produit_id"`
	Quantite          int       `json:"quantite"`
	PrixUnitaire      kit.Cents `json:"prix_unitaire"`
	SousTotal         kit.Cents `json:"sous_total"`
	QuantiteRetournee int       `json:"quantite_retournee"`
}

// Evenement is one row of an order's history: the state it entered, and when.
type Evenement struct {
	Statut Statut    `json:"statut"`
	Motif  string    `json:"motif"`
	At     time.Time `json:"at"`
}

// Commande is an order. List pages leave Historique and Retours out.
type Commande struct {
	ID            uuid.UUID   `json:"id"`
	ClientID      int64       `json:"client_id"`
	Canal         Canal       `json:"canal"`
	MagasinID     *int        `json:"magasin_id,omitempty"` // counter sales only
	Statut        Statut      `json:"statut"`
	Total         kit.Cents   `json:"total"`
	TotalRetourne kit.Cents   `json:"total_retourne"`
	Lignes        []Ligne     `json:"lignes"`
	Historique    []Evenement `json:"historique,omitempty"`
	Retours       []Retour    `json:"retours,omitempty"`
	CreeLe        time.Time   `json:"cree_le"`
	ModifieLe     time.Time   `json:"modifie_le"`
}

// LigneDemandee is a line as a caller sends it; commande computes the sub-total.
type LigneDemandee struct {
	ProduitID    int64     `json:"produit_id"`
	Quantite     int       `json:"quantite"`
	PrixUnitaire kit.Cents `json:"prix_unitaire"`
}

// Demande is the body of POST /commandes. The total is never sent.
type Demande struct {
	ID        *uuid.UUID      `json:"id,omitempty"` // chosen by the caller so a retry cannot make a second order
	ClientID  int64           `json:"client_id"`
	Canal     Canal           `json:"canal"`
	MagasinID *int            `json:"magasin_id,omitempty"` // required for magasin, absent for en_ligne
	Lignes    []LigneDemandee `json:"lignes"`
	// Historique records the order as its saga ended: every state it passed
	// with its time, from CREEE; the last one is the order's status. Empty:
	// the order is created CREEE now.
	Historique []EvenementDemande `json:"historique,omitempty"`
}

// EvenementDemande is one state of a recorded history.
type EvenementDemande struct {
	Statut Statut    `json:"statut"`
	Motif  string    `json:"motif,omitempty"` // required with ANNULEE
	At     time.Time `json:"at"`
}

// Changement is the body of POST /commande/{id}/transitions.
type Changement struct {
	Statut Statut `json:"statut"`
	Motif  string `json:"motif,omitempty"` // required for ANNULEE
}

// LigneRetour is a quantity of one sold product that comes back.
type LigneRetour struct {
	ProduitID int64 `json:"produit_id"`
	Quantite  int   `json:"quantite"`
}

// DemandeRetour is the body of POST /commande/{id}/retours.
type DemandeRetour struct {
	Lignes []LigneRetour `json:"lignes"`
}

// LigneRetournee is a returned line, priced as it was sold.
type LigneRetournee struct {
	ProduitID    int64     `json:"produit_id"`
	Quantite     int       `json:"quantite"`
	PrixUnitaire kit.Cents `json:"prix_unitaire"`
	Montant      kit.Cents `json:"montant"`
}

// Retour is goods that came back from a confirmed order, and what they are worth.
type Retour struct {
	ID         uuid.UUID        `json:"id"`
	CommandeID uuid.UUID        `json:"commande_id"`
	Lignes     []LigneRetournee `json:"lignes"`
	Montant    kit.Cents        `json:"montant"`
	At         time.Time        `json:"at"`
}

// --- Head-office reports ---

// Agregat is what confirmed sales add up to, net of returns.
type Agregat struct {
	ChiffreAffaires kit.Cents `json:"chiffre_affaires"`
	NombreVentes    int64     `json:"nombre_ventes"`
	PanierMoyen     kit.Cents `json:"panier_moyen"`
}

// VentesCanal is the sales of one store, or of the online channel (no store).
type VentesCanal struct {
	MagasinID *int  `json:"magasin_id"` // nil for online sales
	Canal     Canal `json:"canal"`
	Agregat
}

// VentesParMagasin answers GET /rapports/ventes-par-magasin: stores 1 to 5, then online.
type VentesParMagasin struct {
	Depuis   time.Time     `json:"depuis"`
	JusquA   time.Time     `json:"jusqu_a"`
	Magasins []VentesCanal `json:"magasins"`
	Total    Agregat       `json:"total"`
}

// Classement says how top-produits orders products.
type Classement string

// The two orders of top-produits.
const (
	ParQuantite        Classement = "quantite"
	ParChiffreAffaires Classement = "chiffre_affaires"
)

// ProduitVendu is one product's net sales over a period.
type ProduitVendu struct {
	ProduitID       int64     `json:"produit_id"`
	Quantite        int64     `json:"quantite"`
	ChiffreAffaires kit.Cents `json:"chiffre_affaires"`
}

// TopProduits answers GET /rapports/top-produits, best first.
type TopProduits struct {
	Depuis   time.Time      `json:"depuis"`
	JusquA   time.Time      `json:"jusqu_a"`
	Par      Classement     `json:"par"`
	Produits []ProduitVendu `json:"produits"`
}

// Jour is one day's sales, in Montréal time.
type Jour struct {
	Jour            string    `json:"jour"` // YYYY-MM-DD
	ChiffreAffaires kit.Cents `json:"chiffre_affaires"`
	NombreVentes    int64     `json:"nombre_ventes"`
}

// ChiffreAffairesParJour answers GET /rapports/chiffre-affaires-par-jour.
type ChiffreAffairesParJour struct {
	Depuis    time.Time `json:"depuis"`
	JusquA    time.Time `json:"jusqu_a"`
	MagasinID *int      `json:"magasin_id,omitempty"`
	Jours     []Jour    `json:"jours"`
}

// PerformanceMagasin is a store's sales against the chain average.
type PerformanceMagasin struct {
	MagasinID int `json:"magasin_id"`
	Agregat
	EcartChiffreAffairesPct *float64 `json:"ecart_chiffre_affaires_pct"` // nil when the average is 0
}

// MoyenneChaine is what an average store of the chain sold.
type MoyenneChaine struct {
	ChiffreAffaires kit.Cents `json:"chiffre_affaires"`
	NombreVentes    float64   `json:"nombre_ventes"` // two decimals
	PanierMoyen     kit.Cents `json:"panier_moyen"`
}

// PerformanceMagasins answers GET /rapports/performance-magasins.
type PerformanceMagasins struct {
	Depuis        time.Time            `json:"depuis"`
	JusquA        time.Time            `json:"jusqu_a"`
	MoyenneChaine MoyenneChaine        `json:"moyenne_chaine"`
	Magasins      []PerformanceMagasin `json:"magasins"`
}
