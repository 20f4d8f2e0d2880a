package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"multimagasins/test/internal/headless"
)

// demoPassword is the README's password of every demo staff account.
const demoPassword = "multimagasins"

// browse opens a fresh headless Chromium on the fleet's nginx and returns a
// context for chromedp actions and the base URL of the interface. Each
// browser has its own profile, so its own cookies: one person per browser.
func browse(t *testing.T) (context.Context, string) {
	t.Helper()
	return browseFor(t, 90*time.Second)
}

// browseFor is browse for a test that walks many pages in one browser:
// limit bounds the whole walk, so a stuck page fails instead of hanging.
func browseFor(t *testing.T, limit time.Duration) (context.Context, string) {
	t.Helper()
	base := fl.URL("nginx")
	require.NotEmpty(t, base, "nginx is not running: %s", fl.Skipped("nginx"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), headless.Options(t, chromedp.WindowSize(1280, 1600))...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A bound so a stuck page fails the test instead of hanging the suite.
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
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

// waitAlert waits until the page's message says want: after a form is sent,
// the message of the page before it is still shown until the answer loads.
func waitAlert(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	const js = `(document.querySelector('p[role="alert"]') || {}).textContent || ""`
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		// An error here is the page navigating under the query: ask again.
		if s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js)); err == nil {
			if last = strings.TrimSpace(s); strings.Contains(last, want) {
				return
			}
		}
	}
	t.Fatalf("the page's message is %q, not %q", last, want)
}

func attr(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	a, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	require.NoError(t, err, sel)
	require.True(t, a.Exists, "%s has no %s", sel, name)
	return a.Value
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	u, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	return u
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

// signIn goes to page, is sent to the sign-in form, signs in there as login
// and is brought back to page.
func signIn(t *testing.T, ctx context.Context, base, page, login, password string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+page),
		chromedp.WaitVisible(chromedp.CSS(`#connexion`)),
		chromedp.SetValue(chromedp.CSS(`#identifiant`), login),
		chromedp.SetValue(chromedp.CSS(`#mot_de_passe`), password),
		chromedp.Click(chromedp.CSS(`#se-connecter`)),
		chromedp.WaitVisible(chromedp.CSS(`#deconnexion`)),
	)
	back, err := url.Parse(location(t, ctx))
	require.NoError(t, err)
	require.Equal(t, page, back.Path, "signed in as %s, back on the page asked for", login)
}

// signOut uses the header's button and checks the session is gone.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`#deconnexion`)),
		chromedp.WaitVisible(chromedp.CSS(`#lien-connexion`)),
	)
	require.Contains(t, text(t, ctx, `p[role="alert"]`), "déconnecté")
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
	signIn(t, ctx, base, "/magasins/3", "caissier3", demoPassword)
	avant := disponible(t, ctx, 5)

	// The product's number in the scan field, then one more on the ticket.
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#code`), "5"),
		chromedp.Submit(chromedp.CSS(`#code`)),
		chromedp.WaitVisible(chromedp.CSS(`#ticket tr[data-produit-id="5"][data-quantite="1"]`)),
		chromedp.Click(chromedp.CSS(`#plus-5`)),
		chromedp.WaitVisible(chromedp.CSS(`#ticket tr[data-produit-id="5"][data-quantite="2"]`)),
		chromedp.Click(chromedp.CSS(`#methode-comptant`)),
		chromedp.SetValue(chromedp.CSS(`#remis`), "100"),
		chromedp.Click(chromedp.CSS(`#vendre`)),
	)
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
	require.Contains(t, texte, "STOCK_RESERVE")
	require.Equal(t, "0,02\u00a0$", text(t, ctx, `#monnaie-rendue`), "100 − 2 × 49,99")
	require.Equal(t, avant-2, disponible(t, ctx, 5))
	screenshot(t, ctx, "vente-comptoir")
}

func TestBrowser_ApprovingARequestRaisesTheStoresStock(t *testing.T) {
	// The request is made through the page, as the store's clerk would.
	caisse, base := browse(t)
	signIn(t, caisse, base, "/magasins/2", "caissier2", demoPassword)
	avant := disponible(t, caisse, 9)
	do(t, caisse,
		chromedp.SetValue(chromedp.CSS(`#demande-produit`), "9"),
		chromedp.SetValue(chromedp.CSS(`#demande-quantite`), "3"),
		chromedp.Submit(chromedp.CSS(`#demande-produit`)),
	)
	waitAlert(t, caisse, "Demande envoyée")
	id := attr(t, caisse, `#demandes tr[data-statut="en_attente"]`, "data-demande-id")

	// The logistics clerk, in a browser of its own, approves it.
	centre, _ := browse(t)
	signIn(t, centre, base, "/logistique", "logistique", demoPassword)
	do(t, centre,
		chromedp.Click(chromedp.CSS(`tr[data-demande-id="`+id+`"] form[action$="/approuver"] button`)),
	)
	waitAlert(t, centre, "approuvée")
	screenshot(t, centre, "logistique-approbation")

	do(t, caisse, chromedp.Navigate(base+"/magasins/2"), chromedp.WaitVisible(chromedp.CSS(`#stock`)))
	require.Equal(t, avant+3, disponible(t, caisse, 9))
	require.Equal(t, "livree", attr(t, caisse, `tr[data-demande-id="`+id+`"]`, "data-statut"))
}

