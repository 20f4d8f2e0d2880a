package browser

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// browse opens a fresh headless Chromium on the fleet's nginx and returns a
// context for chromedp actions and the base URL of the interface.
func browse(t *testing.T) (context.Context, string) {
	t.Helper()
	if fl == nil {
		t.Skip(chromium + " is not installed")
	}
	base := fl.URL("nginx")
	if base == "" {
		t.Skip("nginx is not running: " + fl.Skipped("nginx"))
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.WindowSize(1280, 1600),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A bound so a stuck page fails the test instead of hanging the suite.
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx, base
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, steps...))
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(t, err, sel)
	return strings.TrimSpace(s)
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	require.NoError(t, err, sel)
	require.True(t, a.Exists, "%s has no %s", sel, name)
	return a.Value
}

// screenshot saves the page under test/artifacts for a human to look at.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	require.NoError(t, err)
	dir := filepath.Join("..", "artifacts")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".jpg"), img, 0o644))
}

func disponible(t *testing.T, ctx context.Context, produit int) int {
	t.Helper()
	s := text(t, ctx, `#stock tr[data-produit-id="`+strconv.Itoa(produit)+`"] td[data-col="disponible"]`)
	n, err := strconv.Atoi(s)
	require.NoError(t, err, "disponible %q", s)
	return n
}

func sagaResult(t *testing.T, ctx context.Context) (statut, texte string) {
	t.Helper()
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#saga-resultat`)))
	return attr(t, ctx, `#saga-resultat`, "data-statut"), text(t, ctx, `#saga-resultat`)
}

func TestBrowser_CounterSaleLowersTheStoresStock(t *testing.T) {
	ctx, base := browse(t)
	do(t, ctx, chromedp.Navigate(base+"/magasins/3"), chromedp.WaitVisible(chromedp.CSS(`#vendre`)))
	avant := disponible(t, ctx, 5)

	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#vente-produit-0`), "5"),
		chromedp.SetValue(chromedp.CSS(`#vente-quantite-0`), "2"),
		chromedp.Click(chromedp.CSS(`#methode-comptant`)),
		chromedp.Click(chromedp.CSS(`#vendre`)),
	)
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
	require.Contains(t, texte, "STOCK_RESERVE")
	require.Equal(t, avant-2, disponible(t, ctx, 5))
	screenshot(t, ctx, "vente-comptoir")
}

func TestBrowser_ApprovingARequestRaisesTheStoresStock(t *testing.T) {
	ctx, base := browse(t)
	// The request is made through the page, as a store clerk would.
	do(t, ctx, chromedp.Navigate(base+"/magasins/2"), chromedp.WaitVisible(chromedp.CSS(`#demande-produit`)))
	avant := disponible(t, ctx, 9)
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#demande-produit`), "9"),
		chromedp.SetValue(chromedp.CSS(`#demande-quantite`), "3"),
		chromedp.Submit(chromedp.CSS(`#demande-produit`)),
		chromedp.WaitVisible(chromedp.CSS(`p[role="alert"]`)),
	)
	require.Contains(t, text(t, ctx, `p[role="alert"]`), "Demande envoyée")
	id := attr(t, ctx, `#demandes tr[data-statut="en_attente"]`, "data-demande-id")

	do(t, ctx,
		chromedp.Navigate(base+"/logistique"),
		chromedp.Click(chromedp.CSS(`tr[data-demande-id="`+id+`"] form[action$="/approuver"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`p[role="alert"]`)),
	)
	require.Contains(t, text(t, ctx, `p[role="alert"]`), "approuvée")
	screenshot(t, ctx, "logistique-approbation")

	do(t, ctx, chromedp.Navigate(base+"/magasins/2"), chromedp.WaitVisible(chromedp.CSS(`#stock`)))
	require.Equal(t, avant+3, disponible(t, ctx, 9))
	require.Equal(t, "livree", attr(t, ctx, `tr[data-demande-id="`+id+`"]`, "data-statut"))
}

// shop creates a client through the page and lands on its shop page.
func shop(t *testing.T, ctx context.Context, base, nom string) {
	t.Helper()
	email := strings.ToLower(nom) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@exemple.ca"
	do(t, ctx,
		chromedp.Navigate(base+"/boutique"),
		chromedp.SetValue(chromedp.CSS(`#nom`), nom),
		chromedp.SetValue(chromedp.CSS(`#email`), email),
		chromedp.Submit(chromedp.CSS(`#nom`)),
		chromedp.WaitVisible(chromedp.CSS(`#catalogue`)),
	)
}

func addToCart(t *testing.T, ctx context.Context, produit, quantite int) {
	t.Helper()
	p := strconv.Itoa(produit)
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#ajout-quantite-`+p), strconv.Itoa(quantite)),
		chromedp.Click(chromedp.CSS(`#catalogue tr[data-produit-id="`+p+`"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#panier tr[data-produit-id="`+p+`"]`)),
	)
}

func TestBrowser_OnlineCheckoutSucceeds(t *testing.T) {
	ctx, base := browse(t)
	shop(t, ctx, base, "Acheteuse")
	addToCart(t, ctx, 3, 1)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#commander`)))
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
	require.Contains(t, texte, "CREEE")
	require.Contains(t, texte, "PAYEE")
	screenshot(t, ctx, "boutique-confirmee")
	// The confirmation empties the cart.
	require.Contains(t, text(t, ctx, `#panier tbody`), "Le panier est vide")
}

func TestBrowser_OnlineCheckoutRefusedPaymentShowsWhy(t *testing.T) {
	ctx, base := browse(t)
	shop(t, ctx, base, "Depensier")
	addToCart(t, ctx, 4, 10) // 10 × 75.00 is over the default 500.00 card limit
	do(t, ctx, chromedp.Click(chromedp.CSS(`#commander`)))
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "ANNULEE", statut, texte)
	require.Contains(t, texte, "paiement refusé")
	screenshot(t, ctx, "boutique-paiement-refuse")
}
