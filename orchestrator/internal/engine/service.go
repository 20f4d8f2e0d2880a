package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"

	"multimagasins/kit/idem"
	"multimagasins/orchestrator/internal/saga"
)

// Answer is a saga's answer and the HTTP status it goes with: the one it
// ended with (201, 402, 409, or 503 when a participant failure undid
// everything), or 202 Accepted while it is not over, with when to ask again.
type Answer struct {
	Reponse saga.Reponse
	Status  int
	// RetryAfter, with a 202, is when GET /saga/{id} may have news: the
	// recovery worker's next pass, or its backoff for a saga à vérifier.
	RetryAfter time.Duration
}

// answer is what rec answers now. A saga that is not over answers 202,
// never 503: it has started, and recovery may yet end it CONFIRMEE and paid.
func (e *Engine) answer(rec *Record) Answer {
	if rec.State.Phase == saga.Terminee {
		return Answer{Reponse: rec.Reponse(), Status: rec.State.HTTP}
	}
	return e.accepted(rec)
}

// accepted is the 202 of a saga that is not over, whatever rec says in memory.
func (e *Engine) accepted(rec *Record) Answer {
	a := Answer{Reponse: rec.Reponse(), Status: http.StatusAccepted, RetryAfter: e.cfg.RecoveryInterval}
	a.Reponse.Termine = false
	if !rec.Pilotee {
		if d := time.Until(rec.ProchaineReprise); d > a.RetryAfter {
			a.RetryAfter = d // à vérifier: its backoff
		}
	}
	return a
}

// Prepare reads what a saga needs before it exists (prices, an order to
// return...) and returns its data and the id of the order it is about. It
// creates nothing: a refusal here is the client's answer, and no saga is stored.
type Prepare func(ctx context.Context) (*saga.Donnees, uuid.UUID, error)

// Read runs a read made before a saga exists with the steps' timeout and
// backoff. The client's mistakes come back as they are; a participant that
// stays down is an UnavailableError (503), and nothing was created.
func (e *Engine) Read(ctx context.Context, fn func(ctx context.Context) error) error {
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

// Start checks the client's key, prepares, stores the saga (with its order id)
// and drives it to its end, or to where recovery takes over.
func (e *Engine) Start(ctx context.Context, typ, cle string, requete any, prep Prepare) (Answer, error) {
	def, ok := e.defs[typ]
	if !ok {
		return Answer{}, errors.New("unknown saga type " + typ)
	}
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
	rec := &Record{ID: uuid.New(), Type: typ, CommandeID: &commandeID, Donnees: *donnees,
		Empreinte: empreinte, Requete: raw, CreeLe: now, Etape: def.Steps[0].Name,
		Etats: []saga.Etat{{Etat: saga.Creee, At: now}}}
	if cle != "" {
		rec.Cle = &cle
	}
	st, cmds := saga.Start(def)
	rec.State = st
	d := &driver{rec: rec, def: def, owner: uuid.New(), until: time.Now().Add(e.cfg.Lease)}
	created, err := e.store.Create(ctx, rec, d.owner, e.cfg.Lease)
	if err != nil {
		// A connection cut during the commit leaves the insert's outcome
		// unknown: if the saga is stored after all, recovery will run it,
		// and the client must hear 202, not "nothing started".
		if _, again := e.store.Record(context.WithoutCancel(ctx), rec.ID); again == nil {
			a := e.accepted(rec)
			a.RetryAfter = e.cfg.Lease
			return a, nil
		}
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
	dctx, span := e.startSaga(dctx, rec, false)
	e.log.DebugContext(dctx, "saga started", "type", typ, "total", rec.Donnees.Total.String(), "lignes", len(rec.Donnees.Lignes))
	e.metrics.enCours.WithLabelValues(typ).Inc()
	final, err := e.drive(dctx, d, cmds[0])
	e.metrics.enCours.WithLabelValues(typ).Dec()
	endSaga(span, rec, err)
	switch {
	case errors.Is(err, ErrLeaseLost):
		if a, err := e.wait(ctx, rec.ID); err == nil {
			return a, nil
		}
		// Its state unreadable (the database away), the saga still exists: 202.
		a := e.accepted(rec)
		a.RetryAfter = e.cfg.Lease
		return a, nil
	case err != nil:
		// The state stays as last written; the lease runs out and recovery
		// resumes it. The saga started, so it is not over: 202.
		e.log.ErrorContext(dctx, "saga stopped; left for recovery", "err", err)
		rec.Pilotee = true
		a := e.accepted(rec)
		a.RetryAfter = e.cfg.Lease // recovery takes it once this driver's lease has run out
		return a, nil
	}
	if final.Ordre == saga.Suspendre {
		rec.Pilotee = false // released; recovery takes it at its next pass
	}
	return e.answer(rec), nil
}

// replay answers a repeat of a client's key: the same saga, waited for when
// it still runs; a different request under the key is refused. Keys are one
// namespace, so a key is answered only to a caller who may read its saga
// (saga.PeutLire): anyone else gets 401 or 403 whatever the body, and learns
// neither the saga nor whether its request was the same.
func (e *Engine) replay(ctx context.Context, cle, empreinte string) (Answer, bool, error) {
	rec, err := e.store.ByKey(ctx, cle)
	if errors.Is(err, saga.ErrNotFound) {
		return Answer{}, false, nil
	}
	if err != nil {
		return Answer{}, true, err
	}
	if err := saga.PeutLire(ctx, rec.Donnees); err != nil {
		return Answer{}, true, err
	}
	if rec.Empreinte != empreinte {
		return Answer{}, true, saga.ErrCleReutilisee
	}
	a, err := e.wait(ctx, rec.ID)
	return a, true, err
}

// wait polls a saga driven elsewhere (the request that started it, or the
// recovery worker) until it ends or a lease has passed; a saga nobody
// drives, waiting for recovery, is answered at once. Unfinished, the answer
// is 202 with the state reached.
func (e *Engine) wait(ctx context.Context, id uuid.UUID) (Answer, error) {
	deadline := time.Now().Add(e.cfg.Lease)
	pause := 10 * time.Millisecond
	for {
		rec, err := e.store.Record(ctx, id)
		if err != nil {
			return Answer{}, err
		}
		if rec.State.Phase == saga.Terminee || !rec.Pilotee || time.Now().After(deadline) {
			return e.answer(rec), nil
		}
		select {
		case <-ctx.Done():
			return Answer{}, ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}
