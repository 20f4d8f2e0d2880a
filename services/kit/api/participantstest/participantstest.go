// Package participantstest is the contract of the saga's participants as the
// orchestrator's sagas use them: exactly the calls its steps and reads make
// (orchestrator/internal/sagas) and the answers they rely on, through the
// typed clients. It runs against the real services (test/e2e) and against
// the orchestrator's in-memory fake (orchestrator/internal/fakes), so the fake
// the orchestrator's tests trust cannot drift from the services it stands for.
//
// The per-service suites (stockapitest, paiementapitest…) cover every route
// of one service; this one covers only what a saga depends on, across all five.
//
// The caller brings the clients, and with them the token they carry: a
// service token, as the orchestrator's (the routes the sagas call are for
// services only). Participants built by hand from typed clients are fine too.
package participantstest

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/internal/contract"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/stockapi"
)

// Participants are the typed clients of the five services the sagas call.
type Participants struct {
	Stock    *stockapi.Client
	Commande *commandeapi.Client
	Paiement *paiementapi.Client
	Panier   *panierapi.Client
	Clients  *clientsapi.Client
}

// At returns the clients of five services all served at one base URL, as the
// fake serves them. The sagas' routes want a service token: pass where it
// comes from, as the orchestrator does (kit.WithTokens(creds.Tokens(ctx)), or
// kit.WithTokens(kittest.StaffTokens) in tests).
func At(baseURL string, opts ...kit.ClientOption) Participants {
	return On(kit.NewClient(baseURL, 30*time.Second, opts...))
}

// On returns the clients of five services all served by c, a client the
// caller made with the token it wants every call to carry.
func On(c *kit.Client) Participants {
	return Participants{Stock: stockapi.New(c), Commande: commandeapi.New(c), Paiement: paiementapi.New(c),
		Panier: panierapi.New(c), Clients: clientsapi.New(c)}
}

// Trop is more units of one line than any location holds (stock's largest quantity).
const Trop = 1_000_000

// Magasin is the store the counter-sale checks reserve from.
const Magasin = 1

// Fixture names data the target already holds. The suite uses fresh keys,
// orders and payments of its own, and leaves Produit's stock as it found it,
// so it can run again on the same target; only the cart needs refilling.
type Fixture struct {
	// Produit is active, priced Prix, with exactly Disponible (at least 2)
	// units available at the centre (6) and at store 1, which nobody else
	// reserves while the suite runs: the all-or-nothing checks count them.
	Produit    int64
	Prix       kit.Cents
	Disponible int64
	Autre      int64 // another active product, with fewer than Trop units at the centre
	Inactif    int64 // a product no longer sold
	Inconnu    int64 // no product has this id

	// Client exists and has the default card limit (500.00); its cart holds
	// exactly Panier (product → units).
	Client        int64
	Panier        map[int64]int
	ClientInconnu int64 // no client has this id, and it has no cart
}

