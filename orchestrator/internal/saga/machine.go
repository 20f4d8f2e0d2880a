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
	Sondage      Phase = "sondage"      // asking whether the action of step Pas happened (recovery, at the pivot)
	Compensation Phase = "compensation" // the compensation of step Pas
	Terminee     Phase = "terminee"
)

// State is everything the machine needs to decide; it is stored on the saga row.
type State struct {
	Phase     Phase
	Pas       int  // the step whose call is pending
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
	Appeler   Ordre = iota + 1 // call the action of step Pas
	Sonder                     // ask whether the action of step Pas happened
	Compenser                  // call the compensation of step Pas
	Terminer                   // the saga is over: record Statut, Motif, HTTP
	Suspendre                  // stop here and answer 503; the recovery worker resumes later
)

// Command is one order, with what it needs.
type Command struct {
	Ordre     Ordre
	Pas       int
	Incertain bool
	Statut    Statut
	Motif     string
	HTTP      int
}

// Start is the state of a new saga and its first command.
func Start(d Definition) (State, []Command) {
	return State{Phase: EnCours, Statut: Creee}, []Command{{Ordre: Appeler, Pas: 0}}
}

// Decide is the whole saga logic: (state, event) → (state, commands). Before
// the pivot a failure compensates last-in first-out; at or after it the saga
// only goes forward, and what cannot go forward now waits for recovery.
func Decide(d Definition, st State, ev Event) (State, []Command) {
	if st.Phase == Terminee || ev.Phase != st.Phase || ev.Pas != st.Pas || st.Pas >= len(d.Steps) {
		return st, nil // a duplicate or stale answer: nothing to do
	}
	pivot := d.PivotIndex()
	step := d.Steps[st.Pas]
	switch st.Phase {
	case EnCours:
		switch ev.Kind {
		case Reussi:
			if step.Etat != "" {
				st.Statut = step.Etat
			}
			if st.Pas == len(d.Steps)-1 {
				return finish(st, st.Statut, "", "", http.StatusCreated)
			}
			st.Pas++
			return st, []Command{{Ordre: Appeler, Pas: st.Pas}}
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
		case Reussi: // it happened: call it again with the same key to get its stored answer
			st.Phase = EnCours
			return st, []Command{{Ordre: Appeler, Pas: st.Pas}}
		case Absent:
			return compensate(d, st, st.Pas-1, false, Interrompue(step.Name), CodeParticipant, http.StatusServiceUnavailable)
		case Refuse, Echoue:
			return suspend(st, Indisponible(step.Name))
		}
	case Compensation:
		switch ev.Kind {
		case Reussi:
			return compensate(d, st, st.Pas-1, false, st.Motif, st.Code, st.HTTP)
		case Refuse, Echoue:
			return suspend(st, st.Motif) // "en compensation" until the participant is back
		}
	}
	return st, nil
}

// Reprendre is where the recovery worker picks a saga up from its stored
// state: compensation goes on; before the pivot the saga is compensated (its
// client is long gone); at the pivot a probe asks whether it happened; after
// it, forward.
func Reprendre(d Definition, st State) (State, []Command) {
	switch st.Phase {
	case Compensation:
		return st, []Command{{Ordre: Compenser, Pas: st.Pas, Incertain: st.Incertain}}
	case Sondage:
		return st, []Command{{Ordre: Sonder, Pas: st.Pas}}
	case EnCours:
		if st.Pas >= len(d.Steps) {
			return st, nil
		}
		pivot := d.PivotIndex()
		name := d.Steps[st.Pas].Name
		switch {
		case st.Pas < pivot:
			return compensate(d, st, st.Pas, true, Interrompue(name), CodeParticipant, http.StatusServiceUnavailable)
		case st.Pas == pivot && d.Steps[st.Pas].Probe != nil:
			st.Phase = Sondage
			return st, []Command{{Ordre: Sonder, Pas: st.Pas}}
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
	return finish(st, Annulee, motif, code, status)
}

func finish(st State, statut Statut, motif, code string, status int) (State, []Command) {
	st.Phase, st.Statut, st.Motif, st.Code, st.HTTP, st.Incertain = Terminee, statut, motif, code, status, false
	return st, []Command{{Ordre: Terminer, Pas: st.Pas, Statut: statut, Motif: motif, HTTP: status}}
}

func suspend(st State, motif string) (State, []Command) {
	if st.Phase != Compensation {
		st.Motif = motif
	}
	return st, []Command{{Ordre: Suspendre, Pas: st.Pas, Statut: st.Statut, Motif: motif, HTTP: http.StatusServiceUnavailable}}
}
