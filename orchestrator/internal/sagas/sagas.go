// Package sagas holds the shop's sagas: the checkout (Commande), the counter
// sale (Vente) and the return (Retour), the calls their steps make through
// each participant's typed client, and the reads and rules that prepare them.
// The engine runs them; nothing here persists, times out or retries.
package sagas

import (
	"time"

	"golang.org/x/oauth2"

	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/orchestrator/internal/saga"
)

// URLs are the base URLs of the participants, called directly, never through the gateway.
type URLs struct {
	Stock, Commande, Paiement, Panier, Clients string
}

// Participants holds one pooled typed client per service, created once.
type Participants struct {
	stock    *stockapi.Client
	commande *commandeapi.Client
	paiement *paiementapi.Client
	panier   *panierapi.Client
	clients  *clientsapi.Client
}

// New returns the clients. timeout bounds a call that has no earlier deadline;
// the engine gives every step call its own, shorter one. Every call carries a
// service token from tokens (the orchestrator's own, from identite): the
// participants' saga routes are for services only. A token that cannot be had
// fails the call before it is sent, as a connection error does, so the engine
// retries it and never takes it for a refusal.
func New(u URLs, timeout time.Duration, tokens oauth2.TokenSource) *Participants {
	client := func(base string) *kit.Client { return kit.NewClient(base, timeout, kit.WithTokens(tokens)) }
	return &Participants{
		stock:    stockapi.New(client(u.Stock)),
		commande: commandeapi.New(client(u.Commande)),
		paiement: paiementapi.New(client(u.Paiement)),
		panier:   panierapi.New(client(u.Panier)),
		clients:  clientsapi.New(client(u.Clients)),
	}
}

// Definitions returns the three sagas, by name. Each reads top to bottom like
// the diagram in docs/saga.md.
func (p *Participants) Definitions() map[string]saga.Definition {
	return map[string]saga.Definition{
		saga.TypeCommande: p.Commande(),
		saga.TypeVente:    p.Vente(),
		saga.TypeRetour:   p.Retour(),
	}
}

// Commande is the online checkout, of a list of products or of a cart.
// Everything before the pivot can be undone; after it, only forward. The
// order is recorded once, as the saga ended, with every state it passed.
func (p *Participants) Commande() saga.Definition {
	return saga.Definition{Name: saga.TypeCommande, Steps: p.vente(), Cloture: p.cloture()}
}

// Vente is the counter sale: the same steps, from the store's own stock.
func (p *Participants) Vente() saga.Definition {
	return saga.Definition{Name: saga.TypeVente, Steps: p.vente(), Cloture: p.cloture()}
}

func (p *Participants) vente() []saga.Step {
	return []saga.Step{
		// One stock call verifies and reserves every line, or none.
		{Name: "reserver_stock", Do: p.reserverStock, Undo: p.libererStock, Etats: []saga.Statut{saga.StockVerifie, saga.StockReserve}},
		{Name: "payer", Do: p.payer, Probe: p.paiementConnu, Pivot: true, Etats: []saga.Statut{saga.Payee}},
		{Name: "confirmer", Do: p.confirmer, Etats: []saga.Statut{saga.Confirmee}}, // the goods leave the shelf
		{Name: "vider_panier", Do: p.viderPanier, Si: depuisPanier},
	}
}

func (p *Participants) cloture() *saga.Step {
	return &saga.Step{Name: "enregistrer_commande", Do: p.enregistrerCommande} // CONFIRMEE or ANNULEE, retried until recorded
}

// Retour records a return, puts the goods back where they were sold from,
// and refunds them. commande decides what may come back: it is the pivot.
func (p *Participants) Retour() saga.Definition {
	return saga.Definition{Name: saga.TypeRetour, Steps: []saga.Step{
		{Name: "enregistrer_retour", Do: p.enregistrerRetour, Pivot: true, Etats: []saga.Statut{saga.RetourEnregistre}},
		{Name: "restocker", Do: p.restocker, Etats: []saga.Statut{saga.Restocke}},
		{Name: "rembourser", Do: p.rembourser, Etats: []saga.Statut{saga.Confirmee}},
	}}
}

func depuisPanier(d *saga.Donnees) bool { return d.Panier }