// Contract checks through p every behaviour of the participants the sagas
// rely on, with the data f names.
func Contract(t *testing.T, p Participants, f Fixture) {
	if f.Disponible < 2 {
		t.Fatalf("fixture: Disponible = %d, want at least 2", f.Disponible)
	}
	s := stockSuite{p: p, f: f}

	t.Run("clients", func(t *testing.T) {
		ctx, _ := contract.Record(t)
		c, err := p.Clients.GetClient(ctx, f.Client)
		contract.OK(t, err, "GetClient")
		contract.Equal(t, "id", c.ID, f.Client)
		_, err = p.Clients.GetClient(ctx, f.ClientInconnu)
		contract.Problem(t, err, http.StatusNotFound, "")
	})

	t.Run("catalogue", func(t *testing.T) {
		ctx, _ := contract.Record(t)
		// The saga prices every line in one call, by ids, and tells an unknown
		// product (absent) from one no longer sold (actif false).
		page, err := p.Stock.ListProduits(ctx, stockapi.ListProduitsParams{IDs: []int64{f.Produit, f.Inactif, f.Inconnu},
			PageQuery: kit.PageQuery{Limit: 100}})
		contract.OK(t, err, "ListProduits")
		got := map[int64]stockapi.Produit{}
		for _, it := range page.Items {
			got[it.ID] = it
		}
		contract.True(t, len(page.Items) == 2, "by ids %d, %d, %d: %+v", f.Produit, f.Inactif, f.Inconnu, page.Items)
		pr, ok := got[f.Produit]
		contract.True(t, ok && pr.Actif && pr.Prix == f.Prix, "product %d: %+v, want active at %s", f.Produit, pr, f.Prix)
		pr, ok = got[f.Inactif]
		contract.True(t, ok && !pr.Actif, "product %d: %+v, want listed and inactive", f.Inactif, pr)
		_, ok = got[f.Inconnu]
		contract.True(t, !ok, "unknown product %d is listed", f.Inconnu)
	})

	for _, c := range []struct {
		name  string
		check func(stockSuite)
	}{
		{"reservation/tout ou rien", func(s stockSuite) { s.toutOuRien(stockapi.CentreID) }},
		{"reservation/rejouee", stockSuite.rejouee},
		{"reservation/liberee", stockSuite.liberee},
		{"reservation/tombe", stockSuite.tombe},
		{"reservation/confirmee", func(s stockSuite) { s.confirmee(stockapi.CentreID) }},
		{"reservation/magasin", stockSuite.magasin},
	} {
		// A failed check may leave units reserved, and every later count
		// would fail for it: stop at the first.
		if !t.Run(c.name, func(t *testing.T) { c.check(s.on(t)) }) {
			t.Fatalf("%s failed; the stock checks after it would count its leftovers", c.name)
		}
	}

	t.Run("paiement", func(t *testing.T) { paiement(t, p, f) })
	t.Run("remboursement", func(t *testing.T) { remboursement(t, p, f) })
	t.Run("commande", func(t *testing.T) { enregistrement(t, p, f) })
	t.Run("retour", func(t *testing.T) { retour(t, p, f) })

	t.Run("panier", func(t *testing.T) {
		ctx, _ := contract.Record(t)
		pa, err := p.Panier.GetPanier(ctx, f.Client)
		contract.OK(t, err, "GetPanier")
		got := map[int64]int{}
		for _, l := range pa.Lignes {
			got[l.ProduitID] = l.Quantite
		}
		contract.True(t, len(got) == len(f.Panier) && len(pa.Lignes) == len(f.Panier), "cart %+v, want %v", pa.Lignes, f.Panier)
		for id, q := range f.Panier {
			contract.Equal(t, "units of product in the cart", got[id], q)
		}
		// Emptying twice is the same as once: vider_panier may be retried.
		contract.OK(t, p.Panier.EmptyPanier(ctx, f.Client), "EmptyPanier")
		contract.OK(t, p.Panier.EmptyPanier(ctx, f.Client), "EmptyPanier again")
		pa, err = p.Panier.GetPanier(ctx, f.Client)
		contract.OK(t, err, "GetPanier")
		contract.True(t, len(pa.Lignes) == 0, "emptied cart %+v", pa)
		pa, err = p.Panier.GetPanier(ctx, f.ClientInconnu)
		contract.OK(t, err, "GetPanier of a client with no cart")
		contract.True(t, len(pa.Lignes) == 0, "cart of a client with none %+v", pa)
	})
}

// --- stock ---

// stockSuite checks reservations and stock returns on the fixture's product.
type stockSuite struct {
	t   *testing.T
	ctx context.Context
	p   Participants
	f   Fixture
}

// on is the suite for the subtest t.
func (s stockSuite) on(t *testing.T) stockSuite {
	s.t = t
	s.ctx, _ = contract.Record(t)
	return s
}

func (s stockSuite) reserve(lieu int64, cle string, lignes ...stockapi.Ligne) error {
	return s.reserveRef(lieu, cle, uuid.NewString(), lignes...)
}

