package saga_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/orchestrator/internal/saga"
	"multimagasins/orchestrator/internal/sagas"
)

// Only the definitions are used: no call is made, so no token is needed.
var defs = sagas.New(sagas.URLs{}, time.Second, nil).Definitions()

// outcome turns what a participant did into the machine's event for the call
// pending at (phase, pas). 5xx and timeouts reach the machine the same way:
// after the engine's retries, as an unknown outcome.
func outcome(name string, phase saga.Phase, pas int) saga.Event {
	ev := saga.Event{Phase: phase, Pas: pas}
	switch name {
	case "ok":
		ev.Kind = saga.Reussi
	case "refus":
		ev.Kind, ev.Motif, ev.Code, ev.HTTP = saga.Refuse, "non", saga.CodeStock, 409
	case "5xx", "timeout":
		ev.Kind = saga.Echoue
	case "absent":
		ev.Kind = saga.Absent
	case "doublon": // an answer for an earlier call, delivered again
		ev.Kind, ev.Pas = saga.Reussi, pas-1
	}
	return ev
}

func show(d saga.Definition, cmds []saga.Command) string {
	if len(cmds) == 0 {
		return "rien"
	}
	c := cmds[0]
	switch c.Ordre {
	case saga.Appeler:
		if c.Pas == len(d.Steps) {
			return fmt.Sprintf("cloturer %s %d", c.Statut, c.HTTP)
		}
		return "appeler " + d.Steps[c.Pas].Name
	case saga.Sonder:
		return "sonder " + d.Steps[c.Pas].Name
	case saga.Compenser:
		if c.Incertain {
			return "compenser " + d.Steps[c.Pas].Name + " incertain"
		}
		return "compenser " + d.Steps[c.Pas].Name
	case saga.Terminer:
		return fmt.Sprintf("terminer %s %d", c.Statut, c.HTTP)
	case saga.Suspendre:
		return fmt.Sprintf("suspendre %d", c.HTTP)
	}
	return "?"
}

type row struct {
	phase saga.Phase
	etape string
	want  map[string]string // outcome → command
}

// A compensation in progress keeps the reason it started with: 402 here.
const compensating = 402

var sale = []row{
	{saga.EnCours, "reserver_stock", map[string]string{"ok": "appeler payer", "refus": "cloturer ANNULEE 409",
		"5xx": "compenser reserver_stock incertain", "timeout": "compenser reserver_stock incertain", "doublon": "rien"}},
	{saga.EnCours, "payer", map[string]string{"ok": "appeler confirmer", "refus": "compenser reserver_stock",
		"5xx": "suspendre 202", "timeout": "suspendre 202", "doublon": "rien"}},
	{saga.EnCours, "confirmer", map[string]string{"ok": "appeler vider_panier", "refus": "suspendre 202",
		"5xx": "suspendre 202", "timeout": "suspendre 202", "doublon": "rien"}},
	{saga.EnCours, "vider_panier", map[string]string{"ok": "cloturer STOCK_RESERVE 201", "refus": "suspendre 202",
		"5xx": "suspendre 202", "timeout": "suspendre 202", "doublon": "rien"}},
	{saga.Compensation, "reserver_stock", map[string]string{"ok": "cloturer ANNULEE 402", "refus": "suspendre 202",
		"5xx": "suspendre 202", "timeout": "suspendre 202"}},
	{saga.Sondage, "payer", map[string]string{"ok": "appeler payer", "absent": "compenser reserver_stock incertain",
		"refus": "suspendre 202", "5xx": "suspendre 202", "timeout": "suspendre 202", "doublon": "rien"}},
	{saga.Cloture, "enregistrer_commande", map[string]string{"ok": "terminer ANNULEE 402", "refus": "suspendre 202",
		"5xx": "suspendre 202", "timeout": "suspendre 202", "doublon": "rien"}},
}

