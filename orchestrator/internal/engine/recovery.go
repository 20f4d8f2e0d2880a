package engine

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"multimagasins/orchestrator/internal/saga"
)

// RunRecovery resumes unfinished sagas at start and every RecoveryInterval
// until ctx ends. No saga stays unfinished once its participants are back.
// One it cannot move after AVerifierApres passes is à vérifier and taken
// less often (saga.Reprise): Claim takes only sagas whose wait is over.
func (e *Engine) RunRecovery(ctx context.Context) {
	t := time.NewTicker(e.cfg.RecoveryInterval)
	defer t.Stop()
	for {
		for {
			n, err := e.Recover(ctx)
			if err != nil && ctx.Err() == nil {
				e.log.ErrorContext(ctx, "saga recovery", "err", err)
			}
			if err != nil || n < e.cfg.RecoveryBatch {
				break // a full batch means more may be waiting: go on at once
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Recover takes one batch of unfinished sagas whose lease expired and drives
// each from its stored state; it returns how many it took.
func (e *Engine) Recover(ctx context.Context) (int, error) {
	owner := uuid.New()
	recs, err := e.store.Claim(ctx, owner, e.cfg.Lease, e.cfg.RecoveryBatch)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8) // a few at a time: a dead participant must not pile up goroutines
	for _, rec := range recs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			e.resume(ctx, rec, owner)
		}()
	}
	wg.Wait()
	return len(recs), nil
}

func (e *Engine) resume(ctx context.Context, rec *Record, owner uuid.UUID) {
	def, ok := e.defs[rec.Type]
	if !ok || rec.State.Pas > len(def.Steps) {
		e.log.ErrorContext(ctx, "saga cannot be resumed", "saga_id", rec.ID, "type", rec.Type, "pas", rec.State.Pas)
		return
	}
	ctx = sagaContext(ctx, rec)
	etape := def.Step(rec.State.Pas).Name
	st, cmds := saga.Reprendre(def, rec.State)
	if len(cmds) == 0 {
		return
	}
	e.metrics.recoveries.WithLabelValues(etape).Inc()
	e.log.InfoContext(ctx, "saga resumed", "type", rec.Type, "etape", etape, "phase", rec.State.Phase, "statut", rec.State.Statut,
		"reprises", rec.Reprises, "a_verifier", rec.AVerifierDepuis != nil)
	e.metrics.enCours.WithLabelValues(rec.Type).Inc()
	defer e.metrics.enCours.WithLabelValues(rec.Type).Dec()
	d := &driver{rec: rec, def: def, owner: owner, until: time.Now().Add(e.cfg.Lease), reprise: true, depart: rec.State}
	rec.State = st
	ctx, span := e.startSaga(ctx, rec, true)
	_, err := e.drive(ctx, d, cmds[0])
	endSaga(span, rec, err)
	if err != nil && ctx.Err() == nil {
		e.log.ErrorContext(ctx, "saga recovery stopped", "err", err)
	}
}
