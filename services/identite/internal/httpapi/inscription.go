package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"multimagasins/identite/internal/identite"
	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
)

// The account's fields as the clients service takes them, and a password.
type inscriptionInput struct {
	Body struct {
		Nom        string `json:"nom" minLength:"1" maxLength:"200" example:"Ana Tremblay"`
		Email      string `json:"email" format:"email" maxLength:"254" example:"ana@exemple.ca"`
		Telephone  string `json:"telephone,omitempty" maxLength:"30" pattern:"^[0-9 +().-]*$" example:"514-555-0101"`
		Adresse    string `json:"adresse,omitempty" maxLength:"500" example:"123 rue Saint-Denis, Montréal"`
		MotDePasse string `json:"mot_de_passe" minLength:"10" maxLength:"128" doc:"10 to 128 characters." example:"un long mot de passe"`
	}
}

type inscriptionOutput struct {
	Body struct {
		ClientID int64  `json:"client_id" example:"42"`
		Email    string `json:"email"`
		Nom      string `json:"nom"`
	}
}

// inscription signs a customer up in three steps, none of them an HTTP call
// inside a transaction: (a) write the pending account with its password
// hash, (b) make the account at the clients service under the sign-up's own
// Idempotency-Key, (c) write the client id. A crash or an outage after (a)
// leaves a pending account that the same email and password resume, here or
// at sign-in; (b) then replays the first answer instead of making a second
// account.
func (h *handlers) inscription(ctx context.Context, in *inscriptionInput) (*inscriptionOutput, error) {
	b := in.Body
	c := identite.CompteClient{Inscription: uuid.New(), Email: strings.TrimSpace(b.Email), Nom: strings.TrimSpace(b.Nom),
		Telephone: strings.TrimSpace(b.Telephone), Adresse: strings.TrimSpace(b.Adresse)}
	if c.Nom == "" {
		return nil, kit.Invalid("validation failed", kit.FieldError("body.nom", "nom must not be blank", b.Nom))
	}
	release, err := h.Hasher.Acquire(ctx)
	if err != nil {
		return nil, huma.Error503ServiceUnavailable("sign-up cancelled")
	}
	c.MotDePasse = h.Hasher.Hash(b.MotDePasse)
	release()

	existing, created, err := h.Repo.DebuterInscription(ctx, c)
	if err != nil {
		return nil, kit.Internal(ctx, h.Log, err)
	}
	if !created {
		if !existing.EnAttente() {
			return nil, emailTaken(c.Email)
		}
		release, err := h.Hasher.Acquire(ctx)
		if err != nil {
			return nil, huma.Error503ServiceUnavailable("sign-up cancelled")
		}
		same, err := h.Hasher.Verify(b.MotDePasse, existing.MotDePasse)
		release()
		if err != nil || !same {
			// Someone else's unfinished sign-up: the email is taken all the same.
			return nil, emailTaken(c.Email)
		}
		c = existing
	}
	fini, err := h.finishSignUp(ctx, c)
	if err != nil {
		return nil, err
	}
	h.Log.InfoContext(ctx, "client inscrit", "client_id", fini.ClientID, "repris", !created)
	out := &inscriptionOutput{}
	out.Body.ClientID, out.Body.Email, out.Body.Nom = fini.ClientID, fini.Email, fini.Nom
	return out, nil
}

// finishSignUp runs steps (b) and (c) of a pending sign-up. A refusal by
// the clients service (the email is a client made in store, or fields it
// will not take) drops the pending account; an outage keeps it for a retry.
func (h *handlers) finishSignUp(ctx context.Context, c identite.CompteClient) (identite.CompteClient, error) {
	made, err := h.Clients.CreateClientOnce(ctx, c.CleInscription(),
		clientsapi.Fields{Nom: c.Nom, Email: c.Email, Telephone: c.Telephone, Adresse: c.Adresse})
	if err != nil {
		status := kit.StatusOf(err)
		switch status {
		case http.StatusConflict, http.StatusBadRequest, http.StatusUnprocessableEntity:
			if err := h.Repo.AbandonnerInscription(ctx, c.Inscription); err != nil {
				return c, kit.Internal(ctx, h.Log, err)
			}
		}
		switch status {
		case http.StatusConflict:
			return c, emailTaken(c.Email)
		case http.StatusBadRequest, http.StatusUnprocessableEntity:
			var pe *kit.ProblemError
			errors.As(err, &pe)
			return c, huma.NewError(http.StatusUnprocessableEntity, "the clients service refused the account: "+pe.Problem.Detail,
				detailsOf(pe.Problem.Errors)...)
		}
		h.Log.WarnContext(ctx, "sign-up not finished: clients service", "err", err, "inscription", c.Inscription.String())
		return c, huma.Error503ServiceUnavailable(
			"the clients service is unavailable; sign up (or sign in) again with the same email and password to finish")
	}
	fini, err := h.Repo.TerminerInscription(ctx, c.Inscription, made.ID)
	switch {
	case errors.Is(err, identite.ErrEmailTaken), errors.Is(err, identite.ErrNotFound):
		return c, emailTaken(c.Email)
	case err != nil:
		return c, kit.Internal(ctx, h.Log, err)
	}
	return fini, nil
}

func emailTaken(email string) error {
	msg := "an account already uses this email: sign in, or ask a store to link it"
	return huma.Error409Conflict(msg, kit.FieldError("body.email", msg, email))
}

func detailsOf(ds []*huma.ErrorDetail) []error {
	out := make([]error, len(ds))
	for i, d := range ds {
		out[i] = d
	}
	return out
}
