package browser

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// imagesChargees waits for every picture under sel and returns each one's
// natural width: 0 for a picture that did not load.
func imagesChargees(t *testing.T, ctx context.Context, sel string) []int {
	t.Helper()
	js := `Promise.all([...document.querySelectorAll(` + strconv.Quote(sel) + `)].map(i => i.decode().then(() => i.naturalWidth, () => 0)))`
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](js, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	return w
}

// ajouterAuClavier puts quantite of produit in the cart with the keyboard
// only: into the card's quantity field, select it, type, Tab to the card's
// button, Enter.
func ajouterAuClavier(t *testing.T, ctx context.Context, produit, quantite int) {
	t.Helper()
	p := strconv.Itoa(produit)
	do(t, ctx,
		chromedp.Focus(chromedp.CSS(`#ajout-quantite-`+p)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(strconv.Itoa(quantite)),
		chromedp.KeyEvent("\t"),
	)
	focus, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
	require.NoError(t, err)
	require.Equal(t, "ajouter-"+p, focus, "Tab goes from the quantity to the card's button")
	do(t, ctx,
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`#panier tr[data-produit-id="`+p+`"]`)),
	)
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#panier-quantite-`+p+`').value`))
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(quantite), v)
}

// suivreJusquAuBout waits until the checkout the page follows is over (the
// page reloads itself meanwhile) and returns its status.
func suivreJusquAuBout(t *testing.T, ctx context.Context) string {
	t.Helper()
	const js = `(() => { const s = document.querySelector('#saga-resultat'); return s && s.dataset.termine === 'true' ? s.dataset.statut : ''; })()`
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		// An error here is the page reloading under the query: ask again.
		if s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js)); err == nil && s != "" {
			return s
		}
	}
	t.Fatal("the checkout is not over after 30 s")
	return ""
}

// appuyer follows a link or presses a button with the keyboard.
func appuyer(t *testing.T, ctx context.Context, sel, attendu string) {
	t.Helper()
	do(t, ctx,
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(attendu)),
	)
}

// A shopper signs up, sees the catalogue's cards and their pictures, fills
// the cart with the keyboard only, checks out, follows the order's timeline
// to CONFIRMEE, then finds the order in its list and reads its page: lines,
// history, payment. Another shopper gets a 404 at that order's address.
func TestBrowser_ShopperBuysWithTheKeyboardAndReadsTheOrder(t *testing.T) {
	ctx, base := browse(t)
	signUp(t, ctx, base, "Clavier")

	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#catalogue article.carte').length`))
	require.NoError(t, err)
	require.GreaterOrEqual(t, n, 10, "the demo catalogue's products, one card each")
	largeurs := imagesChargees(t, ctx, `#catalogue article.carte img`)
	require.Len(t, largeurs, n, "every card has its picture")
	for i, w := range largeurs {
		require.Positive(t, w, "picture %d loaded", i)
	}
	require.Equal(t, "0", text(t, ctx, `#badge-panier-articles`))

	ajouterAuClavier(t, ctx, 3, 2) // 2 × 59.99
	ajouterAuClavier(t, ctx, 5, 1) // 1 × 49.99
	require.Equal(t, "3", text(t, ctx, `#badge-panier-articles`), "the header counts the items")
	require.Contains(t, text(t, ctx, `#panier-total`), "169,97")
	screenshot(t, ctx, "boutique-panier")

	appuyer(t, ctx, `#commander`, `#saga-resultat`)
	require.Equal(t, "CONFIRMEE", suivreJusquAuBout(t, ctx))
	etapes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#saga-resultat ol.frise li')].map(l => l.dataset.etat + ':' + l.dataset.avancement + (l.getAttribute('aria-current') ? '*' : ''))`))
	require.NoError(t, err)
	require.Equal(t, []string{"CREEE:faite", "STOCK_VERIFIE:faite", "STOCK_RESERVE:faite", "PAYEE:faite", "CONFIRMEE:faite*"}, etapes)
	screenshot(t, ctx, "boutique-frise-confirmee")
	require.Contains(t, text(t, ctx, `#panier tbody`), "Le panier est vide")
	require.Equal(t, "0", text(t, ctx, `#badge-panier-articles`))

	// The full list, newest first: this order on top.
	appuyer(t, ctx, `#toutes-commandes`, `table#commandes`)
	require.Equal(t, "CONFIRMEE", attr(t, ctx, `#commandes tbody tr:first-child`, "data-statut"))
	require.Contains(t, text(t, ctx, `#commandes tbody tr:first-child`), "169,97")
	checkAxe(t, ctx, 1280)
	screenshot(t, ctx, "boutique-commandes")

	appuyer(t, ctx, `#commandes tbody tr:first-child a`, `#historique`)
	commande := location(t, ctx)
	require.Contains(t, commande, "/boutique/commandes/")
	lignes := text(t, ctx, `#lignes`)
	require.Contains(t, lignes, "Haut-parleur Bluetooth")
	require.Contains(t, lignes, "Cafetière à filtre")
	require.Contains(t, text(t, ctx, `#commande-total`), "169,97")
	require.Positive(t, imagesChargees(t, ctx, `#lignes img`)[0])
	historique, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#historique li')].map(l => l.dataset.etat)`))
	require.NoError(t, err)
	require.Equal(t, []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"}, historique)
	paiement := text(t, ctx, `#paiement`)
	require.Contains(t, paiement, "Accepté")
	require.Contains(t, paiement, "169,97")
	require.Contains(t, text(t, ctx, `#retours`), "Aucun retour")
	checkAxe(t, ctx, 1280)
	checkNoSidewaysScroll(t, ctx, 1280)
	screenshot(t, ctx, "boutique-commande")

	// The same page on a phone.
	do(t, ctx, phone(), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#historique`)))
	checkAxe(t, ctx, 390)
	checkNoSidewaysScroll(t, ctx, 390)
	screenshot(t, ctx, "boutique-commande-390")
	do(t, ctx, chromedp.Navigate(base+"/boutique"), chromedp.WaitVisible(chromedp.CSS(`#catalogue`)))
	checkAxe(t, ctx, 390)
	checkNoSidewaysScroll(t, ctx, 390)
	screenshot(t, ctx, "boutique-390")

	// Another shopper: the address says nothing of the order.
	autre, _ := browse(t)
	signUp(t, autre, base, "Curieux")
	resp, err := chromedp.Run(autre, chromedp.NavigateResponse(commande))
	require.NoError(t, err)
	require.Equal(t, int64(http.StatusNotFound), resp.Status)
	require.Equal(t, "Commande introuvable", text(t, autre, `main h1`))
	corps := text(t, autre, `main`)
	require.False(t, strings.Contains(corps, "Haut-parleur") || strings.Contains(corps, "169,97"), "nothing of the order: %s", corps)
	screenshot(t, autre, "boutique-commande-autre-client")
}
