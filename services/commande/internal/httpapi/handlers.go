package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"multimagasins/commande/internal/commande"
	"multimagasins/kit"
)

// Repo is what the handlers need from storage.
type Repo interface {
	Create(ctx context.Context, cle string, d commande.Demande) (commande.Commande, bool, error)
	Get(ctx context.Context, id uuid.UUID) (commande.Commande, error)
	List(ctx context.Context, f commande.Filtre, limit, offset int) ([]commande.Commande, int64, error)
	Transition(ctx context.Context, id uuid.UUID, cle string, vers commande.Statut, motif string) (commande.Commande, bool, error)
	Retourner(ctx context.Context, id uuid.UUID, cle string, d commande.DemandeRetour) (commande.Retour, bool, error)
	ListRetours(ctx context.Context, id uuid.UUID, limit, offset int) (commande.Proprietaire, []commande.Retour, int64, error)
	SommesParMagasin(ctx context.Context, p commande.Periode) (map[int]commande.Agregat, error)
	TopProduits(ctx context.Context, p commande.Periode, par commande.Classement, limit int) ([]commande.ProduitVendu, error)
	ParJour(ctx context.Context, p commande.Periode, magasin *int) ([]commande.Jour, error)
}

type handlers struct {
	repo    Repo
	log     *slog.Logger
	metrics *metrics
}

type commandeBody struct {
	Body commande.Commande
}

type createInput struct {
	Cle  kit.IdempotencyKey `header:"Idempotency-Key" doc:"A repeat with the same key and body replays the first answer."`
	Body commande.Demande
}

func (h *handlers) create(ctx context.Context, in *createInput) (*commandeBody, error) {
	if err := in.Body.Valider(); err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	c, replay, err := h.repo.Create(ctx, string(in.Cle), in.Body)
	if err != nil {
		return nil, h.problem(ctx, err, idOf(in.Body.ID))
	}
	ctx = kit.WithCommandeID(ctx, c.ID.String())
	if replay {
		h.log.InfoContext(ctx, "commande creation replayed")
	} else {
		// A recorded history counts every state the order passed.
		for _, e := range c.Historique {
			o := c
			o.Statut = e.Statut
			h.metrics.entered(o)
		}
		h.log.InfoContext(ctx, "commande created", "canal", c.Canal, "statut", c.Statut, "total", c.Total.String())
	}
	return &commandeBody{Body: c}, nil
}

