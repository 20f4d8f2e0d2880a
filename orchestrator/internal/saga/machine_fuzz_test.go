package saga_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"multimagasins/orchestrator/internal/saga"
)

// How a participant answers one call, chosen by one byte of the input.
const (
	repondOK      = iota // it acts (or replays what it did) and says so
	repondRefus          // a business refusal: it did nothing
	repondPanne          // 5xx or connection refused after the retries: it did nothing
	repondDelai          // timeout: it acted, but the answer was lost
	repondCrash          // the orchestrator dies mid-call; (b/nbReponses)%2 says whether the call acted
	repondDoublon        // an earlier answer is delivered again, then the call is answered by the next byte
	nbReponses
)

// legal is every state change each type of saga may make, from the diagram:
// forward one state at a time, or to ANNULEE before the pivot's state.
var legal = map[string]map[saga.Statut][]saga.Statut{
	saga.TypeCommande: venteLegale,
	saga.TypeVente:    venteLegale,
	saga.TypeRetour: {
		saga.Creee:            {saga.RetourEnregistre, saga.Annulee},
		saga.RetourEnregistre: {saga.Restocke},
		saga.Restocke:         {saga.Confirmee},
	},
}

var venteLegale = map[saga.Statut][]saga.Statut{
	saga.Creee:        {saga.StockVerifie, saga.Annulee},
	saga.StockVerifie: {saga.StockReserve, saga.Annulee},
	saga.StockReserve: {saga.Payee, saga.Annulee},
	saga.Payee:        {saga.Confirmee},
}

// monde is what the participants did, whatever the saga was told.
type monde struct {
	fait    []bool // step i's action happened
	appele  []bool // step i was called and did not refuse: the saga may not know whether it acted
	defait  []int  // compensations of step i the saga was told succeeded
	annule  []bool // step i's action was undone at the participant
	crashes int
}

// FuzzDecide drives every saga definition through Decide and Reprendre, the
// way the engine and the recovery worker do, against participants whose
// every answer the input picks: ok, refused, down, timed out (acted, answer
// lost), a crash of the orchestrator, or a duplicate of an earlier answer.
// Once the input runs out every participant answers ok. It wants:
//
//   - the saga to end within a bound once the participants answer;
//   - its history to follow the diagram's transitions only;
//   - nothing at or after the pivot compensated, and ANNULEE only when the
//     pivot never happened (never money taken for a cancelled order);
//   - on ANNULEE, every step before the pivot that was called and did not
//     refuse compensated, exactly once and nothing else when no crash
//     replayed the saga; a compensation of a step that never happened is
//     always marked incertain;
//   - on CONFIRMEE, every step done and nothing undone;
//   - a duplicate answer to change nothing.
func FuzzDecide(f *testing.F) {
	const (
		ok, refus, panne, delai, crash, doublon = repondOK, repondRefus, repondPanne, repondDelai, repondCrash, repondDoublon
		crashActe                               = crash + nbReponses // the crashed call acted
	)
	for typ := range uint8(3) {
		for _, outcomes := range [][]byte{
			{},
			{refus},
			{ok, refus},
			{panne},
			{delai},
			{ok, panne},
			{ok, delai},
			{ok, delai, ok},
			{ok, delai, panne, panne, ok},
			{panne, panne, ok},
			{ok, ok, refus, refus, ok},
			{ok, ok, ok, ok, panne, refus},
			{crash},
			{crashActe},
			{ok, crash},
			{ok, crashActe},
			{ok, refus, crashActe},
			{ok, ok, crash},
			{ok, doublon, ok, doublon},
			{delai, doublon, delai, doublon, crash, refus},
		} {
			f.Add(typ, outcomes)
		}
	}
	types := []string{saga.TypeCommande, saga.TypeVente, saga.TypeRetour}
	f.Fuzz(func(t *testing.T, which uint8, outcomes []byte) {
		typ := types[int(which)%len(types)]
		d := defs[typ]
		n, pivot := len(d.Steps), d.PivotIndex()
		m := monde{fait: make([]bool, n), appele: make([]bool, n), defait: make([]int, n), annule: make([]bool, n)}

		st, cmds := saga.Start(d)
		historique := []saga.Statut{saga.Creee}
		// What the engine wrote last, which a crash brings back: the start, then every wait.
		stocke, stockeHist := st, slices.Clone(historique)
		var dernier *saga.Event

		// After the input, every call succeeds: the saga must be over within
		// one pass over its steps, their compensations and the closing call
		// (and a resume). Each byte before costs at most two commands.
		borne, total := 2*(n+1)+2, 2*len(outcomes)+2*(n+1)+3
		for tour, apres := 0, 0; ; tour++ {
			if len(outcomes) == 0 {
				apres++
			}
			if apres > borne || tour > total {
				t.Fatalf("%s: not over %d commands after the participants came back (%d in all); state %+v", typ, apres, tour, st)
			}
			if len(cmds) == 0 {
				t.Fatalf("%s: no command in state %+v, which is not over", typ, st)
			}
			cmd := cmds[0]
			historique = append(historique, cmd.Etats...)
			switch cmd.Ordre {
			case saga.Terminer:
				requireOutcome(t, typ, d, m, st, cmd, historique)
				return
			case saga.Suspendre:
				if cmd.HTTP != 202 {
					t.Fatalf("%s: a saga that waits answers %d, want 202", typ, cmd.HTTP)
				}
				stocke, stockeHist = st, slices.Clone(historique)
				st, cmds = saga.Reprendre(d, st)
				continue
			case saga.Compenser:
				if cmd.Pas >= pivot || d.Steps[cmd.Pas].Undo == nil {
					t.Fatalf("%s: compensates %s, at or after the pivot or without an undo", typ, d.Steps[cmd.Pas].Name)
				}
				if !cmd.Incertain && !m.fait[cmd.Pas] {
					t.Fatalf("%s: compensates %s as certain, but it never happened", typ, d.Steps[cmd.Pas].Name)
				}
			}

			b := byte(repondOK)
			if len(outcomes) > 0 {
				b, outcomes = outcomes[0], outcomes[1:]
			}
			if b%nbReponses == repondDoublon {
				if dernier != nil && (dernier.Phase != st.Phase || dernier.Pas != cmd.Pas) {
					again, extra := saga.Decide(d, st, *dernier)
					if again != st || extra != nil {
						t.Fatalf("%s: a duplicate %+v in state %+v gave %+v, %+v", typ, *dernier, st, again, extra)
					}
				}
				b = repondOK
				if len(outcomes) > 0 {
					b, outcomes = outcomes[0], outcomes[1:]
				}
				if b%nbReponses == repondDoublon {
					b = repondOK
				}
			}
			ev, crashed := m.answer(d, st, cmd, b)
			if crashed {
				// The engine wrote nothing since stocke: recovery resumes from there.
				m.crashes++
				st, historique = stocke, slices.Clone(stockeHist)
				st, cmds = saga.Reprendre(d, st)
				continue
			}
			dernier = &ev
			st, cmds = saga.Decide(d, st, ev)
		}
	})
}

