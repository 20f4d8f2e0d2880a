package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"multimagasins/test/internal/fleettest"
)

// The head office picks a period with the keyboard alone, reads its charts
// (this period and the one before), the best products by name, and
// downloads a table as CSV. The suite's fleet has no demo history: the test
// sells first, more of one product of its own than the other tests sell of any.
func TestBrowser_MaisonMereDashboardByKeyboardChartsAndCSV(t *testing.T) {
	produit := venteAuComptoir(t, 1, 12)
	ctx, base := browse(t)
	signIn(t, ctx, base, "/maison-mere", "maison-mere", demoPassword)

	// Tab until the "7 jours" preset has the focus, then Enter: no click.
	const activeID = `(document.activeElement && document.activeElement.id) || ""`
	var id string
	for range 40 { // the header and the links before the presets are fewer
		do(t, ctx, chromedp.KeyEvent("\t"))
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](activeID))
		require.NoError(t, err)
		if id = s; id == "periode-7j" {
			break
		}
	}
	require.Equal(t, "periode-7j", id, "Tab reaches the 7 jours preset")
	do(t, ctx,
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`#periode-7j[aria-current="page"]`)),
	)
	require.Contains(t, location(t, ctx), "depuis=")
	require.Contains(t, text(t, ctx, `#periode-texte`), "(7 jours)")
	erreurs, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('p.erreur')].map(p => p.textContent).join(' | ')`))
	require.NoError(t, err)
	require.Empty(t, erreurs, "every service answered")

	// The per-day chart: an image with its title, two lines of 7 points each.
	require.Equal(t, "img", attr(t, ctx, `svg#graphique-jours`, "role"))
	require.Equal(t, "Chiffre d'affaires par jour", contenu(t, ctx, `#graphique-jours-titre`))
	for _, serie := range []string{"courante", "precedente"} {
		d := attr(t, ctx, `svg#graphique-jours path[data-serie="`+serie+`"]`, "d")
		require.Equal(t, 6, strings.Count(d, "L"), "the %s period's line has 7 points: %s", serie, d)
	}
	require.Contains(t, text(t, ctx, `ul.legende li.precedente`), "Période précédente")

	// The best products are named, in the table and on the bars.
	meilleurs := text(t, ctx, `#table-meilleurs tbody`)
	require.Contains(t, meilleurs, produit)
	require.NotRegexp(t, regexp.MustCompile(`\bProduit \d+\b`), meilleurs, "a product shown by its number")
	require.Contains(t, contenu(t, ctx, `svg#graphique-meilleurs`), abreger(produit))
	screenshot(t, ctx, "maison-mere-7-jours")

	// The table's export, fetched with the browser's own session cookie.
	type telechargement struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Texte       string `json:"texte"`
	}
	const fetchJS = `(async () => {
  const r = await fetch(document.querySelector('a[href*="/export/meilleurs-produits.csv"]').href);
  return {status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'),
    texte: await r.text()};
})()`
	csv, err := chromedp.Run(ctx, chromedp.Evaluate[telechargement](fetchJS, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, 200, csv.Status)
	require.Equal(t, "text/csv; charset=utf-8", csv.Type)
	require.Regexp(t, `^attachment; filename="meilleurs-produits_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv"$`, csv.Disposition)
	// fetch's text() drops the byte order mark, as a spreadsheet does.
	lignes := strings.Split(strings.TrimSpace(csv.Texte), "\r\n")
	require.Equal(t, "Rang,Produit,Quantité vendue,Chiffre d'affaires ($)", lignes[0])
	require.GreaterOrEqual(t, len(lignes), 2)
	require.Regexp(t, `(?m)^\d+,`+regexp.QuoteMeta(produit)+`,12,150\.00$`, strings.Join(lignes[1:], "\n"),
		"the product sold: 12 × 12.50 $, in dollars with a dot")

	// On a phone the page does not scroll sideways: the charts shrink with it.
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`svg#graphique-jours`)))
	large, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= innerWidth`))
	require.NoError(t, err)
	require.True(t, large, "the dashboard scrolls sideways at 390 px")
	screenshot(t, ctx, "maison-mere-telephone")
}

// venteAuComptoir makes a product of its own, brings it to the store and
// sells quantite of it there at 12.50 $, through the services as the
// counter's page does; it returns the product's name.
func venteAuComptoir(t *testing.T, magasin, quantite int) string {
	t.Helper()
	nom := "Thé du tableau de bord " + uuid.NewString()[:6]
	var p struct {
		ID json.Number `json:"id"`
	}
	r := fleettest.Do(t, fl, "POST", "stock", "/produits", map[string]any{"nom": nom, "categorie": "Thés", "prix": json.Number("12.50")})
	require.Equal(t, 201, r.Status, string(r.Body))
	r.JSON(t, &p)
	r = fleettest.Do(t, fl, "POST", "stock", "/logistique/receptions", map[string]any{"produit_id": p.ID, "quantite": quantite, "reference": "tableau-de-bord"})
	require.Equal(t, 201, r.Status, string(r.Body))
	// A threshold of 0: the sale must not start an automatic request.
	r = fleettest.Do(t, fl, "PUT", "stock", fmt.Sprintf("/emplacements/%d/seuils/%s", magasin, p.ID), map[string]any{"seuil": 0})
	require.Equal(t, 200, r.Status, string(r.Body))
	var d struct {
		ID json.Number `json:"id"`
	}
	r = fleettest.Do(t, fl, "POST", "stock", fmt.Sprintf("/magasins/%d/demandes", magasin), map[string]any{"produit_id": p.ID, "quantite": quantite})
	require.Equal(t, 201, r.Status, string(r.Body))
	r.JSON(t, &d)
	r = fleettest.Do(t, fl, "POST", "stock", "/demandes/"+d.ID.String()+"/approuver", nil)
	require.Equal(t, 200, r.Status, string(r.Body))

	vente := map[string]any{"magasin_id": magasin, "methode": "comptant", "produits": []any{map[string]any{"produit_id": p.ID, "quantite": quantite}}}
	who, err := fleettest.SagaHeaders(t.Context(), fl, "/saga/vente", vente)
	require.NoError(t, err)
	r, err = fleettest.Send(t.Context(), "POST", fl.URL("orchestrator")+"/saga/vente", vente, who...)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), `"CONFIRMEE"`)
	return nom
}

// contenu is an element's textContent: an SVG's <title> is not rendered, so
// it has no innerText.
func contenu(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	require.NoError(t, err, sel)
	return strings.TrimSpace(s)
}

// abreger mirrors the chart's cut of long names (nomMax in the web app).
func abreger(s string) string {
	const n = 34
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
