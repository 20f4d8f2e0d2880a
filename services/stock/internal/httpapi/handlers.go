package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/kit"
	"multimagasins/stock/internal/stock"
)

// Repo is what the handlers need from storage.
type Repo interface {
	ListProduits(ctx context.Context, f stock.ProduitFilter, limit, offset int) ([]stock.Produit, int64, error)
	GetProduit(ctx context.Context, id int64) (stock.Produit, error)
	CreateProduit(ctx context.Context, f stock.ProduitFields) (stock.Produit, error)
	UpdateProduit(ctx context.Context, id int64, f stock.ProduitFields) (stock.Produit, error)
	ListMagasins(ctx context.Context, limit, offset int) ([]stock.Emplacement, int64, error)
	GetEmplacement(ctx context.Context, id int64) (stock.Emplacement, error)
	ListNiveaux(ctx context.Context, emplacementID int64, f stock.NiveauFilter, limit, offset int) ([]stock.Niveau, int64, error)
	ListNiveauxMagasin(ctx context.Context, magasinID int64, f stock.NiveauFilter, limit, offset int) ([]stock.Niveau, int64, error)
	Receive(ctx context.Context, key string, rec stock.Reception) (stock.ReceptionResult, error)
	Return(ctx context.Context, key string, n stock.NouveauRetour) (stock.Retour, bool, error)
	Disponibilites(ctx context.Context, d stock.Demande) (stock.Verification, error)
	Reserve(ctx context.Context, n stock.NouvelleReservation) (stock.Reservation, bool, error)
	GetReservation(ctx context.Context, cle string) (stock.Reservation, error)
	Release(ctx context.Context, cle string) (stock.Reservation, bool, error)
	Confirm(ctx context.Context, cle string) (stock.Reservation, bool, error)
	ListMouvements(ctx context.Context, f stock.MouvementFilter, limit, offset int) ([]stock.Mouvement, int64, error)
	CreateDemande(ctx context.Context, magasinID int64, n stock.NouvelleDemandeAppro) (stock.DemandeAppro, error)
	GetDemande(ctx context.Context, id int64) (stock.DemandeAppro, error)
	ListDemandes(ctx context.Context, f stock.DemandeFilter, limit, offset int) ([]stock.DemandeAppro, int64, error)
	ApproveDemande(ctx context.Context, id int64) (stock.DemandeAppro, error)
	RefuseDemande(ctx context.Context, id int64, motif string) (stock.DemandeAppro, error)
	ListSeuils(ctx context.Context, f stock.SeuilFilter, limit, offset int) ([]stock.Seuil, int64, error)
	SetSeuil(ctx context.Context, s stock.Seuil) (stock.Seuil, error)
	Rapport(ctx context.Context, surplus bool, seuil, emplacementID int64, limit, offset int) ([]stock.LigneRapport, int64, error)
	EnAttente(ctx context.Context, limit, offset int) ([]stock.EnAttenteMagasin, []stock.DemandeAppro, int64, error)
}

type handlers struct {
	repo         Repo
	log          *slog.Logger
	reservations *prometheus.CounterVec
}

// --- Products ---

// maxIDs bounds ?ids=: as many as the lines of an order.
const maxIDs = 100

type listProduitsInput struct {
	IDs       []int64 `query:"ids" maxItems:"100" example:"[1,2,3]" doc:"Only these product ids, comma-separated: ?ids=1,2,3 (at most 100)."`
	Q         string  `query:"q" maxLength:"200" doc:"Part of the name, any case."`
	Categorie string  `query:"categorie" maxLength:"100" doc:"Category, any case."`
	Actif     string  `query:"actif" enum:"true,false" doc:"Only active (true) or inactive (false) products."`
	kit.PageQuery
}

type produitsOutput struct {
	Body kit.Page[stock.Produit]
}

