// Package clients holds the customer account domain: no HTTP, no SQL.
package clients

import (
	"errors"
	"strings"
	"time"
)

// GuestID is the demo account used by checkouts that name no client.
const GuestID int64 = 1

// Client is a customer account.
type Client struct {
	ID        int64     `json:"id"`
	Nom       string    `json:"nom"`
	Email     string    `json:"email"`
	Telephone string    `json:"telephone"`
	Adresse   string    `json:"adresse"`
	CreeLe    time.Time `json:"cree_le"`
	ModifieLe time.Time `json:"modifie_le"`
}

// Fields are what a person types in to create or change an account.
type Fields struct {
	Nom       string `json:"nom" minLength:"1" maxLength:"200" example:"Ana Tremblay"`
	Email     string `json:"email" format:"email" maxLength:"254" example:"ana@exemple.ca"`
	Telephone string `json:"telephone,omitempty" maxLength:"30" pattern:"^[0-9 +().-]*$" example:"514-555-0101"`
	Adresse   string `json:"adresse,omitempty" maxLength:"500" example:"123 rue Saint-Denis, Montréal"`
}

// Normalize trims what people paste by accident; the email keeps its case
// for display but is unique without regard to it.
func (f Fields) Normalize() Fields {
	f.Nom = strings.TrimSpace(f.Nom)
	f.Email = strings.TrimSpace(f.Email)
	f.Telephone = strings.TrimSpace(f.Telephone)
	f.Adresse = strings.TrimSpace(f.Adresse)
	return f
}

// Errors the HTTP layer maps to problem types.
var (
	ErrNotFound       = errors.New("client not found")
	ErrEmailTaken     = errors.New("email already used by another client")
	ErrBlankName      = errors.New("nom must not be blank")
	ErrGuestProtected = errors.New("the guest client cannot be deleted")
	ErrCleReutilisee  = errors.New("Idempotency-Key already used for a different request")
)

// Validate checks what the schema cannot: a name of only spaces.
func (f Fields) Validate() error {
	if f.Nom == "" {
		return ErrBlankName
	}
	return nil
}
