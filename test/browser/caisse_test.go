package browser

// The till of a store, as its caissier uses it: scan, search, raise a
// quantity, take cash, print the receipt, take goods back from it, and find
// the sale again in the store's sales. Store 4 (Verdun) is the till's own:
// no other test sells there, so its stock moves only by these tests.

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the sales list asks for Montréal's day

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// activeID is the id of the element that has the keyboard's focus.
func activeID(t *testing.T, ctx context.Context) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	require.NoError(t, err)
	return id
}

// taper types text into the focused field, as a scanner or a person does.
func taper(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	do(t, ctx, chromedp.KeyEvent(text))
}

// entree presses Enter and waits for what the next page shows.
func entree(t *testing.T, ctx context.Context, attendu string) {
	t.Helper()
	do(t, ctx, chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(attendu)))
}

// ligneTicket is the ticket's line of produit, with its quantity.
func ligneTicket(produit, quantite int) string {
	return `#ticket tr[data-produit-id="` + strconv.Itoa(produit) + `"][data-quantite="` + strconv.Itoa(quantite) + `"]`
}

// visibles counts the rows of the till's product list a person sees.
func visibles(t *testing.T, ctx context.Context) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#caisse-produits tbody tr[data-produit-id]')].filter(tr => !tr.hidden).length`))
	require.NoError(t, err)
	return n
}

// aLaLoupe checks the page as it is at both widths: axe-core finds nothing
// serious, a phone does not scroll sideways; a screenshot of each for a
// human. The page is reloaded at the phone width, then the desktop is back.
func aLaLoupe(t *testing.T, ctx context.Context, nom string) {
	t.Helper()
	checkAxe(t, ctx, int(desktop.width))
	screenshot(t, ctx, "caisse-"+nom)
	ici := location(t, ctx)
	do(t, ctx, phone(), chromedp.Navigate(ici), chromedp.WaitVisible(chromedp.CSS(`#contenu`)))
	checkAxe(t, ctx, 390)
	checkNoSidewaysScroll(t, ctx, 390)
	screenshot(t, ctx, "caisse-"+nom+"-390")
	do(t, ctx, desktop.emulate(), chromedp.Navigate(ici), chromedp.WaitVisible(chromedp.CSS(`#contenu`)))
}

