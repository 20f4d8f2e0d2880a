package browser

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// pendingIDs lists the pending requests a store page shows.
func pendingIDs(ctx context.Context) ([]string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#demandes tr[data-demande-id][data-statut="en_attente"]')).map(r => r.dataset.demandeId)`))
}

// askCentre makes a supply request through the store page and returns its
// id: the one pending request the page did not show before.
func askCentre(t *testing.T, ctx context.Context, produit, quantite int, motif string) string {
	t.Helper()
	before, err := pendingIDs(ctx)
	require.NoError(t, err)
	options, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#demande-produit option')).map(o => o.value)`))
	require.NoError(t, err)
	require.Contains(t, options, strconv.Itoa(produit), "the request form offers product %d; the page says %q",
		produit, text(t, ctx, `main`))
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#demande-produit`), strconv.Itoa(produit)),
		chromedp.SetValue(chromedp.CSS(`#demande-quantite`), strconv.Itoa(quantite)),
		chromedp.SetValue(chromedp.CSS(`#demande-motif`), motif),
		chromedp.Submit(chromedp.CSS(`#demande-produit`)),
	)
	var alert string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		// An error here is the page navigating under the query: ask again.
		ids, err := pendingIDs(ctx)
		if err != nil {
			continue
		}
		for _, id := range ids {
			if !slices.Contains(before, id) {
				return id
			}
		}
		alert, _ = chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('p[role="alert"]') || {}).textContent || ""`))
	}
	t.Fatalf("no new pending request for product %d; the page says %q", produit, alert)
	return ""
}

// tabTo presses Tab until the element with this id has the focus.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	const most = 400
	for range most {
		do(t, ctx, chromedp.KeyEvent("\t"))
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
		require.NoError(t, err)
		if got == id {
			return
		}
	}
	t.Fatalf("%d Tabs never reached #%s", most, id)
}

func checked(t *testing.T, ctx context.Context, id string) bool {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById(`+strconv.Quote(id)+`).checked`))
	require.NoError(t, err)
	return b
}

// The centre decides with a keyboard alone: the pending list names each
// product and store and shows what the centre has and where the store stands
// against its threshold; two requests go in one approval, a third is
// refused, and only with a reason.
func TestBrowser_LogistiqueApprovesTwoAtOnceAndRefusesWithAReason(t *testing.T) {
	// Store 5 (Saint-Laurent) asks for three products no other test asks it for.
	const sirop, cafe, chocolat = 12, 13, 14
	caisse, base := browse(t)
	signIn(t, caisse, base, "/magasins/5", "caissier5", demoPassword)
	avantSirop, avantCafe := disponible(t, caisse, sirop), disponible(t, caisse, cafe)
	idSirop := askCentre(t, caisse, sirop, 2, "fin de semaine")
	idCafe := askCentre(t, caisse, cafe, 3, "réassort")
	idChocolat := askCentre(t, caisse, chocolat, 4, "vitrine")

	centre, _ := browse(t)
	signIn(t, centre, base, "/logistique", "logistique", demoPassword)
	row := func(id string) string { return `#demandes tr[data-demande-id="` + id + `"]` }
	require.Equal(t, "Sirop d'érable 540 ml n° 12", text(t, centre, row(idSirop)+` td[data-col="produit"]`))
	require.Equal(t, "Saint-Laurent", text(t, centre, row(idSirop)+` td[data-col="magasin"]`))
	require.Regexp(t, regexp.MustCompile(`^\d[\d\x{202f}]* disponibles? (peut livrer|manque \d+)$`),
		text(t, centre, row(idSirop)+` td[data-col="centre"]`), "the centre's stock of the product")
	require.Equal(t, "true", attr(t, centre, row(idSirop), "data-couvre"), "the centre has 900 syrups for 2 asked")
	// The store's level is the one its page showed, against its threshold (20 by default).
	require.True(t, strings.HasPrefix(text(t, centre, row(idSirop)+` td[data-col="niveau-magasin"]`),
		fmt.Sprintf("%d / seuil ", avantSirop)), text(t, centre, row(idSirop)))
	require.Contains(t, text(t, centre, row(idCafe)), "Café en grains 1 kg")
	screenshot(t, centre, "logistique-demandes")

	// Tick two requests with Space and send them with Enter, in the page's
	// order (newest first).
	for _, id := range []string{idCafe, idSirop} {
		tabTo(t, centre, "choix-"+id)
		do(t, centre, chromedp.KeyEvent(" "))
		require.True(t, checked(t, centre, "choix-"+id), "Space ticks request %s", id)
	}
	screenshot(t, centre, "logistique-selection")
	tabTo(t, centre, "approuver-selection")
	do(t, centre, chromedp.KeyEvent("\r"))
	waitAlert(t, centre, "2 demandes approuvées et livrées")
	msg := text(t, centre, `p[role="alert"]`)
	require.Contains(t, msg, "n° "+idSirop+" (Sirop d'érable 540 ml pour Saint-Laurent)")
	require.Contains(t, msg, "n° "+idCafe+" (Café en grains 1 kg pour Saint-Laurent)")
	n, err := chromedp.Run(centre, chromedp.Evaluate[int](
		`document.querySelectorAll('#demandes tr[data-demande-id="`+idSirop+`"], #demandes tr[data-demande-id="`+idCafe+`"]').length`))
	require.NoError(t, err)
	require.Zero(t, n, "approved requests leave the pending list")

	// On a phone now: each request is a card, still used by keyboard.
	do(t, centre, phone(), chromedp.Navigate(base+"/logistique"), chromedp.WaitVisible(chromedp.CSS(row(idChocolat))))
	screenshot(t, centre, "logistique-390")

	// A blank reason is refused by the page and changes nothing.
	tabTo(t, centre, "motif-"+idChocolat)
	do(t, centre, chromedp.KeyEvent("   "), chromedp.KeyEvent("\r"))
	waitAlert(t, centre, "Motif du refus")
	require.Equal(t, "en_attente", attr(t, centre, row(idChocolat), "data-statut"))
	tabTo(t, centre, "motif-"+idChocolat)
	do(t, centre, chromedp.KeyEvent("Rupture chez le fournisseur"), chromedp.KeyEvent("\r"))
	waitAlert(t, centre, "refusée : Rupture chez le fournisseur")
	screenshot(t, centre, "logistique-refus-390")

	// The store sees the stock arrive and the reason of the refusal.
	do(t, caisse, chromedp.Navigate(base+"/magasins/5"), chromedp.WaitVisible(chromedp.CSS(`#stock`)))
	require.Equal(t, avantSirop+2, disponible(t, caisse, sirop))
	require.Equal(t, avantCafe+3, disponible(t, caisse, cafe))
	require.Equal(t, "livree", attr(t, caisse, `#demandes tr[data-demande-id="`+idSirop+`"]`, "data-statut"))
	require.Equal(t, "refusee", attr(t, caisse, `#demandes tr[data-demande-id="`+idChocolat+`"]`, "data-statut"))
	require.Contains(t, text(t, caisse, `#demandes tr[data-demande-id="`+idChocolat+`"]`), "Rupture chez le fournisseur")
	require.Contains(t, text(t, caisse, `#demandes tr[data-demande-id="`+idChocolat+`"]`), "Chocolat noir 70 %")
}