var retour = []row{
	{saga.EnCours, "enregistrer_retour", map[string]string{"ok": "appeler restocker", "refus": "terminer ANNULEE 409",
		"5xx": "suspendre 202", "timeout": "suspendre 202"}},
	{saga.EnCours, "restocker", map[string]string{"ok": "appeler rembourser", "refus": "suspendre 202",
		"5xx": "suspendre 202", "timeout": "suspendre 202", "doublon": "rien"}},
	{saga.EnCours, "rembourser", map[string]string{"ok": "terminer CONFIRMEE 201", "refus": "suspendre 202",
		"5xx": "suspendre 202", "timeout": "suspendre 202", "doublon": "rien"}},
}

func index(d saga.Definition, name string) int {
	if d.Cloture != nil && d.Cloture.Name == name {
		return len(d.Steps)
	}
	for i, s := range d.Steps {
		if s.Name == name {
			return i
		}
	}
	panic(name)
}

func TestDecide_EveryStepTimesEveryOutcome(t *testing.T) {
	tables := map[string][]row{saga.TypeCommande: sale, saga.TypeVente: sale, saga.TypeRetour: retour}
	for typ, rows := range tables {
		d := defs[typ]
		for _, r := range rows {
			for out, want := range r.want {
				t.Run(fmt.Sprintf("%s/%s/%s/%s", typ, r.phase, r.etape, out), func(t *testing.T) {
					pas := index(d, r.etape)
					st := saga.State{Phase: r.phase, Pas: pas, Statut: saga.StockReserve}
					if r.phase == saga.Compensation || r.phase == saga.Cloture {
						st.Motif, st.Code, st.HTTP = "paiement refusé", saga.CodePaiement, compensating
					}
					if r.phase == saga.Cloture {
						st.Statut = saga.Annulee
					}
					next, cmds := saga.Decide(d, st, outcome(out, r.phase, pas))
					require.Equal(t, want, show(d, cmds))
					if want == "rien" {
						require.Equal(t, st, next, "a duplicate changes nothing")
					}
					if len(cmds) > 0 && cmds[0].Ordre == saga.Terminer {
						require.Equal(t, saga.Terminee, next.Phase)
					}
				})
			}
		}
	}
}

func TestDecide_CheckoutAndSaleShareTheirSteps(t *testing.T) {
	for _, d := range []saga.Definition{defs[saga.TypeCommande], defs[saga.TypeVente]} {
		var names []string
		for _, s := range d.Steps {
			names = append(names, s.Name)
		}
		require.Equal(t, []string{"reserver_stock", "payer", "confirmer", "vider_panier"}, names)
		require.Equal(t, "enregistrer_commande", d.Cloture.Name)
		require.Equal(t, 1, d.PivotIndex())
		require.NoError(t, d.Check())
	}
	require.Equal(t, 0, defs[saga.TypeRetour].PivotIndex())
	require.NoError(t, defs[saga.TypeRetour].Check())
}

func TestCheck_RefusesAPivotRecoveryCannotAsk(t *testing.T) {
	d := defs[saga.TypeCommande]
	steps := append([]saga.Step(nil), d.Steps...)
	steps[1].Probe = nil
	require.Error(t, saga.Definition{Name: "x", Steps: steps}.Check())
	steps = append([]saga.Step(nil), d.Steps...)
	steps[2].Undo = steps[0].Undo
	require.Error(t, saga.Definition{Name: "x", Steps: steps}.Check(), "nothing after the pivot may be undone")
}

// run feeds outcomes, one per command, and returns what the saga did and
// every state it entered.
func run(d saga.Definition, st saga.State, cmds []saga.Command, outcomes ...string) (saga.State, []string, []saga.Statut) {
	var did []string
	var etats []saga.Statut
	for _, out := range outcomes {
		if len(cmds) == 0 {
			break
		}
		pas := st.Pas
		if st.Phase == saga.Sondage {
			pas = d.PivotIndex()
		}
		st, cmds = saga.Decide(d, st, outcome(out, st.Phase, pas))
		did = append(did, show(d, cmds))
		for _, c := range cmds {
			etats = append(etats, c.Etats...)
		}
	}
	return st, did, etats
}