// A caissier sells with the keyboard alone: the scan field has the focus,
// an EAN-13 and Enter put a product on the ticket, a name typed in the search
// narrows the list as it goes and Tab reaches its Ajouter, + raises a line,
// the cash typed shows the change, Enter pays. The sale is CONFIRMEE, the
// store's stock goes down, the receipt shows the sale, its payment and a QR
// code, and prints alone. One unit goes back from the receipt: the refund is
// shown before and after, and the stock comes back up. The sale is then
// found in the store's sales by its day and amount.
func TestBrowser_CaisseVendAuClavierImprimeLeRecuEtReprendUnArticle(t *testing.T) {
	ctx, base := browse(t)
	signIn(t, ctx, base, "/magasins/4", "caissier4", demoPassword)
	do(t, ctx, desktop.emulate(), focusEmulation())
	avant5, avant12 := disponible(t, ctx, 5), disponible(t, ctx, 12)

	// Scan: the scan field has the focus as the page opens.
	require.Equal(t, "code", activeID(t, ctx), "the till opens on its scan field")
	taper(t, ctx, "2000000000053") // the chain's EAN-13 of product 5 (Cafetière à filtre)
	entree(t, ctx, ligneTicket(5, 1))
	require.Contains(t, text(t, ctx, ligneTicket(5, 1)), "Cafetière à filtre")

	// Search by name: the list narrows as one types, then Tab to Ajouter.
	require.Equal(t, "code", activeID(t, ctx), "back on the scan field for the next article")
	tabTo(t, ctx, "recherche")
	taper(t, ctx, "sirop")
	require.Equal(t, 1, visibles(t, ctx), "only the maple syrup is left in the list")
	tabTo(t, ctx, "ajouter-12")
	entree(t, ctx, ligneTicket(12, 1))

	// One more of the first line.
	tabTo(t, ctx, "plus-5")
	entree(t, ctx, ligneTicket(5, 2))
	total := text(t, ctx, `#ticket-total`)
	require.Equal(t, "112,97\u00a0$", total, "2 × 49,99 + 12,99")
	aLaLoupe(t, ctx, "ticket")

	// Cash: the change shows as the amount is typed; Tab, Enter pays.
	do(t, ctx, focusEmulation())
	tabTo(t, ctx, "remis")
	taper(t, ctx, "100")
	require.Equal(t, "Il manque 12,97\u00a0$", text(t, ctx, `#monnaie`))
	taper(t, ctx, "\b\b\b120")
	require.Equal(t, "Monnaie à rendre : 7,03\u00a0$", text(t, ctx, `#monnaie`))
	tabTo(t, ctx, "vendre")
	do(t, ctx, chromedp.KeyEvent("\r"))
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
	require.Equal(t, "7,03\u00a0$", text(t, ctx, `#monnaie-rendue`))
	require.Equal(t, avant5-2, disponible(t, ctx, 5))
	require.Equal(t, avant12-1, disponible(t, ctx, 12))
	require.Contains(t, text(t, ctx, `#ticket`), "Le ticket est vide", "the next customer starts afresh")
	screenshot(t, ctx, "caisse-vente")

	// The receipt, by the keyboard too.
	appuyer(t, ctx, `#lien-recu`, `#recu`)
	commande := attr(t, ctx, `#recu`, "data-commande-id")
	require.Equal(t, commande, text(t, ctx, `#recu-numero`))
	require.Equal(t, "Verdun", text(t, ctx, `#recu-magasin`))
	require.Equal(t, total, text(t, ctx, `#recu-total`))
	require.Equal(t, "Comptant", text(t, ctx, `#recu-methode`))
	require.Equal(t, "120,00\u00a0$", text(t, ctx, `#recu-remis`))
	require.Equal(t, "7,03\u00a0$", text(t, ctx, `#recu-monnaie`))
	lignes := text(t, ctx, `#recu .recu-lignes`)
	require.Contains(t, lignes, "Cafetière à filtre")
	require.Contains(t, lignes, "Sirop d'érable 540 ml")
	modules, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector('#recu svg.qr path').getAttribute('d').split('M').length - 1`))
	require.NoError(t, err)
	require.Greater(t, modules, 50, "the QR code is drawn in the page")
	// Printed, the receipt is alone: no header, navigation nor form.
	do(t, ctx, media("print"))
	imprime, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`['body > header', '.recu-actions', 'footer', '#recu'].map(s => getComputedStyle(document.querySelector(s)).display)`))
	require.NoError(t, err)
	require.Equal(t, []string{"none", "none", "none", "block"}, imprime)
	do(t, ctx, media(""))
	aLaLoupe(t, ctx, "recu")

	// A return from the receipt: one coffee maker back.
	appuyer(t, ctx, `#lien-retour`, `#form-retour`)
	require.Equal(t, "2", attr(t, ctx, `#rendre-5`, "max"), "at most what was sold")
	require.Equal(t, "1", attr(t, ctx, `#rendre-12`, "max"))
	do(t, ctx, focusEmulation(), chromedp.Focus(chromedp.CSS(`#rendre-5`)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("1"))
	require.Equal(t, "49,99\u00a0$", text(t, ctx, `#remboursement`), "the refund as the quantity is typed")
	aLaLoupe(t, ctx, "retour")
	do(t, ctx, focusEmulation(), chromedp.Focus(chromedp.CSS(`#rendre-5`)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("1"))
	tabTo(t, ctx, "retourner")
	do(t, ctx, chromedp.KeyEvent("\r"))
	statut, texte = sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
	require.Contains(t, texte, "49,99\u00a0$", "the refund")
	require.Contains(t, text(t, ctx, `#recu-retours`), "remboursé 49,99\u00a0$")
	require.Equal(t, "49,99\u00a0$", text(t, ctx, `#recu-total-retourne`))
	screenshot(t, ctx, "caisse-retour-fait")

	do(t, ctx, chromedp.Navigate(base+"/magasins/4"), chromedp.WaitVisible(chromedp.CSS(`#stock`)))
	require.Equal(t, avant5-1, disponible(t, ctx, 5), "the coffee maker is back on the shelf")
	require.Equal(t, avant12-1, disponible(t, ctx, 12))

	// The sale in the store's sales, by Montréal's day and its amount.
	montreal, err := time.LoadLocation("America/Montreal")
	require.NoError(t, err)
	jour := time.Now().In(montreal).Format(time.DateOnly)
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`#lien-ventes`)),
		chromedp.WaitVisible(chromedp.CSS(`#recherche-ventes`)),
		chromedp.SetValue(chromedp.CSS(`#depuis`), jour),
		chromedp.SetValue(chromedp.CSS(`#jusqu_a`), jour),
		chromedp.SetValue(chromedp.CSS(`#montant`), "112,97"),
		chromedp.Click(chromedp.CSS(`#chercher-ventes`)),
	)
	adresseAvec(t, ctx, "montant=112%2C97")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#ventes tr[data-commande-id="`+commande+`"]`)))
	ligne := text(t, ctx, `#ventes tr[data-commande-id="`+commande+`"]`)
	require.Contains(t, ligne, "2 × Cafetière à filtre")
	require.Contains(t, ligne, "49,99\u00a0$", "what was returned")
	totaux, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#ventes tbody tr[data-total-cents]')].map(tr => tr.dataset.totalCents)`))
	require.NoError(t, err)
	for _, c := range totaux {
		require.Equal(t, "11297", c, "only sales of that amount")
	}
	aLaLoupe(t, ctx, "ventes")
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`#ventes tr[data-commande-id="`+commande+`"] a[href$="/`+commande+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#recu`)),
	)
	require.Equal(t, commande, text(t, ctx, `#recu-numero`))
	require.Equal(t, "non indiqué sur cette copie", text(t, ctx, `#recu-methode`), "from the list, the page cannot tell how it was paid")
}

