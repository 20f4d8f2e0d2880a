// Package stockapi is the typed contract of the stock service: the bodies of
// its routes exactly as it serves them (see its /openapi.json) and a Client
// with one method per route. Every caller (orchestrator, panier, web, the
// end-to-end suites) uses these types instead of copying them.
//
// The orchestrator's fakes (orchestrator/internal/fakes) are built on these
// types; participantstest.Contract holds them and the real services to what
// the sagas rely on. The full contract of this service:
// stockapitest.Contract runs against any base URL seeded with stock's demo data.
//
// Errors: a refusal is a *kit.ProblemError (use kit.StatusOf); a transport
// error has status 0. To see every call's exact status and raw body (the saga
// engine logs them), put a hook in the context with kit.WithTrace.
package stockapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"multimagasins/kit"
	"multimagasins/kit/api/internal/wire"
)

// Client calls the stock service.
type Client struct{ c *kit.Client }

// New wraps a pooled client made once for the stock service's base URL.
func New(c *kit.Client) *Client { return &Client{c: c} }

// --- Products ---

// ListProduitsParams narrows GET /produits; zero values are not sent.
type ListProduitsParams struct {
	IDs       []int64 // only these ids (at most 100)
	Q         string  // part of the name, any case
	Categorie string  // any case
	Actif     *bool   // only active (true) or inactive (false) products
	kit.PageQuery
}

// ListProduits lists the catalogue: by ids (the saga prices its lines with
// one call), by name, category or actif flag.
func (c *Client) ListProduits(ctx context.Context, p ListProduitsParams) (kit.Page[Produit], error) {
	var q wire.Query
	q.Ints("ids", p.IDs).Str("q", p.Q).Str("categorie", p.Categorie).Page(p.PageQuery)
	if p.Actif != nil {
		q.Str("actif", strconv.FormatBool(*p.Actif))
	}
	return wire.Call[kit.Page[Produit]](ctx, c.c, http.MethodGet, q.On("/produits"), nil, nil)
}

// CreateProduit adds a product to the catalogue, with no stock anywhere.
func (c *Client) CreateProduit(ctx context.Context, f ProduitFields) (Produit, error) {
	return wire.Call[Produit](ctx, c.c, http.MethodPost, "/produits", f, nil)
}

// GetProduit reads one product; an unknown id is a 404.
func (c *Client) GetProduit(ctx context.Context, id int64) (Produit, error) {
	return wire.Call[Produit](ctx, c.c, http.MethodGet, "/produits/"+wire.ID(id), nil, nil)
}

// UpdateProduit replaces a product's fields (a nil Actif makes it active).
func (c *Client) UpdateProduit(ctx context.Context, id int64, f ProduitFields) (Produit, error) {
	return wire.Call[Produit](ctx, c.c, http.MethodPut, "/produits/"+wire.ID(id), f, nil)
}

// --- Stores and stock levels ---

// ListMagasins lists the five stores (the centre is no store).
func (c *Client) ListMagasins(ctx context.Context, p kit.PageQuery) (kit.Page[Emplacement], error) {
	var q wire.Query
	q.Page(p)
	return wire.Call[kit.Page[Emplacement]](ctx, c.c, http.MethodGet, q.On("/magasins"), nil, nil)
}

// GetMagasin reads one store; the centre's id is a 404 here.
func (c *Client) GetMagasin(ctx context.Context, id int64) (Emplacement, error) {
	return wire.Call[Emplacement](ctx, c.c, http.MethodGet, "/magasins/"+wire.ID(id), nil, nil)
}

// Stock levels a list can be narrowed to.
const (
	NiveauRupture = "rupture" // disponible <= 5
	NiveauBas     = "bas"     // disponible < seuil
	NiveauSurplus = "surplus" // quantite >= 100
)

// StockParams narrows a location's stock list; zero values are not sent.
type StockParams struct {
	Q         string // part of the product name or category
	Categorie string
	Niveau    string // NiveauRupture, NiveauBas or NiveauSurplus
	kit.PageQuery
}

func (p StockParams) on(path string) string {
	var q wire.Query
	return q.Str("q", p.Q).Str("categorie", p.Categorie).Str("niveau", p.Niveau).Page(p.PageQuery).On(path)
}

// StockMagasin lists a store's stock levels.
func (c *Client) StockMagasin(ctx context.Context, magasinID int64, p StockParams) (kit.Page[Niveau], error) {
	return wire.Call[kit.Page[Niveau]](ctx, c.c, http.MethodGet, p.on("/magasins/"+wire.ID(magasinID)+"/stock"), nil, nil)
}