// reserveRef is reserve with a reference the caller keeps, so a repeat is the
// same request.
func (s stockSuite) reserveRef(lieu int64, cle, ref string, lignes ...stockapi.Ligne) error {
	_, err := s.p.Stock.CreateReservation(s.ctx, stockapi.NouvelleReservation{Cle: cle, EmplacementID: lieu,
		Reference: ref, Lignes: lignes})
	return err
}

func (s stockSuite) release(cle string) error {
	_, err := s.p.Stock.ReleaseReservation(s.ctx, cle)
	return err
}

func (s stockSuite) confirm(cle string) error {
	_, err := s.p.Stock.ConfirmReservation(s.ctx, cle)
	return err
}

func (s stockSuite) produit(q int64) stockapi.Ligne {
	return stockapi.Ligne{ProduitID: s.f.Produit, Quantite: q}
}

// cle is a fresh key shaped as the saga's, "<saga_id>:reserver_stock".
func cle() string { return uuid.NewString() + ":reserver_stock" }

// exactly checks that lieu has exactly Disponible units of the product
// available: all of them can be reserved, then not one more. It reserves
// nothing in the end.
func (s stockSuite) exactly(lieu int64, why string) {
	s.t.Helper()
	all := cle()
	contract.OK(s.t, s.reserve(lieu, all, s.produit(s.f.Disponible)), why+": reserving every unit")
	contract.Problem(s.t, s.reserve(lieu, cle(), s.produit(1)), http.StatusConflict, "")
	contract.OK(s.t, s.release(all), why+": releasing")
}

// toutOuRien: one short line reserves nothing of the others (409).
func (s stockSuite) toutOuRien(lieu int64) {
	k := cle()
	err := s.reserve(lieu, k, s.produit(s.f.Disponible), stockapi.Ligne{ProduitID: s.f.Autre, Quantite: Trop})
	contract.Problem(s.t, err, http.StatusConflict, "")
	s.exactly(lieu, "after a refused reservation")
}

// rejouee: a repeat under the same key answers the same and reserves nothing more.
func (s stockSuite) rejouee() {
	k, ref := cle(), uuid.NewString()
	d := stockapi.NouvelleReservation{Cle: k, EmplacementID: stockapi.CentreID, Reference: ref, Lignes: []stockapi.Ligne{s.produit(s.f.Disponible)}}
	first, err := s.p.Stock.CreateReservation(s.ctx, d)
	contract.OK(s.t, err, "CreateReservation")
	again, err := s.p.Stock.CreateReservation(s.ctx, d)
	contract.OK(s.t, err, "CreateReservation replay")
	for _, r := range []stockapi.Reservation{first, again} {
		contract.True(s.t, r.Cle == k && r.Statut == stockapi.StatutActive && r.EmplacementID != nil &&
			*r.EmplacementID == stockapi.CentreID && slices.Equal(r.Lignes, d.Lignes), "reservation %+v, want %+v", r, d)
	}
	contract.Problem(s.t, s.reserve(stockapi.CentreID, cle(), s.produit(1)), http.StatusConflict, "")
	contract.OK(s.t, s.release(k), "ReleaseReservation")
	s.exactly(stockapi.CentreID, "after a replayed reservation and its release")
}

// liberee: a release gives every unit back, a repeat of it is fine, and the
// key then reserves nothing again, nor can it be confirmed.
func (s stockSuite) liberee() {
	k, ref := cle(), uuid.NewString()
	contract.OK(s.t, s.reserveRef(stockapi.CentreID, k, ref, s.produit(s.f.Disponible)), "CreateReservation")
	contract.OK(s.t, s.release(k), "ReleaseReservation")
	contract.OK(s.t, s.release(k), "ReleaseReservation again")
	// A late copy of the reservation, after its release, reserves nothing.
	contract.Problem(s.t, s.reserveRef(stockapi.CentreID, k, ref, s.produit(s.f.Disponible)), http.StatusConflict, "")
	contract.Problem(s.t, s.confirm(k), http.StatusConflict, "")
	s.exactly(stockapi.CentreID, "after a release")
}

