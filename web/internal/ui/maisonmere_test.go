package ui

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/stockapi"
)

func jour(s string) time.Time {
	t, err := time.ParseInLocation(jourISO, s, montreal)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLirePeriode_PresetsCustomAndRefusals(t *testing.T) {
	// 6 December 2026, 01:30 UTC is still 5 December in Montréal.
	maintenant := time.Date(2026, 12, 6, 1, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		name                   string
		q                      url.Values
		depuis, jusqua         string
		precDepuis, precJusqua string
		n                      int
		actif                  string // the preset marked, "" for none
		err                    string
	}{
		{"no dates: the last 30 days", nil, "2026-11-06", "2026-12-05", "2026-10-07", "2026-11-05", 30, "30j", ""},
		{"custom", url.Values{"depuis": {"2026-11-01"}, "jusqu_a": {"2026-11-30"}}, "2026-11-01", "2026-11-30", "2026-10-02", "2026-10-31", 30, "", ""},
		{"one day", url.Values{"depuis": {"2026-12-05"}, "jusqu_a": {"2026-12-05"}}, "2026-12-05", "2026-12-05", "2026-12-04", "2026-12-04", 1, "aujourdhui", ""},
		{"7 jours", url.Values{"depuis": {"2026-11-29"}, "jusqu_a": {"2026-12-05"}}, "2026-11-29", "2026-12-05", "2026-11-22", "2026-11-28", 7, "7j", ""},
		{"trimestre: the calendar quarter so far", url.Values{"depuis": {"2026-10-01"}, "jusqu_a": {"2026-12-05"}}, "2026-10-01", "2026-12-05", "2026-07-27", "2026-09-30", 66, "trimestre", ""},
		{"start only: until today", url.Values{"depuis": {"2026-12-01"}}, "2026-12-01", "2026-12-05", "2026-11-26", "2026-11-30", 5, "", ""},
		{"end only: the 30 days up to it", url.Values{"jusqu_a": {"2026-06-30"}}, "2026-06-01", "2026-06-30", "2026-05-02", "2026-05-31", 30, "", ""},
		// 1 November 2026 has 25 hours in Montréal: days are counted on the calendar.
		{"across the change of hour", url.Values{"depuis": {"2026-10-31"}, "jusqu_a": {"2026-11-02"}}, "2026-10-31", "2026-11-02", "2026-10-28", "2026-10-30", 3, "", ""},
		{"a full leap year is allowed", url.Values{"depuis": {"2028-01-01"}, "jusqu_a": {"2028-12-31"}}, "2028-01-01", "2028-12-31", "2026-12-31", "2027-12-31", 366, "", ""},
		{"end before start", url.Values{"depuis": {"2026-12-05"}, "jusqu_a": {"2026-12-01"}}, "2026-11-06", "2026-12-05", "2026-10-07", "2026-11-05", 30, "30j", "précède"},
		{"more than a year", url.Values{"depuis": {"2025-01-01"}, "jusqu_a": {"2026-12-05"}}, "2026-11-06", "2026-12-05", "2026-10-07", "2026-11-05", 30, "30j", "366 jours"},
		{"not a date", url.Values{"depuis": {"hier"}, "jusqu_a": {"2026-12-05"}}, "2026-11-06", "2026-12-05", "2026-10-07", "2026-11-05", 30, "30j", "2026-11-30"},
	} {
		p, err := lirePeriode(c.q, maintenant)
		if c.err == "" {
			require.NoError(t, err, c.name)
		} else {
			require.ErrorContains(t, err, c.err, c.name)
		}
		require.Equal(t, c.depuis, p.Depuis.Format(jourISO), c.name)
		require.Equal(t, c.jusqua, p.JusquA.Format(jourISO), c.name)
		require.Equal(t, c.precDepuis, p.PrecDepuis.Format(jourISO), c.name)
		require.Equal(t, c.precJusqua, p.PrecJusquA.Format(jourISO), c.name)
		require.Equal(t, c.n, p.Jours, c.name)
		// The reports take [first midnight, midnight after the last day), in Montréal,
		// and the previous period ends where the current one starts.
		require.True(t, p.Courante().Depuis.Equal(jour(c.depuis)), c.name)
		require.True(t, p.Courante().JusquA.Equal(jour(c.jusqua).AddDate(0, 0, 1)), c.name)
		require.True(t, p.Precedente().Depuis.Equal(jour(c.precDepuis)), c.name)
		require.True(t, p.Precedente().JusquA.Equal(p.Courante().Depuis), c.name)
		var actifs []string
		for _, ch := range p.Choix {
			if ch.Actif {
				actifs = append(actifs, ch.ID)
			}
		}
		if c.actif == "" {
			require.Empty(t, actifs, c.name)
		} else {
			require.Equal(t, []string{c.actif}, actifs, c.name)
		}
	}
}

func TestPeriode_InWords(t *testing.T) {
	p, err := lirePeriode(url.Values{"depuis": {"2026-11-29"}, "jusqu_a": {"2026-12-05"}}, time.Now())
	require.NoError(t, err)
	require.Equal(t, "du 29\u00a0nov.\u00a02026 au 5\u00a0déc.\u00a02026 (7 jours)", p.Texte())
	require.Equal(t, "du 22\u00a0nov.\u00a02026 au 28\u00a0nov.\u00a02026", p.TextePrecedente())
	require.Equal(t, "depuis=2026-11-29&jusqu_a=2026-12-05", p.Query())
	un, err := lirePeriode(url.Values{"depuis": {"2026-08-01"}, "jusqu_a": {"2026-08-01"}}, time.Now())
	require.NoError(t, err)
	require.Equal(t, "le 1\u00a0août\u00a02026", un.Texte())
	require.Equal(t, "le 31\u00a0juil.\u00a02026", un.TextePrecedente())
}

// Counts read as fr-CA writes them, grouped like argent's amounts.
func TestNombre_FrCA(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1\u202f000"}, {int64(1234567), "1\u202f234\u202f567"}, {-12345, "-12\u202f345"},
		{0.6, "0,6"}, {0.604, "0,6"}, {1234.5, "1\u202f234,5"}, {12.0, "12"}, {-0.001, "0"}, {2.346, "2,35"},
	} {
		require.Equal(t, c.want, nombre(c.v), "nombre(%v)", c.v)
	}
}

