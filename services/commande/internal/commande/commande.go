// Package commande holds the order domain: lines, totals, the status state
// machine and input rules. No HTTP, no SQL.
package commande

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
)

// Canal says where an order was placed.
type Canal string

// The two sales channels.
const (
	EnLigne Canal = "en_ligne"
	Magasin Canal = "magasin"
)

// Limits of an order. PrixMax keeps every total far inside int64 cents:
// 100 lines × 10 000 units × 1 000 000.00 is 10^14 cents.
const (
	LignesMax   = 100
	QuantiteMax = 10000
	PrixMax     = kit.Cents(100_000_000)
	MagasinMin  = 1
	MagasinMax  = 5
)

// Ligne is one product of an order, priced when the order was made.
type Ligne struct {
	ProduitID         int64     `json:"produit_id"`
	Quantite          int       `json:"quantite"`
	PrixUnitaire      kit.Cents `json:"prix_unitaire"`
	SousTotal         kit.Cents `json:"sous_total"`
	QuantiteRetournee int       `json:"quantite_retournee" doc:"Units that came back, never more than quantite."`
}

// Evenement is one row of an order's history: the state it entered, and when.
type Evenement struct {
	Statut Statut    `json:"statut"`
	Motif  string    `json:"motif"`
	At     time.Time `json:"at"`
}

// Commande is an order as the API shows it. List pages leave Historique out.
type Commande struct {
	ID            uuid.UUID   `json:"id"`
	ClientID      int64       `json:"client_id"`
	Canal         Canal       `json:"canal"`
	MagasinID     *int        `json:"magasin_id,omitempty"`
	Statut        Statut      `json:"statut"`
	Total         kit.Cents   `json:"total"`
	TotalRetourne kit.Cents   `json:"total_retourne" doc:"What the returned units are worth, at the sale's prices."`
	Lignes        []Ligne     `json:"lignes" nullable:"false"`
	Historique    []Evenement `json:"historique,omitempty" doc:"Oldest first; left out of list pages."`
	Retours       []Retour    `json:"retours,omitempty" doc:"Oldest first; absent when there is none, and left out of list pages."`
	CreeLe        time.Time   `json:"cree_le"`
	ModifieLe     time.Time   `json:"modifie_le"`
}

// LigneDemandee is a line as a caller sends it; the sub-total is ours to compute.
type LigneDemandee struct {
	ProduitID    int64     `json:"produit_id" minimum:"1" example:"1"`
	Quantite     int       `json:"quantite" minimum:"1" maximum:"10000" example:"2"`
	PrixUnitaire kit.Cents `json:"prix_unitaire" doc:"Unit price at the time of the order, more than 0."`
}

// Demande is what a caller sends to create an order. The total is never sent:
// it is computed from the lines.
type Demande struct {
	ID        *uuid.UUID      `json:"id,omitempty" format:"uuid" doc:"Chosen by the caller (the orchestrator) so a retry cannot make a second order."`
	ClientID  int64           `json:"client_id" minimum:"1" example:"1"`
	Canal     Canal           `json:"canal" enum:"en_ligne,magasin"`
	MagasinID *int            `json:"magasin_id,omitempty" minimum:"1" maximum:"5" doc:"Required when canal is magasin, absent otherwise."`
	Lignes    []LigneDemandee `json:"lignes" minItems:"1" maxItems:"100"`
	// Historique lets the saga that ran the order record it once, as it
	// ended, with every state it passed and when (see Historique).
	Historique []EvenementDemande `json:"historique,omitempty" maxItems:"6" doc:"The states the order passed, oldest first, from CREEE, each allowed by the state machine after the one before; the last one is the order's status. Absent: the order is created CREEE now."`
}

