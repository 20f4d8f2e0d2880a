package paiement

import "github.com/google/uuid"

// Reponse is the answer given under a key: what the first request got, replayed to every repeat.
type Reponse struct {
	Status  int
	Body    []byte
	Rejouee bool // true when this is a repeat answered from storage
}

// Rendu turns the effect of a request into the answer stored with its key.
type Rendu[T any] func(T) (status int, body []byte, err error)

// Filtre narrows a list of payments; zero fields do not filter.
type Filtre struct {
	CommandeID uuid.UUID
	ClientID   int64
	Statut     Statut
	Cle        string
}
