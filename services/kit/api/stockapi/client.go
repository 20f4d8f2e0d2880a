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
	var out kit.Page[Produit]
	return out, c.c.Do(ctx, http.MethodGet, q.On("/produits"), nil, &out, nil)
}

// CreateProduit adds a product to the catalogue, with no stock anywhere.
func (c *Client) CreateProduit(ctx context.Context, f ProduitFields) (Produit, error) {
	var out Produit
	return out, c.c.Do(ctx, http.MethodPost, "/produits", f, &out, nil)
}

// GetProduit reads one product; an unknown id is a 404.
func (c *Client) GetProduit(ctx context.Context, id int64) (Produit, error) {
	var out Produit
	return out, c.c.Do(ctx, http.MethodGet, "/produits/"+wire.ID(id), nil, &out, nil)
}

// UpdateProduit replaces a product's fields (a nil Actif makes it active).
func (c *Client) UpdateProduit(ctx context.Context, id int64, f ProduitFields) (Produit, error) {
	var out Produit
	return out, c.c.Do(ctx, http.MethodPut, "/produits/"+wire.ID(id), f, &out, nil)
}

// --- Stores and stock levels ---

// ListMagasins lists the five stores (the centre is no store).
func (c *Client) ListMagasins(ctx context.Context, p kit.PageQuery) (kit.Page[Emplacement], error) {
	var q wire.Query
	q.Page(p)
	var out kit.Page[Emplacement]
	return out, c.c.Do(ctx, http.MethodGet, q.On("/magasins"), nil, &out, nil)
}

// GetMagasin reads one store; the centre's id is a 404 here.
func (c *Client) GetMagasin(ctx context.Context, id int64) (Emplacement, error) {
	var out Emplacement
	return out, c.c.Do(ctx, http.MethodGet, "/magasins/"+wire.ID(id), nil, &out, nil)
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
	var out kit.Page[Niveau]
	return out, c.c.Do(ctx, http.MethodGet, p.on("/magasins/"+wire.ID(magasinID)+"/stock"), nil, &out, nil)
}

// StockLogistique lists the centre logistique's stock levels.
func (c *Client) StockLogistique(ctx context.Context, p StockParams) (kit.Page[Niveau], error) {
	var out kit.Page[Niveau]
	return out, c.c.Do(ctx, http.MethodGet, p.on("/logistique/stock"), nil, &out, nil)
}

// CreateReception records supplier goods arriving at the centre. key is the
// Idempotency-Key ("" for none): a repeat with it replays the first answer.
func (c *Client) CreateReception(ctx context.Context, key string, r Reception) (ReceptionResult, error) {
	var out ReceptionResult
	return out, c.c.Do(ctx, http.MethodPost, "/logistique/receptions", r, &out, wire.Key(key))
}

// CreateRetour puts returned goods back on a location's shelf, once per key
// (required; the saga sends saga_id:step): a repeat replays the first answer.
func (c *Client) CreateRetour(ctx context.Context, key string, r NouveauRetour) (Retour, error) {
	var out Retour
	return out, c.c.Do(ctx, http.MethodPost, "/retours", r, &out, wire.Key(key))
}

// --- Availability and reservations ---

// CheckDisponibilites tells, reading only, whether every line is available.
func (c *Client) CheckDisponibilites(ctx context.Context, d Demande) (Verification, error) {
	var out Verification
	return out, c.c.Do(ctx, http.MethodPost, "/disponibilites", d, &out, nil)
}

// CreateReservation reserves every line or none (409 naming the short lines).
// The key is r.Cle: a repeat with the same lines replays the reservation, and
// a key whose release came first (a tombstone) reserves nothing (409).
func (c *Client) CreateReservation(ctx context.Context, r NouvelleReservation) (Reservation, error) {
	var out Reservation
	return out, c.c.Do(ctx, http.MethodPost, "/reservations", r, &out, nil)
}

// GetReservation reads a reservation by its key.
func (c *Client) GetReservation(ctx context.Context, cle string) (Reservation, error) {
	var out Reservation
	return out, c.c.Do(ctx, http.MethodGet, "/reservations/"+wire.Seg(cle), nil, &out, nil)
}