func (h *handlers) listProduits(ctx context.Context, in *listProduitsInput) (*produitsOutput, error) {
	for _, id := range in.IDs {
		if id < 1 {
			return nil, kit.Invalid("validation failed", kit.FieldError("query.ids", "every id must be 1 or more", id))
		}
	}
	if len(in.IDs) > maxIDs { // the schema says so too; this keeps the SQL bounded whatever it does
		return nil, kit.Invalid("validation failed", kit.FieldError("query.ids", "at most 100 ids", len(in.IDs)))
	}
	f := stock.ProduitFilter{IDs: in.IDs, Q: in.Q, Categorie: in.Categorie}
	if in.Actif != "" {
		actif := in.Actif == "true"
		f.Actif = &actif
	}
	items, total, err := h.repo.ListProduits(ctx, f, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	return &produitsOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

type idPath struct {
	ID int64 `path:"id" minimum:"1"`
}

type produitBody struct {
	Body stock.Produit
}

type produitFieldsInput struct {
	Body stock.ProduitFields
}

func (h *handlers) createProduit(ctx context.Context, in *produitFieldsInput) (*produitBody, error) {
	f := in.Body.Normalize()
	if err := f.Validate(); err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	p, err := h.repo.CreateProduit(ctx, f)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	h.log.InfoContext(ctx, "product created", "produit_id", p.ID)
	return &produitBody{Body: p}, nil
}

func (h *handlers) getProduit(ctx context.Context, in *idPath) (*produitBody, error) {
	p, err := h.repo.GetProduit(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	return &produitBody{Body: p}, nil
}

type updateProduitInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body stock.ProduitFields
}

func (h *handlers) updateProduit(ctx context.Context, in *updateProduitInput) (*produitBody, error) {
	f := in.Body.Normalize()
	if err := f.Validate(); err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	p, err := h.repo.UpdateProduit(ctx, in.ID, f)
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	return &produitBody{Body: p}, nil
}

// --- Stores and stock levels ---

type magasinsOutput struct {
	Body kit.Page[stock.Emplacement]
}

type pageInput struct {
	kit.PageQuery
}

func (h *handlers) listMagasins(ctx context.Context, in *pageInput) (*magasinsOutput, error) {
	items, total, err := h.repo.ListMagasins(ctx, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	return &magasinsOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

type magasinBody struct {
	Body stock.Emplacement
}

// magasin returns a store; the centre has an id but is not a store.
func (h *handlers) magasin(ctx context.Context, id int64) (stock.Emplacement, error) {
	e, err := h.repo.GetEmplacement(ctx, id)
	if err == nil && e.Type != stock.TypeMagasin {
		err = stock.ErrMagasinNotFound
	}
	if errors.Is(err, stock.ErrEmplacementNotFound) {
		err = stock.ErrMagasinNotFound
	}
	return e, err
}

func (h *handlers) getMagasin(ctx context.Context, in *idPath) (*magasinBody, error) {
	e, err := h.magasin(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	return &magasinBody{Body: e}, nil
}

type niveauxOutput struct {
	Body kit.Page[stock.Niveau]
}

type stockMagasinInput struct {
	ID        int64  `path:"id" minimum:"1"`
	Q         string `query:"q" maxLength:"200" doc:"Part of the product name or category, any case."`
	Categorie string `query:"categorie" maxLength:"100" doc:"Category, any case."`
	Niveau    string `query:"niveau" enum:"rupture,bas,surplus" doc:"rupture: disponible <= 5; bas: disponible < seuil; surplus: quantite >= 100."`
	kit.PageQuery
}

// stockMagasin checks the store in the same query as its levels: one round
// trip for the busiest read after the catalogue.
func (h *handlers) stockMagasin(ctx context.Context, in *stockMagasinInput) (*niveauxOutput, error) {
	f := stock.NiveauFilter{Q: in.Q, Categorie: in.Categorie, Niveau: in.Niveau}
	items, total, err := h.repo.ListNiveauxMagasin(ctx, in.ID, f, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	return &niveauxOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

type stockCentreInput struct {
	Q         string `query:"q" maxLength:"200" doc:"Part of the product name or category, any case."`
	Categorie string `query:"categorie" maxLength:"100" doc:"Category, any case."`
	Niveau    string `query:"niveau" enum:"rupture,bas,surplus" doc:"rupture: disponible <= 5; bas: disponible < seuil; surplus: quantite >= 100."`
	kit.PageQuery
}

func (h *handlers) stockCentre(ctx context.Context, in *stockCentreInput) (*niveauxOutput, error) {
	return h.niveaux(ctx, stock.CentreID, stock.NiveauFilter{Q: in.Q, Categorie: in.Categorie, Niveau: in.Niveau}, in.PageQuery)
}

func (h *handlers) niveaux(ctx context.Context, emplacementID int64, f stock.NiveauFilter, page kit.PageQuery) (*niveauxOutput, error) {
	items, total, err := h.repo.ListNiveaux(ctx, emplacementID, f, page.Limit, page.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	return &niveauxOutput{Body: kit.NewPage(items, total, page)}, nil
}

type receptionInput struct {
	IdempotencyKey kit.IdempotencyKey `header:"Idempotency-Key" doc:"A repeat with this key replays the first answer."`
	Body           stock.Reception
}

type receptionOutput struct {
	Body stock.ReceptionResult
}

func (h *handlers) receive(ctx context.Context, in *receptionInput) (*receptionOutput, error) {
	out, err := h.repo.Receive(ctx, string(in.IdempotencyKey), in.Body)
	if err != nil {
		return nil, h.problem(ctx, err, "header.Idempotency-Key", in.IdempotencyKey)
	}
	h.log.InfoContext(ctx, "goods received", "produit_id", in.Body.ProduitID, "quantite", in.Body.Quantite,
		"mouvement_id", out.Mouvement.ID)
	return &receptionOutput{Body: out}, nil
}

type retourInput struct {
	IdempotencyKey kit.IdempotencyKey `header:"Idempotency-Key" required:"true" doc:"The saga sends saga_id:step; a repeat replays the first answer."`
	Body           stock.NouveauRetour
}

type retourOutput struct {
	Body stock.Retour
}

func (h *handlers) restock(ctx context.Context, in *retourInput) (*retourOutput, error) {
	if err := in.Body.Validate(); err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	out, replay, err := h.repo.Return(ctx, string(in.IdempotencyKey), in.Body)
	if err != nil {
		return nil, h.problem(ctx, err, "header.Idempotency-Key", in.IdempotencyKey)
	}
	if replay {
		h.log.InfoContext(ctx, "return replayed", "reference", out.Reference)
	} else {
		h.log.InfoContext(ctx, "goods returned", "reference", out.Reference, "emplacement_id", out.EmplacementID,
			"lignes", len(out.Lignes))
	}
	return &retourOutput{Body: out}, nil
}

// --- Availability and reservations ---

type disponibilitesInput struct {
	Body stock.Demande
}

type disponibilitesOutput struct {
	Body stock.Verification
}

func (h *handlers) disponibilites(ctx context.Context, in *disponibilitesInput) (*disponibilitesOutput, error) {
	if err := in.Body.Validate(); err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	v, err := h.repo.Disponibilites(ctx, in.Body)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	return &disponibilitesOutput{Body: v}, nil
}

type reserveInput struct {
	Body stock.NouvelleReservation
}

type reservationBody struct {
	Body stock.Reservation
}

func (h *handlers) reserve(ctx context.Context, in *reserveInput) (*reservationBody, error) {
	if err := in.Body.Demande().Validate(); err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	res, created, err := h.repo.Reserve(ctx, in.Body)
	var short *stock.InsufficientError
	if errors.As(err, &short) {
		h.reservations.WithLabelValues(resultInsuffisant).Inc()
		h.log.InfoContext(ctx, "reservation refused", "cle", in.Body.Cle, "reason", short.Error())
	}
	if err != nil {
		return nil, h.problem(ctx, err, "body.cle", in.Body.Cle)
	}
	if created {
		h.reservations.WithLabelValues(resultReservee).Inc()
		h.log.InfoContext(ctx, "stock reserved", "cle", res.Cle, "emplacement_id", *res.EmplacementID, "lignes", len(res.Lignes))
	}
	return &reservationBody{Body: res}, nil
}

type clePath struct {
	Cle string `path:"cle" minLength:"1" maxLength:"200" pattern:"^[^/?#%\\s]+$" doc:"The reservation key."`
}

func (h *handlers) getReservation(ctx context.Context, in *clePath) (*reservationBody, error) {
	res, err := h.repo.GetReservation(ctx, in.Cle)
	if err != nil {
		return nil, h.problem(ctx, err, "path.cle", in.Cle)
	}
	return &reservationBody{Body: res}, nil
}

func (h *handlers) release(ctx context.Context, in *clePath) (*reservationBody, error) {
	res, acted, err := h.repo.Release(ctx, in.Cle)
	if err != nil {
		return nil, h.problem(ctx, err, "path.cle", in.Cle)
	}
	if acted {
		h.reservations.WithLabelValues(resultLiberee).Inc()
		h.log.InfoContext(ctx, "reservation released", "cle", in.Cle)
	} else if len(res.Lignes) == 0 {
		h.log.InfoContext(ctx, "release before reservation: tombstone kept", "cle", in.Cle)
	}
	return &reservationBody{Body: res}, nil
}

func (h *handlers) confirm(ctx context.Context, in *clePath) (*reservationBody, error) {
	res, acted, err := h.repo.Confirm(ctx, in.Cle)
	if err != nil {
		return nil, h.problem(ctx, err, "path.cle", in.Cle)
	}
	if acted {
		h.reservations.WithLabelValues(resultConfirmee).Inc()
		h.log.InfoContext(ctx, "reservation confirmed", "cle", in.Cle)
	}
	return &reservationBody{Body: res}, nil
}

// --- Ledger ---

type mouvementsInput struct {
	EmplacementID int64     `query:"emplacement_id" minimum:"1" maximum:"1000000"`
	ProduitID     int64     `query:"produit_id" minimum:"1"`
	Type          string    `query:"type" enum:"reception,reservation,liberation,vente,retour,transfert,ajustement"`
	Reference     string    `query:"reference" maxLength:"200" doc:"Exactly this reference (an order id, demande:12...)."`
	Depuis        time.Time `query:"depuis" doc:"RFC 3339; rows at or after it."`
	JusquA        time.Time `query:"jusqu_a" doc:"RFC 3339; rows before it (exclusive)."`
	kit.PageQuery
}

type mouvementsOutput struct {
	Body kit.Page[stock.Mouvement]
}

func (h *handlers) listMouvements(ctx context.Context, in *mouvementsInput) (*mouvementsOutput, error) {
	if !in.Depuis.IsZero() && !in.JusquA.IsZero() && !in.JusquA.After(in.Depuis) {
		return nil, kit.Invalid("validation failed", kit.FieldError("query.jusqu_a", "jusqu_a must be after depuis", in.JusquA))
	}
	f := stock.MouvementFilter{EmplacementID: in.EmplacementID, ProduitID: in.ProduitID, Type: in.Type,
		Reference: in.Reference, Depuis: in.Depuis, JusquA: in.JusquA}
	items, total, err := h.repo.ListMouvements(ctx, f, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	return &mouvementsOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

// problem maps domain errors to RFC 9457 answers, in one place. subject names
// the path parameter or key the call is about (path.id, path.cle, body.cle).
func (h *handlers) problem(ctx context.Context, err error, subject string, value any) error {
	var field *stock.FieldErr
	var missing *stock.NotFoundErr
	var short *stock.InsufficientError
	var centre *stock.CentreInsuffisant
	switch {
	case errors.As(err, &centre):
		msg := fmt.Sprintf("only %d available at the centre for product %d, %d asked; nothing moved",
			centre.Disponible, centre.ProduitID, centre.Demande)
		return huma.Error409Conflict(msg, kit.FieldError(subject, msg, centre.Disponible))
	case errors.Is(err, stock.ErrDemandeDecidee), errors.Is(err, stock.ErrDemandeEnCours):
		return huma.Error409Conflict(err.Error(), kit.FieldError(subject, err.Error(), value))
	case errors.As(err, &field):
		return kit.Invalid("validation failed", kit.FieldError(field.Field, field.Msg, field.Value))
	case errors.As(err, &missing):
		return huma.Error404NotFound(missing.Msg, kit.FieldError(missing.Field, missing.Msg, missing.Value))
	case errors.As(err, &short):
		details := make([]error, len(short.Lignes))
		for i, m := range short.Lignes {
			details[i] = kit.FieldError(fmt.Sprintf("body.lignes[%d].quantite", m.Index),
				fmt.Sprintf("only %d available for product %d", m.Disponible, m.ProduitID), m.Demande)
		}
		return huma.Error409Conflict("insufficient stock; nothing was reserved", details...)
	case errors.Is(err, stock.ErrProduitNotFound), errors.Is(err, stock.ErrMagasinNotFound),
		errors.Is(err, stock.ErrEmplacementNotFound), errors.Is(err, stock.ErrReservationNotFound),
		errors.Is(err, stock.ErrDemandeNotFound):
		return kit.NotFound(subject, err.Error(), value)
	case errors.Is(err, stock.ErrAlreadyReleased), errors.Is(err, stock.ErrAlreadyConfirmed):
		return huma.Error409Conflict(err.Error(), kit.FieldError(subject, err.Error(), value))
	case errors.Is(err, stock.ErrKeyReused):
		return kit.Invalid(err.Error(), kit.FieldError(subject, err.Error(), value))
	default:
		return kit.Internal(ctx, h.log, err)
	}
}