// StockLogistique lists the centre logistique's stock levels.
func (c *Client) StockLogistique(ctx context.Context, p StockParams) (kit.Page[Niveau], error) {
	return wire.Call[kit.Page[Niveau]](ctx, c.c, http.MethodGet, p.on("/logistique/stock"), nil, nil)
}

// CreateReception records supplier goods arriving at the centre. key is the
// Idempotency-Key ("" for none): a repeat with it replays the first answer.
func (c *Client) CreateReception(ctx context.Context, key string, r Reception) (ReceptionResult, error) {
	return wire.Call[ReceptionResult](ctx, c.c, http.MethodPost, "/logistique/receptions", r, wire.Key(key))
}

// CreateRetour puts returned goods back on a location's shelf, once per key
// (required; the saga sends saga_id:step): a repeat replays the first answer.
func (c *Client) CreateRetour(ctx context.Context, key string, r NouveauRetour) (Retour, error) {
	return wire.Call[Retour](ctx, c.c, http.MethodPost, "/retours", r, wire.Key(key))
}

// --- Availability and reservations ---

// CheckDisponibilites tells, reading only, whether every line is available.
func (c *Client) CheckDisponibilites(ctx context.Context, d Demande) (Verification, error) {
	return wire.Call[Verification](ctx, c.c, http.MethodPost, "/disponibilites", d, nil)
}

// CreateReservation reserves every line or none (409 naming the short lines).
// The key is r.Cle: a repeat with the same lines replays the reservation, and
// a key whose release came first (a tombstone) reserves nothing (409).
func (c *Client) CreateReservation(ctx context.Context, r NouvelleReservation) (Reservation, error) {
	return wire.Call[Reservation](ctx, c.c, http.MethodPost, "/reservations", r, nil)
}

// GetReservation reads a reservation by its key.
func (c *Client) GetReservation(ctx context.Context, cle string) (Reservation, error) {
	return wire.Call[Reservation](ctx, c.c, http.MethodGet, "/reservations/"+wire.Seg(cle), nil, nil)
}

// ReleaseReservation gives the reserved units back. Idempotent, and safe
// before the reservation exists: it leaves a tombstone.
func (c *Client) ReleaseReservation(ctx context.Context, cle string) (Reservation, error) {
	return wire.Call[Reservation](ctx, c.c, http.MethodPost, "/reservations/"+wire.Seg(cle)+"/liberation", nil, nil)
}

// ConfirmReservation makes the reserved units leave the shelf (a vente row
// per line). Idempotent; a released reservation is a 409.
func (c *Client) ConfirmReservation(ctx context.Context, cle string) (Reservation, error) {
	return wire.Call[Reservation](ctx, c.c, http.MethodPost, "/reservations/"+wire.Seg(cle)+"/confirmation", nil, nil)
}

// --- Ledger ---

// MouvementsParams narrows the ledger; zero values are not sent.
type MouvementsParams struct {
	EmplacementID int64
	ProduitID     int64
	Type          string // one of the Mvt constants
	Reference     string // exactly this reference
	Depuis        time.Time
	JusquA        time.Time // excluded
	kit.PageQuery
}

// ListMouvements lists the ledger, newest first.
func (c *Client) ListMouvements(ctx context.Context, p MouvementsParams) (kit.Page[Mouvement], error) {
	var q wire.Query
	q.Int("emplacement_id", p.EmplacementID).Int("produit_id", p.ProduitID).Str("type", p.Type).
		Str("reference", p.Reference).Time("depuis", p.Depuis).Time("jusqu_a", p.JusquA).Page(p.PageQuery)
	return wire.Call[kit.Page[Mouvement]](ctx, c.c, http.MethodGet, q.On("/mouvements"), nil, nil)
}

// --- Supply requests ---

// CreateDemande asks the centre for stock on behalf of a store; a second
// pending request for the same product is a 409.
func (c *Client) CreateDemande(ctx context.Context, magasinID int64, d NouvelleDemandeAppro) (DemandeAppro, error) {
	return wire.Call[DemandeAppro](ctx, c.c, http.MethodPost, "/magasins/"+wire.ID(magasinID)+"/demandes", d, nil)
}