// answer is what the participant makes of cmd, per b, as an event for the
// call pending in st; crashed when the orchestrator died before the answer.
func (m *monde) answer(d saga.Definition, st saga.State, cmd saga.Command, b byte) (ev saga.Event, crashed bool) {
	ev = saga.Event{Phase: st.Phase, Pas: cmd.Pas}
	kind := b % nbReponses
	acted := kind == repondOK || kind == repondDelai || (kind == repondCrash && (b/nbReponses)%2 == 1)
	n := len(d.Steps)
	switch cmd.Ordre {
	case saga.Appeler:
		if cmd.Pas < n {
			if kind == repondRefus && m.fait[cmd.Pas] {
				kind = repondOK // a participant replays what it did under the key: never a refusal
			}
			if kind != repondRefus {
				m.appele[cmd.Pas] = true
			}
			if acted {
				m.fait[cmd.Pas] = true
			}
		}
	case saga.Compenser:
		if acted && m.fait[cmd.Pas] {
			m.annule[cmd.Pas] = true
		}
		if kind == repondOK {
			m.defait[cmd.Pas]++
		}
	case saga.Sonder:
		if kind == repondOK && !m.fait[cmd.Pas] {
			ev.Kind = saga.Absent
			return ev, false
		}
	}
	switch kind {
	case repondOK:
		ev.Kind = saga.Reussi
	case repondRefus:
		ev.Kind, ev.Motif, ev.Code, ev.HTTP = saga.Refuse, "non", saga.CodeStock, 409
	case repondPanne, repondDelai:
		ev.Kind = saga.Echoue
	case repondCrash:
		return ev, true
	}
	return ev, false
}

// requireOutcome checks how a saga ended against what the participants did.
func requireOutcome(t *testing.T, typ string, d saga.Definition, m monde, st saga.State, cmd saga.Command, historique []saga.Statut) {
	t.Helper()
	pivot := d.PivotIndex()
	for i := 1; i < len(historique); i++ {
		if !slices.Contains(legal[typ][historique[i-1]], historique[i]) {
			t.Fatalf("%s: illegal transition %s → %s in %v", typ, historique[i-1], historique[i], historique)
		}
	}
	last := historique[len(historique)-1]
	if st.Phase != saga.Terminee || cmd.Statut != st.Statut || last != st.Statut {
		t.Fatalf("%s: ends in phase %s, statut %s, command %s, history %v", typ, st.Phase, st.Statut, cmd.Statut, historique)
	}
	var steps strings.Builder
	for i, s := range d.Steps {
		fmt.Fprintf(&steps, " %s(fait=%v appele=%v defait=%d annule=%v)", s.Name, m.fait[i], m.appele[i], m.defait[i], m.annule[i])
	}
	switch st.Statut {
	case saga.Confirmee:
		if cmd.HTTP != 201 {
			t.Fatalf("%s: CONFIRMEE answers %d", typ, cmd.HTTP)
		}
		for i := range d.Steps {
			if !m.fait[i] || m.defait[i] > 0 || m.annule[i] {
				t.Fatalf("%s: CONFIRMEE but%s", typ, steps.String())
			}
		}
	case saga.Annulee:
		if cmd.HTTP < 400 {
			t.Fatalf("%s: ANNULEE answers %d", typ, cmd.HTTP)
		}
		if pivot < len(d.Steps) && m.fait[pivot] {
			t.Fatalf("%s: ANNULEE after the pivot %s happened:%s", typ, d.Steps[pivot].Name, steps.String())
		}
		for i := 0; i < pivot; i++ {
			switch {
			case m.fait[i] && !m.annule[i],
				m.appele[i] && m.defait[i] == 0,
				// After a crash recovery cannot tell a refused step from an
				// unanswered one: it undoes it as incertain (a tombstone).
				m.crashes == 0 && (m.defait[i] > 1 || !m.appele[i] && m.defait[i] > 0):
				t.Fatalf("%s: ANNULEE (%d crashes) but%s", typ, m.crashes, steps.String())
			}
		}
	default:
		t.Fatalf("%s: ends %s, neither CONFIRMEE nor ANNULEE", typ, st.Statut)
	}
}
