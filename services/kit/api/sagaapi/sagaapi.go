// Package sagaapi is the typed contract of the orchestrator's public API:
// the four saga POSTs (online checkout, checkout of a cart, counter sale,
// return) and the reads of stored sagas, with the bodies exactly as the
// orchestrator serves them (see its /openapi.json).
//
// A saga that ran answers with the saga itself whatever its outcome: 201
// CONFIRMEE, 402 or 409 ANNULEE, 503 ANNULEE when a participant failure
// undid everything, and 202 Accepted when it started but is not over (poll
// Resultat.Location with GetSaga until Termine: it may still end CONFIRMEE). Those come back as a Resultat, not an error: the outcome is
// the answer. Only a request refused before any saga started (422, 404, a
// 503 with nothing created) is a *kit.ProblemError (use kit.StatusOf). To
// see every call's exact status and raw body, use kit.WithTrace.
//
// Who may call what (docs/saga.md, "Access"): the guest checkout (Commande
// with no ClientID) and GetSaga of a guest checkout need no token; Commande
// for a named client needs that client's token or a role of the whole chain;
// Panier, that client's token; Vente, a caissier of the store; Retour, a
// caissier of the store the goods go back to; ListSagas, maison_mere or
// service; GetSaga of any other saga, its client, its store's caissier or a
// role of the whole chain. Send the caller's own token
// (kit.WithBearer on the context, as the web app does for the signed-in
// person) or the service's (kit.WithTokens on the kit.Client). A refusal is
// a *kit.ProblemError with status 401 or 403, and nothing was started.
package sagaapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/internal/wire"
)

// Statut is a saga's state.
type Statut string

// The states a saga goes through; every saga ends CONFIRMEE or ANNULEE. A
// checkout's are its order's (commandeapi), which the saga records; a return
// adds two of its own.
const (
	Creee                   = Statut(commandeapi.Creee)
	StockVerifie            = Statut(commandeapi.StockVerifie)
	StockReserve            = Statut(commandeapi.StockReserve)
	Payee                   = Statut(commandeapi.Payee)
	RetourEnregistre Statut = "RETOUR_ENREGISTRE"
	Restocke         Statut = "RESTOCKE"
	Confirmee               = Statut(commandeapi.Confirmee)
	Annulee                 = Statut(commandeapi.Annulee)
)

// Types of saga.
const (
	TypeCommande = "commande" // online checkout, from a list of products or a cart
	TypeVente    = "vente"    // counter sale
	TypeRetour   = "retour"   // return: record, restock, refund
)

// ClientInvite is the demo guest client of requests that name none.
const ClientInvite int64 = 1

// LigneDemandee is a product and a quantity, as a client sends it.
type LigneDemandee struct {
	ProduitID int64 `json:"produit_id"`
	Quantite  int   `json:"quantite"`
}

// DemandeCommande is the body of POST /saga/commande (the seed's request).
type DemandeCommande struct {
	Produits []LigneDemandee `json:"produits"`
	ClientID *int64          `json:"client_id,omitempty"` // nil: the guest client
}

// DemandePanier is the body of POST /commande: check out a client's cart.
type DemandePanier struct {
	ClientID int64 `json:"client_id"`
}

// DemandeVente is the body of POST /saga/vente: a counter sale in a store.
type DemandeVente struct {
	MagasinID int             `json:"magasin_id"`
	Produits  []LigneDemandee `json:"produits"`
	Methode   string          `json:"methode"`             // comptant or carte
	ClientID  *int64          `json:"client_id,omitempty"` // nil: the guest client
}

// DemandeRetour is the body of POST /saga/retour.
type DemandeRetour struct {
	CommandeID uuid.UUID       `json:"commande_id"`
	Lignes     []LigneDemandee `json:"lignes,omitempty"` // none: everything not yet returned
}

// Etat is one state a saga entered, with when.
type Etat struct {
	Etat Statut    `json:"etat"`
	At   time.Time `json:"at"`
}

// Reponse is the answer to every saga request and the summary in lists.
type Reponse struct {
	SagaID     uuid.UUID  `json:"saga_id"`
	Type       string     `json:"type"`
	CommandeID *uuid.UUID `json:"commande_id"`
	Statut     Statut     `json:"statut"`
	Motif      string     `json:"motif"` // why it ended ANNULEE or waits for recovery
	Total      kit.Cents  `json:"total"` // charged, or refunded for a return
	Etapes     []Etat     `json:"etapes"`
	Termine    bool       `json:"termine"` // false while it runs or waits for recovery
}

// Appel is one row of a saga's step log: an action, a compensation or a probe.
type Appel struct {
	N          int             `json:"n"`
	Etape      string          `json:"etape"`
	Sens       string          `json:"sens"`   // action, compensation, sondage
	Statut     string          `json:"statut"` // envoyee, reussie, echouee, inconnue
	Tentatives int             `json:"tentatives"`
	HTTPStatus *int            `json:"http_status"`
	Reponse    json.RawMessage `json:"reponse,omitempty"` // what the participant answered, call by call
	EnvoyeeLe  time.Time       `json:"envoyee_le"`
	RecueLe    *time.Time      `json:"recue_le"`
}

