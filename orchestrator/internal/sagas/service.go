package sagas

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/orchestrator/internal/engine"
	"multimagasins/orchestrator/internal/saga"
)

// The rules of a sale that a schema does not say on its own.
const (
	MagasinMin = 1
	MagasinMax = 5
)

// Service starts the shop's sagas: it prepares each one (reads, checks,
// prices; nothing is created) and hands it to the engine.
type Service struct {
	eng *engine.Engine
	p   *Participants
}

// NewService returns the entry points of the sagas of p, run by eng.
func NewService(eng *engine.Engine, p *Participants) *Service { return &Service{eng: eng, p: p} }

// Commande runs an online checkout: stock from the centre, paid by card.
func (s *Service) Commande(ctx context.Context, cle string, d saga.DemandeCommande) (engine.Answer, error) {
	return s.eng.Start(ctx, saga.TypeCommande, cle, d, func(ctx context.Context) (*saga.Donnees, uuid.UUID, error) {
		clientID, err := s.client(ctx, d.ClientID)
		if err != nil {
			return nil, uuid.Nil, err
		}
		lignes, err := s.prix(ctx, "body.produits", d.Produits)
		if err != nil {
			return nil, uuid.Nil, err
		}
		return &saga.Donnees{ClientID: clientID, Canal: "en_ligne", EmplacementID: saga.Centre, Methode: "carte",
			Lignes: lignes, Total: saga.Total(lignes)}, uuid.New(), nil
	})
}

// Panier checks out a client's cart; CONFIRMEE empties it, ANNULEE keeps it.
func (s *Service) Panier(ctx context.Context, cle string, d saga.DemandePanier) (engine.Answer, error) {
	return s.eng.Start(ctx, saga.TypeCommande, cle, d, func(ctx context.Context) (*saga.Donnees, uuid.UUID, error) {
		if _, err := s.client(ctx, &d.ClientID); err != nil {
			return nil, uuid.Nil, err
		}
		var produits []saga.LigneDemandee
		err := s.eng.Read(ctx, func(ctx context.Context) error {
			panier, err := s.p.panier.GetPanier(ctx, d.ClientID)
			if err != nil {
				return err
			}
			if len(panier.Lignes) == 0 {
				return saga.Invalid("body.client_id", "the cart of this client is empty", d.ClientID)
			}
			produits = make([]saga.LigneDemandee, len(panier.Lignes))
			for i, l := range panier.Lignes {
				produits[i] = saga.LigneDemandee{ProduitID: l.ProduitID, Quantite: l.Quantite}
			}
			return nil
		})
		if err != nil {
			return nil, uuid.Nil, err
		}
		lignes, err := s.prix(ctx, "panier.lignes", produits)
		if err != nil {
			// The client sent only an id: name it, and say which cart line is at fault.
			var inv *saga.InvalidError
			if errors.As(err, &inv) {
				for i := range inv.Champs {
					c := &inv.Champs[i]
					c.Message, c.Location, c.Value = c.Location+": "+c.Message, "body.client_id", d.ClientID
				}
			}
			return nil, uuid.Nil, err
		}
		return &saga.Donnees{ClientID: d.ClientID, Canal: "en_ligne", EmplacementID: saga.Centre, Methode: "carte",
			Panier: true, Lignes: lignes, Total: saga.Total(lignes)}, uuid.New(), nil
	})
}