// tombe: a release before its reservation leaves a tombstone, and the
// reservation arriving late under that key is a 409 that reserves nothing.
func (s stockSuite) tombe() {
	k := cle()
	contract.OK(s.t, s.release(k), "ReleaseReservation before the reservation")
	contract.Problem(s.t, s.reserve(stockapi.CentreID, k, s.produit(1)), http.StatusConflict, "")
	s.exactly(stockapi.CentreID, "after a tombstone")
}

// confirmee: confirming (twice is once) makes the units leave the shelf; a
// release after it is a 409; a stock return under a key puts them back once.
func (s stockSuite) confirmee(lieu int64) {
	k, ref := cle(), uuid.NewString()
	contract.OK(s.t, s.reserveRef(lieu, k, ref, s.produit(s.f.Disponible)), "CreateReservation")
	contract.OK(s.t, s.confirm(k), "ConfirmReservation")
	contract.OK(s.t, s.confirm(k), "ConfirmReservation again")
	contract.Problem(s.t, s.release(k), http.StatusConflict, "")
	contract.OK(s.t, s.reserveRef(lieu, k, ref, s.produit(s.f.Disponible)), "CreateReservation replay after confirmation")
	contract.Problem(s.t, s.reserve(lieu, cle(), s.produit(1)), http.StatusConflict, "")

	key := uuid.NewString() + ":restocker"
	retour := stockapi.NouveauRetour{EmplacementID: lieu, Reference: "retour " + uuid.NewString(), Lignes: []stockapi.Ligne{s.produit(s.f.Disponible)}}
	_, err := s.p.Stock.CreateRetour(s.ctx, key, retour)
	contract.OK(s.t, err, "CreateRetour")
	_, err = s.p.Stock.CreateRetour(s.ctx, key, retour)
	contract.OK(s.t, err, "CreateRetour replay")
	s.exactly(lieu, "after a sale and its return")
}

// magasin: a counter sale reserves from the store's shelf, not the centre's.
func (s stockSuite) magasin() {
	k := cle()
	contract.OK(s.t, s.reserve(Magasin, k, s.produit(s.f.Disponible)), "CreateReservation at the store")
	s.exactly(stockapi.CentreID, "the centre while the store's units are reserved")
	contract.Problem(s.t, s.reserve(Magasin, cle(), s.produit(1)), http.StatusConflict, "")
	contract.OK(s.t, s.release(k), "ReleaseReservation")
	s.toutOuRien(Magasin)
	s.confirmee(Magasin)
}

// --- paiement ---

