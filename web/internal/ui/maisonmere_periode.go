package ui

import (
	"net/url"
	"strconv"
	"time"

	"multimagasins/kit/api/commandeapi"
)

// periodeVue is the period the dashboard shows: whole Montréal days from
// Depuis to JusquA included, and the period of the same length just before
// it, which the charts draw beside it.
type periodeVue struct {
	Depuis, JusquA         time.Time // midnight in Montréal, both days included
	PrecDepuis, PrecJusquA time.Time
	Jours                  int
	Choix                  []choixPeriode // the presets, one marked Actif
}

// choixPeriode is one preset of the period picker: a link carrying its dates,
// so it works without script and can be bookmarked.
type choixPeriode struct {
	ID, Nom        string
	Depuis, JusquA time.Time
	Actif          bool
}

// periodeMax is the longest period the page asks for: the per-day report
// answers at most 366 days.
const periodeMax = 366

// jourISO is how dates travel in the form and the links (input type=date).
const jourISO = "2006-01-02"

// presets are the period picker's shortcuts, each ending today. Trimestre is
// the calendar quarter so far (from 1 October on 6 December): what a head
// office means by "this quarter".
func presets(aujourdhui time.Time) []choixPeriode {
	debutTrimestre := time.Date(aujourdhui.Year(), (aujourdhui.Month()-1)/3*3+1, 1, 0, 0, 0, 0, montreal)
	return []choixPeriode{
		{ID: "aujourdhui", Nom: "Aujourd'hui", Depuis: aujourdhui, JusquA: aujourdhui},
		{ID: "7j", Nom: "7 jours", Depuis: aujourdhui.AddDate(0, 0, -6), JusquA: aujourdhui},
		{ID: "30j", Nom: "30 jours", Depuis: aujourdhui.AddDate(0, 0, -29), JusquA: aujourdhui},
		{ID: "trimestre", Nom: "Trimestre", Depuis: debutTrimestre, JusquA: aujourdhui},
	}
}

// jourDe is the Montréal day of t, at midnight there.
func jourDe(t time.Time) time.Time {
	y, m, d := t.In(montreal).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, montreal)
}

// lirePeriode reads the form's days (YYYY-MM-DD). No dates is the last 30
// days; one date alone is completed (until today, or the 30 days up to it).
// A date that does not read, an end before the start, or more than a year
// gives the 30 days and a message saying why.
func lirePeriode(q url.Values, maintenant time.Time) (periodeVue, error) {
	aujourdhui := jourDe(maintenant)
	choix := presets(aujourdhui)
	defaut := choix[2]
	depuis, jusqua := defaut.Depuis, defaut.JusquA
	var err error
	d, okD, errD := lireJour(q.Get("depuis"))
	j, okJ, errJ := lireJour(q.Get("jusqu_a"))
	switch {
	case errD != nil || errJ != nil:
		err = formError("Les dates doivent être des jours comme 2026-11-30 ; voici les 30 derniers jours.")
	case okD && okJ:
		depuis, jusqua = d, j
	case okD:
		depuis, jusqua = d, aujourdhui
		if d.After(aujourdhui) {
			jusqua = d
		}
	case okJ:
		depuis, jusqua = j.AddDate(0, 0, -29), j
	}
	n := jours(depuis, jusqua)
	switch {
	case err != nil:
	case n < 1:
		err = formError("La date de fin précède celle du début ; voici les 30 derniers jours.")
	case n > periodeMax:
		err = formError("La période dépasse " + strconv.Itoa(periodeMax) + " jours ; voici les 30 derniers jours.")
	}
	if err != nil {
		depuis, jusqua = defaut.Depuis, defaut.JusquA
		n = jours(depuis, jusqua)
	}
	p := periodeVue{Depuis: depuis, JusquA: jusqua, Jours: n,
		PrecDepuis: depuis.AddDate(0, 0, -n), PrecJusquA: depuis.AddDate(0, 0, -1)}
	for _, c := range choix {
		c.Actif = c.Depuis.Equal(depuis) && c.JusquA.Equal(jusqua)
		p.Choix = append(p.Choix, c)
	}
	return p, err
}

// lireJour reads one day; "" is no day, not an error.
func lireJour(s string) (time.Time, bool, error) {
	if s == "" {
		return time.Time{}, false, nil
	}
	t, err := time.ParseInLocation(jourISO, s, montreal)
	return t, err == nil, err
}

// jours counts the days from a to b, both included. Days are counted on the
// calendar, not as 24 h: a day of a DST change lasts 23 or 25 hours.
func jours(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua).Hours()/24) + 1
}

// Courante and Precedente are the periods the reports take: [first day's
// midnight, the midnight after the last day), in Montréal.
func (p periodeVue) Courante() commandeapi.Periode {
	return commandeapi.Periode{Depuis: p.Depuis, JusquA: p.JusquA.AddDate(0, 0, 1)}
}

func (p periodeVue) Precedente() commandeapi.Periode {
	return commandeapi.Periode{Depuis: p.PrecDepuis, JusquA: p.Depuis}
}

// Query is the period as the form and the links carry it.
func (p periodeVue) Query() string {
	return requetePeriode(p.Depuis, p.JusquA)
}

// Lien is the dashboard for the preset's days.
func (c choixPeriode) Lien() string { return "/maison-mere?" + requetePeriode(c.Depuis, c.JusquA) }

func requetePeriode(depuis, jusqua time.Time) string {
	return url.Values{"depuis": {depuis.Format(jourISO)}, "jusqu_a": {jusqua.Format(jourISO)}}.Encode()
}

// moisCourts are fr-CA's abbreviated month names.
var moisCourts = [...]string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// jourCourt writes a day as fr-CA abbreviates it on a chart: "12 nov.".
func jourCourt(t time.Time) string {
	return strconv.Itoa(t.Day()) + "\u00a0" + moisCourts[t.Month()-1]
}

// jourLong adds the year: "12 nov. 2026".
func jourLong(t time.Time) string {
	return jourCourt(t) + "\u00a0" + strconv.Itoa(t.Year())
}

// Texte says the period in words, for the page and the charts' descriptions.
func (p periodeVue) Texte() string {
	if p.Jours == 1 {
		return "le " + jourLong(p.Depuis)
	}
	return "du " + jourLong(p.Depuis) + " au " + jourLong(p.JusquA) + " (" + nombre(p.Jours) + " jours)"
}

// TextePrecedente says the previous period in words.
func (p periodeVue) TextePrecedente() string {
	if p.Jours == 1 {
		return "le " + jourLong(p.PrecDepuis)
	}
	return "du " + jourLong(p.PrecDepuis) + " au " + jourLong(p.PrecJusquA)
}