// Vente runs a counter sale from the store's own stock.
func (s *Service) Vente(ctx context.Context, cle string, d saga.DemandeVente) (engine.Answer, error) {
	return s.eng.Start(ctx, saga.TypeVente, cle, d, func(ctx context.Context) (*saga.Donnees, uuid.UUID, error) {
		if d.MagasinID < MagasinMin || d.MagasinID > MagasinMax {
			return nil, uuid.Nil, saga.Invalid("body.magasin_id", fmt.Sprintf("must be a store from %d to %d", MagasinMin, MagasinMax), d.MagasinID)
		}
		if d.Methode != string(paiementapi.Comptant) && d.Methode != string(paiementapi.Carte) {
			return nil, uuid.Nil, saga.Invalid("body.methode", "must be comptant or carte", d.Methode)
		}
		clientID, err := s.client(ctx, d.ClientID)
		if err != nil {
			return nil, uuid.Nil, err
		}
		lignes, err := s.prix(ctx, "body.produits", d.Produits)
		if err != nil {
			return nil, uuid.Nil, err
		}
		magasin := d.MagasinID
		return &saga.Donnees{ClientID: clientID, Canal: "magasin", MagasinID: &magasin, EmplacementID: int64(magasin),
			Methode: d.Methode, Lignes: lignes, Total: saga.Total(lignes)}, uuid.New(), nil
	})
}

// Retour returns goods of a confirmed order: commande records it (the
// pivot), the goods go back where they were sold from, the payment is refunded.
func (s *Service) Retour(ctx context.Context, cle string, d saga.DemandeRetour) (engine.Answer, error) {
	return s.eng.Start(ctx, saga.TypeRetour, cle, d, func(ctx context.Context) (*saga.Donnees, uuid.UUID, error) {
		if err := saga.ValiderLignes("body.lignes", d.Lignes, true); err != nil {
			return nil, uuid.Nil, err
		}
		var c commandeapi.Commande
		err := s.eng.Read(ctx, func(ctx context.Context) (err error) {
			c, err = s.p.commande.GetCommande(ctx, d.CommandeID)
			if kit.StatusOf(err) == http.StatusNotFound {
				return &saga.NotFoundError{Champ: saga.Champ{Location: "body.commande_id", Message: "unknown order", Value: d.CommandeID}}
			}
			return err
		})
		if err != nil {
			return nil, uuid.Nil, err
		}
		comptoir, err := repreneur(ctx, c)
		if err != nil {
			return nil, uuid.Nil, err
		}
		if c.Statut != commandeapi.Confirmee {
			return nil, uuid.Nil, &saga.ConflictError{Champ: saga.Champ{Location: "body.commande_id",
				Message: "only a CONFIRMEE order can be returned; this one is " + string(c.Statut), Value: d.CommandeID}}
		}
		lignes, err := ARetourner(c, d.Lignes)
		if err != nil {
			return nil, uuid.Nil, err
		}
		var paiementID uuid.UUID
		err = s.eng.Read(ctx, func(ctx context.Context) (err error) {
			paiementID, err = s.paiementAccepte(ctx, d.CommandeID)
			return err
		})
		if err != nil {
			return nil, uuid.Nil, err
		}
		emplacement := saga.Centre
		if c.Canal == commandeapi.Magasin && c.MagasinID != nil {
			emplacement = int64(*c.MagasinID)
		}
		return &saga.Donnees{ClientID: c.ClientID, Canal: string(c.Canal), MagasinID: c.MagasinID, EmplacementID: emplacement,
			Lignes: lignes, PaiementID: &paiementID, Comptoir: comptoir}, d.CommandeID, nil
	})
}

// repreneur is who may take an order back, by the rule that sends the goods
// back where they were sold from: a counter sale returns to its store, so
// only a caissier of that store takes it; an online order returns to the
// centre, which is no store's counter, so a caissier of any store takes it.
// Only the order tells which, so this runs right after it is read, before
// anything else. It returns the store whose counter takes the return.
func repreneur(ctx context.Context, c commandeapi.Commande) (*int, error) {
	p := kit.PrincipalOf(ctx)
	magasin := p.MagasinID
	if c.Canal == commandeapi.Magasin && c.MagasinID != nil {
		magasin = int64(*c.MagasinID)
	}
	if err := kit.CheckOwner(ctx, kit.Owner{MagasinID: magasin}); err != nil {
		return nil, err
	}
	if p.MagasinID == 0 {
		return nil, nil // a role of the whole chain, at no counter
	}
	comptoir := int(p.MagasinID)
	return &comptoir, nil
}

