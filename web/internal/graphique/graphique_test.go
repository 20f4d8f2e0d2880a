package graphique

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEchelle_MapsLinearlyAndSurvivesAnEmptyDomain(t *testing.T) {
	for _, c := range []struct {
		e    Echelle
		v    float64
		want float64
	}{
		{Echelle{0, 100, 0, 200}, 50, 100},
		{Echelle{0, 100, 200, 0}, 25, 150}, // y grows downwards: the range is reversed
		{Echelle{-10, 10, 0, 100}, 0, 50},
		{Echelle{0, 100, 10, 110}, 150, 160}, // outside the domain: extrapolated, not clamped
		{Echelle{5, 5, 42, 99}, 5, 42},       // one value: no division by zero
	} {
		require.InDelta(t, c.want, c.e.Vers(c.v), 1e-9, "%+v.Vers(%v)", c.e, c.v)
	}
}

func TestGraduations_AreRoundAndCoverTheInterval(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 10, 5, []float64{0, 5, 10}},
		{0, 100, 5, []float64{0, 50, 100}}, // a step of 25 is not round enough: 50
		{0, 1234567, 5, []float64{0, 500000, 1000000, 1500000}},
		{0, 0.9, 5, []float64{0, 0.5, 1}},
		{0, 0.3, 4, []float64{0, 0.1, 0.2, 0.3}}, // no 0.30000000000000004
		{-35, 80, 5, []float64{-50, 0, 50, 100}},
		{0, 0, 5, []float64{0, 0.5, 1}}, // all zeros: still an axis
		{7, 3, 5, []float64{7, 7.5, 8}}, // reversed: [lo, lo+1]
		{0, 7, 1, []float64{0, 10}},     // n below 2 is taken as 2
		{0, 1, 11, []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}},
	} {
		require.Equal(t, c.want, Graduations(c.lo, c.hi, c.n), "Graduations(%v, %v, %d)", c.lo, c.hi, c.n)
	}
}

func TestGraduations_StepIsOneTwoOrFiveTimesAPowerOfTen(t *testing.T) {
	for _, hi := range []float64{1, 3, 9.99, 17, 250, 999, 1001, 48213, 7.5e6} {
		g := Graduations(0, hi, 6)
		require.LessOrEqual(t, g[0], 0.0)
		require.GreaterOrEqual(t, g[len(g)-1], hi)
		require.LessOrEqual(t, len(g), 7, "at most about n ticks for %v: %v", hi, g)
		pas := g[1] - g[0]
		m := pas
		for m >= 10 {
			m /= 10
		}
		for m < 1 {
			m *= 10
		}
		require.Contains(t, []float64{1, 2, 5}, float64(int(m+0.5)), "step %v of %v", pas, g)
	}
}

func TestChemin_AndAire(t *testing.T) {
	for _, c := range []struct {
		pts        []Point
		base       float64
		line, area string
	}{
		{nil, 10, "", ""},
		{[]Point{{1, 2}}, 10, "M1 2", "M1 2L1 10L1 10Z"},
		{[]Point{{0, 0}, {10.25, 3.04}, {20, -0.01}}, 50, "M0 0L10.3 3L20 0", "M0 0L10.3 3L20 0L20 50L0 50Z"},
	} {
		require.Equal(t, c.line, Chemin(c.pts))
		require.Equal(t, c.area, Aire(c.pts, c.base))
	}
}

func TestReperes_LabelAtMostKPointsWithoutCrowdingTheLast(t *testing.T) {
	for _, c := range []struct {
		n, k int
		want []int
	}{
		{0, 6, nil},
		{1, 6, []int{0}},
		{7, 7, []int{0, 1, 2, 3, 4, 5, 6}},
		{7, 10, []int{0, 1, 2, 3, 4, 5, 6}},
		{30, 6, []int{0, 5, 10, 15, 20, 29}}, // 29 is 4 from 25: it takes 25's place
		{31, 6, []int{0, 6, 12, 18, 24, 30}},
		{28, 6, []int{0, 5, 10, 15, 20, 27}}, // 27 is 2 from 25: the same
		{36, 6, []int{0, 6, 12, 18, 24, 35}},
		{92, 6, []int{0, 16, 32, 48, 64, 91}},
		{2, 1, []int{0, 1}},
		{5, 0, []int{0, 4}}, // k below 1 is taken as 1: the first, and the last far from it
	} {
		require.Equal(t, c.want, Reperes(c.n, c.k), "Reperes(%d, %d)", c.n, c.k)
	}
}