func paiement(t *testing.T, p Participants, f Fixture) {
	ctx, _ := contract.Record(t)
	charge := func(key string, commande uuid.UUID, montant kit.Cents, m paiementapi.Methode) (paiementapi.Paiement, error) {
		return p.Paiement.CreatePaiement(ctx, key, paiementapi.Demande{CommandeID: commande, ClientID: f.Client, Montant: montant, Methode: m})
	}
	parCle := func(key string) kit.Page[paiementapi.Paiement] {
		t.Helper()
		page, err := p.Paiement.ListPaiements(ctx, paiementapi.ListPaiementsParams{Cle: key, PageQuery: kit.PageQuery{Limit: 1}})
		contract.OK(t, err, "ListPaiements cle")
		return page
	}

	// Accepted by card, up to the limit itself.
	commande := uuid.New()
	key := commande.String() + ":payer"
	contract.Equal(t, "charges under a key not used yet", parCle(key).Total, 0)
	pay, err := charge(key, commande, paiementapi.LimiteParDefaut, paiementapi.Carte)
	contract.OK(t, err, "CreatePaiement at the limit")
	contract.True(t, pay.ID != uuid.Nil && pay.Statut == paiementapi.Accepte && pay.Montant == paiementapi.LimiteParDefaut,
		"charge %+v", pay)
	again, err := charge(key, commande, paiementapi.LimiteParDefaut, paiementapi.Carte)
	contract.OK(t, err, "CreatePaiement replay")
	contract.Equal(t, "replayed payment id", again.ID, pay.ID)
	page := parCle(key)
	contract.True(t, page.Total == 1 && len(page.Items) == 1 && page.Items[0].ID == pay.ID, "by cle %+v", page)
	contract.Equal(t, "charges under an unknown key", parCle(uuid.NewString()+":payer").Total, 0)
	page, err = p.Paiement.ListPaiements(ctx, paiementapi.ListPaiementsParams{CommandeID: commande, PageQuery: kit.PageQuery{Limit: 100}})
	contract.OK(t, err, "ListPaiements commande_id")
	contract.True(t, page.Total == 1 && len(page.Items) == 1 && page.Items[0].ID == pay.ID &&
		page.Items[0].Statut == paiementapi.Accepte, "by commande %+v", page)

	// Refused by card over the limit: a 402 that says why, replayed as such,
	// and a charge the probe finds under its key.
	commande = uuid.New()
	key = commande.String() + ":payer"
	_, err = charge(key, commande, paiementapi.LimiteParDefaut+1, paiementapi.Carte)
	pe := contract.Problem(t, err, http.StatusPaymentRequired, "")
	contract.True(t, pe.Detail != "", "402 without a detail: %+v", pe)
	_, err = charge(key, commande, paiementapi.LimiteParDefaut+1, paiementapi.Carte)
	contract.Problem(t, err, http.StatusPaymentRequired, "")
	page = parCle(key)
	contract.True(t, page.Total == 1 && len(page.Items) == 1 && page.Items[0].Statut == paiementapi.Refuse, "refused by cle %+v", page)

	// Cash knows no limit.
	commande = uuid.New()
	pay, err = charge(commande.String()+":payer", commande, paiementapi.LimiteParDefaut+1, paiementapi.Comptant)
	contract.OK(t, err, "CreatePaiement comptant")
	contract.Equal(t, "cash over the card limit", pay.Statut, paiementapi.Accepte)
}

func remboursement(t *testing.T, p Participants, f Fixture) {
	ctx, _ := contract.Record(t)
	commande := uuid.New()
	pay, err := p.Paiement.CreatePaiement(ctx, commande.String()+":payer", paiementapi.Demande{CommandeID: commande,
		ClientID: f.Client, Montant: 100_00, Methode: paiementapi.Carte})
	contract.OK(t, err, "CreatePaiement")
	statut := func() paiementapi.Statut {
		t.Helper()
		page, err := p.Paiement.ListPaiements(ctx, paiementapi.ListPaiementsParams{CommandeID: commande, PageQuery: kit.PageQuery{Limit: 100}})
		contract.OK(t, err, "ListPaiements commande_id")
		contract.True(t, len(page.Items) == 1 && page.Items[0].ID == pay.ID, "payments of the order %+v", page)
		return page.Items[0].Statut
	}

	// A refund retried under its key is one refund.
	key := commande.String() + ":rembourser"
	d := paiementapi.DemandeRemboursement{Montant: 40_00, Motif: "retour de la commande " + commande.String()}
	r, err := p.Paiement.CreateRemboursement(ctx, key, pay.ID, d)
	contract.OK(t, err, "CreateRemboursement")
	contract.True(t, r.ID != uuid.Nil && r.Montant == 40_00, "refund %+v", r)
	again, err := p.Paiement.CreateRemboursement(ctx, key, pay.ID, d)
	contract.OK(t, err, "CreateRemboursement replay")
	contract.Equal(t, "replayed refund id", again.ID, r.ID)
	// A second return finds the payment still refundable.
	contract.Equal(t, "statut after a part refund", statut(), paiementapi.PartiellementRembourse)

	_, err = p.Paiement.CreateRemboursement(ctx, uuid.NewString()+":rembourser", pay.ID, paiementapi.DemandeRemboursement{Montant: 60_01})
	contract.Problem(t, err, http.StatusConflict, "")
	// A return after a direct refund asks for its whole price: with
	// jusqu_au_reste it gets what is left, and the answer says how much.
	jusqu := paiementapi.DemandeRemboursement{Montant: 100_00, JusquAuReste: true}
	reste, err := p.Paiement.CreateRemboursement(ctx, uuid.NewString()+":rembourser", pay.ID, jusqu)
	contract.OK(t, err, "CreateRemboursement jusqu_au_reste")
	contract.True(t, reste.ID != uuid.Nil && reste.Montant == 60_00, "capped refund %+v", reste)
	contract.Equal(t, "statut after the whole refund", statut(), paiementapi.Rembourse)
	// Nothing left: a success of 0.00 (no refund made), replayed as such.
	key = uuid.NewString() + ":rembourser"
	rien, err := p.Paiement.CreateRemboursement(ctx, key, pay.ID, jusqu)
	contract.OK(t, err, "CreateRemboursement jusqu_au_reste with nothing left")
	contract.True(t, rien.ID == uuid.Nil && rien.Montant == 0, "nothing left refund %+v", rien)
	rien, err = p.Paiement.CreateRemboursement(ctx, key, pay.ID, jusqu)
	contract.OK(t, err, "CreateRemboursement jusqu_au_reste replay")
	contract.True(t, rien.ID == uuid.Nil && rien.Montant == 0, "replayed nothing left refund %+v", rien)
}