func TestDecide_HappyPathGoesThroughEveryStateThenRecordsIt(t *testing.T) {
	d := defs[saga.TypeCommande]
	st, cmds := saga.Start(d)
	require.Equal(t, "appeler reserver_stock", show(d, cmds))
	st, did, etats := run(d, st, cmds, "ok", "ok", "ok", "ok", "ok")
	require.Equal(t, []string{"appeler payer", "appeler confirmer", "appeler vider_panier", "cloturer CONFIRMEE 201",
		"terminer CONFIRMEE 201"}, did)
	require.Equal(t, []saga.Statut{saga.StockVerifie, saga.StockReserve, saga.Payee, saga.Confirmee}, etats,
		"one stock call passes STOCK_VERIFIE then STOCK_RESERVE")
	require.Equal(t, saga.Terminee, st.Phase)
}

func TestDecide_StockShortageRecordsTheCancellation(t *testing.T) {
	d := defs[saga.TypeCommande]
	st, cmds := saga.Start(d)
	st, did, etats := run(d, st, cmds, "refus", "ok")
	require.Equal(t, []string{"cloturer ANNULEE 409", "terminer ANNULEE 409"}, did)
	require.Equal(t, []saga.Statut{saga.Annulee}, etats, "nothing was verified: CREEE then ANNULEE")
	require.Equal(t, "non", st.Motif)
}

func TestDecide_PaymentRefusalCompensatesLastInFirstOut(t *testing.T) {
	d := defs[saga.TypeCommande]
	st, cmds := saga.Start(d)
	require.Equal(t, "appeler reserver_stock", show(d, cmds))
	st, cmds = saga.Decide(d, st, outcome("ok", st.Phase, st.Pas))
	require.Equal(t, "appeler payer", show(d, cmds))
	st, cmds = saga.Decide(d, st, saga.Event{Kind: saga.Refuse, Phase: st.Phase, Pas: st.Pas,
		Motif: "paiement refusé: plafond", Code: saga.CodePaiement, HTTP: 402})
	require.Equal(t, "compenser reserver_stock", show(d, cmds))
	st, cmds = saga.Decide(d, st, outcome("ok", st.Phase, st.Pas))
	require.Equal(t, "cloturer ANNULEE 402", show(d, cmds))
	require.Equal(t, []saga.Statut{saga.Annulee}, cmds[0].Etats)
	st, cmds = saga.Decide(d, st, outcome("ok", st.Phase, st.Pas))
	require.Equal(t, "terminer ANNULEE 402", show(d, cmds))
	require.Equal(t, "paiement refusé: plafond", st.Motif)
	require.Equal(t, saga.CodePaiement, st.Code)
}

func TestDecide_FailedCompensationWaitsForRecoveryThenFinishes(t *testing.T) {
	d := defs[saga.TypeCommande]
	st := saga.State{Phase: saga.EnCours, Pas: 0, Statut: saga.Creee}
	st, did, _ := run(d, st, []saga.Command{{Ordre: saga.Appeler, Pas: 0}}, "timeout", "5xx")
	require.Equal(t, []string{"compenser reserver_stock incertain", "suspendre 202"}, did)
	require.Equal(t, saga.Compensation, st.Phase, "left en compensation")

	st, cmds := saga.Reprendre(d, st)
	require.Equal(t, "compenser reserver_stock incertain", show(d, cmds))
	_, did, _ = run(d, st, cmds, "ok", "5xx")
	require.Equal(t, []string{"cloturer ANNULEE 503", "suspendre 202"}, did, "recording the outcome is retried")
}

