package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"

	"multimagasins/kit/idem"
	"multimagasins/orchestrator/internal/participants"
	"multimagasins/orchestrator/internal/postgres"
	"multimagasins/orchestrator/internal/saga"
)

// Answer is a saga's answer and the HTTP status it goes with.
type Answer struct {
	Reponse saga.Reponse
	Status  int
}

// Commande runs an online checkout: stock from the centre, paid by card.
func (e *Engine) Commande(ctx context.Context, cle string, d saga.DemandeCommande) (Answer, error) {
	return e.start(ctx, saga.TypeCommande, cle, d, func(ctx context.Context) (*saga.Donnees, uuid.UUID, error) {
		clientID, err := e.client(ctx, d.ClientID)
		if err != nil {
			return nil, uuid.Nil, err
		}
		lignes, err := e.prix(ctx, "body.produits", d.Produits)
		if err != nil {
			return nil, uuid.Nil, err
		}
		return &saga.Donnees{ClientID: clientID, Canal: "en_ligne", EmplacementID: saga.Centre, Methode: "carte",
			Lignes: lignes, Total: saga.Total(lignes)}, uuid.New(), nil
	})
}

// Panier checks out a client's cart; CONFIRMEE empties it, ANNULEE keeps it.
func (e *Engine) Panier(ctx context.Context, cle string, d saga.DemandePanier) (Answer, error) {
	return e.start(ctx, saga.TypeCommande, cle, d, func(ctx context.Context) (*saga.Donnees, uuid.UUID, error) {
		if _, err := e.client(ctx, &d.ClientID); err != nil {
			return nil, uuid.Nil, err
		}
		var produits []saga.LigneDemandee
		err := e.retry(ctx, func(ctx context.Context) (err error) {
			produits, err = e.prep.Panier(ctx, d.ClientID)
			return err
		})
		if err != nil {
			return nil, uuid.Nil, err
		}
		lignes, err := e.prix(ctx, "panier.lignes", produits)
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
func (e *Engine) Vente(ctx context.Context, cle string, d saga.DemandeVente) (Answer, error) {
	return e.start(ctx, saga.TypeVente, cle, d, func(ctx context.Context) (*saga.Donnees, uuid.UUID, error) {
		if d.MagasinID < 1 || d.MagasinID > 5 {
			return nil, uuid.Nil, saga.Invalid("body.magasin_id", "must be a store from 1 to 5", d.MagasinID)
		}
		if d.Methode != "comptant" && d.Methode != "carte" {
			return nil, uuid.Nil, saga.Invalid("body.methode", "must be comptant or carte", d.Methode)
		}
		clientID, err := e.client(ctx, d.ClientID)
		if err != nil {
			return nil, uuid.Nil, err
		}
		lignes, err := e.prix(ctx, "body.produits", d.Produits)
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
func (e *Engine) Retour(ctx context.Context, cle string, d saga.DemandeRetour) (Answer, error) {
	return e.start(ctx, saga.TypeRetour, cle, d, func(ctx context.Context) (*saga.Donnees, uuid.UUID, error) {
		if err := saga.ValiderLignes("body.lignes", d.Lignes, true); err != nil {
			return nil, uuid.Nil, err
		}
		var c participants.Commande
		err := e.retry(ctx, func(ctx context.Context) (err error) {
			c, err = e.prep.LireCommande(ctx, d.CommandeID)
			return err
		})
		if err != nil {
			return nil, uuid.Nil, err
		}
		if c.Statut != string(saga.Confirmee) {
			return nil, uuid.Nil, &saga.ConflictError{Champ: saga.Champ{Location: "body.commande_id",
				Message: "only a CONFIRMEE order can be returned; this one is " + c.Statut, Value: d.CommandeID}}
		}
		lignes, err := aRetourner(c, d.Lignes)
		if err != nil {
			return nil, uuid.Nil, err
		}
		var paiementID uuid.UUID
		err = e.retry(ctx, func(ctx context.Context) (err error) {
			paiementID, err = e.prep.PaiementAccepte(ctx, d.CommandeID)
			return err
		})
		if err != nil {
			return nil, uuid.Nil, err
		}
		emplacement := saga.Centre
		if c.Canal == "magasin" && c.MagasinID != nil {
			emplacement = int64(*c.MagasinID)
		}
		return &saga.Donnees{ClientID: c.ClientID, Canal: c.Canal, MagasinID: c.MagasinID, EmplacementID: emplacement,
			Lignes: lignes, PaiementID: &paiementID}, d.CommandeID, nil
	})
}

// aRetourner is what a return asks for: the lines named, which must be in the
// order, or every unit not yet returned. How many may come back is commande's
// call, the pivot.
func aRetourner(c participants.Commande, demande []saga.LigneDemandee) ([]saga.Ligne, error) {
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

func (e *Engine) client(ctx context.Context, id *int64) (int64, error) {
	if id == nil {
		return saga.ClientInvite, nil
	}
	return *id, e.retry(ctx, func(ctx context.Context) error { return e.prep.Client(ctx, *id) })
}

func (e *Engine) prix(ctx context.Context, at string, produits []saga.LigneDemandee) ([]saga.Ligne, error) {
	if err := saga.ValiderLignes(at, produits, false); err != nil {
		return nil, err
	}
	var lignes []saga.Ligne
	err := e.retry(ctx, func(ctx context.Context) (err error) {
		lignes, err = e.prep.Prix(ctx, at, produits)
		return err
	})
	return lignes, err
}

// retry runs a read made before a saga exists with the steps' timeout and
// backoff. The client's mistakes come back as they are; a participant that
// stays down is an UnavailableError (503), and nothing was created.
func (e *Engine) retry(ctx context.Context, fn func(ctx context.Context) error) error {
	op := func() (struct{}, error) {
		actx, cancel := context.WithTimeout(ctx, e.cfg.StepTimeout)
		defer cancel()
		err := fn(actx)
		if err != nil && (domainError(err) || !retryable(err)) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}
	b := &backoff.ExponentialBackOff{InitialInterval: e.cfg.FirstBackoff, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: e.cfg.MaxBackoff}
	_, err := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxTries(e.cfg.MaxTries),
		backoff.WithMaxElapsedTime(e.cfg.MaxElapsed))
	if err != nil && !domainError(err) {
		return &saga.UnavailableError{Err: err}
	}
	return err
}

func domainError(err error) bool {
	var inv *saga.InvalidError
	var nf *saga.NotFoundError
	var cf *saga.ConflictError
	return errors.As(err, &inv) || errors.As(err, &nf) || errors.As(err, &cf)
}

type prepare func(ctx context.Context) (*saga.Donnees, uuid.UUID, error)

// start checks the client's key, prepares, stores the saga (with its order id)
// and drives it to its end, or to where recovery takes over.
func (e *Engine) start(ctx context.Context, typ, cle string, requete any, prep prepare) (Answer, error) {
	def := e.defs[typ]
	cle = strings.TrimSpace(cle)
	raw, err := json.Marshal(requete)
	if err != nil {
		return Answer{}, err
	}
	empreinte := idem.Fingerprint(struct {
		Type    string          `json:"type"`
		Requete json.RawMessage `json:"requete"`
	}{typ, raw})
	if cle != "" {
		if a, found, err := e.replay(ctx, cle, empreinte); found || err != nil {
			return a, err
		}
	}
	donnees, commandeID, err := prep(ctx)
	if err != nil {
		return Answer{}, err
	}
	now := time.Now().UTC()
	rec := &postgres.Record{ID: uuid.New(), Type: typ, CommandeID: &commandeID, Donnees: *donnees,
		Empreinte: empreinte, Requete: raw, CreeLe: now, N: 1, Etape: def.Steps[0].Name,
		Etats: []saga.Etat{{Etat: saga.Creee, At: now}}}
	if cle != "" {
		rec.Cle = &cle
	}
	st, cmds := saga.Start(def)
	rec.State = st
	owner := uuid.New()
	created, err := e.repo.Create(ctx, rec, postgres.Call{Etape: def.Steps[0].Name, Sens: "action"}, owner, e.cfg.Lease)
	if err != nil {
		return Answer{}, err
	}
	if !created { // another request with the same key got there first
		a, _, err := e.replay(ctx, cle, empreinte)
		return a, err
	}
	e.metrics.etats.WithLabelValues(string(saga.Creee)).Inc()

	dctx, cancel := context.WithCancel(sagaContext(context.WithoutCancel(ctx), rec))
	defer cancel()
	defer context.AfterFunc(e.life, cancel)()
	e.log.InfoContext(dctx, "saga started", "type", typ, "total", rec.Donnees.Total.String(), "lignes", len(rec.Donnees.Lignes))
	e.metrics.enCours.WithLabelValues(typ).Inc()
	final, err := e.drive(dctx, def, rec, owner, cmds[0])
	e.metrics.enCours.WithLabelValues(typ).Dec()
	switch {
	case errors.Is(err, postgres.ErrLeaseLost):
		return e.wait(ctx, rec.ID)
	case err != nil:
		// The state stays as last written; the lease runs out and recovery resumes it.
		e.log.ErrorContext(dctx, "saga stopped; left for recovery", "err", err)
		return Answer{Reponse: rec.Reponse(), Status: http.StatusServiceUnavailable}, nil
	}
	a := Answer{Reponse: rec.Reponse(), Status: final.HTTP}
	if final.Ordre == saga.Suspendre {
		a.Reponse.Motif = final.Motif
	}
	return a, nil
}

// replay answers a repeat of a client's key: the same saga, waited for when
// it still runs; a different request under the key is refused.
func (e *Engine) replay(ctx context.Context, cle, empreinte string) (Answer, bool, error) {
	rec, err := e.repo.ByKey(ctx, cle)
	if errors.Is(err, saga.ErrNotFound) {
		return Answer{}, false, nil
	}
	if err != nil {
		return Answer{}, true, err
	}
	if rec.Empreinte != empreinte {
		return Answer{}, true, saga.ErrCleReutilisee
	}
	a, err := e.wait(ctx, rec.ID)
	return a, true, err
}

// wait polls a saga driven elsewhere until it ends or a lease has passed;
// then it answers with the state reached (503 while unfinished).
func (e *Engine) wait(ctx context.Context, id uuid.UUID) (Answer, error) {
	deadline := time.Now().Add(e.cfg.Lease)
	pause := 10 * time.Millisecond
	for {
		rec, err := e.repo.Record(ctx, id)
		if err != nil {
			return Answer{}, err
		}
		if rec.State.Phase == saga.Terminee {
			return Answer{Reponse: rec.Reponse(), Status: rec.State.HTTP}, nil
		}
		if time.Now().After(deadline) {
			return Answer{Reponse: rec.Reponse(), Status: http.StatusServiceUnavailable}, nil
		}
		select {
		case <-ctx.Done():
			return Answer{}, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}
