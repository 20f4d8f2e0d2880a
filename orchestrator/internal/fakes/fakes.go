// Package fakes is an in-memory stand-in for the saga's participants (stock,
// commande, paiement, panier, clients) in tests: one HTTP server answering
// the routes the sagas call, with idempotent replays like theirs and
// injectable faults. It reads and answers with the participants' own typed
// contracts (kit/api), and its contract test runs against it the suite of
// what the sagas rely on (kit/api/participantstest) that the real services
// pass in test/e2e, so the two cannot drift apart.
// They are other services, so tests fake them over HTTP; never the database.
//
// Like the real participants' saga routes, every route wants a service token
// (one the test issuer of kittest signed, with the service role): a call
// without one is a 401, with another role a 403, and does nothing. So a saga
// step that forgot its token fails the orchestrator's tests.
package fakes

import (
	"cmp"
	"context"
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
	"golang.org/x/oauth2"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/kit/kittest"
)

// Fault changes how one route (a ServeMux pattern, "POST /paiements") answers.
type Fault struct {
	Fail int // answer 500 (or Status) this many times, doing nothing
	// Status, when set, is what Fail answers instead of 500: a 409 or 422 is
	// the participant refusing the call, as when a refund was already made by hand.
	Status int
	Slow   int           // this many times, act then wait Delay before answering
	Delay  time.Duration //
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
	// Subject is who the bearer token spoke for ("service:orchestrator"), ""
	// without a valid one; Refusee is the 401 or 403 that answered a call
	// without a service token, 0 when the call was let in.
	Subject string
	Refusee int
	// Traceparent is the W3C trace context the call carried, "" without one.
	Traceparent string
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
	Historique []commandeapi.Evenement
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
	tokens          kit.Verifier
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
		tokens: kittest.TestIssuer(t).Signer.Verifier(),
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
		"POST /commande/{id}/retours":           f.retourCommande,
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
		etats := make([]string, len(c.Historique))
		for i, e := range c.Historique {
			etats[i] = string(e.Statut)
		}
		return c.Statut, etats
	}
	return "", nil
}

// Client is the client an order was recorded for, 0 if it is unknown.
func (f *Fleet) Client(id uuid.UUID) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.commandes[id]; ok {
		return c.ClientID
	}
	return 0
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
		subject, refusee, why := f.authenticate(r)
		f.mu.Lock()
		f.calls = append(f.calls, Call{Route: route, Path: r.URL.Path, Key: key, Subject: subject, Refusee: refusee,
			Traceparent: r.Header.Get("traceparent")})
		fault := f.faults[route]
		f.mu.Unlock()
		if refusee != 0 {
			// As kit.Access does: before the body is read, nothing done.
			write(w, refusee, problem(refusee, why))
			return
		}
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
			status := cmp.Or(fault.Status, http.StatusInternalServerError)
			f.mu.Unlock()
			write(w, status, problem(status, "injected failure"))
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
			// Releases and confirmations are idempotent by the reservation's
			// state, as in stock, not by a stored answer.
			if key != "" {
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

// authenticate checks the bearer token as the participants do: a token of
// the test issuer, with the service role.
func (f *Fleet) authenticate(r *http.Request) (subject string, refusee int, why string) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", http.StatusUnauthorized, "a bearer token is required"
	}
	p, err := f.tokens.Verify(r.Context(), strings.TrimSpace(tok))
	if err != nil {
		return "", http.StatusUnauthorized, "invalid token: " + err.Error()
	}
	if !p.Has(kit.RoleService) {
		return p.Subject, http.StatusForbidden, "the saga routes are for services only"
	}
	return p.Subject, 0, ""
}

// Tokens are service tokens for the orchestrator, from the test issuer's
// token endpoint by client credentials, as identite gives them: what the
// sagas' clients send in tests that build them without main.
func Tokens(t testing.TB) oauth2.TokenSource {
	creds := kit.ServiceCredentials{ClientID: "orchestrator", ClientSecret: kittest.TestServiceSecret,
		TokenURL: kittest.TestIssuer(t).TokenURL}
	return creds.Tokens(context.Background())
}

