package sagas

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/orchestrator/internal/saga"
)

// Each step makes one call under its own key, "<saga_id>:<step>".

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

func lignesStock(lignes []saga.Ligne) []stockapi.Ligne {
	out := make([]stockapi.Ligne, len(lignes))
	for i, l := range lignes {
		out[i] = stockapi.Ligne{ProduitID: l.ProduitID, Quantite: int64(l.Quantite)}
	}
	return out
}

var stockInsuffisant = &saga.Refus{Motif: "stock insuffisant", Code: saga.CodeStock, HTTP: http.StatusConflict}

// reserverStock verifies and reserves every line in one call: STOCK_VERIFIE
// and STOCK_RESERVE are passed together, and a shortage reserves nothing.
func (p *Participants) reserverStock(ctx context.Context, r *saga.Run) error {
	_, err := p.stock.CreateReservation(ctx, stockapi.NouvelleReservation{Cle: r.Key("reserver_stock"),
		EmplacementID: r.Donnees.EmplacementID, Reference: r.CommandeID.String(), Lignes: lignesStock(r.Donnees.Lignes)})
	if kit.StatusOf(err) == http.StatusConflict {
		return stockInsuffisant // stock short, or our own release got there first (a tombstone)
	}
	return err
}

// libererStock is safe before its reservation exists: stock keeps a tombstone
// and a late reservation under that key then reserves nothing.
func (p *Participants) libererStock(ctx context.Context, r *saga.Run) error {
	_, err := p.stock.ReleaseReservation(ctx, r.Key("reserver_stock"))
	return err
}

func (p *Participants) payer(ctx context.Context, r *saga.Run) error {
	d := r.Donnees
	_, err := p.paiement.CreatePaiement(ctx, r.Key("payer"), paiementapi.Demande{CommandeID: r.CommandeID,
		ClientID: d.ClientID, Montant: d.Total, Methode: paiementapi.Methode(d.Methode)})
	if kit.StatusOf(err) == http.StatusPaymentRequired {
		return &saga.Refus{Motif: "paiement refusé: " + detail(err), Code: saga.CodePaiement, HTTP: http.StatusPaymentRequired}
	}
	return err
}

// paiementConnu asks paiement, without charging, whether a charge exists
// under the step's key.
func (p *Participants) paiementConnu(ctx context.Context, r *saga.Run) (bool, error) {
	page, err := p.paiement.ListPaiements(ctx, paiementapi.ListPaiementsParams{Cle: r.Key("payer"),
		PageQuery: kit.PageQuery{Limit: 1}})
	return page.Total > 0, err
}

func (p *Participants) confirmer(ctx context.Context, r *saga.Run) error {
	_, err := p.stock.ConfirmReservation(ctx, r.Key("reserver_stock"))
	return err
}

// viderPanier empties the cart a checkout came from; emptying twice is
// the same as once.
func (p *Participants) viderPanier(ctx context.Context, r *saga.Run) error {
	return p.panier.EmptyPanier(ctx, r.Donnees.ClientID)
}

// motifMax is commande's limit on a reason.
const motifMax = 500

// enregistrerCommande hands commande the order as the saga ended it: its
// lines and every state it passed with its time, in one call. A retry after
// a crash sends the same states with other times and gets the first answer.
func (p *Participants) enregistrerCommande(ctx context.Context, r *saga.Run) error {
	d := r.Donnees
	lignes := make([]commandeapi.LigneDemandee, len(d.Lignes))
	for i, l := range d.Lignes {
		lignes[i] = commandeapi.LigneDemandee{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: l.PrixUnitaire}
	}
	historique := make([]commandeapi.EvenementDemande, len(r.Etats))
	for i, e := range r.Etats {
		historique[i] = commandeapi.EvenementDemande{Statut: commandeapi.Statut(e.Etat), At: e.At}
		if e.Etat == saga.Annulee {
			motif := r.Motif
			if motif == "" {
				motif = "saga annulée"
			}
			if len(motif) > motifMax {
				motif = motif[:motifMax]
			}
			historique[i].Motif = motif
		}
	}
	canal := commandeapi.Canal(d.Canal)
	id := r.CommandeID
	_, err := p.commande.CreateCommande(ctx, r.Key("enregistrer_commande"), commandeapi.Demande{ID: &id,
		ClientID: d.ClientID, Canal: canal, MagasinID: d.MagasinID, Lignes: lignes, Historique: historique})
	return err
}

// --- retour ---

func (p *Participants) enregistrerRetour(ctx context.Context, r *saga.Run) error {
	lignes := make([]commandeapi.LigneRetour, len(r.Donnees.Lignes))
	for i, l := range r.Donnees.Lignes {
		lignes[i] = commandeapi.LigneRetour{ProduitID: l.ProduitID, Quantite: l.Quantite}
	}
	retour, err := p.commande.CreateRetour(ctx, r.Key("enregistrer_retour"), r.CommandeID, commandeapi.DemandeRetour{Lignes: lignes})
	if s := kit.StatusOf(err); s == http.StatusConflict || s == http.StatusUnprocessableEntity {
		return &saga.Refus{Motif: "retour refusé: " + detail(err), Code: saga.CodeInvalide, HTTP: s}
	}
	if err != nil {
		return err
	}
	r.Donnees.RetourID = &retour.ID
	if len(retour.Lignes) > 0 {
		r.Donnees.Lignes = make([]saga.Ligne, len(retour.Lignes))
		for i, l := range retour.Lignes {
			r.Donnees.Lignes[i] = saga.Ligne{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: l.PrixUnitaire}
		}
	}
	r.Donnees.Total = retour.Montant
	return nil
}

func (p *Participants) restocker(ctx context.Context, r *saga.Run) error {
	ref := r.CommandeID.String()
	if r.Donnees.RetourID != nil {
		ref = "retour " + r.Donnees.RetourID.String()
	}
	_, err := p.stock.CreateRetour(ctx, r.Key("restocker"), stockapi.NouveauRetour{EmplacementID: r.Donnees.EmplacementID,
		Reference: ref, Lignes: lignesStock(r.Donnees.Lignes)})
	return err
}

func (p *Participants) rembourser(ctx context.Context, r *saga.Run) error {
	if r.Donnees.PaiementID == nil {
		return fmt.Errorf("retour %s: no payment to refund", r.ID)
	}
	// After the pivot the refund must go through: head office may already
	// have refunded part of the payment directly (a goodwill gesture), so the
	// return refunds up to what is left, and the saga answers what it was.
	rb, err := p.paiement.CreateRemboursement(ctx, r.Key("rembourser"), *r.Donnees.PaiementID,
		paiementapi.DemandeRemboursement{Montant: r.Donnees.Total, Motif: "retour de la commande " + r.CommandeID.String(),
			JusquAuReste: true})
	if err != nil {
		return err
	}
	r.Donnees.Total = rb.Montant
	return nil
}