func TestArgentCourt_ForAxes(t *testing.T) {
	for cents, want := range map[kit.Cents]string{
		0:          "0\u00a0$",
		50000:      "500\u00a0$",
		99949:      "999\u00a0$",
		100000:     "1\u00a0k$",
		150000:     "1,5\u00a0k$",
		1200000:    "12\u00a0k$",
		50000000:   "500\u00a0k$",
		150000000:  "1,5\u00a0M$",
		-250000:    "-2,5\u00a0k$",
		1234500000: "12,3\u00a0M$",
	} {
		require.Equal(t, want, argentCourt(cents), "argentCourt(%d)", int64(cents))
	}
}

func TestMaisonMere_ChartsNamesAndExportLinks(t *testing.T) {
	f, e := setup(t)
	code, body := e.as(t, "maison-mere").get("/maison-mere?depuis=2026-01-01&jusqu_a=2026-01-02")
	require.Equal(t, http.StatusOK, code)
	require.NotContains(t, body, `class="erreur"`)

	// The per-day chart: two series on the same axes, a legend naming both periods.
	require.Contains(t, body, `<svg class="graphique" id="graphique-jours"`)
	require.Contains(t, body, `role="img" aria-labelledby="graphique-jours-titre graphique-jours-desc"`)
	require.Regexp(t, `data-serie="precedente" d="M[0-9. ]+L`, body)
	require.Regexp(t, `data-serie="courante" d="M[0-9. ]+L`, body)
	require.Contains(t, body, "Période précédente, du 30\u00a0déc.\u00a02025 au 31\u00a0déc.\u00a02025")
	require.Contains(t, body, "1\u00a0janv.")
	// Stores and products by name, in the charts and in the tables.
	require.Contains(t, body, `<th scope="row">Café moulu</th>`)
	require.Contains(t, body, `<text x="0" y="12">Café moulu</text>`)
	require.Contains(t, body, `<th scope="row">Plateau</th>`)
	require.Contains(t, body, `<tr data-demande-id="7"><td class="n">7</td><td>Plateau</td><td>Café moulu</td>`, "a pending request names its store and product")
	// The products were named with one call, by their ids.
	_, q := f.sent("GET /produits")
	require.Equal(t, "ids=3&limit=1", q)
	// Every table has its export, for the period shown; the preset links carry their dates.
	for _, rp := range tousLesRapports {
		require.Contains(t, body, `href="/maison-mere/export/`+string(rp)+`.csv?depuis=2026-01-01&amp;jusqu_a=2026-01-02" download`, rp)
	}
	require.Contains(t, body, `id="periode-7j" href="/maison-mere?depuis=`)
	require.Contains(t, body, `value="2026-01-01"`)
}

