// Package engine runs sagas: it applies timeouts and bounded retries, feeds
// outcomes to the pure state machine (package saga), carries out its commands
// and persists each saga through a Store. The recovery worker resumes what a
// crash or a dead participant left unfinished.
//
// Persistence follows the write-ahead rule at the least cost: a saga is
// written when it starts, which makes its whole plan durable (every call's
// key derives from the saga id, and every call is idempotent under it), and
// again when it ends or must wait, with its history and step log. In
// between, the engine writes only to renew its lease when half of it has
// gone. Recovery treats a stored position as the lowest step the saga may be
// at, and asks the pivot whether it happened (see saga.Reprendre).
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"multimagasins/kit"
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
	// AVerifierApres is N: after N recovery attempts in a row stuck at the
	// same call, a saga is à vérifier (saga.Reprise). Recovery then waits
	// twice RecoveryInterval, doubling up to RepriseMax, between attempts.
	AVerifierApres int
	RepriseMax     time.Duration
}

// Defaults are the documented settings (docs/saga.md).
func Defaults() Config {
	return Config{StepTimeout: 2 * time.Second, Lease: 10 * time.Second, MaxTries: 4, MaxElapsed: 3 * time.Second,
		FirstBackoff: 50 * time.Millisecond, MaxBackoff: time.Second, RecoveryInterval: 2 * time.Second, RecoveryBatch: 32,
		AVerifierApres: 10, RepriseMax: 5 * time.Minute}
}

// Reprise is the recovery worker's retry policy.
func (c Config) Reprise() saga.Reprise {
	return saga.Reprise{Seuil: c.AVerifierApres, Intervalle: c.RecoveryInterval, Plafond: c.RepriseMax}
}

// Engine drives sagas.
type Engine struct {
	store   Store
	defs    map[string]saga.Definition
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	// life bounds every drive: live requests are detached from their client
	// (a client hanging up must not stop a saga halfway) but not from it.
	life   context.Context
	tracer trace.Tracer
}

// New returns an engine running the sagas defs, registering its metrics on
// reg. Cancelling life stops every drive at once, as a crash would.
func New(life context.Context, store Store, defs map[string]saga.Definition, cfg Config,
	log *slog.Logger, reg prometheus.Registerer) (*Engine, error) {
	for _, d := range defs {
		if err := d.Check(); err != nil {
			return nil, err
		}
	}
	if cfg.AVerifierApres < 1 || cfg.RepriseMax < cfg.RecoveryInterval {
		return nil, errors.New("engine: AVerifierApres must be 1 or more, RepriseMax at least RecoveryInterval")
	}
	return &Engine{store: store, defs: defs, cfg: cfg, log: log, metrics: newMetrics(reg, defs, store, log), life: life,
		tracer: newTracer()}, nil
}

// sagaContext adds the saga's ids to every log line.
func sagaContext(ctx context.Context, rec *Record) context.Context {
	ctx = kit.WithSagaID(ctx, rec.ID.String())
	if rec.CommandeID != nil {
		ctx = kit.WithCommandeID(ctx, rec.CommandeID.String())
	}
	return ctx
}

// driver is one drive of one saga: who holds its lease, and until when. A
// drive by the recovery worker (reprise) also says where the saga stood
// when it was taken, to tell whether the attempt moved it.
type driver struct {
	rec     *Record
	def     saga.Definition
	owner   uuid.UUID
	until   time.Time
	reprise bool
	depart  saga.State
}

