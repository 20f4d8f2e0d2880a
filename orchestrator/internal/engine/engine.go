// Package engine runs sagas: it persists each step before and after its call,
// applies timeouts and bounded retries, feeds outcomes to the pure state
// machine (package saga) and carries out its commands. The recovery worker
// resumes what a crash or a dead participant left unfinished.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"multimagasins/kit"
	"multimagasins/orchestrator/internal/participants"
	"multimagasins/orchestrator/internal/postgres"
	"multimagasins/orchestrator/internal/saga"
)

// Config tunes the engine; Defaults gives the production values.
type Config struct {
	StepTimeout      time.Duration // one attempt of one step
	Lease            time.Duration // how long a driver owns a saga without writing
	MaxTries         uint          // attempts of a step on 5xx, timeouts and connection errors
	MaxElapsed       time.Duration // and at most this long, attempts included
	FirstBackoff     time.Duration
	MaxBackoff       time.Duration
	RecoveryInterval time.Duration
	RecoveryBatch    int
}

// Defaults are the documented settings (docs/saga.md).
func Defaults() Config {
	return Config{StepTimeout: 2 * time.Second, Lease: 10 * time.Second, MaxTries: 4, MaxElapsed: 3 * time.Second,
		FirstBackoff: 50 * time.Millisecond, MaxBackoff: time.Second, RecoveryInterval: 2 * time.Second, RecoveryBatch: 32}
}

// Engine drives sagas.
type Engine struct {
	repo    *postgres.Repo
	defs    map[string]saga.Definition
	prep    *participants.Participants
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	// life bounds every drive: live requests are detached from their client
	// (a client hanging up must not stop a saga halfway) but not from it.
	life context.Context
}

// New returns an engine running the sagas of p, registering its metrics on
// reg. Cancelling life stops every drive at once, as a crash would.
func New(life context.Context, repo *postgres.Repo, p *participants.Participants, cfg Config,
	log *slog.Logger, reg prometheus.Registerer) *Engine {
	defs := p.Definitions()
	return &Engine{repo: repo, defs: defs, prep: p, cfg: cfg, log: log, metrics: newMetrics(reg, defs), life: life}
}

// sagaContext adds the saga's ids to every log line.
func sagaContext(ctx context.Context, rec *postgres.Record) context.Context {
	ctx = kit.WithSagaID(ctx, rec.ID.String())
	if rec.CommandeID != nil {
		ctx = kit.WithCommandeID(ctx, rec.CommandeID.String())
	}
	return ctx
}

// drive carries out cmd and every command that follows until the saga ends
// or must wait for recovery, which it returns. The call pending for cmd has
// its step-log row (rec.N) already written. A cancelled ctx stops it at once
// without another write: exactly a crash, which recovery handles.
func (e *Engine) drive(ctx context.Context, def saga.Definition, rec *postgres.Record, owner uuid.UUID, cmd saga.Command) (saga.Command, error) {
	for cmd.Ordre == saga.Appeler || cmd.Ordre == saga.Compenser || cmd.Ordre == saga.Sonder {
		ev, done := e.execute(ctx, def, rec, cmd)
		if err := ctx.Err(); err != nil {
			return cmd, err
		}
		st, cmds := saga.Decide(def, rec.State, ev)
		next := saga.Command{Ordre: saga.Suspendre, Pas: rec.State.Pas, HTTP: http.StatusServiceUnavailable}
		if len(cmds) > 0 {
			next = cmds[0]
		}
		if err := e.advance(ctx, def, rec, owner, st, &done, next); err != nil {
			return cmd, err
		}
		if cmd.Ordre == saga.Compenser && ev.Kind == saga.Reussi {
			e.metrics.compensations.WithLabelValues(def.Steps[cmd.Pas].Name).Inc()
		}
		cmd = next
	}
	return cmd, nil
}

// advance writes, in one transaction, the outcome of the call just made, the
// new state and the step-log row of the next call, then counts what changed.
func (e *Engine) advance(ctx context.Context, def saga.Definition, rec *postgres.Record, owner uuid.UUID,
	st saga.State, done *postgres.Outcome, next saga.Command) error {
	prev := rec.State
	rec.State = st
	if st.Statut != prev.Statut {
		rec.Etats = append(rec.Etats, saga.Etat{Etat: st.Statut, At: time.Now().UTC()})
	}
	w := postgres.Write{Owner: owner, Lease: e.cfg.Lease, Done: done, Release: next.Ordre == saga.Suspendre}
	switch next.Ordre {
	case saga.Appeler:
		w.Next = &postgres.Call{Etape: def.Steps[next.Pas].Name, Sens: "action"}
	case saga.Compenser:
		w.Next = &postgres.Call{Etape: def.Steps[next.Pas].Name, Sens: "compensation"}
	case saga.Sonder:
		w.Next = &postgres.Call{Etape: def.Steps[next.Pas].Name, Sens: "sondage"}
	}
	if err := e.repo.Advance(ctx, rec, w); err != nil {
		rec.State = prev
		return err
	}
	if st.Statut != prev.Statut {
		e.metrics.etats.WithLabelValues(string(st.Statut)).Inc()
	}
	switch next.Ordre {
	case saga.Terminer:
		e.finished(ctx, rec)
	case saga.Suspendre:
		e.log.WarnContext(ctx, "saga waits for recovery", "type", rec.Type, "etape", rec.Etape,
			"phase", st.Phase, "statut", st.Statut, "motif", next.Motif)
	}
	return nil
}