func TestNouvellesCourbes_SharesXAndScalesYFromZero(t *testing.T) {
	c := Cadre{Largeur: 200, Hauteur: 120, Gauche: 40, Droite: 10, Haut: 10, Bas: 10}
	// Plot: x 40..190, y 110 (value 0) .. 10 (top tick).
	got := NouvellesCourbes(c, [][]float64{{0, 50, 100}, {20, 40, 80}}, 1, 3)
	require.Equal(t, []Graduation{{0, 110}, {50, 60}, {100, 10}}, got.AxeY)
	require.Equal(t, []Graduation{{0, 40}, {1, 115}, {2, 190}}, got.AxeX)
	require.Equal(t, 110.0, got.BaseY)
	require.Len(t, got.Traces, 2)
	require.Equal(t, "M40 110L115 60L190 10", got.Traces[0].Ligne)
	require.Equal(t, "M40 110L115 60L190 10L190 110L40 110Z", got.Traces[0].Aire)
	require.Equal(t, "M40 90L115 70L190 30", got.Traces[1].Ligne, "the second series uses the same x and y scales")
}

func TestNouvellesCourbes_EdgeCases(t *testing.T) {
	c := Cadre{Largeur: 100, Hauteur: 100, Gauche: 0, Droite: 0, Haut: 0, Bas: 0}

	// All zeros: the floor gives the axis a top; the line lies on the base.
	z := NouvellesCourbes(c, [][]float64{{0, 0, 0}}, 100, 3)
	require.Equal(t, []Graduation{{0, 100}, {50, 50}, {100, 0}}, z.AxeY)
	require.Equal(t, "M0 100L50 100L100 100", z.Traces[0].Ligne)

	// One point: centred, not divided by zero.
	one := NouvellesCourbes(c, [][]float64{{10}}, 1, 3)
	require.Equal(t, "M50 0", one.Traces[0].Ligne)

	// A negative value (returns over sales) takes the axis below zero; the
	// area closes on the zero line, not on the axis' bottom.
	neg := NouvellesCourbes(c, [][]float64{{-10, 10}}, 1, 3)
	require.Equal(t, -10.0, neg.AxeY[0].Valeur)
	require.Equal(t, 10.0, neg.AxeY[len(neg.AxeY)-1].Valeur)
	require.Equal(t, 50.0, neg.BaseY)
	require.Equal(t, "M0 100L100 0", neg.Traces[0].Ligne)

	// No series at all.
	none := NouvellesCourbes(c, nil, 1, 3)
	require.Empty(t, none.Traces)
	require.Empty(t, none.AxeX)
}

func TestNouvellesBarres_LongestIsTheLargest(t *testing.T) {
	got := NouvellesBarres(300, []float64{200, 50, 0, -5, 100})
	require.Equal(t, 300.0, got.Largeur)
	require.Equal(t, 5*RangeeBarre-8.0, got.Hauteur)
	var w []float64
	for i, b := range got.Barres {
		w = append(w, b.Largeur)
		require.Equal(t, float64(i*RangeeBarre)+17, b.Y, "bar %d sits under its text line", i)
		require.Less(t, b.YTexte, b.Y)
		require.Equal(t, 0.0, b.X)
	}
	require.Equal(t, []float64{300, 75, 0, 0, 150}, w)

	require.Equal(t, Barres{Largeur: 300}, NouvellesBarres(300, nil))
	allZero := NouvellesBarres(300, []float64{0, 0})
	require.Equal(t, 0.0, allZero.Barres[0].Largeur)
}