// drive carries out cmd and every command that follows until the saga ends
// or must wait for recovery, which it returns. A cancelled ctx stops it at
// once without another write: exactly a crash, which recovery handles.
func (e *Engine) drive(ctx context.Context, d *driver, cmd saga.Command) (saga.Command, error) {
	rec := d.rec
	for cmd.Ordre == saga.Appeler || cmd.Ordre == saga.Compenser || cmd.Ordre == saga.Sonder {
		if time.Until(d.until) < e.cfg.Lease/2 {
			// A call must end inside the lease, or recovery could act beside it.
			if err := e.save(ctx, d, Write{}); err != nil {
				return cmd, err
			}
		}
		ev := e.execute(ctx, d.def, rec, cmd)
		if err := ctx.Err(); err != nil {
			return cmd, err
		}
		st, cmds := saga.Decide(d.def, rec.State, ev)
		next := saga.Command{Ordre: saga.Suspendre, Pas: rec.State.Pas, HTTP: http.StatusAccepted}
		if len(cmds) > 0 {
			next = cmds[0]
		}
		e.enter(d, st, next.Etats)
		if cmd.Ordre == saga.Compenser && ev.Kind == saga.Reussi {
			e.metrics.compensations.WithLabelValues(d.def.Steps[cmd.Pas].Name).Inc()
		}
		switch next.Ordre {
		case saga.Terminer:
			if rec.AVerifierDepuis != nil {
				e.log.InfoContext(ctx, "saga à vérifier finished", "type", rec.Type, "statut", st.Statut,
					"a_verifier_depuis", rec.AVerifierDepuis.Format(time.RFC3339), "reprises", rec.Reprises)
			}
			rec.Reprises, rec.AVerifierDepuis = 0, nil
			if err := e.save(ctx, d, Write{}); err != nil {
				return cmd, err
			}
			e.finished(ctx, rec)
		case saga.Suspendre:
			w := Write{Release: true}
			if d.reprise {
				w.Retard = e.relancer(ctx, d)
			}
			if err := e.save(ctx, d, w); err != nil {
				return cmd, err
			}
			e.log.WarnContext(ctx, "saga waits for recovery", "type", rec.Type, "etape", rec.Etape,
				"phase", st.Phase, "statut", st.Statut, "motif", next.Motif, "reprises", rec.Reprises,
				"a_verifier", rec.AVerifierDepuis != nil, "retard", w.Retard.String())
		}
		cmd = next
	}
	return cmd, nil
}

// relancer applies the retry policy to a recovery attempt that left the
// saga waiting, and returns how long recovery waits before the next one. A
// saga stuck N times in a row at the same call becomes à vérifier.
func (e *Engine) relancer(ctx context.Context, d *driver) time.Duration {
	rec := d.rec
	progres := rec.State.Phase != d.depart.Phase || rec.State.Pas != d.depart.Pas
	s, retard := e.cfg.Reprise().Relancer(rec.suivi(), progres)
	rec.Reprises = s.Tentatives
	switch {
	case s.AVerifier && rec.AVerifierDepuis == nil:
		now := time.Now().UTC()
		rec.AVerifierDepuis = &now
		e.metrics.aVerifier.WithLabelValues(rec.Type).Inc()
		e.log.ErrorContext(ctx, "saga à vérifier: recovery cannot move it", "type", rec.Type, "etape", rec.Etape,
			"phase", rec.State.Phase, "statut", rec.State.Statut, "reprises", rec.Reprises, "derniere_erreur", rec.DerniereErreur)
	case !s.AVerifier:
		rec.AVerifierDepuis = nil
	}
	return retard
}

// enter moves the saga to st, adding the states entered to its history.
func (e *Engine) enter(d *driver, st saga.State, etats []saga.Statut) {
	rec := d.rec
	rec.State = st
	if n := saga.EnAttente(d.def, st); n != "" {
		rec.Etape = n
	}
	if len(etats) > 0 {
		now := time.Now().UTC()
		for _, s := range etats {
			rec.Etats = append(rec.Etats, saga.Etat{Etat: s, At: now})
			e.metrics.etats.WithLabelValues(string(s)).Inc()
		}
	}
}

// save writes the saga with its pending step-log rows and renews (or, when
// it must wait for recovery, releases) the lease.
func (e *Engine) save(ctx context.Context, d *driver, w Write) error {
	now := time.Now()
	w.Owner, w.Lease = d.owner, e.cfg.Lease
	if err := e.store.Save(ctx, d.rec, w); err != nil {
		return err
	}
	d.until = now.Add(e.cfg.Lease)
	return nil
}

