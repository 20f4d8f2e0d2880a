package saga

import (
	"fmt"
	"net/http"
)

// Phase says which call a saga waits on.
type Phase string

// The phases of a saga.
const (
	EnCours      Phase = "en_cours"     // the action of step Pas
	Sondage      Phase = "sondage"      // asking whether the pivot happened (recovery); Pas is the first step that may not have
	Compensation Phase = "compensation" // the compensation of step Pas
	Cloture      Phase = "cloture"      // the closing call: the outcome is known, it is being recorded
	Terminee     Phase = "terminee"
)

// State is everything the machine needs to decide; it is stored on the saga row.
type State struct {
	Phase     Phase
	Pas       int  // the step whose call is pending (len(Steps): the closing call)
	Incertain bool // compensation: the action of step Pas may or may not have happened
	Statut    Statut
	Motif     string
	Code      string // low-cardinality reason, for metrics
	HTTP      int    // the status to answer once finished
}

// Kind is what a call's outcome was.
type Kind int

// The outcomes the engine reports. A participant's replay of a stored answer
// is the answer itself (the same Reussi or Refuse); an answer for a call that
// is not the pending one is a duplicate and changes nothing.
const (
	Reussi Kind = iota + 1 // the participant did it (or a probe found it)
	Refuse                 // a business refusal: the step did not happen
	Echoue                 // 5xx, timeout or connection error after the retries: outcome unknown
	Absent                 // a probe found that the action never happened
)

// Event is the outcome of the call pending at (Phase, Pas).
type Event struct {
	Kind  Kind
	Phase Phase
	Pas   int
	Motif string // Refuse: why, for the client
	Code  string // Refuse: one of the Code constants
	HTTP  int    // Refuse: the status to answer with
}

// Ordre is what the engine must do next.
type Ordre int

// The commands.
const (
	Appeler   Ordre = iota + 1 // call the action of step Pas (len(Steps): the closing call)
	Sonder                     // ask whether the action of step Pas happened
	Compenser                  // call the compensation of step Pas
	Terminer                   // the saga is over: record Statut, Motif, HTTP
	// Suspendre stops here: the saga is not over, the recovery worker
	// resumes it later. The request answers 202 Accepted (poll GET /saga/{id}),
	// never 503: a saga that has started may still end CONFIRMEE and paid.
	Suspendre
)

// Command is one order, with what it needs.
type Command struct {
	Ordre     Ordre
	Pas       int
	Incertain bool
	Statut    Statut
	Motif     string
	HTTP      int
	// Etats are the states the saga enters now, in order; the engine stamps
	// them with the time and adds them to the history.
	Etats []Statut
}

// Start is the state of a new saga and its first command.
func Start(d Definition) (State, []Command) {
	return State{Phase: EnCours, Statut: Creee}, []Command{{Ordre: Appeler, Pas: 0}}
}

// pending is the step whose answer the saga waits for in st.
func pending(d Definition, st State) int {
	if st.Phase == Sondage {
		return d.PivotIndex()
	}
	return st.Pas
}

// Decide is the whole saga logic: (state, event) → (state, commands). Before
// the pivot a failure compensates last-in first-out; at or after it the saga
// only goes forward, and what cannot go forward now waits for recovery. Once
// the outcome is known the closing call records it.
func Decide(d Definition, st State, ev Event) (State, []Command) {
	if st.Phase == Terminee || ev.Phase != st.Phase || ev.Pas != pending(d, st) || ev.Pas > len(d.Steps) ||
		(ev.Pas == len(d.Steps) && st.Phase != Cloture) {
		return st, nil // a duplicate or stale answer: nothing to do
	}
	pivot := d.PivotIndex()
	switch st.Phase {
	case EnCours:
		step := d.Steps[st.Pas]
		switch ev.Kind {
		case Reussi:
			if n := len(step.Etats); n > 0 {
				st.Statut = step.Etats[n-1]
			}
			if st.Pas == len(d.Steps)-1 {
				return conclure(d, st, st.Statut, "", "", http.StatusCreated, step.Etats)
			}
			st.Pas++
			return st, []Command{{Ordre: Appeler, Pas: st.Pas, Etats: step.Etats}}
		case Refuse:
			if st.Pas > pivot {
				// After the pivot nothing may be undone; a refusal here is an
				// inconsistency between services that the worker keeps retrying.
				return suspend(st, "refus après le point de non-retour à l'étape "+step.Name+": "+ev.Motif)
			}
			return compensate(d, st, st.Pas-1, false, ev.Motif, ev.Code, ev.HTTP)
		case Echoue:
			if st.Pas >= pivot {
				return suspend(st, Indisponible(step.Name))
			}
			// A timeout may hide a success: undo this step too, telling it so.
			return compensate(d, st, st.Pas, true, Indisponible(step.Name), CodeParticipant, http.StatusServiceUnavailable)
		}
	case Sondage:
		switch ev.Kind {
		case Reussi:
			// The pivot happened, so every step before it did: the saga enters
			// their states, then asks the pivot again under its key for its
			// stored answer, and goes on.
			var etats []Statut
			for i := st.Pas; i < pivot; i++ {
				etats = append(etats, d.Steps[i].Etats...)
			}
			if n := len(etats); n > 0 {
				st.Statut = etats[n-1]
			}
			st.Phase, st.Pas = EnCours, pivot
			return st, []Command{{Ordre: Appeler, Pas: pivot, Etats: etats}}
		case Absent:
			return compensate(d, st, pivot-1, true, Interrompue(d.Steps[pivot].Name), CodeParticipant, http.StatusServiceUnavailable)
		case Refuse, Echoue:
			return suspend(st, Indisponible(d.Steps[pivot].Name))
		}
	case Compensation:
		switch ev.Kind {
		case Reussi:
			return compensate(d, st, st.Pas-1, false, st.Motif, st.Code, st.HTTP)
		case Refuse, Echoue:
			return suspend(st, st.Motif) // "en compensation" until the participant is back
		}
	case Cloture:
		switch ev.Kind {
		case Reussi:
			return finish(st, st.Statut, st.Motif, st.Code, st.HTTP, nil)
		case Refuse, Echoue:
			return suspend(st, st.Motif) // the outcome stands; recording it is retried
		}
	}
	return st, nil
}

