package participants

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/saga"
)

// Definitions returns the three sagas, by name. Each reads top to bottom like
// the diagram in docs/saga.md: before the pivot every step can be undone;
// after it, only forward.
func (p *Participants) Definitions() map[string]saga.Definition {
	return map[string]saga.Definition{
		saga.TypeCommande: p.Commande(),
		saga.TypeVente:    p.Vente(),
		saga.TypeRetour:   p.Retour(),
	}
}

// Commande is the online checkout (optionally of a cart).
func (p *Participants) Commande() saga.Definition {
	return saga.Definition{Name: saga.TypeCommande, Steps: p.vente()}
}

// Vente is the counter sale: the same steps, from the store's stock.
func (p *Participants) Vente() saga.Definition {
	return saga.Definition{Name: saga.TypeVente, Steps: p.vente()}
}

func (p *Participants) vente() []saga.Step {
	return []saga.Step{
		{Name: "creer_commande", Do: p.creerCommande, Undo: p.annulerCommande, Etat: saga.Creee},
		{Name: "verifier_stock", Do: p.verifierStock, Etat: saga.StockVerifie}, // a read: nothing to undo
		{Name: "reserver_stock", Do: p.reserverStock, Undo: p.libererStock, Etat: saga.StockReserve},
		{Name: "payer", Do: p.payer, Probe: p.paiementConnu, Pivot: true, Etat: saga.Payee},
		{Name: "confirmer", Do: p.confirmer, Etat: saga.Confirmee}, // retried until it succeeds
	}
}

// Retour records a return, puts the goods back where they were sold from,
// and refunds them. commande decides what may come back: it is the pivot.
func (p *Participants) Retour() saga.Definition {
	return saga.Definition{Name: saga.TypeRetour, Steps: []saga.Step{
		{Name: "enregistrer_retour", Do: p.enregistrerRetour, Pivot: true, Etat: saga.RetourEnregistre},
		{Name: "restocker", Do: p.restocker, Etat: saga.Restocke},
		{Name: "rembourser", Do: p.rembourser, Etat: saga.Confirmee},
	}}
}

// --- commande ---

type ligneCommande struct {
	ProduitID    int64     `json:"produit_id"`
	Quantite     int       `json:"quantite"`
	PrixUnitaire kit.Cents `json:"prix_unitaire"`
}

func (p *Participants) creerCommande(ctx context.Context, r *saga.Run) error {
	d := r.Donnees
	lignes := make([]ligneCommande, len(d.Lignes))
	for i, l := range d.Lignes {
		lignes[i] = ligneCommande(l)
	}
	body := struct {
		ID        uuid.UUID       `json:"id"`
		ClientID  int64           `json:"client_id"`
		Canal     string          `json:"canal"`
		MagasinID *int            `json:"magasin_id,omitempty"`
		Lignes    []ligneCommande `json:"lignes"`
	}{r.CommandeID, d.ClientID, d.Canal, d.MagasinID, lignes}
	return call(ctx, r, p.commande, http.MethodPost, "/commandes", body, nil, r.Key("creer_commande"), http.StatusCreated)
}

// annulerCommande cancels the order. When creer_commande's outcome is unknown
// it first asks commande by sending the same creation again under the same
// key: the stored answer, or the order made now, so that a creation still in
// flight can never leave an order behind the cancellation.
func (p *Participants) annulerCommande(ctx context.Context, r *saga.Run) error {
	if r.Incertain {
		if err := p.creerCommande(ctx, r); err != nil {
			if refused(err) {
				return nil // commande refuses it: there never was an order
			}
			return err
		}
	}
	motif := r.Motif
	if motif == "" {
		motif = "saga annulée"
	}
	if len(motif) > 500 {
		motif = motif[:500]
	}
	err := p.transition(ctx, r, saga.Annulee, motif)
	switch kit.StatusOf(err) {
	case http.StatusNotFound:
		return nil // nothing to cancel
	case http.StatusConflict:
		// Someone cancelled the order first (head office, by hand): the undo is
		// done. Any other state is a real conflict and stays one.
		var c struct {
			Statut saga.Statut `json:"statut"`
		}
		if gerr := call(ctx, r, p.commande, http.MethodGet, "/commande/"+r.CommandeID.String(), nil, &c, "", http.StatusOK); gerr == nil && c.Statut == saga.Annulee {
			return nil
		}
	}
	return err
}

