// Package paiement holds the payment domain: authorization limits, charges
// and refunds. No HTTP, no SQL.
package paiement

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
)

const (
	// LimiteParDefaut is the seed's threshold: a card charge above 500.00 is refused
	// for a client who has no account row.
	LimiteParDefaut kit.Cents = 500_00
	// MontantMax bounds one charge or refund; beyond it the input is a mistake.
	MontantMax kit.Cents = 1_000_000_00
)

// Methode is how a client pays.
type Methode string

const (
	Carte    Methode = "carte"
	Comptant Methode = "comptant"
)

// Statut is where a payment stands.
type Statut string

const (
	Accepte                Statut = "accepte"
	Refuse                 Statut = "refuse"
	Rembourse              Statut = "rembourse"
	PartiellementRembourse Statut = "partiellement_rembourse"
)

// Compte is a client's payment account: the largest card charge allowed at once.
type Compte struct {
	ClientID int64     `json:"client_id"`
	Limite   kit.Cents `json:"limite" doc:"Largest card charge allowed in one payment."`
}

// Demande is a charge as a caller asks for it.
type Demande struct {
	CommandeID uuid.UUID `json:"commande_id" format:"uuid" doc:"Order being paid; charged at most once."`
	ClientID   int64     `json:"client_id" minimum:"1" example:"1"`
	Montant    kit.Cents `json:"montant" minimum:"0.01" maximum:"1000000" example:"129.99"`
	Methode    Methode   `json:"methode" enum:"carte,comptant" example:"carte"`
}

// DemandeRemboursement is a refund as a caller asks for it.
type DemandeRemboursement struct {
	Montant kit.Cents `json:"montant" minimum:"0.01" maximum:"1000000" example:"10.00"`
	Motif   string    `json:"motif,omitempty" maxLength:"500" example:"retour en magasin"`
	// omitempty keeps the fingerprint of a request without the flag as it
	// was before the flag existed, so keys stored then still replay.
	JusquAuReste bool `json:"jusqu_au_reste,omitempty" default:"false" doc:"When true, a montant beyond what is left to refund refunds what is left (0.00 when nothing is: 200, no refund made) instead of a 409. The answer's montant is what was refunded."`
}

// Paiement is one charge, accepted or refused, with its refunds.
type Paiement struct {
	ID             uuid.UUID       `json:"id"`
	CommandeID     uuid.UUID       `json:"commande_id"`
	ClientID       int64           `json:"client_id"`
	Montant        kit.Cents       `json:"montant"`
	Methode        Methode         `json:"methode"`
	Statut         Statut          `json:"statut"`
	Motif          string          `json:"motif" doc:"Why the charge was refused; empty when accepted."`
	Rembourse      kit.Cents       `json:"rembourse" doc:"Total refunded so far."`
	Remboursements []Remboursement `json:"remboursements" nullable:"false"`
	Cle            string          `json:"cle" doc:"The Idempotency-Key of the charge."`
	CreeLe         time.Time       `json:"cree_le"`
}

// Remboursement is money given back on a payment.
type Remboursement struct {
	ID         uuid.UUID `json:"id" doc:"The refund's id; the nil UUID when jusqu_au_reste found nothing left to refund (no refund made)."`
	PaiementID uuid.UUID `json:"paiement_id"`
	Montant    kit.Cents `json:"montant" doc:"What was refunded: 0.00 only when jusqu_au_reste found nothing left."`
	Motif      string    `json:"motif"`
	At         time.Time `json:"at"`
}