// Without a script, the till still sells: the ticket lives in the address,
// each button is a plain GET that the page answers with the new ticket, and
// the search is a plain form. Card payments ask for no cash.
func TestBrowser_CaisseSansScript(t *testing.T) {
	ctx, base := browse(t)
	signIn(t, ctx, base, "/magasins/4", "caissier4", demoPassword)
	do(t, ctx, chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}), chromedp.Navigate(base+"/magasins/4"), chromedp.WaitVisible(chromedp.CSS(`#caisse`)))
	avant := disponible(t, ctx, 8)

	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#code`), "8"), // a product's number works as its code
		chromedp.Submit(chromedp.CSS(`#code`)),
		chromedp.WaitVisible(chromedp.CSS(ligneTicket(8, 1))),
		chromedp.SetValue(chromedp.CSS(`#recherche`), "tapis"),
		chromedp.Click(chromedp.CSS(`#rechercher`)),
	)
	adresseAvec(t, ctx, "recherche=tapis")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#ajouter-7`)))
	require.Equal(t, 1, visibles(t, ctx), "the server narrowed the list")
	require.Contains(t, location(t, ctx), "ligne=8%3A1", "the ticket is in the address")
	do(t, ctx,
		chromedp.Click(chromedp.CSS(`#ajouter-7`)),
		chromedp.WaitVisible(chromedp.CSS(ligneTicket(7, 1))),
		chromedp.Click(chromedp.CSS(`#plus-8`)),
		chromedp.WaitVisible(chromedp.CSS(ligneTicket(8, 2))),
		chromedp.Click(chromedp.CSS(`#moins-8`)),
		chromedp.WaitVisible(chromedp.CSS(ligneTicket(8, 1))),
		chromedp.Click(chromedp.CSS(`#plus-8`)),
		chromedp.WaitVisible(chromedp.CSS(ligneTicket(8, 2))),
	)
	require.Equal(t, "94,97\u00a0$", text(t, ctx, `#ticket-total`), "2 × 29,99 + 34,99")

	// Cash short of the total is refused, naming the field; the ticket stays.
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#remis`), "50"),
		chromedp.Click(chromedp.CSS(`#vendre`)),
	)
	waitAlert(t, ctx, "Le champ « montant remis » (50,00\u00a0$) est inférieur au total (94,97\u00a0$)")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(ligneTicket(8, 2))))
	screenshot(t, ctx, "caisse-sans-script-refus")

	do(t, ctx,
		chromedp.Click(chromedp.CSS(`#methode-carte`)),
		chromedp.Click(chromedp.CSS(`#vendre`)),
	)
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
	require.Equal(t, avant-2, disponible(t, ctx, 8))
	do(t, ctx, chromedp.Click(chromedp.CSS(`#lien-recu`)), chromedp.WaitVisible(chromedp.CSS(`#recu`)))
	require.Equal(t, "Carte", text(t, ctx, `#recu-methode`))
	require.Equal(t, "94,97\u00a0$", text(t, ctx, `#recu-total`))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#recu-remis, #imprimer').length`))
	require.NoError(t, err)
	require.Zero(t, n, "no cash on a card sale; no print button without a script")
}

// Another store's caissier gets no receipt of this store's sales.
func TestBrowser_CaisseRecuRefuseAUnAutreMagasin(t *testing.T) {
	ctx, base := browse(t)
	signIn(t, ctx, base, "/magasins/4", "caissier4", demoPassword)
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#code`), "2000000000145"), // chocolate
		chromedp.Submit(chromedp.CSS(`#code`)),
		chromedp.WaitVisible(chromedp.CSS(ligneTicket(14, 1))),
		chromedp.Click(chromedp.CSS(`#methode-carte`)),
		chromedp.Click(chromedp.CSS(`#vendre`)),
	)
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
	recu := attr(t, ctx, `#lien-recu`, "href")
	recu = recu[:strings.Index(recu, "?")]

	autre, _ := browse(t)
	signIn(t, autre, base, "/magasins/2", "caissier2", demoPassword)
	do(t, autre, chromedp.Navigate(base+recu), chromedp.WaitVisible(chromedp.CSS(`#refus`)))
	require.Contains(t, text(t, autre, `#refus`), "réservée")
	// Its own store's address with this store's sale is not found either.
	do(t, autre, chromedp.Navigate(base+strings.Replace(recu, "/magasins/4/", "/magasins/2/", 1)), chromedp.WaitVisible(chromedp.CSS(`#refus`)))
	require.Contains(t, text(t, autre, `#refus`), "Aucune vente de ce magasin ne porte ce numéro.")
}

// adresseAvec waits until the page's address holds part: the page a form
// was sent to has replaced the one it was on.
func adresseAvec(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		// An error here is the page navigating under the query: ask again.
		if u, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
			if last = u; strings.Contains(u, part) {
				do(t, ctx, chromedp.WaitReady(chromedp.CSS(`footer`)))
				return
			}
		}
	}
	t.Fatalf("the page is %s, not one with %q", last, part)
}

// media emulates a CSS media type ("" for the screen again).
func media(m string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return err
	})
}
