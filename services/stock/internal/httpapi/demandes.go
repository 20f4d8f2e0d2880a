package httpapi

import (
	"context"
	"errors"
	"strings"

	"multimagasins/kit"
	"multimagasins/stock/internal/stock"
)

// --- Supply requests ---

type createDemandeInput struct {
	ID   int64 `path:"id" minimum:"1" doc:"The store (1 to 5)."`
	Body stock.NouvelleDemandeAppro
}

type demandeBody struct {
	Body stock.DemandeAppro
}

func (h *handlers) createDemande(ctx context.Context, in *createDemandeInput) (*demandeBody, error) {
	d, err := h.repo.CreateDemande(ctx, in.ID, in.Body.Normalize())
	if errors.Is(err, stock.ErrDemandeEnCours) {
		return nil, h.problem(ctx, err, "body.produit_id", in.Body.ProduitID)
	}
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	h.log.InfoContext(ctx, "supply request created", "demande_id", d.ID, "magasin_id", d.MagasinID,
		"produit_id", d.ProduitID, "quantite", d.Quantite)
	return &demandeBody{Body: d}, nil
}

type listDemandesInput struct {
	Statut    string `query:"statut" enum:"en_attente,approuvee,refusee,livree"`
	MagasinID int64  `query:"magasin_id" minimum:"1" maximum:"1000000"`
	ProduitID int64  `query:"produit_id" minimum:"1"`
	kit.PageQuery
}

type demandesOutput struct {
	Body kit.Page[stock.DemandeAppro]
}

func (h *handlers) listDemandes(ctx context.Context, in *listDemandesInput) (*demandesOutput, error) {
	f := stock.DemandeFilter{Statut: in.Statut, MagasinID: in.MagasinID, ProduitID: in.ProduitID}
	items, total, err := h.repo.ListDemandes(ctx, f, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	return &demandesOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

func (h *handlers) getDemande(ctx context.Context, in *idPath) (*demandeBody, error) {
	d, err := h.repo.GetDemande(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	// Only the row tells which store asked: a caissier reads its own store's.
	if err := kit.CheckOwner(ctx, kit.Owner{MagasinID: d.MagasinID}); err != nil {
		return nil, err
	}
	return &demandeBody{Body: d}, nil
}

func (h *handlers) approveDemande(ctx context.Context, in *idPath) (*demandeBody, error) {
	d, err := h.repo.ApproveDemande(ctx, in.ID)
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	h.log.InfoContext(ctx, "supply request delivered", "demande_id", d.ID, "magasin_id", d.MagasinID,
		"produit_id", d.ProduitID, "quantite", d.Quantite)
	return &demandeBody{Body: d}, nil
}

type refuseDemandeInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body stock.Refus
}

func (h *handlers) refuseDemande(ctx context.Context, in *refuseDemandeInput) (*demandeBody, error) {
	if err := in.Body.Validate(); err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	d, err := h.repo.RefuseDemande(ctx, in.ID, strings.TrimSpace(in.Body.Motif))
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	h.log.InfoContext(ctx, "supply request refused", "demande_id", d.ID)
	return &demandeBody{Body: d}, nil
}

// --- Thresholds ---

type listSeuilsInput struct {
	EmplacementID int64 `query:"emplacement_id" minimum:"1" maximum:"1000000"`
	ProduitID     int64 `query:"produit_id" minimum:"1"`
	kit.PageQuery
}

type seuilsOutput struct {
	Body kit.Page[stock.Seuil]
}

func (h *handlers) listSeuils(ctx context.Context, in *listSeuilsInput) (*seuilsOutput, error) {
	items, total, err := h.repo.ListSeuils(ctx, stock.SeuilFilter{EmplacementID: in.EmplacementID, ProduitID: in.ProduitID},
		in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	return &seuilsOutput{Body: kit.NewPage(items, total, in.PageQuery)}, nil
}

type setSeuilInput struct {
	ID        int64 `path:"id" minimum:"1" doc:"The location: a store (1 to 5) or the centre (6)."`
	ProduitID int64 `path:"produit_id" minimum:"1"`
	Body      struct {
		Seuil int64 `json:"seuil" minimum:"0" maximum:"100000"`
	}
}

type seuilBody struct {
	Body stock.Seuil
}

func (h *handlers) setSeuil(ctx context.Context, in *setSeuilInput) (*seuilBody, error) {
	s, err := h.repo.SetSeuil(ctx, stock.Seuil{EmplacementID: in.ID, ProduitID: in.ProduitID, Seuil: in.Body.Seuil})
	if errors.Is(err, stock.ErrProduitNotFound) {
		return nil, h.problem(ctx, err, "path.produit_id", in.ProduitID)
	}
	if err != nil {
		return nil, h.problem(ctx, err, "path.id", in.ID)
	}
	h.log.InfoContext(ctx, "threshold set", "emplacement_id", s.EmplacementID, "produit_id", s.ProduitID, "seuil", s.Seuil)
	return &seuilBody{Body: s}, nil
}

// --- Head-office reports ---

type rupturesInput struct {
	Seuil         int64 `query:"seuil" default:"5" minimum:"0" maximum:"100000" doc:"Rows with disponible at or below it."`
	EmplacementID int64 `query:"emplacement_id" minimum:"1" maximum:"1000000"`
	kit.PageQuery
}

type surplusInput struct {
	Seuil         int64 `query:"seuil" default:"100" minimum:"0" maximum:"100000" doc:"Rows with quantite at or above it."`
	EmplacementID int64 `query:"emplacement_id" minimum:"1" maximum:"1000000"`
	kit.PageQuery
}

type rapportOutput struct {
	Body kit.Page[stock.LigneRapport]
}

func (h *handlers) ruptures(ctx context.Context, in *rupturesInput) (*rapportOutput, error) {
	return h.rapport(ctx, false, in.Seuil, in.EmplacementID, in.PageQuery)
}

func (h *handlers) surplus(ctx context.Context, in *surplusInput) (*rapportOutput, error) {
	return h.rapport(ctx, true, in.Seuil, in.EmplacementID, in.PageQuery)
}

func (h *handlers) rapport(ctx context.Context, surplus bool, seuil, emplacementID int64, page kit.PageQuery) (*rapportOutput, error) {
	items, total, err := h.repo.Rapport(ctx, surplus, seuil, emplacementID, page.Limit, page.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	return &rapportOutput{Body: kit.NewPage(items, total, page)}, nil
}

type enAttenteOutput struct {
	Body struct {
		EnAttente int64                        `json:"en_attente" doc:"Pending requests, all stores."`
		Magasins  []stock.EnAttenteMagasin     `json:"magasins" nullable:"false" doc:"The five stores, zero included."`
		Demandes  kit.Page[stock.DemandeAppro] `json:"demandes" doc:"Pending requests, oldest first."`
	}
}

func (h *handlers) demandesEnAttente(ctx context.Context, in *pageInput) (*enAttenteOutput, error) {
	magasins, list, total, err := h.repo.EnAttente(ctx, in.Limit, in.Offset)
	if err != nil {
		return nil, h.problem(ctx, err, "", nil)
	}
	out := &enAttenteOutput{}
	out.Body.EnAttente = total
	out.Body.Magasins = magasins
	if out.Body.Magasins == nil {
		out.Body.Magasins = []stock.EnAttenteMagasin{}
	}
	out.Body.Demandes = kit.NewPage(list, total, in.PageQuery)
	return out, nil
}