type idPath struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"Order id."`
}

func (h *handlers) get(ctx context.Context, in *idPath) (*commandeBody, error) {
	c, err := h.repo.Get(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	if err := kit.CheckOwner(ctx, owner(c.Proprietaire())); err != nil {
		return nil, err
	}
	return &commandeBody{Body: c}, nil
}

type listInput struct {
	ClientID  int64           `query:"client_id" minimum:"1" doc:"Orders of this client."`
	Statut    commande.Statut `query:"statut" enum:"CREEE,STOCK_VERIFIE,STOCK_RESERVE,PAYEE,CONFIRMEE,ANNULEE"`
	MagasinID int             `query:"magasin_id" minimum:"1" maximum:"5" doc:"Counter sales of this store."`
	Canal     commande.Canal  `query:"canal" enum:"en_ligne,magasin"`
	Depuis    time.Time       `query:"depuis" doc:"Created at or after this instant (RFC 3339)."`
	JusquA    time.Time       `query:"jusqu_a" doc:"Created before this instant (RFC 3339)."`
	kit.PageQuery
}

type listOutput struct {
	Body kit.Page[commande.Commande]
}

func (h *handlers) list(ctx context.Context, in *listInput) (*listOutput, error) {
	if !in.Depuis.IsZero() && !in.JusquA.IsZero() && !in.JusquA.After(in.Depuis) {
		return nil, kit.Invalid("validation failed",
			kit.FieldError("query.jusqu_a", "must be after depuis", in.JusquA.Format(time.RFC3339Nano)))
	}
	f := commande.Filtre{ClientID: in.ClientID, Statut: in.Statut, MagasinID: in.MagasinID, Canal: in.Canal,
		Depuis: in.Depuis, JusquA: in.JusquA}
	items, total, err := h.repo.List(ctx, f, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	return &listOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

type transitionInput struct {
	ID   uuid.UUID          `path:"id" format:"uuid" doc:"Order id."`
	Cle  kit.IdempotencyKey `header:"Idempotency-Key" required:"true" doc:"The saga sends saga_id:step; a repeat replays the first answer."`
	Body changement
}

// changement asks an order to enter a state.
type changement struct {
	Statut commande.Statut `json:"statut" enum:"CREEE,STOCK_VERIFIE,STOCK_RESERVE,PAYEE,CONFIRMEE,ANNULEE"`
	Motif  string          `json:"motif,omitempty" maxLength:"500" doc:"Why; required for ANNULEE."`
}

func (h *handlers) transition(ctx context.Context, in *transitionInput) (*commandeBody, error) {
	ctx = kit.WithCommandeID(ctx, in.ID.String())
	motif := strings.TrimSpace(in.Body.Motif)
	if err := commande.VerifierMotif(in.Body.Statut, motif); err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	c, replay, err := h.repo.Transition(ctx, in.ID, string(in.Cle), in.Body.Statut, motif)
	if err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	if replay {
		h.log.InfoContext(ctx, "commande transition replayed", "statut", c.Statut)
	} else {
		h.metrics.entered(c)
		h.log.InfoContext(ctx, "commande transition", "statut", c.Statut, "motif", motif)
	}
	return &commandeBody{Body: c}, nil
}

type retourInput struct {
	ID   uuid.UUID          `path:"id" format:"uuid" doc:"Order id."`
	Cle  kit.IdempotencyKey `header:"Idempotency-Key" required:"true" doc:"The saga sends saga_id:step; a repeat replays the first answer."`
	Body commande.DemandeRetour
}

type retourBody struct {
	Body commande.Retour
}

func (h *handlers) retourner(ctx context.Context, in *retourInput) (*retourBody, error) {
	ctx = kit.WithCommandeID(ctx, in.ID.String())
	ret, replay, err := h.repo.Retourner(ctx, in.ID, string(in.Cle), in.Body)
	if err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	if replay {
		h.log.InfoContext(ctx, "commande return replayed", "retour_id", ret.ID)
	} else {
		h.log.InfoContext(ctx, "commande return", "retour_id", ret.ID, "montant", ret.Montant.String(), "lignes", len(ret.Lignes))
	}
	return &retourBody{Body: ret}, nil
}

type listRetoursInput struct {
	ID uuid.UUID `path:"id" format:"uuid" doc:"Order id."`
	kit.PageQuery
}

type listRetoursOutput struct {
	Body kit.Page[commande.Retour]
}

func (h *handlers) listRetours(ctx context.Context, in *listRetoursInput) (*listRetoursOutput, error) {
	o, items, total, err := h.repo.ListRetours(ctx, in.ID, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, in.ID)
	}
	if err := kit.CheckOwner(ctx, owner(o)); err != nil {
		return nil, err
	}
	return &listRetoursOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

// owner is whom an order belongs to, as the access rules see it: a client
// reads its own orders, a caissier its store's counter sales (an online
// order has no store, so no caissier reads it).
func owner(p commande.Proprietaire) kit.Owner {
	o := kit.Owner{ClientID: p.ClientID}
	if p.MagasinID != nil {
		o.MagasinID = int64(*p.MagasinID)
	}
	return o
}

func idOf(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

// problem maps domain errors to RFC 9457 answers, in one place.
func (h *handlers) problem(ctx context.Context, err error, id uuid.UUID) error {
	var ve *commande.ValidationError
	var te *commande.TransitionError
	var refus *commande.RetourRefuseError
	var excess *commande.RetourExcessifError
	switch {
	case errors.As(err, &refus):
		return huma.Error409Conflict(refus.Error(), kit.FieldError("path.id", refus.Error(), refus.Statut))
	case errors.As(err, &excess):
		details := make([]error, len(excess.Lignes))
		for i, x := range excess.Lignes {
			details[i] = kit.FieldError(fmt.Sprintf("body.lignes[%d].quantite", x.Index), x.Message(), x.Demande)
		}
		return huma.Error409Conflict("return exceeds what was sold and not yet returned; nothing was recorded", details...)
	case errors.As(err, &ve):
		fields := make([]*huma.ErrorDetail, len(ve.Champs))
		for i, c := range ve.Champs {
			fields[i] = kit.FieldError(c.Location, c.Message, c.Value)
		}
		return kit.Invalid("validation failed", fields...)
	case errors.As(err, &te):
		return huma.Error409Conflict(te.Error(), kit.FieldError("body.statut", te.Error(), te.Vers))
	case errors.Is(err, commande.ErrMotifRequis):
		return kit.Invalid("validation failed", kit.FieldError("body.motif", err.Error(), ""))
	case errors.Is(err, commande.ErrNotFound):
		return kit.NotFound("path.id", "commande not found", id)
	case errors.Is(err, commande.ErrIDPris):
		return huma.Error409Conflict(err.Error(), kit.FieldError("body.id", err.Error(), id))
	case errors.Is(err, commande.ErrCleReutilisee):
		return kit.Invalid(err.Error(), kit.FieldError("header.Idempotency-Key", err.Error(), nil))
	default:
		return kit.Internal(ctx, h.log, err)
	}
}