// Saga is a saga as stored: the answer, then where the engine stands with
// it (docs/api.md, orchestrator, lists every field).
type Saga struct {
	Reponse
	// ReponseHTTP is what a POST of this saga, or a repeat of its key,
	// answers now: 201, 402, 409, 422 or 503 once Termine; 202 until then.
	ReponseHTTP int    `json:"reponse_http"`
	Phase       string `json:"phase"` // en_cours, sondage, compensation, cloture, terminee: which call it waits on
	// EtapeAtteinte is the furthest step whose action was called ("payer"
	// for a payment refused); EtapeEnAttente the step whose call is pending
	// (nil once Termine), an action, a probe, a compensation or the closing
	// call as Phase says.
	EtapeAtteinte  string  `json:"etape_atteinte"`
	EtapeEnAttente *string `json:"etape_en_attente"`
	// AVerifier: recovery could not move the saga after N attempts in a
	// row; head office must look. DerniereErreur says why.
	AVerifier        bool            `json:"a_verifier"`
	AVerifierDepuis  *time.Time      `json:"a_verifier_depuis"`
	Reprises         int             `json:"reprises"`
	DerniereErreur   string          `json:"derniere_erreur"`
	ProchaineReprise *time.Time      `json:"prochaine_reprise"`
	CleIdempotence   *string         `json:"cle_idempotence"`
	CreeLe           time.Time       `json:"cree_le"`
	ModifieLe        time.Time       `json:"modifie_le"`
	Requete          json.RawMessage `json:"requete,omitempty"`
	Journal          []Appel         `json:"journal,omitempty"`
}

// Resultat is what a saga POST answered: its exact status (201, 402, 409,
// 503 once over; 202 Accepted when it started and is not over), and with a
// 202 the Location to poll (GET /saga/{id}, or GetSaga) and the Retry-After
// before polling, and the saga.
type Resultat struct {
	Status     int
	Location   string
	RetryAfter time.Duration
	Reponse
}

// Client calls the orchestrator.
type Client struct{ c *kit.Client }

// New wraps a pooled client made once for the orchestrator's base URL. Its
// timeout must leave room for a whole saga (several participant calls).
func New(c *kit.Client) *Client { return &Client{c: c} }

// Commande runs the online checkout of a list of products. key is the
// client's Idempotency-Key ("" for none): the same key and body return the
// same saga, never a second order.
func (c *Client) Commande(ctx context.Context, key string, d DemandeCommande) (Resultat, error) {
	return c.start(ctx, "/saga/commande", key, d)
}

// Panier checks out a client's cart through the same saga; CONFIRMEE empties the cart.
func (c *Client) Panier(ctx context.Context, key string, d DemandePanier) (Resultat, error) {
	return c.start(ctx, "/commande", key, d)
}

// Vente runs a counter sale from a store's stock.
func (c *Client) Vente(ctx context.Context, key string, d DemandeVente) (Resultat, error) {
	return c.start(ctx, "/saga/vente", key, d)
}

// Retour records a return, restocks the goods where they were sold and refunds them.
func (c *Client) Retour(ctx context.Context, key string, d DemandeRetour) (Resultat, error) {
	return c.start(ctx, "/saga/retour", key, d)
}

// start sends a saga POST. An answer that carries a saga is a Resultat,
// whatever its status; anything else is the problem it is.
func (c *Client) start(ctx context.Context, path, key string, body any) (Resultat, error) {
	a, err := c.c.Send(ctx, http.MethodPost, path, body, wire.Key(key))
	if err != nil {
		return Resultat{}, err
	}
	var r Resultat
	if json.Unmarshal(a.Body, &r.Reponse) == nil && r.SagaID != uuid.Nil {
		r.Status, r.Location = a.Status, a.Header.Get("Location")
		if s, err := strconv.Atoi(a.Header.Get("Retry-After")); err == nil && s > 0 {
			r.RetryAfter = time.Duration(s) * time.Second
		}
		return r, nil
	}
	if err := a.Err(); err != nil {
		return Resultat{}, fmt.Errorf("POST %s: %w", path, err)
	}
	return Resultat{}, fmt.Errorf("POST %s: status %d without a saga: %.200s", path, a.Status, a.Body)
}

// GetSaga reads a saga with its states and its step log.
func (c *Client) GetSaga(ctx context.Context, id uuid.UUID) (Saga, error) {
	return wire.Call[Saga](ctx, c.c, http.MethodGet, "/saga/"+id.String(), nil, nil)
}

// ListSagasParams narrows GET /sagas; zero values are not sent.
type ListSagasParams struct {
	Statut    Statut
	Type      string
	AVerifier bool // only the sagas à vérifier
	kit.PageQuery
}

// ListSagas lists sagas, newest first.
func (c *Client) ListSagas(ctx context.Context, p ListSagasParams) (kit.Page[Saga], error) {
	var q wire.Query
	q.Str("statut", string(p.Statut)).Str("type", p.Type).Page(p.PageQuery)
	if p.AVerifier {
		q.Str("a_verifier", "true")
	}
	return wire.Call[kit.Page[Saga]](ctx, c.c, http.MethodGet, q.On("/sagas"), nil, nil)
}