func write(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func problem(status int, detail string) map[string]any {
	return map[string]any{"status": status, "title": http.StatusText(status), "detail": detail}
}

func decode(r *http.Request, v any) bool { return json.NewDecoder(r.Body).Decode(v) == nil }

// --- handlers; f.mu is held ---

func (f *Fleet) produits(r *http.Request) (int, any) {
	items := []stockapi.Produit{}
	for _, s := range strings.Split(r.URL.Query().Get("ids"), ",") {
		id, _ := strconv.ParseInt(s, 10, 64)
		if prix, ok := f.Prix[id]; ok {
			items = append(items, stockapi.Produit{ID: id, Nom: "produit " + s, Prix: kit.Cents(prix), Actif: !f.Inactifs[id]})
		}
	}
	return 200, kit.Page[stockapi.Produit]{Items: items, Total: int64(len(items))}
}

func (f *Fleet) client(r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !f.Clients[id] {
		return 404, problem(404, "client not found")
	}
	return 200, clientsapi.Compte{ID: id, Nom: "client " + r.PathValue("id")}
}

func (f *Fleet) panier(r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p := panierapi.Panier{ClientID: id, Lignes: []panierapi.Ligne{}}
	for _, l := range f.Paniers[id] {
		prix := kit.Cents(f.Prix[l.ProduitID])
		p.Lignes = append(p.Lignes, panierapi.Ligne{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: prix})
		p.Total += prix * kit.Cents(l.Quantite)
	}
	return 200, p
}

func (f *Fleet) viderPanier(r *http.Request) (int, any) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	delete(f.Paniers, id)
	return 204, nil
}

// creerCommande creates an order, CREEE now or with the history its saga
// recorded, checked against the state machine as commande does: from CREEE,
// each state allowed after the one before, times that never go back and are
// at most a minute ahead, a reason with ANNULEE.
func (f *Fleet) creerCommande(r *http.Request) (int, any) {
	var d commandeapi.Demande
	if !decode(r, &d) || len(d.Lignes) == 0 || d.ID == nil {
		return 422, problem(422, "bad commande")
	}
	if c, ok := f.commandes[*d.ID]; ok {
		return 201, f.vue(c)
	}
	c := &commande{ID: *d.ID, ClientID: d.ClientID, Canal: string(d.Canal), MagasinID: d.MagasinID}
	if len(d.Historique) == 0 {
		d.Historique = []commandeapi.EvenementDemande{{Statut: commandeapi.Creee, At: time.Now()}}
	}
	limite := time.Now().Add(time.Minute)
	for i, e := range d.Historique {
		if (i == 0 && e.Statut != commandeapi.Creee) || (i > 0 && !peutPasser(c.Statut, string(e.Statut))) ||
			(e.Statut == commandeapi.Annulee && strings.TrimSpace(e.Motif) == "") {
			return 422, problem(422, fmt.Sprintf("historique[%d]: %s may not follow %s", i, e.Statut, c.Statut))
		}
		if e.At.IsZero() || e.At.After(limite) || (i > 0 && e.At.Before(d.Historique[i-1].At)) {
			return 422, problem(422, fmt.Sprintf("historique[%d].at: %s is no time for it", i, e.At))
		}
		c.Statut = string(e.Statut)
		// commande keeps microseconds, in UTC.
		c.Historique = append(c.Historique, commandeapi.Evenement{Statut: e.Statut, Motif: e.Motif, At: e.At.UTC().Truncate(time.Microsecond)})
	}
	for _, l := range d.Lignes {
		c.Lignes = append(c.Lignes, ligne{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: int64(l.PrixUnitaire)})
	}
	f.commandes[c.ID] = c
	return 201, f.vue(c)
}