// Reprendre is where the recovery worker picks a saga up from its stored
// state. The engine writes a saga when it starts and when it stops, not
// around every call, so a stored EnCours is only the lowest step the saga may
// be at: before the pivot, a probe asks whether the pivot happened (forward if
// so, compensate if not); at or after it, forward. A compensation or a
// closing call goes on.
func Reprendre(d Definition, st State) (State, []Command) {
	pivot := d.PivotIndex()
	switch st.Phase {
	case Compensation:
		return st, []Command{{Ordre: Compenser, Pas: st.Pas, Incertain: st.Incertain}}
	case Sondage:
		return st, []Command{{Ordre: Sonder, Pas: pivot}}
	case Cloture:
		return st, []Command{{Ordre: Appeler, Pas: len(d.Steps)}}
	case EnCours:
		if st.Pas >= len(d.Steps) {
			return st, nil
		}
		switch {
		case st.Pas <= pivot && pivot < len(d.Steps) && d.Steps[pivot].Probe != nil:
			st.Phase = Sondage
			return st, []Command{{Ordre: Sonder, Pas: pivot}}
		case st.Pas < pivot:
			// No pivot: every step may have happened, and every step can be undone.
			return compensate(d, st, len(d.Steps)-1, true, Interrompue(d.Steps[st.Pas].Name), CodeParticipant, http.StatusServiceUnavailable)
		default:
			return st, []Command{{Ordre: Appeler, Pas: st.Pas}}
		}
	}
	return st, nil
}

// Indisponible is the reason given when a participant stays down.
func Indisponible(step string) string {
	return fmt.Sprintf("participant indisponible à l'étape %s", step)
}

// Interrompue is the reason given when recovery cancels a saga whose run stopped.
func Interrompue(step string) string {
	return fmt.Sprintf("saga interrompue à l'étape %s, annulée par la reprise", step)
}

// compensate undoes, last-in first-out, the steps from index from down to the
// first; a step with no Undo is skipped. incertain applies to step from only.
func compensate(d Definition, st State, from int, incertain bool, motif, code string, status int) (State, []Command) {
	st.Motif, st.Code, st.HTTP = motif, code, status
	for i := from; i >= 0; i-- {
		if d.Steps[i].Undo != nil {
			st.Phase, st.Pas, st.Incertain = Compensation, i, incertain && i == from
			return st, []Command{{Ordre: Compenser, Pas: i, Incertain: st.Incertain}}
		}
	}
	return conclure(d, st, Annulee, motif, code, status, []Statut{Annulee})
}

// conclure ends the saga in statut: through its closing call when it has one.
func conclure(d Definition, st State, statut Statut, motif, code string, status int, etats []Statut) (State, []Command) {
	if d.Cloture == nil {
		return finish(st, statut, motif, code, status, etats)
	}
	st.Phase, st.Pas, st.Statut, st.Motif, st.Code, st.HTTP, st.Incertain = Cloture, len(d.Steps), statut, motif, code, status, false
	return st, []Command{{Ordre: Appeler, Pas: st.Pas, Statut: statut, Motif: motif, HTTP: status, Etats: etats}}
}

func finish(st State, statut Statut, motif, code string, status int, etats []Statut) (State, []Command) {
	st.Phase, st.Statut, st.Motif, st.Code, st.HTTP, st.Incertain = Terminee, statut, motif, code, status, false
	return st, []Command{{Ordre: Terminer, Pas: st.Pas, Statut: statut, Motif: motif, HTTP: status, Etats: etats}}
}

func suspend(st State, motif string) (State, []Command) {
	if st.Phase != Compensation && st.Phase != Cloture {
		st.Motif = motif
	}
	return st, []Command{{Ordre: Suspendre, Pas: st.Pas, Statut: st.Statut, Motif: motif, HTTP: http.StatusAccepted}}
}

// EnAttente names the step whose call the saga waits on in st (Phase says
// which call: its action, the probe of the pivot, its compensation, or the
// closing call); "" once the saga is over.
func EnAttente(d Definition, st State) string {
	switch {
	case st.Phase == Terminee:
		return ""
	case st.Phase == Sondage && d.PivotIndex() < len(d.Steps):
		return d.Steps[d.PivotIndex()].Name
	case st.Pas < len(d.Steps) || (st.Pas == len(d.Steps) && d.Cloture != nil):
		return d.Step(st.Pas).Name
	}
	return ""
}