// ReleaseReservation gives the reserved units back. Idempotent, and safe
// before the reservation exists: it leaves a tombstone.
func (c *Client) ReleaseReservation(ctx context.Context, cle string) (Reservation, error) {
	var out Reservation
	return out, c.c.Do(ctx, http.MethodPost, "/reservations/"+wire.Seg(cle)+"/liberation", nil, &out, nil)
}

// ConfirmReservation makes the reserved units leave the shelf (a vente row
// per line). Idempotent; a released reservation is a 409.
func (c *Client) ConfirmReservation(ctx context.Context, cle string) (Reservation, error) {
	var out Reservation
	return out, c.c.Do(ctx, http.MethodPost, "/reservations/"+wire.Seg(cle)+"/confirmation", nil, &out, nil)
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
	var out kit.Page[Mouvement]
	return out, c.c.Do(ctx, http.MethodGet, q.On("/mouvements"), nil, &out, nil)
}

// --- Supply requests ---

// CreateDemande asks the centre for stock on behalf of a store; a second
// pending request for the same product is a 409.
func (c *Client) CreateDemande(ctx context.Context, magasinID int64, d NouvelleDemandeAppro) (DemandeAppro, error) {
	var out DemandeAppro
	return out, c.c.Do(ctx, http.MethodPost, "/magasins/"+wire.ID(magasinID)+"/demandes", d, &out, nil)
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
	var out kit.Page[DemandeAppro]
	return out, c.c.Do(ctx, http.MethodGet, q.On("/demandes"), nil, &out, nil)
}

// GetDemande reads one supply request.
func (c *Client) GetDemande(ctx context.Context, id int64) (DemandeAppro, error) {
	var out DemandeAppro
	return out, c.c.Do(ctx, http.MethodGet, "/demandes/"+wire.ID(id), nil, &out, nil)
}

// ApproveDemande moves the stock from the centre to the store: the request
// is then livree. Not enough at the centre, or already decided, is a 409.
func (c *Client) ApproveDemande(ctx context.Context, id int64) (DemandeAppro, error) {
	var out DemandeAppro
	return out, c.c.Do(ctx, http.MethodPost, "/demandes/"+wire.ID(id)+"/approuver", nil, &out, nil)
}

// RefuseDemande refuses a pending request; motif must say why.
func (c *Client) RefuseDemande(ctx context.Context, id int64, motif string) (DemandeAppro, error) {
	body := struct {
		Motif string `json:"motif"`
	}{motif}
	var out DemandeAppro
	return out, c.c.Do(ctx, http.MethodPost, "/demandes/"+wire.ID(id)+"/refuser", body, &out, nil)
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
	var out kit.Page[Seuil]
	return out, c.c.Do(ctx, http.MethodGet, q.On("/seuils"), nil, &out, nil)
}

// SetSeuil sets the minimum stock of a product at a location (store or centre).
func (c *Client) SetSeuil(ctx context.Context, emplacementID, produitID, seuil int64) (Seuil, error) {
	body := struct {
		Seuil int64 `json:"seuil"`
	}{seuil}
	var out Seuil
	path := "/emplacements/" + wire.ID(emplacementID) + "/seuils/" + wire.ID(produitID)
	return out, c.c.Do(ctx, http.MethodPut, path, body, &out, nil)
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
	var out kit.Page[LigneRapport]
	return out, c.c.Do(ctx, http.MethodGet, p.on("/rapports/ruptures"), nil, &out, nil)
}

// RapportSurplus lists (location, product) rows with quantite at or above the seuil.
func (c *Client) RapportSurplus(ctx context.Context, p RapportParams) (kit.Page[LigneRapport], error) {
	var out kit.Page[LigneRapport]
	return out, c.c.Do(ctx, http.MethodGet, p.on("/rapports/surplus"), nil, &out, nil)
}

// RapportDemandesEnAttente counts pending requests per store and lists them, oldest first.
func (c *Client) RapportDemandesEnAttente(ctx context.Context, p kit.PageQuery) (DemandesEnAttente, error) {
	var q wire.Query
	q.Page(p)
	var out DemandesEnAttente
	return out, c.c.Do(ctx, http.MethodGet, q.On("/rapports/demandes-en-attente"), nil, &out, nil)
}
