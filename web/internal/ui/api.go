package ui

import (
	"encoding/json"

	"multimagasins/kit"
)

// The types below mirror the services' answers (docs/api.md); only the fields
// the pages show are declared, the rest is ignored on decoding.

type page[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

type produit struct {
	ID          int64     `json:"id"`
	Nom         string    `json:"nom"`
	Categorie   string    `json:"categorie"`
	Prix        kit.Cents `json:"prix"`
	Description string    `json:"description"`
	Actif       bool      `json:"actif"`
}

type magasin struct {
	ID      int64  `json:"id"`
	Nom     string `json:"nom"`
	Adresse string `json:"adresse"`
}

type stockLigne struct {
	ProduitID  int64  `json:"produit_id"`
	Nom        string `json:"nom"`
	Categorie  string `json:"categorie"`
	Quantite   int    `json:"quantite"`
	Reserve    int    `json:"reserve"`
	Disponible int    `json:"disponible"`
	Seuil      int    `json:"seuil"`
}

type demande struct {
	ID         int64  `json:"id"`
	MagasinID  int64  `json:"magasin_id"`
	ProduitID  int64  `json:"produit_id"`
	Quantite   int    `json:"quantite"`
	Statut     string `json:"statut"`
	Origine    string `json:"origine"`
	Motif      string `json:"motif"`
	MotifRefus string `json:"motif_refus"`
	CreeLe     string `json:"cree_le"`
}

type mouvement struct {
	ID            int64  `json:"id"`
	EmplacementID int64  `json:"emplacement_id"`
	ProduitID     int64  `json:"produit_id"`
	Type          string `json:"type"`
	Quantite      int    `json:"quantite"`
	Reference     string `json:"reference"`
	Acteur        string `json:"acteur"`
	At            string `json:"at"`
}

type seuil struct {
	EmplacementID int64 `json:"emplacement_id"`
	ProduitID     int64 `json:"produit_id"`
	Seuil         int   `json:"seuil"`
}

type rupture struct {
	EmplacementID  int64  `json:"emplacement_id"`
	EmplacementNom string `json:"emplacement_nom"`
	ProduitID      int64  `json:"produit_id"`
	Nom            string `json:"nom"`
	Categorie      string `json:"categorie"`
	Quantite       int    `json:"quantite"`
	Reserve        int    `json:"reserve"`
	Disponible     int    `json:"disponible"`
}

type demandesEnAttente struct {
	EnAttente int `json:"en_attente"`
	Magasins  []struct {
		MagasinID int64  `json:"magasin_id"`
		Nom       string `json:"nom"`
		EnAttente int    `json:"en_attente"`
		Quantite  int    `json:"quantite"`
	} `json:"magasins"`
	Demandes page[demande] `json:"demandes"`
}

type ventes struct {
	ChiffreAffaires kit.Cents   `json:"chiffre_affaires"`
	NombreVentes    json.Number `json:"nombre_ventes"`
	PanierMoyen     kit.Cents   `json:"panier_moyen"`
}

type ventesParMagasin struct {
	Magasins []struct {
		MagasinID *int64 `json:"magasin_id"`
		Canal     string `json:"canal"`
		ventes
	} `json:"magasins"`
	Total ventes `json:"total"`
}

type topProduits struct {
	Produits []struct {
		ProduitID       int64     `json:"produit_id"`
		Quantite        int       `json:"quantite"`
		ChiffreAffaires kit.Cents `json:"chiffre_affaires"`
	} `json:"produits"`
}

type parJour struct {
	Jours []struct {
		Jour            string    `json:"jour"`
		ChiffreAffaires kit.Cents `json:"chiffre_affaires"`
		NombreVentes    int       `json:"nombre_ventes"`
	} `json:"jours"`
}

type performance struct {
	MoyenneChaine ventes `json:"moyenne_chaine"`
	Magasins      []struct {
		MagasinID int64 `json:"magasin_id"`
		ventes
		Ecart *float64 `json:"ecart_chiffre_affaires_pct"`
	} `json:"magasins"`
}

type client struct {
	ID        int64  `json:"id"`
	Nom       string `json:"nom"`
	Email     string `json:"email"`
	Telephone string `json:"telephone"`
	Adresse   string `json:"adresse"`
}

type panier struct {
	ClientID int64 `json:"client_id"`
	Lignes   []struct {
		ProduitID    int64     `json:"produit_id"`
		Quantite     int       `json:"quantite"`
		PrixUnitaire kit.Cents `json:"prix_unitaire"`
	} `json:"lignes"`
	Total kit.Cents `json:"total"`
}

type commande struct {
	ID        string    `json:"id"`
	ClientID  int64     `json:"client_id"`
	Canal     string    `json:"canal"`
	MagasinID *int64    `json:"magasin_id"`
	Statut    string    `json:"statut"`
	Total     kit.Cents `json:"total"`
}

type saga struct {
	SagaID     string    `json:"saga_id"`
	Type       string    `json:"type"`
	CommandeID *string   `json:"commande_id"`
	Statut     string    `json:"statut"`
	Motif      string    `json:"motif"`
	Total      kit.Cents `json:"total"`
	Etapes     []struct {
		Etat string `json:"etat"`
		At   string `json:"at"`
	} `json:"etapes"`
	Termine bool `json:"termine"`
}

type ligne struct {
	ProduitID int64 `json:"produit_id"`
	Quantite  int   `json:"quantite"`
}