// DemandesParams narrows GET /demandes; zero values are not sent.
type DemandesParams struct {
	Statut    string // one of the Demande* constants
	MagasinID int64
	ProduitID int64
	kit.PageQuery
}

// ListDemandes lists supply requests, newest first.
func (c *Client) ListDemandes(ctx context.Context, p DemandesParams) (kit.Page[DemandeAppro], error) {
	var q wire.Query
	q.Str("statut", p.Statut).Int("magasin_id", p.MagasinID).Int("produit_id", p.ProduitID).Page(p.PageQuery)
	return wire.Call[kit.Page[DemandeAppro]](ctx, c.c, http.MethodGet, q.On("/demandes"), nil, nil)
}

// GetDemande reads one supply request.
func (c *Client) GetDemande(ctx context.Context, id int64) (DemandeAppro, error) {
	return wire.Call[DemandeAppro](ctx, c.c, http.MethodGet, "/demandes/"+wire.ID(id), nil, nil)
}

// ApproveDemande moves the stock from the centre to the store: the request
// is then livree. Not enough at the centre, or already decided, is a 409.
func (c *Client) ApproveDemande(ctx context.Context, id int64) (DemandeAppro, error) {
	return wire.Call[DemandeAppro](ctx, c.c, http.MethodPost, "/demandes/"+wire.ID(id)+"/approuver", nil, nil)
}

// RefuseDemande refuses a pending request; motif must say why.
func (c *Client) RefuseDemande(ctx context.Context, id int64, motif string) (DemandeAppro, error) {
	body := struct {
		Motif string `json:"motif"`
	}{motif}
	return wire.Call[DemandeAppro](ctx, c.c, http.MethodPost, "/demandes/"+wire.ID(id)+"/refuser", body, nil)
}

// --- Thresholds ---

// SeuilsParams narrows GET /seuils; zero values are not sent.
type SeuilsParams struct {
	EmplacementID int64
	ProduitID     int64
	kit.PageQuery
}

// ListSeuils lists the minimum stock of every (location, product).
func (c *Client) ListSeuils(ctx context.Context, p SeuilsParams) (kit.Page[Seuil], error) {
	var q wire.Query
	q.Int("emplacement_id", p.EmplacementID).Int("produit_id", p.ProduitID).Page(p.PageQuery)
	return wire.Call[kit.Page[Seuil]](ctx, c.c, http.MethodGet, q.On("/seuils"), nil, nil)
}

// SetSeuil sets the minimum stock of a product at a location (store or centre).
func (c *Client) SetSeuil(ctx context.Context, emplacementID, produitID, seuil int64) (Seuil, error) {
	body := struct {
		Seuil int64 `json:"seuil"`
	}{seuil}
	path := "/emplacements/" + wire.ID(emplacementID) + "/seuils/" + wire.ID(produitID)
	return wire.Call[Seuil](ctx, c.c, http.MethodPut, path, body, nil)
}

// --- Head-office reports ---

// RapportParams narrows a stock report; nil Seuil is the service's default
// (5 for ruptures, 100 for surplus).
type RapportParams struct {
	Seuil         *int64
	EmplacementID int64
	kit.PageQuery
}

func (p RapportParams) on(path string) string {
	var q wire.Query
	return q.IntPtr("seuil", p.Seuil).Int("emplacement_id", p.EmplacementID).Page(p.PageQuery).On(path)
}

// RapportRuptures lists (location, product) rows with disponible at or below the seuil.
func (c *Client) RapportRuptures(ctx context.Context, p RapportParams) (kit.Page[LigneRapport], error) {
	return wire.Call[kit.Page[LigneRapport]](ctx, c.c, http.MethodGet, p.on("/rapports/ruptures"), nil, nil)
}

// RapportSurplus lists (location, product) rows with quantite at or above the seuil.
func (c *Client) RapportSurplus(ctx context.Context, p RapportParams) (kit.Page[LigneRapport], error) {
	return wire.Call[kit.Page[LigneRapport]](ctx, c.c, http.MethodGet, p.on("/rapports/surplus"), nil, nil)
}

// RapportDemandesEnAttente counts pending requests per store and lists them, oldest first.
func (c *Client) RapportDemandesEnAttente(ctx context.Context, p kit.PageQuery) (DemandesEnAttente, error) {
	var q wire.Query
	q.Page(p)
	return wire.Call[DemandesEnAttente](ctx, c.c, http.MethodGet, q.On("/rapports/demandes-en-attente"), nil, nil)
}
