package httpapi

import (
	"context"
	"errors"
	"log/slog"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/saga"
)

// Repo is what the handlers need from storage.
type Repo interface {
	Get(ctx context.Context, id uuid.UUID) (saga.Saga, error)
	List(ctx context.Context, statut saga.Statut, limit, offset int) ([]saga.Saga, int64, error)
}

type handlers struct {
	repo Repo
	log  *slog.Logger
}

type listInput struct {
	Statut string `query:"statut" enum:"CREEE,STOCK_VERIFIE,STOCK_RESERVE,PAYEE,CONFIRMEE,ANNULEE" doc:"Only the sagas in this state."`
	kit.PageQuery
}

type listOutput struct {
	Body kit.Page[saga.Saga]
}

func (h *handlers) list(ctx context.Context, in *listInput) (*listOutput, error) {
	items, total, err := h.repo.List(ctx, saga.Statut(in.Statut), in.Limit, in.Offset)
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
	return &sagaBody{Body: s}, nil
}

// problem maps domain errors to RFC 9457 answers, in one place.
func (h *handlers) problem(ctx context.Context, err error, id uuid.UUID) error {
	switch {
	case errors.Is(err, saga.ErrNotFound):
		return kit.NotFound("path.id", "saga not found", id)
	default:
		return kit.Internal(ctx, h.log, err)
	}
}