// ARetourner is what a return asks for: the lines named, which must be in the
// order, or every unit not yet returned. How many may come back is commande's
// call, the pivot.
func ARetourner(c commandeapi.Commande, demande []saga.LigneDemandee) ([]saga.Ligne, error) {
	vendues := make(map[int64]int, len(c.Lignes))
	for i, l := range c.Lignes {
		vendues[l.ProduitID] = i
	}
	var out []saga.Ligne
	if len(demande) == 0 {
		for _, l := range c.Lignes {
			if reste := l.Quantite - l.QuantiteRetournee; reste > 0 {
				out = append(out, saga.Ligne{ProduitID: l.ProduitID, Quantite: reste, PrixUnitaire: l.PrixUnitaire})
			}
		}
		if len(out) == 0 {
			return nil, &saga.ConflictError{Champ: saga.Champ{Location: "body.commande_id",
				Message: "everything in this order was already returned", Value: c.ID}}
		}
		return out, nil
	}
	var champs []saga.Champ
	for i, l := range demande {
		j, ok := vendues[l.ProduitID]
		if !ok {
			champs = append(champs, saga.Champ{Location: "body.lignes[" + strconv.Itoa(i) + "].produit_id",
				Message: "this product is not in the order", Value: l.ProduitID})
			continue
		}
		out = append(out, saga.Ligne{ProduitID: l.ProduitID, Quantite: l.Quantite, PrixUnitaire: c.Lignes[j].PrixUnitaire})
	}
	if len(champs) > 0 {
		return nil, &saga.InvalidError{Champs: champs}
	}
	return out, nil
}

// client checks that a named client exists; none is the guest.
func (s *Service) client(ctx context.Context, id *int64) (int64, error) {
	if id == nil {
		return saga.ClientInvite, nil
	}
	return *id, s.eng.Read(ctx, func(ctx context.Context) error {
		_, err := s.p.clients.GetClient(ctx, *id)
		if kit.StatusOf(err) == http.StatusNotFound {
			return saga.Invalid("body.client_id", "unknown client", *id)
		}
		return err
	})
}

// prix prices lines from stock's catalogue in one call. An unknown or inactive
// product is a 422 naming its line (at is "body.produits").
func (s *Service) prix(ctx context.Context, at string, produits []saga.LigneDemandee) ([]saga.Ligne, error) {
	if err := saga.ValiderLignes(at, produits, false); err != nil {
		return nil, err
	}
	ids := make([]int64, len(produits))
	for i, l := range produits {
		ids[i] = l.ProduitID
	}
	var page kit.Page[stockapi.Produit]
	err := s.eng.Read(ctx, func(ctx context.Context) (err error) {
		page, err = s.p.stock.ListProduits(ctx, stockapi.ListProduitsParams{IDs: ids, PageQuery: kit.PageQuery{Limit: saga.LignesMax}})
		return err
	})
	if err != nil {
		return nil, err
	}
	catalogue := make(map[int64]stockapi.Produit, len(page.Items))
	for _, it := range page.Items {
		catalogue[it.ID] = it
	}
	out := make([]saga.Ligne, len(produits))
	var champs []saga.Champ
	for i, l := range produits {
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

// paiementAccepte returns the accepted (maybe partly refunded) payment of an order.
func (s *Service) paiementAccepte(ctx context.Context, commandeID uuid.UUID) (uuid.UUID, error) {
	page, err := s.p.paiement.ListPaiements(ctx, paiementapi.ListPaiementsParams{CommandeID: commandeID,
		PageQuery: kit.PageQuery{Limit: 100}})
	if err != nil {
		return uuid.Nil, err
	}
	for _, it := range page.Items {
		if it.Statut == paiementapi.Accepte || it.Statut == paiementapi.PartiellementRembourse {
			return it.ID, nil
		}
	}
	return uuid.Nil, &saga.ConflictError{Champ: saga.Champ{Location: "body.commande_id",
		Message: "this order has no payment left to refund", Value: commandeID}}
}