func (p *Participants) transition(ctx context.Context, r *saga.Run, statut saga.Statut, motif string) error {
	body := struct {
		Statut saga.Statut `json:"statut"`
		Motif  string      `json:"motif,omitempty"`
	}{statut, motif}
	return call(ctx, r, p.commande, http.MethodPost, "/commande/"+r.CommandeID.String()+"/transitions", body, nil,
		r.Key("transition:"+string(statut)), http.StatusOK)
}

// --- stock ---

type ligneStock struct {
	ProduitID int64 `json:"produit_id"`
	Quantite  int   `json:"quantite"`
}

func lignesStock(lignes []saga.Ligne) []ligneStock {
	out := make([]ligneStock, len(lignes))
	for i, l := range lignes {
		out[i] = ligneStock{l.ProduitID, l.Quantite}
	}
	return out
}

var stockInsuffisant = &saga.Refus{Motif: "stock insuffisant", Code: saga.CodeStock, HTTP: http.StatusConflict}

func (p *Participants) verifierStock(ctx context.Context, r *saga.Run) error {
	body := struct {
		EmplacementID int64        `json:"emplacement_id"`
		Lignes        []ligneStock `json:"lignes"`
	}{r.Donnees.EmplacementID, lignesStock(r.Donnees.Lignes)}
	var v struct {
		Suffisant bool `json:"suffisant"`
	}
	if err := call(ctx, r, p.stock, http.MethodPost, "/disponibilites", body, &v, "", http.StatusOK); err != nil {
		return err
	}
	if !v.Suffisant {
		return stockInsuffisant
	}
	return p.transition(ctx, r, saga.StockVerifie, "")
}

func (p *Participants) reserverStock(ctx context.Context, r *saga.Run) error {
	body := struct {
		Cle           string       `json:"cle"`
		EmplacementID int64        `json:"emplacement_id"`
		Reference     string       `json:"reference"`
		Lignes        []ligneStock `json:"lignes"`
	}{r.Key("reserver_stock"), r.Donnees.EmplacementID, r.CommandeID.String(), lignesStock(r.Donnees.Lignes)}
	err := call(ctx, r, p.stock, http.MethodPost, "/reservations", body, nil, r.Key("reserver_stock"), http.StatusCreated)
	if kit.StatusOf(err) == http.StatusConflict {
		return stockInsuffisant // stock short, or our own release got there first (a tombstone)
	}
	if err != nil {
		return err
	}
	return p.transition(ctx, r, saga.StockReserve, "")
}

// libererStock is safe before its reservation exists: stock keeps a tombstone
// and a late reservation under that key then reserves nothing.
func (p *Participants) libererStock(ctx context.Context, r *saga.Run) error {
	return call(ctx, r, p.stock, http.MethodPost, "/reservations/"+esc(r.Key("reserver_stock"))+"/liberation",
		nil, nil, "", http.StatusOK)
}

// --- paiement ---

func (p *Participants) payer(ctx context.Context, r *saga.Run) error {
	d := r.Donnees
	body := struct {
		CommandeID uuid.UUID `json:"commande_id"`
		ClientID   int64     `json:"client_id"`
		Montant    kit.Cents `json:"montant"`
		Methode    string    `json:"methode"`
	}{r.CommandeID, d.ClientID, d.Total, d.Methode}
	err := call(ctx, r, p.paiement, http.MethodPost, "/paiements", body, nil, r.Key("payer"), http.StatusCreated)
	if kit.StatusOf(err) == http.StatusPaymentRequired {
		return &saga.Refus{Motif: "paiement refusé: " + detail(err), Code: saga.CodePaiement, HTTP: http.StatusPaymentRequired}
	}
	if err != nil {
		return err
	}
	return p.transition(ctx, r, saga.Payee, "")
}

