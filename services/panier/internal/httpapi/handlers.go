package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/kit"
	"multimagasins/kit/idem"
	"multimagasins/panier/internal/panier"
)

// Paniers is what the handlers need from the cart use cases.
type Paniers interface {
	Panier(ctx context.Context, clientID int64) (panier.Panier, error)
	Ajouter(ctx context.Context, a panier.Ajout, cle idem.Key) (panier.Resultat, error)
	Modifier(ctx context.Context, clientID, produitID int64, quantite int) (panier.Panier, error)
	Retirer(ctx context.Context, clientID, produitID int64) error
	Vider(ctx context.Context, clientID int64) error
}

type handlers struct {
	paniers  Paniers
	log      *slog.Logger
	ajoutees prometheus.Counter
}

// The maximum tags repeat panier.QuantiteMax: struct tags cannot name a constant.

type clientPath struct {
	ClientID int64 `path:"client_id" minimum:"1" doc:"Client id."`
}

type ligneInput struct {
	ClientID  int64 `path:"client_id" minimum:"1" doc:"Client id."`
	ProduitID int64 `path:"produit_id" minimum:"1" doc:"Produit id."`
}

type ajoutInput struct {
	Cle  kit.IdempotencyKey `header:"Idempotency-Key" doc:"A repeat with the same key and body replays the first answer: the line grows once."`
	Body struct {
		ClientID  int64 `json:"client_id" minimum:"1" example:"1"`
		ProduitID int64 `json:"produit_id" minimum:"1" example:"1"`
		Quantite  int   `json:"quantite" minimum:"1" maximum:"1000" example:"2" doc:"Units to add to the line."`
	}
}

type modifInput struct {
	ClientID  int64 `path:"client_id" minimum:"1" doc:"Client id."`
	ProduitID int64 `path:"produit_id" minimum:"1" doc:"Produit id."`
	Body      struct {
		Quantite int `json:"quantite" minimum:"1" maximum:"1000" example:"3" doc:"The line's new quantity."`
	}
}

type panierOutput struct {
	Status int
	Body   panier.Panier
}

func (h *handlers) get(ctx context.Context, in *clientPath) (*panierOutput, error) {
	p, err := h.paniers.Panier(ctx, in.ClientID)
	if err != nil {
		return nil, h.problem(ctx, err, champs{})
	}
	return &panierOutput{Status: http.StatusOK, Body: p}, nil
}

func (h *handlers) add(ctx context.Context, in *ajoutInput) (*panierOutput, error) {
	a := panier.Ajout{ClientID: in.Body.ClientID, ProduitID: in.Body.ProduitID, Quantite: in.Body.Quantite}
	// Before asking clients or stock anything: a client fills its own cart only.
	if err := kit.CheckOwner(ctx, kit.Owner{ClientID: a.ClientID}); err != nil {
		return nil, err
	}
	var cle idem.Key
	if in.Cle != "" {
		// Each client's keys are its own: two shoppers who both pick "1" do not collide.
		cle = idem.Key{Scope: "ajout:" + strconv.FormatInt(a.ClientID, 10), Key: string(in.Cle), Fingerprint: idem.Fingerprint(a)}
	}
	r, err := h.paniers.Ajouter(ctx, a, cle)
	if err != nil {
		return nil, h.problem(ctx, err, champs{client: "body.client_id", produit: "body.produit_id",
			clientID: a.ClientID, produitID: a.ProduitID, quantite: a.Quantite})
	}
	if r.Rejoue {
		h.log.InfoContext(ctx, "ajout rejoue", "client_id", a.ClientID, "produit_id", a.ProduitID)
	} else {
		h.ajoutees.Inc()
		h.log.InfoContext(ctx, "ligne ajoutee", "client_id", a.ClientID, "produit_id", a.ProduitID,
			"quantite", a.Quantite, "nouvelle", r.Nouvelle)
	}
	status := http.StatusOK
	if r.Nouvelle {
		status = http.StatusCreated
	}
	return &panierOutput{Status: status, Body: r.Panier}, nil
}

func (h *handlers) set(ctx context.Context, in *modifInput) (*panierOutput, error) {
	p, err := h.paniers.Modifier(ctx, in.ClientID, in.ProduitID, in.Body.Quantite)
	if err != nil {
		return nil, h.problem(ctx, err, champs{client: "path.client_id", produit: "path.produit_id",
			clientID: in.ClientID, produitID: in.ProduitID, quantite: in.Body.Quantite})
	}
	return &panierOutput{Status: http.StatusOK, Body: p}, nil
}

func (h *handlers) removeLigne(ctx context.Context, in *ligneInput) (*struct{}, error) {
	if err := h.paniers.Retirer(ctx, in.ClientID, in.ProduitID); err != nil {
		return nil, h.problem(ctx, err, champs{client: "path.client_id", produit: "path.produit_id",
			clientID: in.ClientID, produitID: in.ProduitID})
	}
	return &struct{}{}, nil
}

func (h *handlers) empty(ctx context.Context, in *clientPath) (*struct{}, error) {
	if err := h.paniers.Vider(ctx, in.ClientID); err != nil {
		return nil, h.problem(ctx, err, champs{})
	}
	return &struct{}{}, nil
}

// champs says where each input came from, so a problem names the field the
// caller actually sent (body.produit_id on POST, path.produit_id on PUT).
type champs struct {
	client, produit     string
	clientID, produitID int64
	quantite            int
}

// problem maps domain errors to RFC 9457 answers, in one place.
func (h *handlers) problem(ctx context.Context, err error, c champs) error {
	var court *panier.StockInsuffisantError
	var indispo *panier.IndisponibleError
	switch {
	case errors.Is(err, panier.ErrClientInconnu):
		return kit.NotFound(c.client, err.Error(), c.clientID)
	case errors.Is(err, panier.ErrProduitInconnu):
		return kit.NotFound(c.produit, err.Error(), c.produitID)
	case errors.Is(err, panier.ErrLigneAbsente):
		return kit.NotFound(c.produit, err.Error(), c.produitID)
	case errors.Is(err, panier.ErrProduitInactif):
		return kit.Invalid(err.Error(), kit.FieldError(c.produit, err.Error(), c.produitID))
	case errors.Is(err, panier.ErrCleReutilisee):
		return kit.Invalid(err.Error(), kit.FieldError("header.Idempotency-Key", err.Error(), nil))
	case errors.Is(err, panier.ErrQuantiteMax):
		return kit.Invalid(err.Error(), kit.FieldError("body.quantite", err.Error(), c.quantite))
	case errors.As(err, &court):
		msg := fmt.Sprintf("the centre logistique has %d available; the line would hold %d", court.Disponible, court.Demande)
		return huma.Error409Conflict("stock insuffisant", kit.FieldError("body.quantite", msg, c.quantite))
	case errors.As(err, &indispo):
		h.log.WarnContext(ctx, "upstream unavailable", "service", indispo.Service, "err", indispo.Err)
		return huma.Error503ServiceUnavailable(indispo.Service + " indisponible")
	default:
		return kit.Internal(ctx, h.log, err)
	}
}
