package httpapi

import (
	"context"
	"errors"
	"log/slog"

	"github.com/danielgtaylor/huma/v2"

	"multimagasins/clients/internal/clients"
	"multimagasins/kit"
	"multimagasins/kit/idem"
)

// Repo is what the handlers need from storage.
type Repo interface {
	Create(ctx context.Context, f clients.Fields) (clients.Client, error)
	CreateOnce(ctx context.Context, k idem.Key, f clients.Fields) (c clients.Client, replay bool, err error)
	Get(ctx context.Context, id int64) (clients.Client, error)
	List(ctx context.Context, q string, limit, offset int) ([]clients.Client, int64, error)
	Update(ctx context.Context, id int64, f clients.Fields) (clients.Client, error)
	Delete(ctx context.Context, id int64) error
}

type handlers struct {
	repo Repo
	log  *slog.Logger
}

type idPath struct {
	ID int64 `path:"id" minimum:"1" doc:"Client id."`
}

type clientBody struct {
	Body clients.Client
}

type listInput struct {
	Q string `query:"q" maxLength:"200" doc:"Part of the name or email, any case."`
	kit.PageQuery
}

type listOutput struct {
	Body kit.Page[clients.Client]
}

func (h *handlers) list(ctx context.Context, in *listInput) (*listOutput, error) {
	items, total, err := h.repo.List(ctx, in.Q, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, 0)
	}
	return &listOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

type createInput struct {
	Cle  kit.IdempotencyKey `header:"Idempotency-Key" doc:"A repeat with the same key and body replays the first answer; identite's sign-up sends inscription:<uuid>."`
	Body clients.Fields
}

func (h *handlers) create(ctx context.Context, in *createInput) (*clientBody, error) {
	f := in.Body.Normalize()
	if err := f.Validate(); err != nil {
		return nil, h.problem(ctx, err, 0)
	}
	if in.Cle == "" {
		c, err := h.repo.Create(ctx, f)
		if err != nil {
			return nil, h.problem(ctx, err, 0)
		}
		return &clientBody{Body: c}, nil
	}
	// The fields as normalized are the request: the same sign-up sent again
	// with other spacing is a repeat.
	k := idem.Key{Scope: "client", Key: string(in.Cle), Fingerprint: idem.Fingerprint(f)}
	c, replay, err := h.repo.CreateOnce(ctx, k, f)
	if err != nil {
		return nil, h.problem(ctx, err, 0)
	}
	if replay {
		h.log.InfoContext(ctx, "client creation replayed", "client_id", c.ID)
	}
	return &clientBody{Body: c}, nil
}

func (h *handlers) get(ctx context.Context, in *idPath) (*clientBody, error) {
	c, err := h.repo.Get(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	return &clientBody{Body: c}, nil
}

type updateInput struct {
	ID   int64 `path:"id" minimum:"1" doc:"Client id."`
	Body clients.Fields
}

func (h *handlers) update(ctx context.Context, in *updateInput) (*clientBody, error) {
	f := in.Body.Normalize()
	if err := f.Validate(); err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	c, err := h.repo.Update(ctx, in.ID, f)
	if err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	return &clientBody{Body: c}, nil
}

func (h *handlers) remove(ctx context.Context, in *idPath) (*struct{}, error) {
	if err := h.repo.Delete(ctx, in.ID); err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	return &struct{}{}, nil
}

// problem maps domain errors to RFC 9457 answers, in one place.
func (h *handlers) problem(ctx context.Context, err error, id int64) error {
	switch {
	case errors.Is(err, clients.ErrNotFound):
		return kit.NotFound("path.id", "client not found", id)
	case errors.Is(err, clients.ErrEmailTaken):
		return huma.Error409Conflict("email already used by another client",
			kit.FieldError("body.email", err.Error(), nil))
	case errors.Is(err, clients.ErrBlankName):
		return kit.Invalid("validation failed", kit.FieldError("body.nom", err.Error(), ""))
	case errors.Is(err, clients.ErrCleReutilisee):
		return kit.Invalid(err.Error(), kit.FieldError("header.Idempotency-Key", err.Error(), nil))
	case errors.Is(err, clients.ErrGuestProtected):
		return huma.Error409Conflict(err.Error(), kit.FieldError("path.id", err.Error(), id))
	default:
		return kit.Internal(ctx, h.log, err)
	}
}
