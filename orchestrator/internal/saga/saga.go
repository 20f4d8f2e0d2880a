// Package saga holds the saga domain: states, the requests that start a saga,
// the saga record and its step log, definitions and the pure state machine
// that decides what to do next. No SQL, no HTTP.
package saga

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/sagaapi"
)

// Statut is a saga's state: the order states of the seed, plus the two
// intermediate states of a return. Every saga ends CONFIRMEE or ANNULEE. They
// are defined once, in the saga's public contract.
type Statut = sagaapi.Statut

// The states a saga goes through.
const (
	Creee            = sagaapi.Creee
	StockVerifie     = sagaapi.StockVerifie
	StockReserve     = sagaapi.StockReserve
	Payee            = sagaapi.Payee
	RetourEnregistre = sagaapi.RetourEnregistre
	Restocke         = sagaapi.Restocke
	Confirmee        = sagaapi.Confirmee
	Annulee          = sagaapi.Annulee
)

// Types of saga.
const (
	TypeCommande = sagaapi.TypeCommande // online checkout, from a list of products or a cart
	TypeVente    = sagaapi.TypeVente    // counter sale
	TypeRetour   = sagaapi.TypeRetour   // return: record, restock, refund
)

// Limits of a request, the same as the order's.
const (
	LignesMax   = 100
	QuantiteMax = 10000
	// ClientInvite is the demo guest client used when a checkout names none.
	ClientInvite int64 = 1
	// Centre is the logistics centre, where online orders are served from.
	Centre int64 = 6
)

// Etat is one state a saga entered, with when.
type Etat struct {
	Etat Statut    `json:"etat"`
	At   time.Time `json:"at"`
}

// Reponse is the answer to every saga request and the summary in lists.
type Reponse struct {
	SagaID     uuid.UUID  `json:"saga_id"`
	Type       string     `json:"type" enum:"commande,vente,retour"`
	CommandeID *uuid.UUID `json:"commande_id"`
	Statut     Statut     `json:"statut" enum:"CREEE,STOCK_VERIFIE,STOCK_RESERVE,PAYEE,RETOUR_ENREGISTRE,RESTOCKE,CONFIRMEE,ANNULEE"`
	Motif      string     `json:"motif" doc:"Why the saga ended ANNULEE or is waiting for recovery; empty otherwise."`
	Total      kit.Cents  `json:"total" doc:"Amount charged (commande, vente) or refunded (retour)."`
	Etapes     []Etat     `json:"etapes" nullable:"false" doc:"The states the saga went through, oldest first."`
	Termine    bool       `json:"termine" doc:"False while the saga runs or waits for the recovery worker."`
}

// Saga is one run as stored: the answer, then where the engine stands with
// it (GET /saga/{id} and the items of GET /sagas). docs/api.md lists every field.
type Saga struct {
	Reponse
	ReponseHTTP int   `json:"reponse_http" enum:"201,202,402,409,422,503" doc:"The status a POST of this saga, or a repeat of its Idempotency-Key, answers with now: 201, 402, 409, 422 (a return commande finds invalid) or 503 once termine; 202 while it runs or waits for recovery."`
	Phase       Phase `json:"phase" enum:"en_cours,sondage,compensation,cloture,terminee" doc:"Which call the saga waits on: en_cours the action of etape_en_attente, sondage the probe of the pivot (recovery asks whether the charge happened), compensation the undo of etape_en_attente, cloture the closing call that records the outcome, terminee none."`
	// EtapeAtteinte is kept apart from the step being compensated, so a
	// payment refused reads payer here, whatever is undone after it.
	EtapeAtteinte  string  `json:"etape_atteinte" doc:"The furthest step whose action the saga called (the closing call left out): payer for a payment refused, even while or after reserver_stock is compensated; empty before the first call."`
	EtapeEnAttente *string `json:"etape_en_attente" doc:"The step whose call (as phase says: action, probe, compensation or closing call) is pending; null once termine."`
	AVerifier      bool    `json:"a_verifier" doc:"A_VERIFIER: recovery tried the saga N times in a row without moving it (a participant refuses a step that can no longer be undone, or stays down). Head office must look; recovery keeps trying, less often, and the saga finishes as usual once a try succeeds."`
	// AVerifierDepuis, with the last error, is the reason a person reads.
	AVerifierDepuis  *time.Time      `json:"a_verifier_depuis" doc:"When the saga became à vérifier; null when it is not."`
	Reprises         int             `json:"reprises" doc:"Recovery attempts in a row that left the saga waiting at the same call (one that moves it to another call counts 1 again); 0 before recovery first tries it, and once it ends."`
	DerniereErreur   string          `json:"derniere_erreur" doc:"The last error a call of the saga met (a refusal, a status, a timeout): the reason of a saga à vérifier. Empty when no call failed."`
	ProchaineReprise *time.Time      `json:"prochaine_reprise" doc:"The earliest time the recovery worker takes the saga again (the end of its lease, or its backoff once à vérifier); null once termine."`
	CleIdempotence   *string         `json:"cle_idempotence" doc:"The Idempotency-Key of the POST that started the saga; null when the client sent none."`
	CreeLe           time.Time       `json:"cree_le"`
	ModifieLe        time.Time       `json:"modifie_le"`
	Requete          json.RawMessage `json:"requete,omitempty" doc:"The request that started the saga (GET /saga/{id} only)."`
	Journal          []Appel         `json:"journal,omitempty" doc:"The step log: one row per outbound step or compensation, oldest first (GET /saga/{id} only)."`
	// Donnees is never shown: it says whose the saga is (PeutLire).
	Donnees Donnees `json:"-"`
}