func (f *Fleet) vue(c *commande) commandeapi.Commande {
	v := commandeapi.Commande{ID: c.ID, ClientID: c.ClientID, Canal: commandeapi.Canal(c.Canal), MagasinID: c.MagasinID,
		Statut: commandeapi.Statut(c.Statut), Lignes: []commandeapi.Ligne{}}
	for _, l := range c.Lignes {
		prix := kit.Cents(l.PrixUnitaire)
		v.Lignes = append(v.Lignes, commandeapi.Ligne{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: prix,
			SousTotal: prix * kit.Cents(l.Quantite), QuantiteRetournee: l.Retournee})
		v.Total += prix * kit.Cents(l.Quantite)
		v.TotalRetourne += prix * kit.Cents(l.Retournee)
	}
	v.Historique = append(v.Historique, c.Historique...)
	v.CreeLe, v.ModifieLe = c.Historique[0].At, c.Historique[len(c.Historique)-1].At
	return v
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

func peutPasser(de, vers string) bool {
	for _, s := range suivants[de] {
		if s == vers {
			return true
		}
	}
	return false
}

func (f *Fleet) retourCommande(r *http.Request) (int, any) {
	c := f.commandeOf(r)
	if c == nil {
		return 404, problem(404, "commande not found")
	}
	if c.Statut != "CONFIRMEE" {
		return 409, problem(409, "commande not CONFIRMEE")
	}
	var d commandeapi.DemandeRetour
	decode(r, &d)
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
	out := commandeapi.Retour{ID: uuid.New(), CommandeID: c.ID, At: time.Now().UTC()}
	for _, want := range d.Lignes {
		for i := range c.Lignes {
			if l := &c.Lignes[i]; l.ProduitID == want.ProduitID {
				l.Retournee += want.Quantite
				prix := kit.Cents(l.PrixUnitaire)
				m := prix * kit.Cents(want.Quantite)
				out.Montant += m
				out.Lignes = append(out.Lignes, commandeapi.LigneRetournee{ProduitID: l.ProduitID, Quantite: want.Quantite,
					PrixUnitaire: prix, Montant: m})
			}
		}
	}
	return 201, out
}

func lignes(in []stockapi.Ligne) []ligne {
	out := make([]ligne, len(in))
	for i, l := range in {
		out[i] = ligne{ProduitID: l.ProduitID, Quantite: int(l.Quantite)}
	}
	return out
}

func (res *reservation) vue(cle string) stockapi.Reservation {
	v := stockapi.Reservation{Cle: cle, Statut: res.Statut, Lignes: []stockapi.Ligne{}}
	if res.Statut != "tombe" {
		lieu := res.Lieu
		v.EmplacementID = &lieu
	}
	for _, l := range res.Lignes {
		v.Lignes = append(v.Lignes, stockapi.Ligne{ProduitID: l.ProduitID, Quantite: int64(l.Quantite)})
	}
	return v
}

// reserver verifies and reserves every line, or none.
func (f *Fleet) reserver(r *http.Request) (int, any) {
	var d stockapi.NouvelleReservation
	decode(r, &d)
	if res, ok := f.reservations[d.Cle]; ok {
		// A released key reserves nothing again, tombstone or not.
		if res.Statut == "tombe" || res.Statut == "liberee" {
			return 409, problem(409, "reservation already released; nothing was reserved")
		}
		return 201, res.vue(d.Cle)
	}
	ls := lignes(d.Lignes)
	for _, l := range ls {
		if f.Stock[[2]int64{d.EmplacementID, l.ProduitID}] < l.Quantite {
			return 409, problem(409, "insufficient stock; nothing was reserved")
		}
	}
	for _, l := range ls {
		f.Stock[[2]int64{d.EmplacementID, l.ProduitID}] -= l.Quantite
	}
	res := &reservation{Statut: "active", Lignes: ls, Lieu: d.EmplacementID}
	f.reservations[d.Cle] = res
	return 201, res.vue(d.Cle)
}

func (f *Fleet) liberer(r *http.Request) (int, any) {
	cle := r.PathValue("cle")
	res, ok := f.reservations[cle]
	switch {
	case !ok:
		res = &reservation{Statut: "tombe"}
		f.reservations[cle] = res
	case res.Statut == "active":
		for _, l := range res.Lignes {
			f.Stock[[2]int64{res.Lieu, l.ProduitID}] += l.Quantite
		}
		res.Statut = "liberee"
	case res.Statut == "confirmee":
		return 409, problem(409, "already confirmed")
	}
	return 200, res.vue(cle)
}

func (f *Fleet) confirmer(r *http.Request) (int, any) {
	cle := r.PathValue("cle")
	res, ok := f.reservations[cle]
	if !ok {
		return 404, problem(404, "reservation not found")
	}
	if res.Statut == "liberee" || res.Statut == "tombe" {
		return 409, problem(409, "released")
	}
	res.Statut = "confirmee"
	return 200, res.vue(cle)
}

func (f *Fleet) retourStock(r *http.Request) (int, any) {
	var d stockapi.NouveauRetour
	decode(r, &d)
	for _, l := range lignes(d.Lignes) {
		f.Stock[[2]int64{d.EmplacementID, l.ProduitID}] += l.Quantite
	}
	return 201, stockapi.Retour{EmplacementID: d.EmplacementID, Reference: d.Reference, Lignes: d.Lignes, Mouvements: []stockapi.Mouvement{}}
}

func (p *Paiement) vue() paiementapi.Paiement {
	return paiementapi.Paiement{ID: p.ID, CommandeID: p.CommandeID, Montant: kit.Cents(p.Montant),
		Statut: paiementapi.Statut(p.Statut), Rembourse: kit.Cents(p.Rembourse), Cle: p.Cle,
		Remboursements: []paiementapi.Remboursement{}}
}

func (f *Fleet) payer(r *http.Request) (int, any) {
	var d paiementapi.Demande
	decode(r, &d)
	p := &Paiement{ID: uuid.New(), CommandeID: d.CommandeID, Cle: r.Header.Get("Idempotency-Key"),
		Montant: int64(d.Montant), Statut: "accepte"}
	if d.Methode == paiementapi.Carte && p.Montant > f.Limite {
		p.Statut = "refuse"
	}
	f.paiements = append(f.paiements, p)
	if p.Statut == "refuse" {
		return 402, problem(402, fmt.Sprintf("montant %s supérieur à la limite d'autorisation %s", kit.Cents(p.Montant), kit.Cents(f.Limite)))
	}
	return 201, p.vue()
}

func (f *Fleet) listePaiements(r *http.Request) (int, any) {
	q := r.URL.Query()
	items := []paiementapi.Paiement{}
	for _, p := range f.paiements {
		if (q.Get("cle") == "" || p.Cle == q.Get("cle")) && (q.Get("commande_id") == "" || p.CommandeID.String() == q.Get("commande_id")) {
			items = append(items, p.vue())
		}
	}
	return 200, kit.Page[paiementapi.Paiement]{Items: items, Total: int64(len(items))}
}

func (f *Fleet) rembourser(r *http.Request) (int, any) {
	id, _ := uuid.Parse(r.PathValue("id"))
	var d paiementapi.DemandeRemboursement
	decode(r, &d)
	for _, p := range f.paiements {
		if p.ID == id {
			if p.Statut == "refuse" {
				return 409, problem(409, "a refused payment has nothing to refund")
			}
			c := int64(d.Montant)
			if d.JusquAuReste {
				c = min(c, p.Montant-p.Rembourse)
			}
			if c > p.Montant-p.Rembourse {
				return 409, problem(409, "more than paid")
			}
			if c == 0 {
				return 200, paiementapi.Remboursement{PaiementID: p.ID, Motif: d.Motif, At: time.Now().UTC()}
			}
			p.Rembourse += c
			p.Statut = "partiellement_rembourse"
			if p.Rembourse == p.Montant {
				p.Statut = "rembourse"
			}
			return 201, paiementapi.Remboursement{ID: uuid.New(), PaiementID: p.ID, Montant: kit.Cents(c), Motif: d.Motif, At: time.Now().UTC()}
		}
	}
	return 404, problem(404, "paiement not found")
}