// paiementConnu asks paiement, without charging, whether a charge exists
// under the step's key.
func (p *Participants) paiementConnu(ctx context.Context, r *saga.Run) (bool, error) {
	var page struct {
		Total int64 `json:"total"`
	}
	q := "/paiements?limit=1&cle=" + esc(r.Key("payer"))
	if err := call(ctx, r, p.paiement, http.MethodGet, q, nil, &page, "", http.StatusOK); err != nil {
		return false, err
	}
	return page.Total > 0, nil
}

func (p *Participants) confirmer(ctx context.Context, r *saga.Run) error {
	err := call(ctx, r, p.stock, http.MethodPost, "/reservations/"+esc(r.Key("reserver_stock"))+"/confirmation",
		nil, nil, "", http.StatusOK)
	if err != nil {
		return err
	}
	if err := p.transition(ctx, r, saga.Confirmee, ""); err != nil {
		return err
	}
	if r.Donnees.Panier {
		return call(ctx, r, p.panier, http.MethodDelete, "/panier/"+strconv.FormatInt(r.Donnees.ClientID, 10),
			nil, nil, "", http.StatusNoContent)
	}
	return nil
}

// --- retour ---

func (p *Participants) enregistrerRetour(ctx context.Context, r *saga.Run) error {
	body := struct {
		Lignes []ligneStock `json:"lignes"`
	}{lignesStock(r.Donnees.Lignes)}
	var retour struct {
		ID      uuid.UUID    `json:"id"`
		Lignes  []saga.Ligne `json:"lignes"`
		Montant kit.Cents    `json:"montant"`
	}
	err := call(ctx, r, p.commande, http.MethodPost, "/commande/"+r.CommandeID.String()+"/retours", body, &retour,
		r.Key("enregistrer_retour"), http.StatusCreated)
	if s := kit.StatusOf(err); s == http.StatusConflict || s == http.StatusUnprocessableEntity {
		return &saga.Refus{Motif: "retour refusé: " + detail(err), Code: saga.CodeInvalide, HTTP: s}
	}
	if err != nil {
		return err
	}
	r.Donnees.RetourID = &retour.ID
	if len(retour.Lignes) > 0 {
		r.Donnees.Lignes = retour.Lignes
	}
	r.Donnees.Total = retour.Montant
	return nil
}

func (p *Participants) restocker(ctx context.Context, r *saga.Run) error {
	ref := r.CommandeID.String()
	if r.Donnees.RetourID != nil {
		ref = "retour " + r.Donnees.RetourID.String()
	}
	body := struct {
		EmplacementID int64        `json:"emplacement_id"`
		Reference     string       `json:"reference"`
		Lignes        []ligneStock `json:"lignes"`
	}{r.Donnees.EmplacementID, ref, lignesStock(r.Donnees.Lignes)}
	return call(ctx, r, p.stock, http.MethodPost, "/retours", body, nil, r.Key("restocker"), http.StatusCreated)
}

func (p *Participants) rembourser(ctx context.Context, r *saga.Run) error {
	if r.Donnees.PaiementID == nil {
		return fmt.Errorf("retour %s: no payment to refund", r.ID)
	}
	motif := "retour de la commande " + r.CommandeID.String()
	body := struct {
		Montant kit.Cents `json:"montant"`
		Motif   string    `json:"motif"`
	}{r.Donnees.Total, motif}
	return call(ctx, r, p.paiement, http.MethodPost, "/paiements/"+r.Donnees.PaiementID.String()+"/remboursements",
		body, nil, r.Key("rembourser"), http.StatusCreated)
}
