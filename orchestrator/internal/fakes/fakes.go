// Package fakes is an in-memory stand-in for the saga's participants (stock,
// commande, paiement, panier, clients) in tests: one HTTP server answering
// their routes, with idempotent replays like theirs and injectable faults.
// They are other services, so tests fake them over HTTP; never the database.
package fakes

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Fault changes how one route (a ServeMux pattern, "POST /paiements") answers.
type Fault struct {
	Fail  int           // answer 500 this many times, doing nothing
	Slow  int           // this many times, act then wait Delay before answering
	Delay time.Duration //
	// Hook runs when a request arrives, before anything else; returning true
	// drops the request: nothing is done and the connection hangs until the
	// caller gives up (a crash of the caller, or a lost request).
	Hook func() bool
}

// Call is one request the fleet received.
type Call struct {
	Route string // the pattern, "POST /reservations"
	Path  string
	Key   string // Idempotency-Key header
}

type ligne struct {
	ProduitID    int64 `json:"produit_id"`
	Quantite     int   `json:"quantite"`
	PrixUnitaire int64 `json:"-"`
	Retournee    int   `json:"-"`
}

type commande struct {
	ID         uuid.UUID
	ClientID   int64
	Canal      string
	MagasinID  *int
	Statut     string
	Lignes     []ligne
	Historique []string
}

type reservation struct {
	Statut string // active, liberee, confirmee, tombe
	Lignes []ligne
	Lieu   int64
}

// Paiement is a charge as the fake paiement keeps it.
type Paiement struct {
	ID         uuid.UUID
	CommandeID uuid.UUID
	Cle        string
	Montant    int64
	Statut     string
	Rembourse  int64
}

// Fleet is the fake participants.
type Fleet struct {
	URL string

	mu           sync.Mutex
	Prix         map[int64]int64 // cents; a product missing here is unknown
	Inactifs     map[int64]bool
	Stock        map[[2]int64]int // (emplacement, produit) → units available
	Clients      map[int64]bool
	Paniers      map[int64][]ligne
	Limite       int64 // card authorization limit, cents
	commandes    map[uuid.UUID]*commande
	reservations map[string]*reservation
	paiements    []*Paiement
	answers      map[string]answer
	faults       map[string]*Fault
	calls        []Call
	// LoseFirstAnswer makes every POST act, then answer 503 the first time:
	// the effect happened but its answer was lost, so the caller sends it again.
	LoseFirstAnswer bool
	lost            map[string]bool
}

type answer struct {
	status int
	body   []byte
}

// New starts a fleet with the seed's catalogue: products 1 (19.99), 2
// (29.99), 4 (99.99, ten cost more than the 500.00 limit), 5 inactive; 50 units
// of each everywhere; clients 1 and 2.
func New(t testing.TB) *Fleet {
	f := &Fleet{
		Prix:      map[int64]int64{1: 1999, 2: 2999, 4: 9999, 5: 500},
		Inactifs:  map[int64]bool{5: true},
		Stock:     map[[2]int64]int{},
		Clients:   map[int64]bool{1: true, 2: true},
		Paniers:   map[int64][]ligne{},
		Limite:    50000,
		commandes: map[uuid.UUID]*commande{}, reservations: map[string]*reservation{},
		answers: map[string]answer{}, faults: map[string]*Fault{}, lost: map[string]bool{},
	}
	for lieu := int64(1); lieu <= 6; lieu++ {
		for p := range f.Prix {
			f.Stock[[2]int64{lieu, p}] = 50
		}
	}
	mux := http.NewServeMux()
	for pattern, h := range map[string]func(*http.Request) (int, any){
		"GET /produits":                         f.produits,
		"GET /clients/{id}":                     f.client,
		"GET /panier/{id}":                      f.panier,
		"DELETE /panier/{id}":                   f.viderPanier,
		"POST /commandes":                       f.creerCommande,
		"GET /commande/{id}":                    f.lireCommande,
		"POST /commande/{id}/transitions":       f.transition,
		"POST /commande/{id}/retours":           f.retourCommande,
		"POST /disponibilites":                  f.disponibilites,
		"POST /reservations":                    f.reserver,
		"POST /reservations/{cle}/liberation":   f.liberer,
		"POST /reservations/{cle}/confirmation": f.confirmer,
		"POST /retours":                         f.retourStock,
		"POST /paiements":                       f.payer,
		"GET /paiements":                        f.listePaiements,
		"POST /paiements/{id}/remboursements":   f.rembourser,
	} {
		mux.HandleFunc(pattern, f.serve(pattern, h))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Fault sets the fault of a route.
func (f *Fleet) Fault(route string, fault *Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[route] = fault
}

// Calls returns the requests received so far, oldest first.
func (f *Fleet) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// Routes returns the routes called, oldest first, leaving out reads.
func (f *Fleet) Routes() []string {
	var out []string
	for _, c := range f.Calls() {
		if !strings.HasPrefix(c.Route, "GET ") {
			out = append(out, c.Route)
		}
	}
	return out
}

// Commande returns an order's state and history, "" if unknown.
func (f *Fleet) Commande(id uuid.UUID) (string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.commandes[id]; ok {
		return c.Statut, append([]string(nil), c.Historique...)
	}
	return "", nil
}

// CancelAll cancels every order that is not final, as a person at head
// office might while a saga is still running.
func (f *Fleet) CancelAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.commandes {
		if c.Statut != "CONFIRMEE" && c.Statut != "ANNULEE" {
			c.Statut = "ANNULEE"
			c.Historique = append(c.Historique, "ANNULEE")
		}
	}
}

// Commandes is how many orders exist.
func (f *Fleet) Commandes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.commandes)
}

