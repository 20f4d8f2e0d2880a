package httpapi

import (
	"context"
	"time"

	"github.com/google/uuid"

	"multimagasins/commande/internal/commande"
)

// PeriodeQuery is the period every report takes; jusqu_a is excluded.
// Exported: huma reads the query fields of an embedded struct only then.
type PeriodeQuery struct {
	Depuis time.Time `query:"depuis" doc:"Start of the period, included (RFC 3339); default 30 days before jusqu_a."`
	JusquA time.Time `query:"jusqu_a" doc:"End of the period, excluded (RFC 3339); default now."`
}

func (q PeriodeQuery) periode() (commande.Periode, error) {
	return commande.NouvellePeriode(q.Depuis, q.JusquA, time.Now())
}

type ventesParMagasinOutput struct {
	Body commande.VentesParMagasin
}

func (h *handlers) ventesParMagasin(ctx context.Context, in *PeriodeQuery) (*ventesParMagasinOutput, error) {
	p, err := in.periode()
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	sommes, err := h.repo.SommesParMagasin(ctx, p)
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	return &ventesParMagasinOutput{Body: commande.NouvellesVentesParMagasin(p, sommes)}, nil
}

type topProduitsInput struct {
	PeriodeQuery
	Par   commande.Classement `query:"par" enum:"quantite,chiffre_affaires" default:"quantite" doc:"Rank by units or by revenue."`
	Limit int                 `query:"limit" minimum:"1" maximum:"100" default:"10"`
}

type topProduitsOutput struct {
	Body commande.TopProduits
}

func (h *handlers) topProduits(ctx context.Context, in *topProduitsInput) (*topProduitsOutput, error) {
	p, err := in.periode()
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	list, err := h.repo.TopProduits(ctx, p, in.Par, in.Limit)
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	return &topProduitsOutput{Body: commande.TopProduits{Depuis: p.Depuis, JusquA: p.JusquA, Par: in.Par, Produits: list}}, nil
}

type parJourInput struct {
	PeriodeQuery
	MagasinID int `query:"magasin_id" minimum:"1" maximum:"5" doc:"One store's counter sales; absent for the whole chain, online included."`
}

type parJourOutput struct {
	Body commande.ChiffreAffairesParJour
}

func (h *handlers) parJour(ctx context.Context, in *parJourInput) (*parJourOutput, error) {
	p, err := in.periode()
	if err == nil {
		err = commande.VerifierJours(p)
	}
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	var magasin *int
	if in.MagasinID != 0 {
		magasin = &in.MagasinID
	}
	jours, err := h.repo.ParJour(ctx, p, magasin)
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	return &parJourOutput{Body: commande.ChiffreAffairesParJour{Depuis: p.Depuis, JusquA: p.JusquA, MagasinID: magasin, Jours: jours}}, nil
}

type performanceOutput struct {
	Body commande.PerformanceMagasins
}

func (h *handlers) performanceMagasins(ctx context.Context, in *PeriodeQuery) (*performanceOutput, error) {
	p, err := in.periode()
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	sommes, err := h.repo.SommesParMagasin(ctx, p)
	if err != nil {
		return nil, h.problem(ctx, err, uuid.Nil)
	}
	return &performanceOutput{Body: commande.NouvellesPerformances(p, sommes)}, nil
}
