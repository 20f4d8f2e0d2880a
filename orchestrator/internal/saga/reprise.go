package saga

import "time"

// Reprise is how the recovery worker retries a saga it could not finish. A
// saga left waiting (a participant down, or one refusing a step that can no
// longer be undone) is taken again at the worker's next pass; after Seuil
// attempts in a row stuck at the same call it is à vérifier: head office
// sees it (GET /sagas?a_verifier=true, a metric, an alert), and the worker
// goes on trying it, less and less often, up to once every Plafond. A later
// attempt that succeeds finishes it as usual.
type Reprise struct {
	Seuil      int           // attempts stuck at one call before the saga is à vérifier (N)
	Intervalle time.Duration // the worker's pass; the first wait once à vérifier is twice this
	Plafond    time.Duration // the longest wait between two attempts
}

// Suivi is what recovery keeps about a saga it could not finish.
type Suivi struct {
	Tentatives int  // recovery attempts in a row that left it waiting at the same call
	AVerifier  bool // Tentatives reached the Seuil: a person must look
}

// Relancer decides, after a recovery attempt that left the saga waiting,
// what recovery knows of it and how long to wait before the next attempt.
// progres says the attempt moved the saga (another call is now the one it
// waits on): the count starts again from this attempt, and a saga à vérifier
// stops being one until it is stuck Seuil times at its new call. A wait of 0
// is the worker's next pass.
func (p Reprise) Relancer(s Suivi, progres bool) (Suivi, time.Duration) {
	if progres {
		s = Suivi{}
	}
	s.Tentatives++
	if p.Seuil > 0 && s.Tentatives >= p.Seuil {
		s.AVerifier = true
	}
	if !s.AVerifier {
		return s, 0
	}
	// Exponential from twice the worker's pass, capped.
	k := s.Tentatives - p.Seuil + 1
	wait := p.Intervalle
	for range min(k, 62) {
		if wait >= p.Plafond {
			break
		}
		wait *= 2
	}
	return s, min(wait, p.Plafond)
}
