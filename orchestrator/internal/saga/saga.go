// Package saga holds the saga domain: states, the saga record and its step
// log. No SQL, no HTTP.
package saga

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Statut is a saga's state, the same names as the order it drives.
type Statut string

// The states of the seed's checkout saga.
const (
	Creee        Statut = "CREEE"
	StockVerifie Statut = "STOCK_VERIFIE"
	StockReserve Statut = "STOCK_RESERVE"
	Payee        Statut = "PAYEE"
	Confirmee    Statut = "CONFIRMEE"
	Annulee      Statut = "ANNULEE"
)

// Saga is one run of a saga, as stored.
type Saga struct {
	ID             uuid.UUID       `json:"id"`
	Type           string          `json:"type" enum:"commande,vente,retour"`
	Statut         Statut          `json:"statut" enum:"CREEE,STOCK_VERIFIE,STOCK_RESERVE,PAYEE,CONFIRMEE,ANNULEE"`
	Etape          string          `json:"etape" doc:"The step in progress or last done."`
	CleIdempotence *string         `json:"cle_idempotence" doc:"The client's Idempotency-Key, if any."`
	CommandeID     *uuid.UUID      `json:"commande_id"`
	Motif          string          `json:"motif" doc:"Why the saga ended ANNULEE, when it did."`
	CreeLe         time.Time       `json:"cree_le"`
	ModifieLe      time.Time       `json:"modifie_le"`
	Requete        json.RawMessage `json:"requete,omitempty" doc:"The request that started the saga."`
	Etapes         []Etape         `json:"etapes,omitempty" doc:"The step log, oldest first."`
}

// Etape is one outbound call of a saga: an action or its compensation.
type Etape struct {
	N       int             `json:"n"`
	Etape   string          `json:"etape"`
	Sens    string          `json:"sens" enum:"action,compensation"`
	Statut  string          `json:"statut" enum:"envoyee,reussie,echouee,inconnue"`
	Reponse json.RawMessage `json:"reponse,omitempty"`
	At      time.Time       `json:"at"`
}

// ErrNotFound is a saga id nobody started.
var ErrNotFound = errors.New("saga not found")