// signUp creates a shopper's account through the page, which signs it in
// and lands on the shop.
func signUp(t *testing.T, ctx context.Context, base, nom string) {
	t.Helper()
	email := strings.ToLower(nom) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@exemple.ca"
	do(t, ctx,
		chromedp.Navigate(base+"/inscription"),
		chromedp.SetValue(chromedp.CSS(`#nom`), nom),
		chromedp.SetValue(chromedp.CSS(`#email`), email),
		chromedp.SetValue(chromedp.CSS(`#mot_de_passe`), "un-mot-de-passe-"+nom),
		chromedp.Click(chromedp.CSS(`#creer-compte`)),
		chromedp.WaitVisible(chromedp.CSS(`#panier`)),
	)
	require.Contains(t, text(t, ctx, `#client`), email)
}

func addToCart(t *testing.T, ctx context.Context, produit, quantite int) {
	t.Helper()
	p := strconv.Itoa(produit)
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#ajout-quantite-`+p), strconv.Itoa(quantite)),
		chromedp.Click(chromedp.CSS(`#ajouter-`+p)),
		chromedp.WaitVisible(chromedp.CSS(`#panier tr[data-produit-id="`+p+`"]`)),
	)
}

// A shopper signs up, checks out, and signs out; the shop then shows the
// catalogue only, and the orders page sends it to sign in.
func TestBrowser_OnlineCheckoutSucceeds(t *testing.T) {
	ctx, base := browse(t)
	signUp(t, ctx, base, "Acheteuse")
	addToCart(t, ctx, 3, 1)
	do(t, ctx, chromedp.Click(chromedp.CSS(`#commander`)))
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
	require.Contains(t, texte, "Commande créée")
	require.Contains(t, texte, "Paiement accepté")
	require.Equal(t, "step", attr(t, ctx, `#saga-resultat li[data-etat="CONFIRMEE"]`, "aria-current"))
	screenshot(t, ctx, "boutique-confirmee")
	// The confirmation empties the cart, and the order is the client's.
	require.Contains(t, text(t, ctx, `#panier tbody`), "Le panier est vide")
	require.Contains(t, attr(t, ctx, `#commandes [data-commande-id]`, "data-statut"), "CONFIRMEE")

	signOut(t, ctx)
	do(t, ctx, chromedp.Navigate(base+"/boutique"), chromedp.WaitVisible(chromedp.CSS(`#boutique-anonyme`)))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#panier, #commandes').length`))
	require.NoError(t, err)
	require.Zero(t, n, "no cart and no orders once signed out")
}

func TestBrowser_OnlineCheckoutRefusedPaymentShowsWhy(t *testing.T) {
	ctx, base := browse(t)
	signUp(t, ctx, base, "Depensier")
	addToCart(t, ctx, 4, 10) // 10 × 75.00 is over the default 500.00 card limit
	do(t, ctx, chromedp.Click(chromedp.CSS(`#commander`)))
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "ANNULEE", statut, texte)
	require.Contains(t, texte, "paiement refusé")
	screenshot(t, ctx, "boutique-paiement-refuse")
}

// A page on another origin that posts to the shop with the signed-in
// shopper's cookie is refused, and the cart stays as it was.
func TestBrowser_CrossSiteFormIsRefused(t *testing.T) {
	ctx, base := browse(t)
	signUp(t, ctx, base, "Cible")
	require.Contains(t, text(t, ctx, `#panier tbody`), "Le panier est vide")

	// Another origin (another port): what a forged form on any other site does.
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, `<!doctype html><html lang="fr"><title>Promo</title>
<form method="post" action="%s/boutique/panier"><input type="hidden" name="produit_id" value="3">
<input type="hidden" name="quantite" value="7"><button id="gagner" type="submit">Gagner</button></form></html>`, base)
	}))
	t.Cleanup(evil.Close)

	do(t, ctx,
		chromedp.Navigate(evil.URL),
		chromedp.Click(chromedp.CSS(`#gagner`)),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	)
	require.Equal(t, "Requête refusée", text(t, ctx, `main h1`))
	screenshot(t, ctx, "formulaire-autre-site")

	do(t, ctx, chromedp.Navigate(base+"/boutique"), chromedp.WaitVisible(chromedp.CSS(`#panier`)))
	require.Contains(t, text(t, ctx, `#panier tbody`), "Le panier est vide", "the forged post added nothing")
}