// Appel is one row of the step log: an action, a compensation or a probe,
// written before the call (envoyee) and completed after it.
type Appel struct {
	N          int             `json:"n"`
	Etape      string          `json:"etape"`
	Sens       string          `json:"sens" enum:"action,compensation,sondage"`
	Statut     string          `json:"statut" enum:"envoyee,reussie,echouee,inconnue"`
	Tentatives int             `json:"tentatives"`
	HTTPStatus *int            `json:"http_status"`
	Reponse    json.RawMessage `json:"reponse,omitempty" doc:"What the participant answered, call by call."`
	EnvoyeeLe  time.Time       `json:"envoyee_le"`
	RecueLe    *time.Time      `json:"recue_le"`
}

// Ligne is a priced line of a sale, or a returned line.
type Ligne struct {
	ProduitID    int64     `json:"produit_id"`
	Quantite     int       `json:"quantite"`
	PrixUnitaire kit.Cents `json:"prix_unitaire"`
}

// Donnees is what the steps of one saga read and write, stored with it.
type Donnees struct {
	ClientID      int64     `json:"client_id"`
	Canal         string    `json:"canal,omitempty"`
	MagasinID     *int      `json:"magasin_id,omitempty"`
	EmplacementID int64     `json:"emplacement_id"`
	Methode       string    `json:"methode,omitempty"`
	Panier        bool      `json:"panier,omitempty"`
	Lignes        []Ligne   `json:"lignes"`
	Total         kit.Cents `json:"total"`
	// A return: the payment to refund, and what commande accepted back.
	PaiementID *uuid.UUID `json:"paiement_id,omitempty"`
	RetourID   *uuid.UUID `json:"retour_id,omitempty"`
	// Comptoir is the store whose caissier took a return back: an online
	// order may come back at any store, and that store reads its saga.
	Comptoir *int `json:"comptoir,omitempty"`
}

// PeutLire says whether the caller of ctx may see a stored saga, by GET
// /saga/{id} or by repeating its Idempotency-Key. A guest checkout (the
// guest client, no store) is anyone's who holds its id, as the seed's
// curls read theirs with no token. Any other saga is its client's and its
// store's (the counter that sold or took it back), and the chain's roles'
// (kit.CheckOwner): anonymous 401, another client or store 403.
func PeutLire(ctx context.Context, d Donnees) error {
	o := kit.Owner{}
	if d.ClientID != ClientInvite {
		o.ClientID = d.ClientID
	}
	switch {
	case d.Comptoir != nil:
		o.MagasinID = int64(*d.Comptoir)
	case d.MagasinID != nil:
		o.MagasinID = int64(*d.MagasinID)
	}
	if o == (kit.Owner{}) {
		return nil
	}
	return kit.CheckOwner(ctx, o)
}

// Errors the HTTP layer maps to problem types.
var (
	ErrNotFound      = errors.New("saga not found")
	ErrCleReutilisee = errors.New("Idempotency-Key already used for a different request")
)