// --- commande ---

// historique is states entered a second apart, ending now, at millisecond
// precision (commande keeps microseconds).
func historique(motif string, statuts ...commandeapi.Statut) []commandeapi.EvenementDemande {
	now := time.Now().UTC().Truncate(time.Millisecond)
	out := make([]commandeapi.EvenementDemande, len(statuts))
	for i, s := range statuts {
		out[i] = commandeapi.EvenementDemande{Statut: s, At: now.Add(time.Duration(i-len(statuts)+1) * time.Second)}
		if s == commandeapi.Annulee {
			out[i].Motif = motif
		}
	}
	return out
}

var (
	confirmee     = []commandeapi.Statut{commandeapi.Creee, commandeapi.StockVerifie, commandeapi.StockReserve, commandeapi.Payee, commandeapi.Confirmee}
	refuseePaie   = []commandeapi.Statut{commandeapi.Creee, commandeapi.StockVerifie, commandeapi.StockReserve, commandeapi.Annulee}
	refuseeStock  = []commandeapi.Statut{commandeapi.Creee, commandeapi.Annulee}
	apresLePivot  = []commandeapi.Statut{commandeapi.Creee, commandeapi.StockVerifie, commandeapi.StockReserve, commandeapi.Payee, commandeapi.Annulee}
	sansCreation  = []commandeapi.Statut{commandeapi.StockVerifie, commandeapi.StockReserve}
	lignesVendues = func(f Fixture) []commandeapi.LigneDemandee {
		return []commandeapi.LigneDemandee{{ProduitID: f.Produit, Quantite: 2, PrixUnitaire: 12_34}, {ProduitID: f.Autre, Quantite: 1, PrixUnitaire: 5_00}}
	}
)

// enregistrer records an order as enregistrer_commande does and checks the answer.
func enregistrer(t *testing.T, p Participants, d commandeapi.Demande) commandeapi.Commande {
	t.Helper()
	ctx, _ := contract.Record(t)
	key := d.ID.String() + ":enregistrer_commande"
	c, err := p.Commande.CreateCommande(ctx, key, d)
	contract.OK(t, err, "CreateCommande")
	sameOrder(t, "created", c, d)
	return c
}