// Errors the HTTP layer maps to problem types.
var (
	ErrNotFound           = errors.New("paiement introuvable")
	ErrCommandeDejaPayee  = errors.New("cette commande a déjà un paiement accepté")
	ErrNonRemboursable    = errors.New("un paiement refusé ne peut pas être remboursé")
	ErrMontantInvalide    = fmt.Errorf("le montant doit être entre 0.01 et %s", MontantMax)
	ErrMethodeInconnue    = errors.New("la méthode doit être carte ou comptant")
	ErrLimiteInvalide     = fmt.Errorf("la limite doit être entre 0.00 et %s", MontantMax)
	ErrCleReutilisee      = errors.New("cette clé d'idempotence a déjà servi pour une autre demande")
	ErrCommandeSansID     = errors.New("commande_id est requis")
	ErrClientInvalide     = errors.New("client_id doit être positif")
	ErrRemboursementTotal = errors.New("le remboursement dépasse ce qui reste à rembourser")
)

// DepassementError is a refund larger than what is left to refund.
type DepassementError struct {
	Montant, Reste kit.Cents
}

func (e *DepassementError) Error() string {
	return fmt.Sprintf("remboursement %s supérieur au reste remboursable %s", e.Montant, e.Reste)
}

// Unwrap lets callers test for the kind without the amounts.
func (e *DepassementError) Unwrap() error { return ErrRemboursementTotal }

// ValiderMontant checks what a charge or a refund may carry.
func ValiderMontant(m kit.Cents) error {
	if m <= 0 || m > MontantMax {
		return ErrMontantInvalide
	}
	return nil
}

// ValiderLimite checks a new authorization limit.
func ValiderLimite(l kit.Cents) error {
	if l < 0 || l > MontantMax {
		return ErrLimiteInvalide
	}
	return nil
}

// Valider checks a charge request beyond what the schema already says, so
// the domain holds even for callers that skip the HTTP layer.
func (d Demande) Valider() error {
	switch {
	case d.CommandeID == uuid.Nil:
		return ErrCommandeSansID
	case d.ClientID <= 0:
		return ErrClientInvalide
	case d.Methode != Carte && d.Methode != Comptant:
		return ErrMethodeInconnue
	}
	return ValiderMontant(d.Montant)
}

// Autoriser decides a charge. A card charge above the client's limit is
// refused, with a reason naming both amounts; cash has no limit. The limit
// applies to each charge on its own, not to a running total.
func Autoriser(d Demande, limite kit.Cents) (Statut, string) {
	if d.Methode == Carte && d.Montant > limite {
		return Refuse, fmt.Sprintf("montant %s supérieur à la limite d'autorisation %s", d.Montant, limite)
	}
	return Accepte, ""
}

// Reste is what may still be refunded.
func (p Paiement) Reste() kit.Cents { return p.Montant - p.Rembourse }

// Appliquer returns the payment after the refund d asks for, and the amount
// refunded. With JusquAuReste the amount is capped at what is left, so a
// return after a goodwill refund gives back the rest instead of failing; 0
// means nothing was left and nothing is to be recorded.
func (p Paiement) Appliquer(d DemandeRemboursement) (Paiement, kit.Cents, error) {
	if err := ValiderMontant(d.Montant); err != nil {
		return p, 0, err
	}
	if p.Statut == Refuse {
		return p, 0, ErrNonRemboursable
	}
	montant := d.Montant
	if d.JusquAuReste {
		montant = min(montant, p.Reste())
	}
	if montant == 0 {
		return p, 0, nil
	}
	p, err := p.Rembourser(montant)
	if err != nil {
		return p, 0, err
	}
	return p, montant, nil
}

// Rembourser returns the payment after a refund of montant. The refunded
// total never exceeds the charge, and a refused charge took no money to give back.
func (p Paiement) Rembourser(montant kit.Cents) (Paiement, error) {
	if err := ValiderMontant(montant); err != nil {
		return p, err
	}
	if p.Statut == Refuse {
		return p, ErrNonRemboursable
	}
	if montant > p.Reste() {
		return p, &DepassementError{Montant: montant, Reste: p.Reste()}
	}
	p.Rembourse += montant
	if p.Rembourse == p.Montant {
		p.Statut = Rembourse
	} else {
		p.Statut = PartiellementRembourse
	}
	return p, nil
}