// EvenementDemande is one state of a recorded history, as the saga sends it.
type EvenementDemande struct {
	Statut Statut    `json:"statut" enum:"CREEE,STOCK_VERIFIE,STOCK_RESERVE,PAYEE,CONFIRMEE,ANNULEE"`
	Motif  string    `json:"motif,omitempty" maxLength:"500" doc:"Required with ANNULEE."`
	At     time.Time `json:"at" doc:"When the order entered the state (RFC 3339)."`
}

// Proprietaire is whom an order belongs to: its client and, for a counter
// sale, its store. Who may read the order is decided against it.
type Proprietaire struct {
	ClientID  int64
	MagasinID *int // nil for an online order
}

// Proprietaire returns whom c belongs to.
func (c Commande) Proprietaire() Proprietaire {
	return Proprietaire{ClientID: c.ClientID, MagasinID: c.MagasinID}
}

// Filtre narrows an order list; zero values do not filter.
type Filtre struct {
	ClientID  int64
	Statut    Statut
	MagasinID int
	Canal     Canal
	Depuis    time.Time // inclusive
	JusquA    time.Time // exclusive, so back-to-back periods never count an order twice
}

// Errors the HTTP layer maps to problem types.
var (
	ErrNotFound      = errors.New("commande not found")
	ErrIDPris        = errors.New("another commande with different content already has this id")
	ErrCleReutilisee = errors.New("Idempotency-Key already used for a different request")
)

// Champ names one faulty input field, as "body.lignes[1].produit_id".
type Champ struct {
	Location string
	Message  string
	Value    any
}

// ValidationError lists every faulty field of a request at once.
type ValidationError struct{ Champs []Champ }

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Champs))
	for i, c := range e.Champs {
		parts[i] = c.Location + ": " + c.Message
	}
	return "invalid commande: " + strings.Join(parts, "; ")
}

// Valider checks the rules of an order, including those a JSON schema cannot
// say (a product twice, a store for counter sales only).
func (d Demande) Valider() error {
	var champs []Champ
	add := func(loc, msg string, v any) { champs = append(champs, Champ{loc, msg, v}) }
	if d.ClientID < 1 {
		add("body.client_id", "must be 1 or more", d.ClientID)
	}
	switch d.Canal {
	case Magasin:
		if d.MagasinID == nil {
			add("body.magasin_id", "is required when canal is magasin", nil)
		} else if *d.MagasinID < MagasinMin || *d.MagasinID > MagasinMax {
			add("body.magasin_id", fmt.Sprintf("must be a store from %d to %d", MagasinMin, MagasinMax), *d.MagasinID)
		}
	case EnLigne:
		if d.MagasinID != nil {
			add("body.magasin_id", "must be absent when canal is en_ligne", *d.MagasinID)
		}
	default:
		add("body.canal", "must be en_ligne or magasin", d.Canal)
	}
	if n := len(d.Lignes); n < 1 || n > LignesMax {
		add("body.lignes", fmt.Sprintf("must hold 1 to %d lines", LignesMax), n)
	}
	seen := make(map[int64]int, len(d.Lignes))
	for i, l := range d.Lignes {
		at := "body.lignes[" + strconv.Itoa(i) + "]."
		if l.ProduitID < 1 {
			add(at+"produit_id", "must be 1 or more", l.ProduitID)
		} else if first, dup := seen[l.ProduitID]; dup {
			add(at+"produit_id", fmt.Sprintf("product already on line %d; merge the quantities", first), l.ProduitID)
		} else {
			seen[l.ProduitID] = i
		}
		if l.Quantite < 1 || l.Quantite > QuantiteMax {
			add(at+"quantite", fmt.Sprintf("must be from 1 to %d", QuantiteMax), l.Quantite)
		}
		if l.PrixUnitaire <= 0 || l.PrixUnitaire > PrixMax {
			add(at+"prix_unitaire", "must be more than 0 and at most "+PrixMax.String(), l.PrixUnitaire)
		}
	}
	champs = append(champs, verifierHistorique(d.Historique)...)
	if len(champs) > 0 {
		return &ValidationError{Champs: champs}
	}
	return nil
}