// Reservation returns the state of the reservation under key, "" if none.
func (f *Fleet) Reservation(cle string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.reservations[cle]; ok {
		return r.Statut
	}
	return ""
}

// Paiements returns the charges made.
func (f *Fleet) Paiements() []Paiement {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Paiement, len(f.paiements))
	for i, p := range f.paiements {
		out[i] = *p
	}
	return out
}

// Disponible is what is left of a product at a location.
func (f *Fleet) Disponible(lieu, produit int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Stock[[2]int64{lieu, produit}]
}

// SetPanier fills a client's cart.
func (f *Fleet) SetPanier(client int64, lignes map[int64]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Paniers[client] = nil
	for p, q := range lignes {
		f.Paniers[client] = append(f.Paniers[client], ligne{ProduitID: p, Quantite: q})
	}
}

// Panier is a client's cart size.
func (f *Fleet) Panier(client int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.Paniers[client])
}

func (f *Fleet) serve(route string, h func(*http.Request) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		f.mu.Lock()
		f.calls = append(f.calls, Call{Route: route, Path: r.URL.Path, Key: key})
		fault := f.faults[route]
		f.mu.Unlock()
		if fault != nil && fault.Hook != nil && fault.Hook() {
			// The server notices a caller hanging up only once the body is read.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		f.mu.Lock()
		if fault != nil && fault.Fail > 0 {
			fault.Fail--
			f.mu.Unlock()
			write(w, http.StatusInternalServerError, problem(http.StatusInternalServerError, "injected failure"))
			return
		}
		slow := fault != nil && fault.Slow > 0
		if slow {
			fault.Slow--
		}
		// A keyed call replays its stored answer, as the real participants do.
		id := route + "|" + r.URL.Path + "|" + key
		a, replay := f.answers[id]
		if !replay {
			status, body := h(r)
			b, _ := json.Marshal(body)
			a = answer{status, b}
			if key != "" || (r.Method == http.MethodPost && strings.Contains(route, "{cle}")) {
				f.answers[id] = a
			}
		}
		lose := f.LoseFirstAnswer && r.Method != http.MethodGet && !f.lost[id]
		f.lost[id] = true
		f.mu.Unlock()
		if slow {
			time.Sleep(fault.Delay)
		}
		if lose {
			write(w, http.StatusServiceUnavailable, problem(http.StatusServiceUnavailable, "answer lost"))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write(a.body)
	}
}

func write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func problem(status int, detail string) map[string]any {
	return map[string]any{"status": status, "title": http.StatusText(status), "detail": detail}
}

func cents(c int64) json.Number { return json.Number(fmt.Sprintf("%d.%02d", c/100, c%100)) }

func decode(r *http.Request, v any) bool { return json.NewDecoder(r.Body).Decode(v) == nil }

// --- handlers; f.mu is held ---

func (f *Fleet) produits(r *http.Request) (int, any) {
	items := []map[string]any{}
	for _, s := range strings.Split(r.URL.Query().Get("ids"), ",") {
		id, _ := strconv.ParseInt(s, 10, 64)
		if prix, ok := f.Prix[id]; ok {
			items = append(items, map[string]any{"id": id, "prix": cents(prix), "actif": !f.Inactifs[id]})
		}
	}
	return 200, map[string]any{"items": items, "total": len(items)}
}

func (f *Fleet) client(r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !f.Clients[id] {
		return 404, problem(404, "client not found")
	}
	return 200, map[string]any{"id": id}
}

func (f *Fleet) panier(r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	lignes := f.Paniers[id]
	if lignes == nil {
		lignes = []ligne{}
	}
	return 200, map[string]any{"client_id": id, "lignes": lignes}
}

func (f *Fleet) viderPanier(r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	delete(f.Paniers, id)
	return 204, nil
}

type ligneDemandee struct {
	ProduitID    int64       `json:"produit_id"`
	Quantite     int         `json:"quantite"`
	PrixUnitaire json.Number `json:"prix_unitaire"`
}

func (f *Fleet) creerCommande(r *http.Request) (int, any) {
	var d struct {
		ID        uuid.UUID       `json:"id"`
		ClientID  int64           `json:"client_id"`
		Canal     string          `json:"canal"`
		MagasinID *int            `json:"magasin_id"`
		Lignes    []ligneDemandee `json:"lignes"`
	}
	if !decode(r, &d) || len(d.Lignes) == 0 {
		return 422, problem(422, "bad commande")
	}
	if c, ok := f.commandes[d.ID]; ok {
		return 201, f.vue(c)
	}
	c := &commande{ID: d.ID, ClientID: d.ClientID, Canal: d.Canal, MagasinID: d.MagasinID, Statut: "CREEE",
		Historique: []string{"CREEE"}}
	for _, l := range d.Lignes {
		p, _ := strconv.ParseFloat(string(l.PrixUnitaire), 64)
		c.Lignes = append(c.Lignes, ligne{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: int64(p*100 + 0.5)})
	}
	f.commandes[d.ID] = c
	return 201, f.vue(c)
}

func (f *Fleet) vue(c *commande) map[string]any {
	lignes := []map[string]any{}
	for _, l := range c.Lignes {
		lignes = append(lignes, map[string]any{"produit_id": l.ProduitID, "quantite": l.Quantite,
			"prix_unitaire": cents(l.PrixUnitaire), "quantite_retournee": l.Retournee})
	}
	return map[string]any{"id": c.ID, "client_id": c.ClientID, "canal": c.Canal, "magasin_id": c.MagasinID,
		"statut": c.Statut, "lignes": lignes}
}

func (f *Fleet) commandeOf(r *http.Request) *commande {
	id, _ := uuid.Parse(r.PathValue("id"))
	return f.commandes[id]
}

func (f *Fleet) lireCommande(r *http.Request) (int, any) {
	c := f.commandeOf(r)
	if c == nil {
		return 404, problem(404, "commande not found")
	}
	return 200, f.vue(c)
}

var suivants = map[string][]string{"CREEE": {"STOCK_VERIFIE", "ANNULEE"}, "STOCK_VERIFIE": {"STOCK_RESERVE", "ANNULEE"},
	"STOCK_RESERVE": {"PAYEE", "ANNULEE"}, "PAYEE": {"CONFIRMEE"}}

func (f *Fleet) transition(r *http.Request) (int, any) {
	c := f.commandeOf(r)
	if c == nil {
		return 404, problem(404, "commande not found")
	}
	var d struct {
		Statut string `json:"statut"`
		Motif  string `json:"motif"`
	}
	if !decode(r, &d) || (d.Statut == "ANNULEE" && d.Motif == "") {
		return 422, problem(422, "motif required")
	}
	for _, s := range suivants[c.Statut] {
		if s == d.Statut {
			c.Statut = s
			c.Historique = append(c.Historique, s)
			return 200, f.vue(c)
		}
	}
	return 409, problem(409, "commande is "+c.Statut+", not "+d.Statut)
}

func (f *Fleet) retourCommande(r *http.Request) (int, any) {
	c := f.commandeOf(r)
	if c == nil {
		return 404, problem(404, "commande not found")
	}
	if c.Statut != "CONFIRMEE" {
		return 409, problem(409, "commande not CONFIRMEE")
	}
	var d struct {
		Lignes []ligne `json:"lignes"`
	}
	decode(r, &d)
	var montant int64
	out := []map[string]any{}
	for _, want := range d.Lignes {
		found := false
		for i := range c.Lignes {
			l := &c.Lignes[i]
			if l.ProduitID != want.ProduitID {
				continue
			}
			found = true
			if want.Quantite > l.Quantite-l.Retournee {
				return 409, problem(409, "more than sold")
			}
		}
		if !found {
			return 422, problem(422, "not in the order")
		}
	}
	for _, want := range d.Lignes {
		for i := range c.Lignes {
			if l := &c.Lignes[i]; l.ProduitID == want.ProduitID {
				l.Retournee += want.Quantite
				montant += l.PrixUnitaire * int64(want.Quantite)
				out = append(out, map[string]any{"produit_id": l.ProduitID, "quantite": want.Quantite,
					"prix_unitaire": cents(l.PrixUnitaire)})
			}
		}
	}
	return 201, map[string]any{"id": uuid.New(), "commande_id": c.ID, "lignes": out, "montant": cents(montant)}
}

type demandeStock struct {
	Cle           string  `json:"cle"`
	EmplacementID int64   `json:"emplacement_id"`
	Lignes        []ligne `json:"lignes"`
}

func (f *Fleet) disponibilites(r *http.Request) (int, any) {
	var d demandeStock
	decode(r, &d)
	ok := true
	for _, l := range d.Lignes {
		if f.Stock[[2]int64{d.EmplacementID, l.ProduitID}] < l.Quantite {
			ok = false
		}
	}
	return 200, map[string]any{"suffisant": ok, "lignes": []any{}}
}

func (f *Fleet) reserver(r *http.Request) (int, any) {
	var d demandeStock
	decode(r, &d)
	if res, ok := f.reservations[d.Cle]; ok {
		if res.Statut == "tombe" {
			return 409, problem(409, "released before it was made")
		}
		return 201, map[string]any{"cle": d.Cle, "statut": res.Statut}
	}
	for _, l := range d.Lignes {
		if f.Stock[[2]int64{d.EmplacementID, l.ProduitID}] < l.Quantite {
			return 409, problem(409, "insufficient stock; nothing was reserved")
		}
	}
	for _, l := range d.Lignes {
		f.Stock[[2]int64{d.EmplacementID, l.ProduitID}] -= l.Quantite
	}
	f.reservations[d.Cle] = &reservation{Statut: "active", Lignes: d.Lignes, Lieu: d.EmplacementID}
	return 201, map[string]any{"cle": d.Cle, "statut": "active"}
}

func (f *Fleet) liberer(r *http.Request) (int, any) {
	cle := r.PathValue("cle")
	res, ok := f.reservations[cle]
	switch {
	case !ok:
		f.reservations[cle] = &reservation{Statut: "tombe"}
	case res.Statut == "active":
		for _, l := range res.Lignes {
			f.Stock[[2]int64{res.Lieu, l.ProduitID}] += l.Quantite
		}
		res.Statut = "liberee"
	case res.Statut == "confirmee":
		return 409, problem(409, "already confirmed")
	}
	return 200, map[string]any{"cle": cle}
}

func (f *Fleet) confirmer(r *http.Request) (int, any) {
	res, ok := f.reservations[r.PathValue("cle")]
	if !ok {
		return 404, problem(404, "reservation not found")
	}
	if res.Statut == "liberee" || res.Statut == "tombe" {
		return 409, problem(409, "released")
	}
	res.Statut = "confirmee"
	return 200, map[string]any{"statut": "confirmee"}
}

func (f *Fleet) retourStock(r *http.Request) (int, any) {
	var d demandeStock
	decode(r, &d)
	for _, l := range d.Lignes {
		f.Stock[[2]int64{d.EmplacementID, l.ProduitID}] += l.Quantite
	}
	return 201, map[string]any{"emplacement_id": d.EmplacementID}
}

func (f *Fleet) payer(r *http.Request) (int, any) {
	var d struct {
		CommandeID uuid.UUID   `json:"commande_id"`
		Montant    json.Number `json:"montant"`
		Methode    string      `json:"methode"`
	}
	decode(r, &d)
	m, _ := strconv.ParseFloat(string(d.Montant), 64)
	p := &Paiement{ID: uuid.New(), CommandeID: d.CommandeID, Cle: r.Header.Get("Idempotency-Key"),
		Montant: int64(m*100 + 0.5), Statut: "accepte"}
	if d.Methode == "carte" && p.Montant > f.Limite {
		p.Statut = "refuse"
	}
	f.paiements = append(f.paiements, p)
	if p.Statut == "refuse" {
		return 402, problem(402, fmt.Sprintf("montant %s supérieur à la limite d'autorisation %s", cents(p.Montant), cents(f.Limite)))
	}
	return 201, map[string]any{"id": p.ID, "statut": p.Statut}
}

func (f *Fleet) listePaiements(r *http.Request) (int, any) {
	q := r.URL.Query()
	items := []map[string]any{}
	for _, p := range f.paiements {
		if (q.Get("cle") == "" || p.Cle == q.Get("cle")) && (q.Get("commande_id") == "" || p.CommandeID.String() == q.Get("commande_id")) {
			items = append(items, map[string]any{"id": p.ID, "statut": p.Statut})
		}
	}
	return 200, map[string]any{"items": items, "total": len(items)}
}

func (f *Fleet) rembourser(r *http.Request) (int, any) {
	id, _ := uuid.Parse(r.PathValue("id"))
	var d struct {
		Montant json.Number `json:"montant"`
	}
	decode(r, &d)
	m, _ := strconv.ParseFloat(string(d.Montant), 64)
	for _, p := range f.paiements {
		if p.ID == id {
			c := int64(m*100 + 0.5)
			if c > p.Montant-p.Rembourse {
				return 409, problem(409, "more than paid")
			}
			p.Rembourse += c
			p.Statut = "partiellement_rembourse"
			if p.Rembourse == p.Montant {
				p.Statut = "rembourse"
			}
			return 201, map[string]any{"id": uuid.New(), "montant": cents(c)}
		}
	}
	return 404, problem(404, "paiement not found")
}
