package saga

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// Action is a step's call to a participant (or its compensation). It returns
// nil when the participant did it, a *Refus when the participant said no for
// a business reason, and any other error when the outcome is unknown.
type Action func(ctx context.Context, r *Run) error

// Probe asks a participant, by the step's key and without acting, whether
// the step's action happened. Recovery uses it at the pivot: a charge whose
// answer was lost is either found (go forward) or never happened (compensate).
type Probe func(ctx context.Context, r *Run) (bool, error)

// Step is one step of a saga: one participant call, one key, one effect. The
// engine, not the step, persists progress, applies timeouts and retries, and
// replays from the log after a crash.
type Step struct {
	Name  string
	Do    Action
	Undo  Action // nil: nothing to undo, or a step after the pivot
	Probe Probe  // the pivot's; see Probe
	Pivot bool   // the point of no return: before it every step can be undone, after it only forward
	// Etats are the states the saga passes when Do succeeds, in order (a
	// reservation verifies then reserves: STOCK_VERIFIE, STOCK_RESERVE).
	Etats []Statut
	// Si, when set, says whether the step applies to this saga's data; a
	// step that does not apply is passed over without a call.
	Si func(*Donnees) bool
}

// Definition is a saga as data: a name, its steps in order and the call that
// closes it. Cloture runs once the outcome is known, CONFIRMEE after the last
// step or ANNULEE after the compensations; it is retried until it succeeds.
// It hands the participant that keeps the business record (commande, for an
// order) every state the saga passed with its time, in one call.
type Definition struct {
	Name    string
	Steps   []Step
	Cloture *Step
}

// PivotIndex is the index of the pivot step, or len(Steps) when there is
// none (every step can then be undone).
func (d Definition) PivotIndex() int {
	for i, s := range d.Steps {
		if s.Pivot {
			return i
		}
	}
	return len(d.Steps)
}

// Step returns step pas, the closing step for pas == len(Steps).
func (d Definition) Step(pas int) Step {
	if pas == len(d.Steps) && d.Cloture != nil {
		return *d.Cloture
	}
	return d.Steps[pas]
}

// Check tells a definition the engine cannot run safely. The engine writes a
// saga's state when it starts and when it ends, not around every call, so
// recovery must be able to find out whether the pivot happened: a pivot that
// is not the first step needs a Probe.
func (d Definition) Check() error {
	p := d.PivotIndex()
	if p > 0 && p < len(d.Steps) && d.Steps[p].Probe == nil {
		return fmt.Errorf("saga %s: pivot %s needs a Probe", d.Name, d.Steps[p].Name)
	}
	for i, s := range d.Steps {
		if i > p && s.Undo != nil {
			return fmt.Errorf("saga %s: step %s after the pivot cannot have an Undo", d.Name, s.Name)
		}
		if s.Do == nil {
			return fmt.Errorf("saga %s: step %s has no Do", d.Name, s.Name)
		}
	}
	if d.Cloture != nil && (d.Cloture.Do == nil || d.Cloture.Undo != nil) {
		return fmt.Errorf("saga %s: the closing step needs a Do and no Undo", d.Name)
	}
	return nil
}

// Run is what a step sees: the saga it belongs to and the data it shares with
// the other steps. Trace collects what the participants answered.
type Run struct {
	ID         uuid.UUID
	CommandeID uuid.UUID
	Donnees    *Donnees
	// Statut and Etats are where the saga stands and the states it passed,
	// with their times: what Cloture records.
	Statut Statut
	Etats  []Etat
	// Motif is why the saga is compensating or was cancelled.
	Motif string
	// Incertain tells an Undo that its action's outcome is unknown (a timeout):
	// it may have happened or not, and may still be in flight.
	Incertain bool
	Trace     []Trace
}

// Trace is one participant call of a step attempt, for the step log.
type Trace struct {
	Appel  string          `json:"appel"`
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// Key is the idempotency key of one call of this saga: "<saga_id>:<name>".
func (r *Run) Key(name string) string { return r.ID.String() + ":" + name }

// Low-cardinality reasons of a failed saga, for metrics.
const (
	CodeStock       = "stock"
	CodePaiement    = "paiement"
	CodeParticipant = "participant"
	CodeInvalide    = "invalide"
)

// Refus is a participant's business refusal: the step did not happen and
// will not happen if asked again, so it is never retried.
type Refus struct {
	Motif string // for the client: "stock insuffisant"
	Code  string // for metrics: one of the Code constants
	HTTP  int    // the status the saga answers with
}

func (r *Refus) Error() string { return fmt.Sprintf("refus (%s): %s", r.Code, r.Motif) }