// sameOrder checks that c is the order d recorded: its lines, and its history
// state by state with its times and reasons, the last one its status.
func sameOrder(t *testing.T, what string, c commandeapi.Commande, d commandeapi.Demande) {
	t.Helper()
	last := d.Historique[len(d.Historique)-1]
	contract.True(t, c.ID == *d.ID && c.ClientID == d.ClientID && c.Canal == d.Canal && c.Statut == last.Statut,
		"%s order %+v, want %s %s %s", what, c, *d.ID, d.Canal, last.Statut)
	contract.True(t, (c.MagasinID == nil) == (d.MagasinID == nil) && (c.MagasinID == nil || *c.MagasinID == *d.MagasinID),
		"%s order store %v, want %v", what, c.MagasinID, d.MagasinID)
	contract.True(t, len(c.Lignes) == len(d.Lignes), "%s order lines %+v, want %+v", what, c.Lignes, d.Lignes)
	for i, l := range d.Lignes {
		got := c.Lignes[i]
		contract.True(t, got.ProduitID == l.ProduitID && got.Quantite == l.Quantite && got.PrixUnitaire == l.PrixUnitaire,
			"%s order line %d %+v, want %+v", what, i, got, l)
	}
	contract.True(t, len(c.Historique) == len(d.Historique), "%s order history %+v, want %+v", what, c.Historique, d.Historique)
	for i, e := range d.Historique {
		got := c.Historique[i]
		contract.True(t, got.Statut == e.Statut && got.At.Equal(e.At) && got.Motif == e.Motif,
			"%s order history[%d] %+v, want %+v", what, i, got, e)
	}
}

func enregistrement(t *testing.T, p Participants, f Fixture) {
	ctx, _ := contract.Record(t)
	nouvelle := func(statuts []commandeapi.Statut, motif string) commandeapi.Demande {
		id := uuid.New()
		return commandeapi.Demande{ID: &id, ClientID: f.Client, Canal: commandeapi.EnLigne, Lignes: lignesVendues(f),
			Historique: historique(motif, statuts...)}
	}

	// A checkout recorded as it ended, CONFIRMEE with every state and time.
	d := nouvelle(confirmee, "")
	first := enregistrer(t, p, d)
	// A retry after a crash sends the same states at other times: the first answer.
	retry := d
	retry.Historique = historique("", confirmee...)
	for i := range retry.Historique {
		retry.Historique[i].At = retry.Historique[i].At.Add(3 * time.Second)
	}
	again, err := p.Commande.CreateCommande(ctx, d.ID.String()+":enregistrer_commande", retry)
	contract.OK(t, err, "CreateCommande replay")
	sameOrder(t, "replayed", again, d)
	contract.Equal(t, "replayed total", again.Total, first.Total)
	got, err := p.Commande.GetCommande(ctx, *d.ID)
	contract.OK(t, err, "GetCommande")
	sameOrder(t, "read", got, d)
	for _, l := range got.Lignes {
		contract.Equal(t, "units returned of a new order", l.QuantiteRetournee, 0)
	}
	_, err = p.Commande.GetCommande(ctx, uuid.New())
	contract.Problem(t, err, http.StatusNotFound, "")

	// Cancelled when payment was refused, and when stock was short: ANNULEE
	// says why.
	for _, annulee := range []struct {
		statuts []commandeapi.Statut
		motif   string
	}{{refuseePaie, "paiement refusé: montant supérieur à la limite"}, {refuseeStock, "stock insuffisant"}} {
		d := nouvelle(annulee.statuts, annulee.motif)
		enregistrer(t, p, d)
		got, err := p.Commande.GetCommande(ctx, *d.ID)
		contract.OK(t, err, "GetCommande")
		sameOrder(t, "read", got, d)
	}

	// A counter sale keeps its store, which a return restocks.
	d = nouvelle(confirmee, "")
	d.Canal = commandeapi.Magasin
	magasin := Magasin
	d.MagasinID = &magasin
	enregistrer(t, p, d)
	got, err = p.Commande.GetCommande(ctx, *d.ID)
	contract.OK(t, err, "GetCommande")
	sameOrder(t, "read", got, d)

	// What the state machine forbids is refused, so a saga bug shows in the
	// orchestrator's tests too.
	for _, bad := range []commandeapi.Demande{nouvelle(sansCreation, ""), nouvelle(apresLePivot, "trop tard"), nouvelle(refuseeStock, "")} {
		_, err := p.Commande.CreateCommande(ctx, bad.ID.String()+":enregistrer_commande", bad)
		contract.Problem(t, err, http.StatusUnprocessableEntity, "")
		_, err = p.Commande.GetCommande(ctx, *bad.ID)
		contract.Problem(t, err, http.StatusNotFound, "")
	}
}