func (e *Engine) finished(ctx context.Context, rec *Record) {
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

// sens names a command in the step log.
func sens(o saga.Ordre) string {
	switch o {
	case saga.Compenser:
		return "compensation"
	case saga.Sonder:
		return "sondage"
	}
	return "action"
}

// execute makes the call cmd asks for, with a timeout per attempt and
// bounded exponential backoff on 5xx, timeouts and connection errors only,
// adds it to the step log and turns its outcome into an event. A step that
// does not apply to the saga succeeds without a call or a log row.
func (e *Engine) execute(ctx context.Context, def saga.Definition, rec *Record, cmd saga.Command) saga.Event {
	step := def.Step(cmd.Pas)
	ev := saga.Event{Phase: rec.State.Phase, Pas: cmd.Pas}
	if cmd.Ordre == saga.Appeler && step.Si != nil && !step.Si(&rec.Donnees) {
		ev.Kind = saga.Reussi
		return ev
	}
	r := &saga.Run{ID: rec.ID, Donnees: &rec.Donnees, Statut: rec.State.Statut, Etats: rec.Etats,
		Motif: rec.State.Motif, Incertain: cmd.Incertain}
	if rec.CommandeID != nil {
		r.CommandeID = *rec.CommandeID
	}
	if cmd.Ordre == saga.Appeler && cmd.Pas < len(def.Steps) {
		rec.EtapeAtteinte = step.Name
	}
	appel := saga.Appel{N: rec.N + len(rec.Journal) + 1, Etape: step.Name, Sens: sens(cmd.Ordre), EnvoyeeLe: time.Now().UTC()}
	ctx, span := e.startStep(ctx, rec, step.Name, appel.Sens)
	// Every participant call of the attempt lands in the step log.
	tctx := kit.WithTrace(ctx, func(method, path string, status int, body []byte) {
		t := saga.Trace{Appel: method + " " + path, Status: status}
		if json.Valid(body) {
			t.Body = append(json.RawMessage(nil), body...)
		}
		r.Trace = append(r.Trace, t)
	})
	op := func() (struct{}, error) {
		appel.Tentatives++
		r.Trace = r.Trace[:0]
		actx, cancel := context.WithTimeout(tctx, e.cfg.StepTimeout)
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

	recue := time.Now().UTC()
	appel.RecueLe = &recue
	if n := len(r.Trace); n > 0 {
		if s := r.Trace[n-1].Status; s != 0 {
			appel.HTTPStatus = &s
		}
		appel.Reponse, _ = json.Marshal(r.Trace)
	}
	var refus *saga.Refus
	switch {
	case err == nil:
		ev.Kind, appel.Statut = saga.Reussi, "reussie"
	case errors.Is(err, errAbsent):
		ev.Kind, appel.Statut = saga.Absent, "reussie"
	case errors.As(err, &refus):
		ev.Kind, appel.Statut = saga.Refuse, "echouee"
		ev.Motif, ev.Code, ev.HTTP = refus.Motif, refus.Code, refus.HTTP
	case !retryable(err):
		// A 4xx the step did not expect: the participant refuses for good, and
		// the client cannot fix it by asking again.
		ev.Kind, appel.Statut = saga.Refuse, "echouee"
		ev.Motif, ev.Code, ev.HTTP = step.Name+": "+err.Error(), saga.CodeParticipant, http.StatusServiceUnavailable
	default:
		ev.Kind, appel.Statut = saga.Echoue, "inconnue"
	}
	rec.Journal = append(rec.Journal, appel)
	endStep(span, appel, err)
	if err != nil && ev.Kind != saga.Absent {
		rec.DerniereErreur = derniereErreur(appel, err)
	}
	if err != nil {
		e.log.WarnContext(ctx, "saga step failed", "etape", step.Name, "ordre", cmd.Ordre, "tentatives", appel.Tentatives, "err", err)
	} else {
		e.log.DebugContext(ctx, "saga step done", "etape", step.Name, "ordre", cmd.Ordre, "tentatives", appel.Tentatives)
	}
	return ev
}

// derniereErreur says which call failed and how, for a person reading a
// saga à vérifier: "action rembourser (3 tentatives): status 409: …".
func derniereErreur(a saga.Appel, err error) string {
	msg := fmt.Sprintf("%s %s (%d tentative", a.Sens, a.Etape, a.Tentatives)
	if a.Tentatives > 1 {
		msg += "s"
	}
	msg += "): " + err.Error()
	if len(msg) > erreurMax {
		msg = msg[:erreurMax]
	}
	return strings.ToValidUTF8(msg, "")
}

// erreurMax bounds a stored error.
const erreurMax = 1000

// retryable: a 5xx, a timeout or a connection error may work next time (and
// a retry under the same key gets the stored answer when it did work); a
// business refusal or any other 4xx will not. Two cases are no answer at all
// and are retried like a connection error: a service token that could not be
// had (identite away; kit.Client then sends nothing, status 0), and a 401,
// which a participant gives before it reads the request, so nothing happened
// there, and which a new token or the participant's next fetch of identite's
// keys may pass. Neither is ever a refusal: before the pivot the saga
// compensates, at or after it the saga waits for recovery.
func retryable(err error) bool {
	var refus *saga.Refus
	if errors.As(err, &refus) || errors.Is(err, errAbsent) {
		return false
	}
	s := kit.StatusOf(err)
	return s == 0 || s >= 500 || s == http.StatusRequestTimeout || s == http.StatusTooManyRequests ||
		s == http.StatusUnauthorized
}
