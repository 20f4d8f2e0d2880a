package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/idem"
	"multimagasins/paiement/internal/paiement"
)

// Repo is what the handlers need from storage.
type Repo interface {
	Compte(ctx context.Context, clientID int64) (paiement.Compte, error)
	SetLimite(ctx context.Context, clientID int64, limite kit.Cents) (paiement.Compte, error)
	Payer(ctx context.Context, d paiement.Demande, k idem.Key,
		render paiement.Rendu[paiement.Paiement]) (paiement.Reponse, error)
	Rembourser(ctx context.Context, id uuid.UUID, d paiement.DemandeRemboursement, k idem.Key,
		render paiement.Rendu[paiement.Remboursement]) (paiement.Reponse, error)
	Get(ctx context.Context, id uuid.UUID) (paiement.Paiement, error)
	List(ctx context.Context, f paiement.Filtre, limit, offset int) ([]paiement.Paiement, int64, error)
}

type handlers struct {
	repo    Repo
	log     *slog.Logger
	metrics *metrics
}

type compteInput struct {
	ClientID int64 `path:"client_id" minimum:"1" doc:"Client id."`
}

type compteOutput struct {
	Body paiement.Compte
}

func (h *handlers) getCompte(ctx context.Context, in *compteInput) (*compteOutput, error) {
	c, err := h.repo.Compte(ctx, in.ClientID)
	if err != nil {
		return nil, h.problem(ctx, err, in.ClientID)
	}
	return &compteOutput{Body: c}, nil
}

type putCompteInput struct {
	ClientID int64 `path:"client_id" minimum:"1" doc:"Client id."`
	Body     struct {
		Limite kit.Cents `json:"limite" minimum:"0" maximum:"1000000" example:"500.00"`
	}
}

func (h *handlers) putCompte(ctx context.Context, in *putCompteInput) (*compteOutput, error) {
	if err := paiement.ValiderLimite(in.Body.Limite); err != nil {
		return nil, h.problem(ctx, err, in.Body.Limite)
	}
	c, err := h.repo.SetLimite(ctx, in.ClientID, in.Body.Limite)
	if err != nil {
		return nil, h.problem(ctx, err, in.ClientID)
	}
	h.log.InfoContext(ctx, "limite changée", "client_id", c.ClientID, "limite", c.Limite.String())
	return &compteOutput{Body: c}, nil
}

type payerInput struct {
	Key  kit.IdempotencyKey `header:"Idempotency-Key" required:"true" doc:"Same key, same answer; the saga sends saga_id:step."`
	Body paiement.Demande
}

type paiementOutput struct {
	Status int
	Body   paiement.Paiement
}

func (h *handlers) payer(ctx context.Context, in *payerInput) (*paiementOutput, error) {
	d := in.Body
	ctx = kit.WithCommandeID(ctx, d.CommandeID.String())
	if err := d.Valider(); err != nil {
		return nil, h.problem(ctx, err, nil)
	}
	var decided paiement.Paiement
	render := func(p paiement.Paiement) (int, []byte, error) {
		decided = p
		if p.Statut == paiement.Refuse {
			return marshal(http.StatusPaymentRequired, refusal(p))
		}
		return marshal(http.StatusCreated, p)
	}
	ans, err := h.repo.Payer(ctx, d, key("paiement", in.Key, d), render)
	if err != nil {
		return nil, h.problem(ctx, err, in.Key)
	}
	if !ans.Rejouee {
		h.metrics.paiement(decided)
		h.log.InfoContext(ctx, "paiement décidé", "paiement_id", decided.ID.String(), "statut", decided.Statut,
			"montant", decided.Montant.String(), "methode", decided.Methode, "motif", decided.Motif)
	}
	if ans.Status != http.StatusCreated {
		return nil, storedProblem(ans)
	}
	var p paiement.Paiement
	if err := json.Unmarshal(ans.Body, &p); err != nil {
		return nil, kit.Internal(ctx, h.log, err)
	}
	return &paiementOutput{Status: ans.Status, Body: p}, nil
}

// refusal is the 402 answer for a refused charge. instance points at the
// stored payment, so a caller can read it back.
func refusal(p paiement.Paiement) *huma.ErrorModel {
	return &huma.ErrorModel{
		Title:    http.StatusText(http.StatusPaymentRequired),
		Status:   http.StatusPaymentRequired,
		Detail:   p.Motif,
		Instance: "/paiements/" + p.ID.String(),
		Errors:   []*huma.ErrorDetail{kit.FieldError("body.montant", p.Motif, p.Montant)},
	}
}

type idInput struct {
	ID string `path:"id" format:"uuid" doc:"Payment id."`
}

type getOutput struct {
	Body paiement.Paiement
}

func (h *handlers) get(ctx context.Context, in *idInput) (*getOutput, error) {
	id, err := uuid.Parse(in.ID)
	if err != nil {
		return nil, kit.Invalid("validation failed", kit.FieldError("path.id", "expected a UUID", in.ID))
	}
	p, err := h.repo.Get(ctx, id)
	if err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	// Only the payment tells whose it is: a client reads its own.
	if err := kit.CheckOwner(ctx, kit.Owner{ClientID: p.ClientID}); err != nil {
		return nil, err
	}
	return &getOutput{Body: p}, nil
}

type listInput struct {
	CommandeID string `query:"commande_id" format:"uuid" doc:"Only this order's payments."`
	ClientID   int64  `query:"client_id" minimum:"1" doc:"Only this client's payments."`
	Statut     string `query:"statut" enum:"accepte,refuse,rembourse,partiellement_rembourse"`
	Cle        string `query:"cle" maxLength:"200" doc:"The Idempotency-Key of the charge."`
	kit.PageQuery
}