// AvanceMax is how far in the future a recorded state may be, for the
// clocks of two services that disagree a little.
const AvanceMax = time.Minute

// verifierHistorique checks a recorded history against the one state machine:
// it starts at CREEE, each state may follow the one before, times never go
// back, and a cancellation says why.
func verifierHistorique(h []EvenementDemande) []Champ {
	var champs []Champ
	limite := time.Now().Add(AvanceMax)
	for i, e := range h {
		at := "body.historique[" + strconv.Itoa(i) + "]."
		switch {
		case !e.Statut.Valide():
			champs = append(champs, Champ{at + "statut", "unknown state", e.Statut})
		case i == 0 && e.Statut != Creee:
			champs = append(champs, Champ{at + "statut", "a history starts at CREEE", e.Statut})
		case i > 0 && !PeutPasser(h[i-1].Statut, e.Statut):
			champs = append(champs, Champ{at + "statut", (&TransitionError{De: h[i-1].Statut, Vers: e.Statut}).Error(), e.Statut})
		}
		if err := VerifierMotif(e.Statut, e.Motif); err != nil {
			champs = append(champs, Champ{at + "motif", err.Error(), e.Motif})
		}
		switch {
		case e.At.IsZero() || e.At.After(limite):
			champs = append(champs, Champ{at + "at", "must be a time, at most " + AvanceMax.String() + " from now", e.At})
		case i > 0 && e.At.Before(h[i-1].At):
			champs = append(champs, Champ{at + "at", "must not be before the state before it", e.At})
		}
	}
	return champs
}

// Evenements is the history the order is created with: the one recorded,
// or CREEE at now.
func (d Demande) Evenements(now time.Time) []Evenement {
	if len(d.Historique) == 0 {
		return []Evenement{{Statut: Creee, At: now}}
	}
	out := make([]Evenement, len(d.Historique))
	for i, e := range d.Historique {
		// PostgreSQL keeps microseconds: the answer shows what is stored.
		out[i] = Evenement{Statut: e.Statut, Motif: e.Motif, At: e.At.UTC().Truncate(time.Microsecond)}
	}
	return out
}

// Nouvelle is the order d makes under id with history h, as the API shows it.
func (d Demande) Nouvelle(id uuid.UUID, h []Evenement) Commande {
	lignes := d.LignesPrix()
	return Commande{ID: id, ClientID: d.ClientID, Canal: d.Canal, MagasinID: d.MagasinID, Statut: h[len(h)-1].Statut,
		Total: Total(lignes), Lignes: lignes, Historique: h, CreeLe: h[0].At, ModifieLe: h[len(h)-1].At}
}

// LignesPrix prices each requested line.
func (d Demande) LignesPrix() []Ligne {
	out := make([]Ligne, len(d.Lignes))
	for i, l := range d.Lignes {
		out[i] = Ligne{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: l.PrixUnitaire,
			SousTotal: l.PrixUnitaire * kit.Cents(l.Quantite)}
	}
	return out
}

// Total is the sum of the lines' sub-totals.
func Total(lignes []Ligne) kit.Cents {
	var t kit.Cents
	for _, l := range lignes {
		t += l.SousTotal
	}
	return t
}

// Empreinte fingerprints what the order is (client, channel, store, lines in
// order) but not its id, so a retry of the same order is told apart from a
// different order that reuses an id or an idempotency key.
func (d Demande) Empreinte() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%s|", d.ClientID, d.Canal)
	if d.MagasinID != nil {
		b.WriteString(strconv.Itoa(*d.MagasinID))
	}
	for _, l := range d.Lignes {
		fmt.Fprintf(&b, "|%d:%d:%d", l.ProduitID, l.Quantite, int64(l.PrixUnitaire))
	}
	// The states, not their times or reasons: a saga resumed after a crash
	// records the same outcome again, with other times, and gets the first answer.
	for _, e := range d.Historique {
		b.WriteString("|" + string(e.Statut))
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}
