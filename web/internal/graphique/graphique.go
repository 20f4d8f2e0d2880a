// Package graphique computes the geometry of the charts the pages draw as
// inline SVG on the server: scales, round tick values, point lists and path
// strings. It knows nothing of HTTP, money or French: values are float64,
// positions are in the SVG's user units (its viewBox), and labels are the
// caller's business. Everything here is a pure function, so it is tested with
// tables of numbers rather than by looking at pictures.
package graphique

import (
	"math"
	"strconv"
	"strings"
)

// Point is a position in the SVG's user units; y grows downwards.
type Point struct{ X, Y float64 }

// Echelle maps the domain [D0, D1] linearly onto the range [R0, R1].
type Echelle struct{ D0, D1, R0, R1 float64 }

// Vers returns where v lands. An empty domain puts everything at R0 rather
// than dividing by zero.
func (e Echelle) Vers(v float64) float64 {
	if e.D1 == e.D0 {
		return e.R0
	}
	return e.R0 + (v-e.D0)*(e.R1-e.R0)/(e.D1-e.D0)
}

// Graduations returns round tick values (steps of 1, 2 or 5 times a power of
// ten) from at or below lo to at or above hi, at most about n of them. An
// empty or reversed interval gets [lo, lo+1] so an all-zero series still has
// an axis.
func Graduations(lo, hi float64, n int) []float64 {
	n = max(n, 2)
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return []float64{0, 1}
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	pas := pasRond((hi - lo) / float64(n-1))
	debut, fin := math.Floor(lo/pas), math.Ceil(hi/pas)
	var out []float64
	for i := debut; i <= fin; i++ {
		// i*pas, not a running sum: a running sum drifts (0.1+0.2).
		out = append(out, arrondir(i*pas, pas))
	}
	return out
}

// pasRond is the smallest of 1, 2, 5 × 10^k that is at least x (x > 0).
func pasRond(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= x*(1-1e-9) {
			return f * p
		}
	}
	return 10 * p
}

// arrondir removes the float noise of v, a multiple of pas.
func arrondir(v, pas float64) float64 {
	decimales := max(0, -int(math.Floor(math.Log10(pas))))
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', decimales, 64), 64)
	if r == 0 {
		return 0 // no "-0"
	}
	return r
}