type listOutput struct {
	Body kit.Page[paiement.Paiement]
}

func (h *handlers) list(ctx context.Context, in *listInput) (*listOutput, error) {
	f := paiement.Filtre{ClientID: in.ClientID, Statut: paiement.Statut(in.Statut), Cle: in.Cle}
	if in.CommandeID != "" {
		id, err := uuid.Parse(in.CommandeID)
		if err != nil {
			return nil, kit.Invalid("validation failed", kit.FieldError("query.commande_id", "expected a UUID", in.CommandeID))
		}
		f.CommandeID = id
	}
	items, total, err := h.repo.List(ctx, f, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, nil)
	}
	return &listOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

type rembourserInput struct {
	ID   string             `path:"id" format:"uuid" doc:"Payment id."`
	Key  kit.IdempotencyKey `header:"Idempotency-Key" required:"true" doc:"Same key, same answer."`
	Body paiement.DemandeRemboursement
}

type remboursementOutput struct {
	Status int
	Body   paiement.Remboursement
}

func (h *handlers) rembourser(ctx context.Context, in *rembourserInput) (*remboursementOutput, error) {
	id, err := uuid.Parse(in.ID)
	if err != nil {
		return nil, kit.Invalid("validation failed", kit.FieldError("path.id", "expected a UUID", in.ID))
	}
	if err := paiement.ValiderMontant(in.Body.Montant); err != nil {
		return nil, h.problem(ctx, err, in.Body.Montant)
	}
	var made paiement.Remboursement
	render := func(r paiement.Remboursement) (int, []byte, error) {
		made = r
		if r.Montant == 0 { // jusqu_au_reste found nothing left: nothing created
			return marshal(http.StatusOK, r)
		}
		return marshal(http.StatusCreated, r)
	}
	fingerprint := struct {
		ID   uuid.UUID                     `json:"id"`
		Body paiement.DemandeRemboursement `json:"body"`
	}{id, in.Body}
	ans, err := h.repo.Rembourser(ctx, id, in.Body, key("remboursement", in.Key, fingerprint), render)
	if err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	switch {
	case ans.Rejouee:
	case made.Montant == 0:
		h.log.InfoContext(ctx, "rien à rembourser", "paiement_id", in.ID, "demande", in.Body.Montant.String())
	default:
		h.metrics.remboursements.Inc()
		h.log.InfoContext(ctx, "remboursement fait", "paiement_id", in.ID, "remboursement_id", made.ID.String(),
			"montant", made.Montant.String(), "demande", in.Body.Montant.String())
	}
	var r paiement.Remboursement
	if err := json.Unmarshal(ans.Body, &r); err != nil {
		return nil, kit.Internal(ctx, h.log, err)
	}
	return &remboursementOutput{Status: ans.Status, Body: r}, nil
}

// key is the Idempotency-Key in its scope ("paiement" or "remboursement",
// each its own key space), with the fingerprint of the request as decoded.
func key(scope string, cle kit.IdempotencyKey, request any) idem.Key {
	return idem.Key{Scope: scope, Key: string(cle), Fingerprint: idem.Fingerprint(request)}
}

func marshal(status int, v any) (int, []byte, error) {
	b, err := json.Marshal(v)
	return status, b, err
}

// storedProblem replays a stored problem answer. Numbers stay as written, so
// the replay is the same bytes as the first answer.
func storedProblem(ans paiement.Reponse) error {
	var em huma.ErrorModel
	dec := json.NewDecoder(bytes.NewReader(ans.Body))
	dec.UseNumber()
	if err := dec.Decode(&em); err != nil || em.Status == 0 {
		em = huma.ErrorModel{Title: http.StatusText(ans.Status), Status: ans.Status}
	}
	return &em
}

// problem maps domain errors to RFC 9457 answers, in one place.
func (h *handlers) problem(ctx context.Context, err error, value any) error {
	var dep *paiement.DepassementError
	switch {
	case errors.Is(err, paiement.ErrNotFound):
		return kit.NotFound("path.id", err.Error(), value)
	case errors.As(err, &dep):
		return huma.Error409Conflict(err.Error(), kit.FieldError("body.montant", err.Error(), dep.Montant))
	case errors.Is(err, paiement.ErrNonRemboursable):
		return huma.Error409Conflict(err.Error(), kit.FieldError("path.id", err.Error(), value))
	case errors.Is(err, paiement.ErrCommandeDejaPayee):
		return huma.Error409Conflict(err.Error(), kit.FieldError("body.commande_id", err.Error(), nil))
	case errors.Is(err, paiement.ErrCleReutilisee):
		return kit.Invalid(err.Error(), kit.FieldError("header.Idempotency-Key", err.Error(), value))
	case errors.Is(err, paiement.ErrMontantInvalide):
		return kit.Invalid("validation failed", kit.FieldError("body.montant", err.Error(), value))
	case errors.Is(err, paiement.ErrLimiteInvalide):
		return kit.Invalid("validation failed", kit.FieldError("body.limite", err.Error(), value))
	case errors.Is(err, paiement.ErrMethodeInconnue):
		return kit.Invalid("validation failed", kit.FieldError("body.methode", err.Error(), nil))
	case errors.Is(err, paiement.ErrCommandeSansID):
		return kit.Invalid("validation failed", kit.FieldError("body.commande_id", err.Error(), nil))
	case errors.Is(err, paiement.ErrClientInvalide):
		return kit.Invalid("validation failed", kit.FieldError("body.client_id", err.Error(), nil))
	default:
		return kit.Internal(ctx, h.log, err)
	}
}