func (e *Engine) finished(ctx context.Context, rec *postgres.Record) {
	st := rec.State
	e.metrics.duration.WithLabelValues(rec.Type).Observe(time.Since(rec.CreeLe).Seconds())
	if st.Statut == saga.Confirmee {
		e.metrics.success.WithLabelValues(rec.Type).Inc()
		e.log.InfoContext(ctx, "saga confirmed", "type", rec.Type, "total", rec.Donnees.Total.String())
		return
	}
	e.metrics.failure.WithLabelValues(rec.Type, st.Code).Inc()
	e.log.InfoContext(ctx, "saga cancelled", "type", rec.Type, "motif", st.Motif, "http_status", st.HTTP)
}

// errAbsent is a probe's "it never happened".
var errAbsent = errors.New("action not found under its key")

// execute makes the call cmd asks for, with a timeout per attempt and
// bounded exponential backoff on 5xx, timeouts and connection errors only,
// and turns its outcome into an event and a step-log outcome.
func (e *Engine) execute(ctx context.Context, def saga.Definition, rec *postgres.Record, cmd saga.Command) (saga.Event, postgres.Outcome) {
	step := def.Steps[cmd.Pas]
	r := &saga.Run{ID: rec.ID, Donnees: &rec.Donnees, Motif: rec.State.Motif, Incertain: cmd.Incertain}
	if rec.CommandeID != nil {
		r.CommandeID = *rec.CommandeID
	}
	tries := 0
	op := func() (struct{}, error) {
		tries++
		r.Trace = r.Trace[:0]
		actx, cancel := context.WithTimeout(ctx, e.cfg.StepTimeout)
		defer cancel()
		var err error
		switch cmd.Ordre {
		case saga.Appeler:
			err = step.Do(actx, r)
		case saga.Compenser:
			err = step.Undo(actx, r)
		case saga.Sonder:
			var found bool
			if found, err = step.Probe(actx, r); err == nil && !found {
				err = errAbsent
			}
		}
		if err != nil && !retryable(err) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}
	b := &backoff.ExponentialBackOff{InitialInterval: e.cfg.FirstBackoff, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: e.cfg.MaxBackoff}
	_, err := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxTries(e.cfg.MaxTries),
		backoff.WithMaxElapsedTime(e.cfg.MaxElapsed))

	ev := saga.Event{Phase: rec.State.Phase, Pas: cmd.Pas}
	out := postgres.Outcome{N: rec.N, Tentatives: tries}
	if n := len(r.Trace); n > 0 {
		out.HTTPStatus = r.Trace[n-1].Status
		out.Reponse, _ = json.Marshal(r.Trace)
	}
	var refus *saga.Refus
	switch {
	case err == nil:
		ev.Kind, out.Statut = saga.Reussi, "reussie"
	case errors.Is(err, errAbsent):
		ev.Kind, out.Statut = saga.Absent, "reussie"
	case errors.As(err, &refus):
		ev.Kind, out.Statut = saga.Refuse, "echouee"
		ev.Motif, ev.Code, ev.HTTP = refus.Motif, refus.Code, refus.HTTP
	case !retryable(err):
		// A 4xx the step did not expect: the participant refuses for good, and
		// the client cannot fix it by asking again.
		ev.Kind, out.Statut = saga.Refuse, "echouee"
		ev.Motif, ev.Code, ev.HTTP = step.Name+": "+err.Error(), saga.CodeParticipant, http.StatusServiceUnavailable
	default:
		ev.Kind, out.Statut = saga.Echoue, "inconnue"
	}
	if err != nil {
		e.log.WarnContext(ctx, "saga step failed", "etape", step.Name, "ordre", cmd.Ordre, "tentatives", tries, "err", err)
	} else {
		e.log.DebugContext(ctx, "saga step done", "etape", step.Name, "ordre", cmd.Ordre, "tentatives", tries)
	}
	return ev, out
}

// retryable: a 5xx, a timeout or a connection error may work next time (and
// a retry under the same key gets the stored answer when it did work); a
// business refusal or any other 4xx will not.
func retryable(err error) bool {
	var refus *saga.Refus
	if errors.As(err, &refus) || errors.Is(err, errAbsent) {
		return false
	}
	s := kit.StatusOf(err)
	return s == 0 || s >= 500 || s == http.StatusRequestTimeout || s == http.StatusTooManyRequests
}
