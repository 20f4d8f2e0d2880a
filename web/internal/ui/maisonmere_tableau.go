package ui

import (
	"context"
	"slices"
	"strconv"
	"time"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/stockapi"
)

// rapport names one table of the dashboard; it is also its export's file name.
type rapport string

// The dashboard's tables, in the page's order.
const (
	rVentes      rapport = "ventes-par-magasin"
	rJours       rapport = "chiffre-affaires-par-jour"
	rMeilleurs   rapport = "meilleurs-produits"
	rPerformance rapport = "performance-magasins"
	rRuptures    rapport = "ruptures"
	rSurplus     rapport = "surplus"
	rAttente     rapport = "demandes-en-attente"
)

var tousLesRapports = []rapport{rVentes, rJours, rMeilleurs, rPerformance, rRuptures, rSurplus, rAttente}

// parPeriode says whether a report depends on the period; the stock reports
// are the state of now.
func (r rapport) parPeriode() bool {
	return r == rVentes || r == rJours || r == rMeilleurs || r == rPerformance
}

// The dashboard's rows, names resolved: the page and the exports show the same.
type (
	ligneVentes struct {
		Magasin string
		commandeapi.Agregat
	}
	ligneJour struct {
		Jour, JourPrec                       time.Time
		ChiffreAffaires, ChiffreAffairesPrec kit.Cents
		NombreVentes, NombreVentesPrec       int64
		Prec                                 bool // the previous period has this day
	}
	ligneMeilleur struct {
		Rang     int
		Produit  string
		Quantite int64
		Montant  kit.Cents
	}
	lignePerformance struct {
		Magasin string
		commandeapi.Agregat
		Ecart *float64
	}
	ligneAttente struct {
		ID       int64
		Magasin  string
		Produit  string
		Quantite int64
		Origine  string
		CreeLe   time.Time
	}
)

// tableau is what the dashboard shows for one period.
type tableau struct {
	Periode                 periodeVue
	Ventes                  []ligneVentes
	VentesTotal             commandeapi.Agregat
	Jours                   []ligneJour
	Meilleurs               []ligneMeilleur
	Performance             []lignePerformance
	Moyenne                 commandeapi.MoyenneChaine
	Ruptures, Surplus       []stockapi.LigneRapport
	Attente                 []ligneAttente
	AttenteTotal            int64
	AttenteParMagasin       []stockapi.EnAttenteMagasin
	TotalCourant, TotalPrec kit.Cents // the per-day chart's two series, summed
}

// Limits of the lists: the page is a dashboard, not the full catalogue.
const (
	nbMeilleurs = 10
	nbLignes    = 100
	// idsParAppel is what stock's GET /produits?ids= takes at most.
	idsParAppel = 100
)

