package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/engine"
	"multimagasins/orchestrator/internal/saga"
)

// Sagas starts sagas (the engine).
type Sagas interface {
	Commande(ctx context.Context, cle string, d saga.DemandeCommande) (engine.Answer, error)
	Panier(ctx context.Context, cle string, d saga.DemandePanier) (engine.Answer, error)
	Vente(ctx context.Context, cle string, d saga.DemandeVente) (engine.Answer, error)
	Retour(ctx context.Context, cle string, d saga.DemandeRetour) (engine.Answer, error)
}

// Repo reads stored sagas.
type Repo interface {
	Get(ctx context.Context, id uuid.UUID) (saga.Saga, error)
	List(ctx context.Context, f saga.Filtre, limit, offset int) ([]saga.Saga, int64, error)
}

type handlers struct {
	sagas Sagas
	repo  Repo
	log   *slog.Logger
}

type sagaOutput struct {
	Status     int
	Location   string `header:"Location" doc:"With 202: the saga to poll, /saga/{id}."`
	RetryAfter string `header:"Retry-After" doc:"With 202: seconds before the saga may have moved (the recovery worker's next pass)."`
	Body       saga.Reponse
}

// answer is the saga's answer. One that is not over (202) says where to
// read it next and when: the client polls GET /saga/{id} until termine.
func (h *handlers) answer(ctx context.Context, a engine.Answer, err error) (*sagaOutput, error) {
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	out := &sagaOutput{Status: a.Status, Body: a.Reponse}
	if a.Status == http.StatusAccepted {
		out.Location = "/saga/" + a.Reponse.SagaID.String()
		out.RetryAfter = strconv.Itoa(int(max(1, math.Ceil(a.RetryAfter.Seconds()))))
	}
	return out, nil
}

// sagaInput is the input of every saga POST: the client's key and the request.
type sagaInput[T any] struct {
	Cle  string `header:"Idempotency-Key" maxLength:"200" doc:"A repeat with the same key and body returns the same saga: never a second order, sale or refund."`
	Body T
}

// start turns one of the engine's entry points into a handler: the four saga
// routes differ only by the request they take and by who may send it. check,
// when set, is the ownership the body tells: it runs before anything is read
// or called, and may complete the request with the caller's own client.
func start[T any](h *handlers, begin func(context.Context, string, T) (engine.Answer, error),
	check func(context.Context, *T) error) func(context.Context, *sagaInput[T]) (*sagaOutput, error) {
	return func(ctx context.Context, in *sagaInput[T]) (*sagaOutput, error) {
		if check != nil {
			if err := check(ctx, &in.Body); err != nil {
				return nil, err
			}
		}
		a, err := begin(ctx, in.Cle, in.Body)
		return h.answer(ctx, a, err)
	}
}

// acheteur: an online checkout with no client_id and no client token is the
// seed's guest checkout; a client token with none checks out as its client;
// a client_id needs a token acting for that client (anonymous: 401).
func acheteur(ctx context.Context, d *saga.DemandeCommande) error {
	if d.ClientID == nil {
		if p := kit.PrincipalOf(ctx); p.Has(kit.RoleClient) {
			id := p.ClientID
			d.ClientID = &id
		}
		return nil
	}
	return kit.CheckOwner(ctx, kit.Owner{ClientID: *d.ClientID})
}

// titulaire: only the client itself checks its cart out.
func titulaire(ctx context.Context, d *saga.DemandePanier) error {
	return kit.CheckOwner(ctx, kit.Owner{ClientID: d.ClientID})
}

// comptoir: a counter sale is made by a caissier of that store.
func comptoir(ctx context.Context, d *saga.DemandeVente) error {
	return kit.CheckOwner(ctx, kit.Owner{MagasinID: int64(d.MagasinID)})
}

type listInput struct {
	Statut    string `query:"statut" enum:"CREEE,STOCK_VERIFIE,STOCK_RESERVE,PAYEE,RETOUR_ENREGISTRE,RESTOCKE,CONFIRMEE,ANNULEE" doc:"Only the sagas in this state."`
	Type      string `query:"type" enum:"commande,vente,retour" doc:"Only the sagas of this type."`
	AVerifier bool   `query:"a_verifier" doc:"true: only the sagas à vérifier (recovery could not move them after N attempts; head office must look). Each says why in derniere_erreur."`
	kit.PageQuery
}

type listOutput struct {
	Body kit.Page[saga.Saga]
}

func (h *handlers) list(ctx context.Context, in *listInput) (*listOutput, error) {
	items, total, err := h.repo.List(ctx, saga.Filtre{Statut: saga.Statut(in.Statut), Type: in.Type, AVerifier: in.AVerifier},
		in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	return &listOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

type getInput struct {
	ID string `path:"id" format:"uuid" doc:"Saga id."`
}

type sagaBody struct {
	Body saga.Saga
}

func (h *handlers) get(ctx context.Context, in *getInput) (*sagaBody, error) {
	id, err := uuid.Parse(in.ID)
	if err != nil { // the schema already checks the format; this keeps the handler safe without it
		return nil, kit.Invalid("validation failed", kit.FieldError("path.id", "expected a UUID", in.ID))
	}
	s, err := h.repo.Get(ctx, id)
	if err != nil {
		return nil, h.problem(ctx, err, id)
	}
	// Only the stored saga tells whose it is.
	if err := saga.PeutLire(ctx, s.Donnees); err != nil {
		return nil, err
	}
	return &sagaBody{Body: s}, nil
}

// problem maps domain errors to RFC 9457 answers, in one place.
func (h *handlers) problem(ctx context.Context, err error, id uuid.UUID) error {
	var inv *saga.InvalidError
	var nf *saga.NotFoundError
	var cf *saga.ConflictError
	var down *saga.UnavailableError
	var refus huma.StatusError
	switch {
	case errors.As(err, &refus):
		return refus // 401 and 403 of an ownership check, as kit made them
	case errors.Is(err, saga.ErrNotFound):
		return kit.NotFound("path.id", "saga not found", id)
	case errors.Is(err, saga.ErrCleReutilisee):
		return kit.Invalid(err.Error(), kit.FieldError("header.Idempotency-Key", err.Error(), nil))
	case errors.As(err, &inv):
		fields := make([]*huma.ErrorDetail, len(inv.Champs))
		for i, c := range inv.Champs {
			fields[i] = kit.FieldError(c.Location, c.Message, c.Value)
		}
		return kit.Invalid("validation failed", fields...)
	case errors.As(err, &nf):
		return kit.NotFound(nf.Location, nf.Message, nf.Value)
	case errors.As(err, &cf):
		return huma.Error409Conflict(cf.Message, kit.FieldError(cf.Location, cf.Message, cf.Value))
	case errors.As(err, &down):
		h.log.WarnContext(ctx, "participant unavailable before the saga started", "err", err)
		return huma.NewError(http.StatusServiceUnavailable, "a participant is unavailable; nothing was created, try again")
	default:
		return kit.Internal(ctx, h.log, err)
	}
}
