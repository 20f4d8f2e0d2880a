// Package participants holds the saga definitions and the calls they make to
// the other services (stock, commande, paiement, panier, clients), always by
// their direct URLs, never through the gateway.
package participants

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/saga"
)

// URLs are the base URLs of the participants.
type URLs struct {
	Stock, Commande, Paiement, Panier, Clients string
}

// Participants holds one pooled client per service, created once.
type Participants struct {
	stock, commande, paiement, panier, clients *kit.Client
}

// New returns the clients. timeout bounds a call that has no earlier deadline;
// the engine gives every step call its own, shorter one.
func New(u URLs, timeout time.Duration) *Participants {
	return &Participants{
		stock:    kit.NewClient(u.Stock, timeout),
		commande: kit.NewClient(u.Commande, timeout),
		paiement: kit.NewClient(u.Paiement, timeout),
		panier:   kit.NewClient(u.Panier, timeout),
		clients:  kit.NewClient(u.Clients, timeout),
	}
}

// call sends one request and, when r is not nil, records the answer in the
// step's trace. ok is the documented success status of the call: kit.Client
// returns the body of a 2xx but not its exact code.
func call(ctx context.Context, r *saga.Run, c *kit.Client, method, path string, body, out any, key string, ok int) error {
	var h http.Header
	if key != "" {
		h = http.Header{"Idempotency-Key": {key}}
	}
	var raw json.RawMessage
	var dst any = &raw
	if ok == http.StatusNoContent {
		dst = nil
	}
	err := c.Do(ctx, method, path, body, dst, h)
	if r != nil {
		t := saga.Trace{Appel: method + " " + path, Status: ok, Body: raw}
		var pe *kit.ProblemError
		switch {
		case errors.As(err, &pe):
			t.Status = pe.Status
			t.Body, _ = json.Marshal(pe.Problem)
		case err != nil:
			t.Status = 0
			t.Body, _ = json.Marshal(map[string]string{"erreur": err.Error()})
		}
		r.Trace = append(r.Trace, t)
	}
	if err != nil {
		return err
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return nil
}

// detail is the participant's explanation of a refusal.
func detail(err error) string {
	var pe *kit.ProblemError
	if errors.As(err, &pe) {
		if pe.Problem.Detail != "" {
			return pe.Problem.Detail
		}
		return http.StatusText(pe.Status)
	}
	return err.Error()
}

// refused tells a definitive 4xx from what may work on a retry.
func refused(err error) bool {
	s := kit.StatusOf(err)
	return s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests
}

// --- Preparation: reads made before a saga starts; nothing is created ---

type produit struct {
	ID    int64     `json:"id"`
	Prix  kit.Cents `json:"prix"`
	Actif bool      `json:"actif"`
}

// Prix prices lines from stock's catalogue in one call. An unknown or inactive
// product is a 422 naming its line (at is "body.produits").
func (p *Participants) Prix(ctx context.Context, at string, lignes []saga.LigneDemandee) ([]saga.Ligne, error) {
	ids := make([]string, len(lignes))
	for i, l := range lignes {
		ids[i] = strconv.FormatInt(l.ProduitID, 10)
	}
	var page struct {
		Items []produit `json:"items"`
	}
	q := "/produits?limit=" + strconv.Itoa(saga.LignesMax) + "&ids=" + strings.Join(ids, ",")
	if err := call(ctx, nil, p.stock, http.MethodGet, q, nil, &page, "", http.StatusOK); err != nil {
		return nil, err
	}
	catalogue := make(map[int64]produit, len(page.Items))
	for _, it := range page.Items {
		catalogue[it.ID] = it
	}
	out := make([]saga.Ligne, len(lignes))
	var champs []saga.Champ
	for i, l := range lignes {
		loc := fmt.Sprintf("%s[%d].produit_id", at, i)
		pr, ok := catalogue[l.ProduitID]
		switch {
		case !ok:
			champs = append(champs, saga.Champ{Location: loc, Message: "unknown product", Value: l.ProduitID})
		case !pr.Actif:
			champs = append(champs, saga.Champ{Location: loc, Message: "product is not sold any more", Value: l.ProduitID})
		}
		out[i] = saga.Ligne{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: pr.Prix}
	}
	if len(champs) > 0 {
		return nil, &saga.InvalidError{Champs: champs}
	}
	return out, nil
}

// Client checks that a client exists.
func (p *Participants) Client(ctx context.Context, id int64) error {
	err := call(ctx, nil, p.clients, http.MethodGet, "/clients/"+strconv.FormatInt(id, 10), nil, nil, "", http.StatusOK)
	if kit.StatusOf(err) == http.StatusNotFound {
		return saga.Invalid("body.client_id", "unknown client", id)
	}
	return err
}

// Panier returns the lines of a client's cart; an empty cart is a 422.
func (p *Participants) Panier(ctx context.Context, clientID int64) ([]saga.LigneDemandee, error) {
	var panier struct {
		Lignes []saga.LigneDemandee `json:"lignes"`
	}
	err := call(ctx, nil, p.panier, http.MethodGet, "/panier/"+strconv.FormatInt(clientID, 10), nil, &panier, "", http.StatusOK)
	if err != nil {
		return nil, err
	}
	if len(panier.Lignes) == 0 {
		return nil, saga.Invalid("body.client_id", "the cart of this client is empty", clientID)
	}
	return panier.Lignes, nil
}

// LigneVendue is a line of an order, with what was already returned.
type LigneVendue struct {
	ProduitID         int64     `json:"produit_id"`
	Quantite          int       `json:"quantite"`
	PrixUnitaire      kit.Cents `json:"prix_unitaire"`
	QuantiteRetournee int       `json:"quantite_retournee"`
}

// Commande is the part of an order a return needs.
type Commande struct {
	ID        uuid.UUID     `json:"id"`
	ClientID  int64         `json:"client_id"`
	Canal     string        `json:"canal"`
	MagasinID *int          `json:"magasin_id"`
	Statut    string        `json:"statut"`
	Lignes    []LigneVendue `json:"lignes"`
}

// LireCommande reads an order; an unknown one is a 404 naming body.commande_id.
func (p *Participants) LireCommande(ctx context.Context, id uuid.UUID) (Commande, error) {
	var c Commande
	err := call(ctx, nil, p.commande, http.MethodGet, "/commande/"+id.String(), nil, &c, "", http.StatusOK)
	if kit.StatusOf(err) == http.StatusNotFound {
		return c, &saga.NotFoundError{Champ: saga.Champ{Location: "body.commande_id", Message: "unknown order", Value: id}}
	}
	return c, err
}

// PaiementAccepte returns the accepted (maybe partly refunded) payment of an order.
func (p *Participants) PaiementAccepte(ctx context.Context, commandeID uuid.UUID) (uuid.UUID, error) {
	var page struct {
		Items []struct {
			ID     uuid.UUID `json:"id"`
			Statut string    `json:"statut"`
		} `json:"items"`
	}
	q := "/paiements?limit=100&commande_id=" + commandeID.String()
	if err := call(ctx, nil, p.paiement, http.MethodGet, q, nil, &page, "", http.StatusOK); err != nil {
		return uuid.Nil, err
	}
	for _, it := range page.Items {
		if it.Statut == "accepte" || it.Statut == "partiellement_rembourse" {
			return it.ID, nil
		}
	}
	return uuid.Nil, &saga.ConflictError{Champ: saga.Champ{Location: "body.commande_id",
		Message: "this order has no payment left to refund", Value: commandeID}}
}

func esc(s string) string { return url.PathEscape(s) }