func retour(t *testing.T, p Participants, f Fixture) {
	ctx, _ := contract.Record(t)
	id := uuid.New()
	d := commandeapi.Demande{ID: &id, ClientID: f.Client, Canal: commandeapi.EnLigne, Lignes: lignesVendues(f),
		Historique: historique("", confirmee...)}
	enregistrer(t, p, d)

	// The return is priced at the sale's prices, and retried under its key it is one return.
	key := uuid.NewString() + ":enregistrer_retour"
	demande := commandeapi.DemandeRetour{Lignes: []commandeapi.LigneRetour{{ProduitID: f.Produit, Quantite: 1}}}
	r, err := p.Commande.CreateRetour(ctx, key, id, demande)
	contract.OK(t, err, "CreateRetour")
	contract.True(t, r.ID != uuid.Nil && r.Montant == 12_34 && len(r.Lignes) == 1 &&
		r.Lignes[0] == commandeapi.LigneRetournee{ProduitID: f.Produit, Quantite: 1, PrixUnitaire: 12_34, Montant: 12_34}, "retour %+v", r)
	again, err := p.Commande.CreateRetour(ctx, key, id, demande)
	contract.OK(t, err, "CreateRetour replay")
	contract.Equal(t, "replayed retour id", again.ID, r.ID)

	// The order counts what came back: a return of everything asks for the rest.
	c, err := p.Commande.GetCommande(ctx, id)
	contract.OK(t, err, "GetCommande")
	i := slices.IndexFunc(c.Lignes, func(l commandeapi.Ligne) bool { return l.ProduitID == f.Produit })
	contract.True(t, i >= 0 && c.Lignes[i].QuantiteRetournee == 1, "after returning 1 of %d: %+v", f.Produit, c.Lignes)

	// More than what is left is commande's refusal (the pivot), and so is a product not sold.
	_, err = p.Commande.CreateRetour(ctx, uuid.NewString()+":enregistrer_retour", id,
		commandeapi.DemandeRetour{Lignes: []commandeapi.LigneRetour{{ProduitID: f.Produit, Quantite: 2}}})
	contract.Problem(t, err, http.StatusConflict, "")
	_, err = p.Commande.CreateRetour(ctx, uuid.NewString()+":enregistrer_retour", id,
		commandeapi.DemandeRetour{Lignes: []commandeapi.LigneRetour{{ProduitID: f.Inconnu, Quantite: 1}}})
	contract.Problem(t, err, http.StatusUnprocessableEntity, "")

	r, err = p.Commande.CreateRetour(ctx, uuid.NewString()+":enregistrer_retour", id, commandeapi.DemandeRetour{Lignes: []commandeapi.LigneRetour{
		{ProduitID: f.Produit, Quantite: 1}, {ProduitID: f.Autre, Quantite: 1}}})
	contract.OK(t, err, "CreateRetour of the rest")
	contract.Equal(t, "montant of the rest", r.Montant, 12_34+5_00)

	// Only a CONFIRMEE order takes a return.
	annulee := uuid.New()
	enregistrer(t, p, commandeapi.Demande{ID: &annulee, ClientID: f.Client, Canal: commandeapi.EnLigne, Lignes: lignesVendues(f),
		Historique: historique("stock insuffisant", refuseeStock...)})
	_, err = p.Commande.CreateRetour(ctx, uuid.NewString()+":enregistrer_retour", annulee, demande)
	contract.Problem(t, err, http.StatusConflict, "")
}