// Coord writes a coordinate with at most one decimal: enough for a viewBox a few
// hundred units wide, and short paths.
func Coord(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Chemin is the SVG path data of a polyline through pts ("" for none).
func Chemin(pts []Point) string {
	var b strings.Builder
	for i, p := range pts {
		if i == 0 {
			b.WriteByte('M')
		} else {
			b.WriteByte('L')
		}
		b.WriteString(Coord(p.X) + " " + Coord(p.Y))
	}
	return b.String()
}

// Aire is the path of the area between the polyline through pts and the
// horizontal line y = base, closed ("" for no point).
func Aire(pts []Point, base float64) string {
	if len(pts) == 0 {
		return ""
	}
	return Chemin(pts) + "L" + Coord(pts[len(pts)-1].X) + " " + Coord(base) + "L" + Coord(pts[0].X) + " " + Coord(base) + "Z"
}

// Cadre is a chart's viewBox (Largeur × Hauteur) and the margins kept around
// its plot for the axes' labels.
type Cadre struct {
	Largeur, Hauteur          float64
	Gauche, Droite, Haut, Bas float64
}

// Graduation is one tick: its value and where it lands on its axis.
type Graduation struct {
	Valeur float64
	Pos    float64
}

// Trace is one series of a line chart, ready to draw.
type Trace struct {
	Points []Point
	Ligne  string // path of the line
	Aire   string // path of the area under it, down to the x axis
}

// Courbes is a line chart: series sharing the same x positions (index i of
// every series is drawn at the same x), a y axis from 0 (or the lowest value
// when negative) to a round value above the highest.
type Courbes struct {
	Cadre
	Traces []Trace
	AxeY   []Graduation // Pos is a y
	AxeX   []Graduation // Valeur is the index of the point, Pos its x
	BaseY  float64      // the y of the value 0 (or of the axis' bottom)
}

// NouvellesCourbes lays out series (each a list of values, index = x) in c.
// plancher is the least top the y axis may have, so that a series of tiny or
// zero values does not fill the chart; etiquettesX is about how many x ticks
// to label.
func NouvellesCourbes(c Cadre, series [][]float64, plancher float64, etiquettesX int) Courbes {
	lo, hi, n := 0.0, plancher, 0
	for _, s := range series {
		n = max(n, len(s))
		for _, v := range s {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	ticks := Graduations(lo, hi, 5)
	y := Echelle{D0: ticks[0], D1: ticks[len(ticks)-1], R0: c.Hauteur - c.Bas, R1: c.Haut}
	x := Echelle{D0: 0, D1: float64(n - 1), R0: c.Gauche, R1: c.Largeur - c.Droite}
	if n == 1 {
		x = Echelle{D0: 0, D1: 0, R0: (c.Gauche + c.Largeur - c.Droite) / 2}
	}
	out := Courbes{Cadre: c, BaseY: y.Vers(max(ticks[0], 0))}
	for _, t := range ticks {
		out.AxeY = append(out.AxeY, Graduation{Valeur: t, Pos: y.Vers(t)})
	}
	for _, i := range Reperes(n, etiquettesX) {
		out.AxeX = append(out.AxeX, Graduation{Valeur: float64(i), Pos: x.Vers(float64(i))})
	}
	for _, s := range series {
		var tr Trace
		for i, v := range s {
			tr.Points = append(tr.Points, Point{X: x.Vers(float64(i)), Y: y.Vers(v)})
		}
		tr.Ligne, tr.Aire = Chemin(tr.Points), Aire(tr.Points, out.BaseY)
		out.Traces = append(out.Traces, tr)
	}
	return out
}

// Reperes picks which of n points get a label on the x axis: the first, then
// one every ceil(n/k), so at most k labels that never overlap. The last
// point (today, most often) is always labelled, in the place of the label
// before it (less than a step away), so that two labels never run into each
// other at the end of the axis; the first label stays.
func Reperes(n, k int) []int {
	if n <= 0 {
		return nil
	}
	k = max(k, 1)
	pas := (n + k - 1) / k
	var out []int
	for i := 0; i < n; i += pas {
		out = append(out, i)
	}
	switch last := len(out) - 1; {
	case out[last] == n-1:
	case last == 0:
		out = append(out, n-1)
	default:
		out[last] = n - 1
	}
	return out
}

// Barre is one horizontal bar: its rectangle, and the y of the line of text
// (the bar's name and value) written above it.
type Barre struct {
	X, Y, Largeur, Hauteur float64
	YTexte                 float64
}

// Barres is a horizontal bar chart, one row per value, each row a line of
// text over its bar: names of any length fit, even on a phone.
type Barres struct {
	Largeur, Hauteur float64
	Barres           []Barre
}

// Geometry of a row of a bar chart, in user units.
const (
	ligneTexte  = 16 // the text's line, above the bar
	epaisseur   = 12 // the bar
	espaceBarre = 10 // between a bar and the next row's text
	RangeeBarre = ligneTexte + epaisseur + espaceBarre
)

// NouvellesBarres lays out one bar per value in a chart largeur units wide:
// the longest bar is the largest value; zero and negative values get no bar.
func NouvellesBarres(largeur float64, valeurs []float64) Barres {
	plus := 0.0
	for _, v := range valeurs {
		plus = max(plus, v)
	}
	x := Echelle{D0: 0, D1: plus, R0: 0, R1: largeur}
	out := Barres{Largeur: largeur}
	if len(valeurs) > 0 {
		out.Hauteur = float64(len(valeurs))*RangeeBarre - espaceBarre + 2
	}
	for i, v := range valeurs {
		haut := float64(i) * RangeeBarre
		w := 0.0
		if v > 0 {
			w = math.Round(x.Vers(v)*10) / 10
		}
		out.Barres = append(out.Barres, Barre{X: 0, Y: haut + ligneTexte + 1, Largeur: w, Hauteur: epaisseur, YTexte: haut + ligneTexte - 4})
	}
	return out
}
