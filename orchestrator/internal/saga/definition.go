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

// Step is one step of a saga. The engine, not the step, persists progress,
// applies timeouts and retries, and replays from the log after a crash.
type Step struct {
	Name  string
	Do    Action
	Undo  Action // nil: nothing to undo (a read) or a step after the pivot
	Probe Probe  // optional; see Probe
	Pivot bool   // the point of no return: before it every step can be undone, after it only forward
	Etat  Statut // the state the saga enters when Do succeeds; empty keeps the current one
}

// Definition is a saga as data: a name and its steps in order.
type Definition struct {
	Name  string
	Steps []Step
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

// Run is what a step sees: the saga it belongs to and the data it shares with
// the other steps. Trace collects what the participants answered.
type Run struct {
	ID         uuid.UUID
	CommandeID uuid.UUID
	Donnees    *Donnees
	// Motif is why the saga is compensating, for the participants that keep a reason.
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