func TestMaisonMere_BadPeriodSaysWhyAndShowsTheLast30Days(t *testing.T) {
	_, e := setup(t)
	code, body := e.as(t, "maison-mere").get("/maison-mere?depuis=2026-02-01&jusqu_a=2026-01-01")
	require.Equal(t, http.StatusOK, code)
	require.Contains(t, body, "La date de fin précède celle du début")
	require.Contains(t, body, `id="periode-30j" href="/maison-mere?depuis=`)
	require.Regexp(t, `id="periode-30j" [^>]*aria-current="page"`, body)
}

func TestExport_EveryReportAsCSV(t *testing.T) {
	_, e := setup(t)
	b := e.as(t, "maison-mere")
	for _, c := range []struct {
		rapport rapport
		fichier string
		entete  string
		ligne   string
	}{
		{rVentes, "ventes-par-magasin_2026-01-01_2026-01-31.csv", "Magasin,Chiffre d'affaires ($),Nombre de ventes,Panier moyen ($)", "Plateau,120.50,3,40.17"},
		{rJours, "chiffre-affaires-par-jour_2026-01-01_2026-01-31.csv", "Jour,Chiffre d'affaires ($),Nombre de ventes,Jour de la période précédente", "2026-01-01,10.00,1,2026-01-01,10.00,1"},
		{rMeilleurs, "meilleurs-produits_2026-01-01_2026-01-31.csv", "Rang,Produit,Quantité vendue,Chiffre d'affaires ($)", "1,Café moulu,9,112.50"},
		{rPerformance, "performance-magasins_2026-01-01_2026-01-31.csv", "Magasin,Chiffre d'affaires ($),Nombre de ventes,Panier moyen ($),Écart à la moyenne (%)", "Plateau,120.50,3,40.17,400.0"},
		{rRuptures, "ruptures_", "Emplacement,Produit,Catégorie,Quantité,Réservé,Disponible", "Plateau,Café moulu,épicerie,4,0,4"},
		{rSurplus, "surplus_", "Emplacement,Produit,Catégorie,Quantité,Réservé,Disponible", "Plateau,Café moulu,épicerie,4,0,4"},
		{rAttente, "demandes-en-attente_", "Demande,Magasin,Produit,Quantité,Origine,Créée le (heure de Montréal)", "7,Plateau,Café moulu,10,Magasin,2026-01-02 10:04"},
	} {
		rec := b.do(http.MethodGet, "/maison-mere/export/"+string(c.rapport)+".csv?depuis=2026-01-01&jusqu_a=2026-01-31", nil)
		require.Equal(t, http.StatusOK, rec.Code, c.rapport)
		require.Equal(t, "text/csv; charset=utf-8", rec.Header().Get("Content-Type"), c.rapport)
		require.Contains(t, rec.Header().Get("Content-Disposition"), `attachment; filename="`+c.fichier, c.rapport)
		body := rec.Body.String()
		require.True(t, strings.HasPrefix(body, "\ufeff"), "%s starts with the UTF-8 BOM", c.rapport)
		require.True(t, strings.HasPrefix(body, "\ufeff"+c.entete), "%s header: %q", c.rapport, body)
		require.Contains(t, body, "\r\n"+c.ligne, c.rapport)
		requireSecurityHeaders(t, rec.Header(), string(c.rapport))
	}
}

func TestExport_RefusesWhatItCannotSendWhole(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "maison-mere")
	rec := b.do(http.MethodGet, "/maison-mere/export/inconnu.csv", nil)
	require.Equal(t, http.StatusNotFound, rec.Code)
	rec = b.do(http.MethodGet, "/maison-mere/export/ventes-par-magasin.csv?depuis=2026-02-01&jusqu_a=2026-01-01", nil)
	require.Equal(t, http.StatusBadRequest, rec.Code, "a file of another period than asked would mislead")
	require.Contains(t, rec.Body.String(), "précède")
	f.set("GET /rapports/top-produits", http.StatusServiceUnavailable, `{"title":"Service Unavailable","status":503}`)
	rec = b.do(http.MethodGet, "/maison-mere/export/meilleurs-produits.csv", nil)
	require.Equal(t, http.StatusBadGateway, rec.Code, "no empty file that would read as a period without sales")
	require.Contains(t, rec.Body.String(), "Service indisponible")
}

