package ui

import (
	"unicode/utf8"

	"multimagasins/kit"
	"multimagasins/web/internal/graphique"
)

// The charts are SVG written by the server (templates/graphique.html): no
// script, no external asset, and the same picture with JavaScript off. The
// geometry is graphique's; here are only the words and the fr-CA numbers.
// Coordinates travel to the template as strings already rounded.

// etiquette is a text, or a point, at a position of a chart.
type etiquette struct {
	X, Y  string
	Texte string
	Ancre string // text-anchor: where X is along the text
}

// vueCourbes is the per-day chart: the period's line over its area, the
// previous period's dashed line beside it, on the same axes.
type vueCourbes struct {
	ID, Titre, Description string
	Largeur, Hauteur       string
	Gauche, Droite, BaseY  string
	AxeY, AxeX             []etiquette
	Courante, Precedente   string // the lines' paths
	Aire                   string
	Points                 []etiquette // the period's points, each with its day and amount
	LegendeCourante        string
	LegendePrecedente      string
}

// cadreCourbes leaves room on the left for "150 k$" and below for "12 nov.".
var cadreCourbes = graphique.Cadre{Largeur: 480, Hauteur: 240, Gauche: 56, Droite: 18, Haut: 12, Bas: 26}

const (
	etiquettesJours = 6   // day labels on the x axis, at most
	plancherCents   = 100 // an axis reaches at least 1 $
)

func courbesJours(t tableau) vueCourbes {
	cour, prec := make([]float64, len(t.Jours)), []float64{}
	for i, j := range t.Jours {
		cour[i] = float64(j.ChiffreAffaires)
		if j.Prec {
			prec = append(prec, float64(j.ChiffreAffairesPrec))
		}
	}
	c := graphique.NouvellesCourbes(cadreCourbes, [][]float64{cour, prec}, plancherCents, etiquettesJours)
	co := graphique.Coord
	v := vueCourbes{
		ID: "graphique-jours", Titre: "Chiffre d'affaires par jour",
		Description: "Période " + t.Periode.Texte() + " : " + argent(t.TotalCourant) + ". Période précédente, " +
			t.Periode.TextePrecedente() + " : " + argent(t.TotalPrec) + ". Chaque jour est dans le tableau qui suit.",
		Largeur: co(c.Largeur), Hauteur: co(c.Hauteur), Gauche: co(c.Gauche), Droite: co(c.Largeur - c.Droite), BaseY: co(c.BaseY),
		Courante: c.Traces[0].Ligne, Aire: c.Traces[0].Aire, Precedente: c.Traces[1].Ligne,
		LegendeCourante:   "Période " + t.Periode.Texte(),
		LegendePrecedente: "Période précédente, " + t.Periode.TextePrecedente(),
	}
	for _, g := range c.AxeY {
		v.AxeY = append(v.AxeY, etiquette{X: co(c.Gauche - 6), Y: co(g.Pos), Texte: argentCourt(kit.Cents(g.Valeur))})
	}
	for _, g := range c.AxeX {
		// A day's label is centred on its point, but the first and the last
		// stay inside the chart: they start, or end, at theirs.
		ancre := "middle"
		switch i := int(g.Valeur); {
		case len(t.Jours) == 1:
		case i == 0:
			ancre = "start"
		case i == len(t.Jours)-1:
			ancre = "end"
		}
		v.AxeX = append(v.AxeX, etiquette{X: co(g.Pos), Y: co(c.Hauteur - 8), Texte: jourCourt(t.Jours[int(g.Valeur)].Jour), Ancre: ancre})
	}
	for i, p := range c.Traces[0].Points {
		v.Points = append(v.Points, etiquette{X: co(p.X), Y: co(p.Y), Texte: jourCourt(t.Jours[i].Jour) + " : " + argent(t.Jours[i].ChiffreAffaires)})
	}
	return v
}

// vueBarres is a horizontal bar chart: each row a name and its value, over
// its bar.
type vueBarres struct {
	ID, Titre, Description string
	Largeur, Hauteur       string
	Barres                 []vueBarre
}

type vueBarre struct {
	Nom, Valeur                    string
	X, Y, Largeur, Hauteur, YTexte string
}

const (
	largeurBarres = 480
	// nomMax is how many characters of a name a bar's line shows; the
	// table beside the chart has the whole name.
	nomMax = 34
)

func barres(id, titre, description string, noms, valeurs []string, mesures []float64) vueBarres {
	b := graphique.NouvellesBarres(largeurBarres, mesures)
	co := graphique.Coord
	v := vueBarres{ID: id, Titre: titre, Description: description, Largeur: co(b.Largeur), Hauteur: co(b.Hauteur)}
	for i, r := range b.Barres {
		v.Barres = append(v.Barres, vueBarre{Nom: abreger(noms[i], nomMax), Valeur: valeurs[i],
			X: co(r.X), Y: co(r.Y), Largeur: co(r.Largeur), Hauteur: co(r.Hauteur), YTexte: co(r.YTexte)})
	}
	return v
}

func barresVentes(t tableau) vueBarres {
	var noms, valeurs []string
	var mesures []float64
	for _, l := range t.Ventes {
		noms, valeurs, mesures = append(noms, l.Magasin), append(valeurs, argent(l.ChiffreAffaires)), append(mesures, float64(l.ChiffreAffaires))
	}
	return barres("graphique-ventes", "Chiffre d'affaires par magasin",
		"Chiffre d'affaires de chaque magasin et de la boutique en ligne, "+t.Periode.Texte()+". Les montants sont dans le tableau qui suit.",
		noms, valeurs, mesures)
}

func barresMeilleurs(t tableau) vueBarres {
	var noms, valeurs []string
	var mesures []float64
	for _, l := range t.Meilleurs {
		noms = append(noms, l.Produit)
		valeurs = append(valeurs, nombre(l.Quantite)+" vendus")
		mesures = append(mesures, float64(l.Quantite))
	}
	return barres("graphique-meilleurs", "Meilleurs produits (quantité vendue)",
		"Les produits les plus vendus, "+t.Periode.Texte()+", du premier au dernier. Les quantités et montants sont dans le tableau qui suit.",
		noms, valeurs, mesures)
}

// abreger cuts s to n characters, an ellipsis saying so.
func abreger(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