func TestReprendre_ProbesThePivotFromAnyEarlierStep(t *testing.T) {
	cases := []struct {
		typ   string
		phase saga.Phase
		pas   int
		want  string
	}{
		{saga.TypeCommande, saga.EnCours, 0, "sonder payer"}, // written at the start only: did the charge happen?
		{saga.TypeCommande, saga.EnCours, 1, "sonder payer"},
		{saga.TypeCommande, saga.EnCours, 2, "appeler confirmer"},
		{saga.TypeCommande, saga.Compensation, 0, "compenser reserver_stock"},
		{saga.TypeCommande, saga.Sondage, 0, "sonder payer"},
		{saga.TypeCommande, saga.Cloture, 4, "cloturer  0"},
		{saga.TypeVente, saga.EnCours, 0, "sonder payer"},
		{saga.TypeRetour, saga.EnCours, 0, "appeler enregistrer_retour"},
		{saga.TypeRetour, saga.EnCours, 2, "appeler rembourser"},
		{saga.TypeCommande, saga.Terminee, 4, "rien"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%d", c.typ, c.phase, c.pas), func(t *testing.T) {
			d := defs[c.typ]
			_, cmds := saga.Reprendre(d, saga.State{Phase: c.phase, Pas: c.pas, Statut: saga.Creee})
			require.Equal(t, c.want, show(d, cmds))
		})
	}
}

func TestReprendre_AFoundPivotEntersTheStatesBeforeIt(t *testing.T) {
	d := defs[saga.TypeCommande]
	st, cmds := saga.Reprendre(d, saga.State{Phase: saga.EnCours, Pas: 0, Statut: saga.Creee})
	require.Equal(t, "sonder payer", show(d, cmds))
	st, did, etats := run(d, st, cmds, "ok", "ok", "ok", "ok", "ok")
	require.Equal(t, []string{"appeler payer", "appeler confirmer", "appeler vider_panier", "cloturer CONFIRMEE 201",
		"terminer CONFIRMEE 201"}, did)
	require.Equal(t, []saga.Statut{saga.StockVerifie, saga.StockReserve, saga.Payee, saga.Confirmee}, etats,
		"the history is the same as a run without a crash")
	require.Equal(t, saga.Terminee, st.Phase)

	st, cmds = saga.Reprendre(d, saga.State{Phase: saga.EnCours, Pas: 0, Statut: saga.Creee})
	_, did, etats = run(d, st, cmds, "absent", "ok", "ok")
	require.Equal(t, []string{"compenser reserver_stock incertain", "cloturer ANNULEE 503", "terminer ANNULEE 503"}, did)
	require.Equal(t, []saga.Statut{saga.Annulee}, etats)
}

func TestValiderLignes_NamesTheFaultyLine(t *testing.T) {
	err := saga.ValiderLignes("body.produits", []saga.LigneDemandee{{1, 1}, {2, 0}, {1, 3}}, false)
	var inv *saga.InvalidError
	require.ErrorAs(t, err, &inv)
	var locs []string
	for _, c := range inv.Champs {
		locs = append(locs, c.Location)
	}
	require.Equal(t, []string{"body.produits[1].quantite", "body.produits[2].produit_id"}, locs)
	require.Error(t, saga.ValiderLignes("body.produits", nil, false))
	require.NoError(t, saga.ValiderLignes("body.lignes", nil, true))
}

// The answer is honest: a saga that started and is not over answers 202
// (recovery may still end it CONFIRMEE and paid); 503 is only for a saga a
// participant failure undid entirely, ANNULEE.
func TestDecide_NotOverIs202_OnlyEverythingUndoneIs503(t *testing.T) {
	d := defs[saga.TypeCommande]
	cases := []struct {
		name     string
		outcomes []string
		last     string
	}{
		{"reservation down: released, all undone", []string{"5xx", "ok", "ok"}, "terminer ANNULEE 503"},
		{"reservation down, its release too: waits", []string{"5xx", "5xx"}, "suspendre 202"},
		{"payment down: the charge may have happened", []string{"ok", "timeout"}, "suspendre 202"},
		{"paid, stock down at confirmation", []string{"ok", "ok", "5xx"}, "suspendre 202"},
		{"paid and confirmed, commande down at the record", []string{"ok", "ok", "ok", "ok", "5xx"}, "suspendre 202"},
		{"refused at the payment: released, the refusal's own status", []string{"ok", "refus", "ok", "ok"}, "terminer ANNULEE 409"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, cmds := saga.Start(d)
			st, did, _ := run(d, st, cmds, c.outcomes...)
			require.Equal(t, c.last, did[len(did)-1])
			require.Equal(t, c.last[:9] == "terminer ", st.Phase == saga.Terminee)
		})
	}
}