func TestCSV_RowsOfEachReport(t *testing.T) {
	ecart := 12.345
	tb := tableau{
		Ventes:      []ligneVentes{{Magasin: "Plateau", Agregat: commandeapi.Agregat{ChiffreAffaires: 15047824, NombreVentes: 1234, PanierMoyen: 12194}}},
		VentesTotal: commandeapi.Agregat{ChiffreAffaires: 15047824, NombreVentes: 1234, PanierMoyen: 12194},
		Jours: []ligneJour{
			{Jour: jour("2026-03-08"), ChiffreAffaires: 5, NombreVentes: 1, Prec: true, JourPrec: jour("2026-03-01"), ChiffreAffairesPrec: -250, NombreVentesPrec: 0},
			{Jour: jour("2026-03-09"), ChiffreAffaires: 0},
		},
		Meilleurs: []ligneMeilleur{{Rang: 1, Produit: `Thé "vert", 100 g`, Quantite: 3, Montant: 1500}, {Rang: 2, Produit: "=HYPERLINK(\"x\")", Quantite: 1, Montant: 100}},
		Performance: []lignePerformance{{Magasin: "Plateau", Agregat: commandeapi.Agregat{ChiffreAffaires: 100, NombreVentes: 1, PanierMoyen: 100}, Ecart: &ecart},
			{Magasin: "Centre-ville"}},
		Moyenne:  commandeapi.MoyenneChaine{ChiffreAffaires: 50, NombreVentes: 0.5, PanierMoyen: 100},
		Ruptures: []stockapi.LigneRapport{{EmplacementNom: "Plateau", Nom: "-Sel", Categorie: "épicerie", Quantite: 1, Reserve: 1}},
		Attente:  []ligneAttente{{ID: 7, Magasin: "Plateau", Produit: "+Poivre", Quantite: 10, Origine: "Automatique", CreeLe: time.Date(2026, 7, 1, 4, 30, 0, 0, time.UTC)}},
	}
	for _, c := range []struct {
		rapport rapport
		want    string // the file after its BOM
	}{
		{rVentes, "Magasin,Chiffre d'affaires ($),Nombre de ventes,Panier moyen ($)\r\nPlateau,150478.24,1234,121.94\r\nTotal,150478.24,1234,121.94\r\n"},
		{rJours, "Jour,Chiffre d'affaires ($),Nombre de ventes,Jour de la période précédente,Chiffre d'affaires de la période précédente ($),Nombre de ventes de la période précédente\r\n" +
			"2026-03-08,0.05,1,2026-03-01,-2.50,0\r\n2026-03-09,0.00,0,,,\r\n"},
		// Quotes and commas are quoted; a formula becomes text.
		{rMeilleurs, "Rang,Produit,Quantité vendue,Chiffre d'affaires ($)\r\n1,\"Thé \"\"vert\"\", 100 g\",3,15.00\r\n2,\"'=HYPERLINK(\"\"x\"\")\",1,1.00\r\n"},
		{rPerformance, "Magasin,Chiffre d'affaires ($),Nombre de ventes,Panier moyen ($),Écart à la moyenne (%)\r\nPlateau,1.00,1,1.00,12.3\r\nCentre-ville,0.00,0,0.00,\r\nMoyenne de la chaîne,0.50,0.50,1.00,\r\n"},
		{rRuptures, "Emplacement,Produit,Catégorie,Quantité,Réservé,Disponible\r\nPlateau,'-Sel,épicerie,1,1,0\r\n"},
		{rSurplus, "Emplacement,Produit,Catégorie,Quantité,Réservé,Disponible\r\n"},
		// Created at 04:30 UTC on 1 July is 00:30 in Montréal (summer time).
		{rAttente, "Demande,Magasin,Produit,Quantité,Origine,Créée le (heure de Montréal)\r\n7,Plateau,'+Poivre,10,Automatique,2026-07-01 00:30\r\n"},
	} {
		var buf bytes.Buffer
		require.NoError(t, ecrireCSV(&buf, tb.csv(c.rapport)))
		require.Equal(t, "\ufeff"+c.want, buf.String(), c.rapport)
		// And a CSV reader gets the same cells back.
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
		require.NoError(t, err, c.rapport)
		require.Len(t, rows, 1+len(tb.csv(c.rapport).Lignes), c.rapport)
	}
}

func TestNomFichier(t *testing.T) {
	p, err := lirePeriode(url.Values{"depuis": {"2026-11-01"}, "jusqu_a": {"2026-11-30"}}, time.Now())
	require.NoError(t, err)
	maintenant := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC) // 5 December in Montréal
	require.Equal(t, "ventes-par-magasin_2026-11-01_2026-11-30.csv", nomFichier(rVentes, p, maintenant))
	require.Equal(t, "ruptures_2026-12-05.csv", nomFichier(rRuptures, p, maintenant), "a stock report is the state of the day")
}
