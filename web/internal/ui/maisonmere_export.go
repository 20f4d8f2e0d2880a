package ui

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
)

// tableCSV is one report as a spreadsheet: a header row in French, then
// the rows. Names, never ids; amounts in dollars with two decimals and a
// dot, days as YYYY-MM-DD: a file for other programs to read, whatever the
// language of the computer opening it.
type tableCSV struct {
	Entete []string
	Lignes [][]string
}

// lienExport is the export link of a report for the period shown.
func lienExport(r rapport, p periodeVue) string {
	return "/maison-mere/export/" + string(r) + ".csv?" + p.Query()
}

// ExporterMaisonMere sends one of the dashboard's tables as a CSV file, for
// the period of the page it was linked from.
func (s *Server) ExporterMaisonMere(w http.ResponseWriter, r *http.Request) {
	rp := rapport(chi.URLParam(r, "rapport"))
	if !slices.Contains(tousLesRapports, rp) {
		http.NotFound(w, r)
		return
	}
	p, err := lirePeriode(r.URL.Query(), time.Now())
	if err != nil {
		// A file with another period than the one asked for would mislead.
		http.Error(w, message(err), http.StatusBadRequest)
		return
	}
	t, erreurs := s.charger(r.Context(), p, rp)
	if len(erreurs) > 0 {
		// No half-empty file: the table would look like a period without sales.
		http.Error(w, strings.Join(erreurs, "\n"), http.StatusBadGateway)
		return
	}
	var buf bytes.Buffer
	if err := ecrireCSV(&buf, t.csv(rp)); err != nil {
		s.log.ErrorContext(r.Context(), "export", "rapport", rp, "err", err)
		http.Error(w, "Export impossible.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+nomFichier(rp, p, time.Now())+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// nomFichier names an export after its report and its period; the stock
// reports are the state of the day they were taken.
func nomFichier(rp rapport, p periodeVue, maintenant time.Time) string {
	if !rp.parPeriode() {
		return string(rp) + "_" + jourDe(maintenant).Format(jourISO) + ".csv"
	}
	return string(rp) + "_" + p.Depuis.Format(jourISO) + "_" + p.JusquA.Format(jourISO) + ".csv"
}

// bom is the UTF-8 byte order mark. A CSV file says nothing of its
// encoding, and Excel reads one without this mark in the computer's legacy
// code page, which turns "Café" into "CafÃ©"; with it, Excel reads UTF-8.
// Other programs (LibreOffice, Python's utf-8-sig, R) skip it.
const bom = "\ufeff"

func ecrireCSV(w io.Writer, t tableCSV) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	c := csv.NewWriter(w)
	// CRLF is RFC 4180's line end, and what Excel writes.
	c.UseCRLF = true
	if err := c.Write(t.Entete); err != nil {
		return err
	}
	if err := c.WriteAll(t.Lignes); err != nil {
		return err
	}
	return c.Error()
}

// montant writes an amount for a program: "1234.50".
func montant(c kit.Cents) string { return c.String() }

// texte writes a name a person typed. A cell starting with = + - @ (or a
// tab or carriage return) is a formula to a spreadsheet, which a product
// named "=HYPERLINK(...)" could use against whoever opens the export: such a
// cell is prefixed with an apostrophe, which spreadsheets show as text.
func texte(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func entierCSV(n int64) string { return strconv.FormatInt(n, 10) }

// csv is the table of one report.
func (t tableau) csv(rp rapport) tableCSV {
	var out tableCSV
	switch rp {
	case rVentes:
		out.Entete = []string{"Magasin", "Chiffre d'affaires ($)", "Nombre de ventes", "Panier moyen ($)"}
		for _, l := range t.Ventes {
			out.Lignes = append(out.Lignes, []string{texte(l.Magasin), montant(l.ChiffreAffaires), entierCSV(l.NombreVentes), montant(l.PanierMoyen)})
		}
		v := t.VentesTotal
		out.Lignes = append(out.Lignes, []string{"Total", montant(v.ChiffreAffaires), entierCSV(v.NombreVentes), montant(v.PanierMoyen)})
	case rJours:
		out.Entete = []string{"Jour", "Chiffre d'affaires ($)", "Nombre de ventes",
			"Jour de la période précédente", "Chiffre d'affaires de la période précédente ($)", "Nombre de ventes de la période précédente"}
		for _, l := range t.Jours {
			ligne := []string{l.Jour.Format(jourISO), montant(l.ChiffreAffaires), entierCSV(l.NombreVentes), "", "", ""}
			if l.Prec {
				ligne[3], ligne[4], ligne[5] = l.JourPrec.Format(jourISO), montant(l.ChiffreAffairesPrec), entierCSV(l.NombreVentesPrec)
			}
			out.Lignes = append(out.Lignes, ligne)
		}
	case rMeilleurs:
		out.Entete = []string{"Rang", "Produit", "Quantité vendue", "Chiffre d'affaires ($)"}
		for _, l := range t.Meilleurs {
			out.Lignes = append(out.Lignes, []string{strconv.Itoa(l.Rang), texte(l.Produit), entierCSV(l.Quantite), montant(l.Montant)})
		}
	case rPerformance:
		out.Entete = []string{"Magasin", "Chiffre d'affaires ($)", "Nombre de ventes", "Panier moyen ($)", "Écart à la moyenne (%)"}
		for _, l := range t.Performance {
			ecart := ""
			if l.Ecart != nil {
				ecart = strconv.FormatFloat(*l.Ecart, 'f', 1, 64)
			}
			out.Lignes = append(out.Lignes, []string{texte(l.Magasin), montant(l.ChiffreAffaires), entierCSV(l.NombreVentes), montant(l.PanierMoyen), ecart})
		}
		m := t.Moyenne
		out.Lignes = append(out.Lignes, []string{"Moyenne de la chaîne", montant(m.ChiffreAffaires),
			strconv.FormatFloat(m.NombreVentes, 'f', 2, 64), montant(m.PanierMoyen), ""})
	case rRuptures, rSurplus:
		out.Entete = []string{"Emplacement", "Produit", "Catégorie", "Quantité", "Réservé", "Disponible"}
		lignes := t.Ruptures
		if rp == rSurplus {
			lignes = t.Surplus
		}
		for _, l := range lignes {
			out.Lignes = append(out.Lignes, []string{texte(l.EmplacementNom), texte(l.Nom), texte(l.Categorie),
				entierCSV(l.Quantite), entierCSV(l.Reserve), entierCSV(l.Disponible)})
		}
	case rAttente:
		out.Entete = []string{"Demande", "Magasin", "Produit", "Quantité", "Origine", "Créée le (heure de Montréal)"}
		for _, l := range t.Attente {
			out.Lignes = append(out.Lignes, []string{entierCSV(l.ID), texte(l.Magasin), texte(l.Produit), entierCSV(l.Quantite),
				l.Origine, l.CreeLe.In(montreal).Format("2006-01-02 15:04")})
		}
	}
	return out
}