// Champ names one faulty input field, as "body.produits[1].produit_id".
type Champ struct {
	Location string
	Message  string
	Value    any
}

// InvalidError is bad input (422), field by field. Nothing was created.
type InvalidError struct{ Champs []Champ }

func (e *InvalidError) Error() string { return fmt.Sprintf("invalid request: %v", e.Champs) }

// Invalid returns a one-field InvalidError.
func Invalid(location, message string, value any) *InvalidError {
	return &InvalidError{Champs: []Champ{{location, message, value}}}
}

// NotFoundError is an unknown id the request named (404).
type NotFoundError struct{ Champ }

func (e *NotFoundError) Error() string { return e.Location + ": " + e.Message }

// ConflictError is a request that the current state forbids (409), such as
// returning goods of an order with nothing left to return.
type ConflictError struct{ Champ }

func (e *ConflictError) Error() string { return e.Location + ": " + e.Message }

// UnavailableError is a participant down while a saga was being prepared:
// nothing was created, the client may try again.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "participant unavailable: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// LigneDemandee is a product and a quantity, as a client sends it.
type LigneDemandee struct {
	ProduitID int64 `json:"produit_id" minimum:"1" example:"1"`
	Quantite  int   `json:"quantite" minimum:"1" maximum:"10000" example:"1"`
}

// DemandeCommande starts an online checkout.
type DemandeCommande struct {
	Produits []LigneDemandee `json:"produits" minItems:"1" maxItems:"100"`
	ClientID *int64          `json:"client_id,omitempty" minimum:"1" doc:"Defaults to the guest client (1)."`
}

// DemandePanier checks out a client's cart.
type DemandePanier struct {
	ClientID int64 `json:"client_id" minimum:"1" example:"1"`
}

// DemandeVente starts a counter sale in a store.
type DemandeVente struct {
	MagasinID int             `json:"magasin_id" minimum:"1" maximum:"5" example:"1"`
	Produits  []LigneDemandee `json:"produits" minItems:"1" maxItems:"100"`
	Methode   string          `json:"methode" enum:"comptant,carte" example:"comptant"`
	ClientID  *int64          `json:"client_id,omitempty" minimum:"1" doc:"Defaults to the guest client (1)."`
}

// DemandeRetour starts a return of an order's goods.
type DemandeRetour struct {
	CommandeID uuid.UUID       `json:"commande_id" format:"uuid"`
	Lignes     []LigneDemandee `json:"lignes,omitempty" maxItems:"100" doc:"Omitted: everything not yet returned."`
}

// ValiderLignes checks what a schema cannot say (a product twice), and the
// bounds again so the domain holds without the HTTP layer. at is "body.produits".
func ValiderLignes(at string, lignes []LigneDemandee, vide bool) error {
	var champs []Champ
	if n := len(lignes); (n == 0 && !vide) || n > LignesMax {
		champs = append(champs, Champ{at, fmt.Sprintf("must hold 1 to %d lines", LignesMax), n})
	}
	seen := make(map[int64]int, len(lignes))
	for i, l := range lignes {
		loc := at + "[" + strconv.Itoa(i) + "]."
		if l.ProduitID < 1 {
			champs = append(champs, Champ{loc + "produit_id", "must be 1 or more", l.ProduitID})
		} else if first, dup := seen[l.ProduitID]; dup {
			champs = append(champs, Champ{loc + "produit_id",
				fmt.Sprintf("product already on line %d; merge the quantities", first), l.ProduitID})
		} else {
			seen[l.ProduitID] = i
		}
		if l.Quantite < 1 || l.Quantite > QuantiteMax {
			champs = append(champs, Champ{loc + "quantite", fmt.Sprintf("must be from 1 to %d", QuantiteMax), l.Quantite})
		}
	}
	if len(champs) > 0 {
		return &InvalidError{Champs: champs}
	}
	return nil
}

// Total is the sum of the lines.
func Total(lignes []Ligne) kit.Cents {
	var t kit.Cents
	for _, l := range lignes {
		t += l.PrixUnitaire * kit.Cents(l.Quantite)
	}
	return t
}

// Filtre narrows a saga list; empty values do not filter.
type Filtre struct {
	Statut    Statut
	Type      string
	AVerifier bool // only the sagas à vérifier
}