// charger asks the services for the reports wanted, all at once (and the
// previous period's days with the current ones), then names the products
// and stores in them. A failed call leaves its table empty and adds its
// message: the rest of the page still shows.
func (s *Server) charger(ctx context.Context, p periodeVue, voulus ...rapport) (tableau, []string) {
	veut := func(r rapport) bool { return slices.Contains(voulus, r) }
	var (
		ventes          commandeapi.VentesParMagasin
		jours, joursAvt commandeapi.ChiffreAffairesParJour
		meilleurs       commandeapi.TopProduits
		perf            commandeapi.PerformanceMagasins
		ruptures        kit.Page[stockapi.LigneRapport]
		surplus         kit.Page[stockapi.LigneRapport]
		attente         stockapi.DemandesEnAttente
		magasins        kit.Page[stockapi.Emplacement]
	)
	cur, prec := p.Courante(), p.Precedente()
	cent := kit.PageQuery{Limit: nbLignes}
	var appels []func() error
	ajouter := func(r rapport, f ...func() error) {
		if veut(r) {
			appels = append(appels, f...)
		}
	}
	ajouter(rVentes, func() (err error) { ventes, err = s.commande.RapportVentesParMagasin(ctx, cur); return })
	ajouter(rJours,
		func() (err error) {
			jours, err = s.commande.RapportChiffreAffairesParJour(ctx, commandeapi.ParJourParams{Periode: cur})
			return
		},
		func() (err error) {
			joursAvt, err = s.commande.RapportChiffreAffairesParJour(ctx, commandeapi.ParJourParams{Periode: prec})
			return
		})
	ajouter(rMeilleurs, func() (err error) {
		meilleurs, err = s.commande.RapportTopProduits(ctx, commandeapi.TopProduitsParams{Periode: cur, Limit: nbMeilleurs})
		return
	})
	ajouter(rPerformance, func() (err error) { perf, err = s.commande.RapportPerformanceMagasins(ctx, cur); return })
	ajouter(rRuptures, func() (err error) {
		ruptures, err = s.stock.RapportRuptures(ctx, stockapi.RapportParams{PageQuery: cent})
		return
	})
	ajouter(rSurplus, func() (err error) {
		surplus, err = s.stock.RapportSurplus(ctx, stockapi.RapportParams{PageQuery: cent})
		return
	})
	ajouter(rAttente, func() (err error) { attente, err = s.stock.RapportDemandesEnAttente(ctx, cent); return })
	if veut(rVentes) || veut(rPerformance) || veut(rAttente) {
		appels = append(appels, func() (err error) { magasins, err = s.stock.ListMagasins(ctx, kit.PageQuery{}); return })
	}
	erreurs := ensemble(appels...)

	// The products the reports name only by id, named with as few calls as
	// the ids need (one for the dashboard), again all at once.
	var ids []int64
	for _, m := range meilleurs.Produits {
		ids = append(ids, m.ProduitID)
	}
	for _, d := range attente.Demandes.Items {
		ids = append(ids, d.ProduitID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var lots [][]int64
	for lot := range slices.Chunk(ids, idsParAppel) {
		lots = append(lots, lot)
	}
	pages := make([]kit.Page[stockapi.Produit], len(lots))
	appels = appels[:0]
	for i, lot := range lots {
		appels = append(appels, func() (err error) {
			pages[i], err = s.stock.ListProduits(ctx, stockapi.ListProduitsParams{IDs: lot, PageQuery: kit.PageQuery{Limit: len(lot)}})
			return
		})
	}
	erreurs = append(erreurs, ensemble(appels...)...)

	nomsMagasins := make(map[int64]string, len(magasins.Items))
	for _, m := range magasins.Items {
		nomsMagasins[m.ID] = m.Nom
	}
	nomsProduits := map[int64]string{}
	for _, pg := range pages {
		for _, pr := range pg.Items {
			nomsProduits[pr.ID] = pr.Nom
		}
	}
	return assembler(p, nomsMagasins, nomsProduits, ventes, jours, joursAvt, meilleurs, perf, ruptures, surplus, attente), erreurs
}

// assembler turns the services' answers into the dashboard's rows.
func assembler(p periodeVue, magasins, produits map[int64]string, ventes commandeapi.VentesParMagasin,
	jours, joursAvt commandeapi.ChiffreAffairesParJour, meilleurs commandeapi.TopProduits, perf commandeapi.PerformanceMagasins,
	ruptures, surplus kit.Page[stockapi.LigneRapport], attente stockapi.DemandesEnAttente) tableau {
	t := tableau{Periode: p, VentesTotal: ventes.Total, Moyenne: perf.MoyenneChaine,
		Ruptures: ruptures.Items, Surplus: surplus.Items, AttenteTotal: attente.EnAttente, AttenteParMagasin: attente.Magasins}
	for _, v := range ventes.Magasins {
		t.Ventes = append(t.Ventes, ligneVentes{Magasin: nomMagasin(magasins, v.MagasinID), Agregat: v.Agregat})
	}
	// The two periods have the same number of days: day i of one faces day i
	// of the other.
	for i, j := range jours.Jours {
		l := ligneJour{Jour: jourLu(j.Jour), ChiffreAffaires: j.ChiffreAffaires, NombreVentes: j.NombreVentes}
		if i < len(joursAvt.Jours) {
			a := joursAvt.Jours[i]
			l.Prec, l.JourPrec, l.ChiffreAffairesPrec, l.NombreVentesPrec = true, jourLu(a.Jour), a.ChiffreAffaires, a.NombreVentes
		}
		t.Jours = append(t.Jours, l)
		t.TotalCourant += j.ChiffreAffaires
	}
	for _, a := range joursAvt.Jours {
		t.TotalPrec += a.ChiffreAffaires
	}
	for i, m := range meilleurs.Produits {
		t.Meilleurs = append(t.Meilleurs, ligneMeilleur{Rang: i + 1, Produit: nomProduit(produits, m.ProduitID),
			Quantite: m.Quantite, Montant: m.ChiffreAffaires})
	}
	for _, m := range perf.Magasins {
		t.Performance = append(t.Performance, lignePerformance{Magasin: nomMagasin(magasins, m.MagasinID), Agregat: m.Agregat,
			Ecart: m.EcartChiffreAffairesPct})
	}
	for _, d := range attente.Demandes.Items {
		t.Attente = append(t.Attente, ligneAttente{ID: d.ID, Magasin: nomMagasin(magasins, d.MagasinID),
			Produit: nomProduit(produits, d.ProduitID), Quantite: d.Quantite, Origine: origine(d.Origine), CreeLe: d.CreeLe})
	}
	return t
}

// jourLu reads a report's day (YYYY-MM-DD, Montréal); a day that does not
// read stays the zero time, shown as such rather than failing the page.
func jourLu(s string) time.Time {
	t, _ := time.ParseInLocation(jourISO, s, montreal)
	return t
}

// nomProduit names a product; one stock could not name (stock down, or a
// product deleted since) keeps its number, said as such.
func nomProduit(noms map[int64]string, id int64) string {
	if nom, ok := noms[id]; ok {
		return nom
	}
	return "Produit " + strconv.FormatInt(id, 10)
}

func origine(o string) string {
	switch o {
	case "magasin":
		return "Magasin"
	case "automatique":
		return "Automatique"
	}
	return o
}

// Texte and TextePrec write the row's days as the chart does: "12 nov.".
func (l ligneJour) Texte() string     { return jourCourt(l.Jour) }
func (l ligneJour) TextePrec() string { return jourCourt(l.JourPrec) }
