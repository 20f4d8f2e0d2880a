package browser

// Every page of the app, as the person who sees it, at a desktop width and a
// phone width: the language is declared, axe-core finds no serious or
// critical WCAG 2.1 AA violation, a phone never scrolls sideways, and the
// keyboard reaches everything with a visible focus. A screenshot of each
// page at each width lands in test/artifacts/pages for a human to look at.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"multimagasins/test/internal/webpages"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// appPage is one page of webpages.All as the browser suite opens it.
type appPage struct{ webpages.Page }

var appPages = func() []appPage {
	out := make([]appPage, len(webpages.All))
	for i, p := range webpages.All {
		out[i] = appPage{p}
	}
	return out
}()

// Who a page is seen as: each role signs in once in a browser of its own.
const (
	anonyme = webpages.Anonyme
	client  = webpages.Client
)

// makeNeeded makes what a page needs, in the role's browser, once per tour.
func makeNeeded(t *testing.T, ctx context.Context, base string, b webpages.Besoin) {
	t.Helper()
	switch b {
	case webpages.CommandeEnLigne:
		orderOne(t, ctx, base)
	case webpages.VenteAuComptoir:
		saleOne(t, ctx, base)
	default:
		t.Fatalf("nothing makes %q", b)
	}
}

// orderOne has the client check out one product online, with the shop's
// own forms.
func orderOne(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	// The forms are submitted, not their buttons clicked: how the shop
	// lays its buttons out is its own tests' subject, not this one's.
	do(t, ctx,
		chromedp.Navigate(base+"/boutique"),
		chromedp.Submit(chromedp.CSS(`#ajout-quantite-3`)),
		chromedp.WaitVisible(chromedp.CSS(`#panier tr[data-produit-id="3"]`)),
		chromedp.Submit(chromedp.CSS(`#commander`)),
	)
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
}

// saleOne rings up one product at store 3's till (the ticket travels in
// the address), paid cash.
func saleOne(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(base+"/magasins/3?ligne=5:1"),
		chromedp.WaitVisible(chromedp.CSS(`#paiement`)),
		chromedp.SetValue(chromedp.CSS(`#remis`), "1000"),
		chromedp.Submit(chromedp.CSS(`#paiement`)),
	)
	statut, texte := sagaResult(t, ctx)
	require.Equal(t, "CONFIRMEE", statut, texte)
}

// firstLink opens the page's list and returns the path of its first link
// in <main> that the page's Link matches: a page reached from a list needs
// an id only the list knows.
func (p appPage) firstLink(t *testing.T, ctx context.Context, base string) string {
	t.Helper()
	do(t, ctx, chromedp.Navigate(base+p.ListedOn))
	js, err := json.Marshal(p.Link.String())
	require.NoError(t, err)
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const re = new RegExp(`+string(js)+`);
  return [...document.querySelectorAll('main a[href]')].map(a => a.pathname).find(p => re.test(p)) || ""; })()`))
	require.NoError(t, err)
	require.NotEmpty(t, href, "%s has no link matching %s", p.ListedOn, p.Link)
	return href
}

// signInAs makes the browser role's: staff sign in on the role's first page
// (which sends them to the form and back), a client is a fresh sign-up.
func signInAs(t *testing.T, ctx context.Context, base, role, first string) {
	t.Helper()
	// A page that fails to render would keep the helpers waiting for its
	// header until the whole tour's limit.
	ctx, cancel := context.WithTimeout(ctx, pageLimit)
	defer cancel()
	switch role {
	case anonyme:
	case client:
		signUp(t, ctx, base, "Verificatrice")
	default:
		signIn(t, ctx, base, first, role, demoPassword)
	}
}

// roleTour is a role's pages, in the table's order.
type roleTour struct {
	role  string
	pages []appPage
}

func tours(t *testing.T, pages []appPage) []roleTour {
	t.Helper()
	var out []roleTour
	for _, p := range pages {
		if n := len(out); n > 0 && out[n-1].role == p.Role {
			out[n-1].pages = append(out[n-1].pages, p)
			continue
		}
		for _, o := range out {
			require.NotEqual(t, o.role, p.Role, "keep the pages of %s together in webpages.All", p.Role)
		}
		out = append(out, roleTour{role: p.Role, pages: []appPage{p}})
	}
	return out
}

// viewport is a screen the pages must work on.
type viewport struct {
	width, height int64
	phone         bool
}

var viewports = []viewport{{width: 1280, height: 900}, {width: 390, height: 844, phone: true}}

var desktop = viewports[0]

// phone is a 390 × 844 phone screen, touch and mobile layout included.
func phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)
}

func (v viewport) emulate() chromedp.Action[chromedp.Void] {
	if v.phone {
		return phone()
	}
	return chromedp.EmulateViewport(v.width, v.height)
}

// open loads the page and checks it is the page asked for, with the answer
// expected: not the sign-in form nor an error in its place. made holds what
// the tour has made already (a page's Needs is made once), found the paths
// found on lists (at the first width, for the next).
func (p appPage) open(t *testing.T, ctx context.Context, base string, made map[webpages.Besoin]bool, found map[string]string) {
	t.Helper()
	path := p.Path
	if p.Link != nil {
		if _, tried := found[p.Path]; !tried {
			found[p.Path] = "" // a page whose making fails is not tried again at the next width
			if !made[p.Needs] {
				made[p.Needs] = true
				makeNeeded(t, ctx, base, p.Needs)
			}
			found[p.Path] = p.firstLink(t, ctx, base)
		}
		require.NotEmpty(t, found[p.Path], "finding %s failed at the first width", p.Path)
		path = found[p.Path]
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+path))
	require.NoError(t, err, path)
	want := int64(p.Status)
	if want == 0 {
		want = http.StatusOK
	}
	require.Equal(t, want, resp.Status, "%s as %s", path, p.Role)
	at, err := url.Parse(location(t, ctx))
	require.NoError(t, err)
	require.Equal(t, strings.SplitN(path, "?", 2)[0], at.Path, "%s as %s was sent elsewhere", path, p.Role)
}

// savePage keeps a full-page PNG of the page in test/artifacts/pages.
func savePage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	img, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	dir := filepath.Join("..", "artifacts", "pages")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), img, 0o644))
}

// startTour opens the role's browser at the desktop size and signs it in.
// The browser starts here, under the tour's context: a page's shorter
// context, cancelled when the page is done, must not be the one it starts
// under, or it would close with it.
func startTour(t *testing.T, tour roleTour) (context.Context, string) {
	t.Helper()
	ctx, base := browseFor(t, tourLimit)
	do(t, ctx, desktop.emulate())
	signInAs(t, ctx, base, tour.role, tour.pages[0].Path)
	return ctx, base
}

// tourLimit bounds one role's walk through its pages, pageLimit one page.
const (
	tourLimit = 8 * time.Minute
	pageLimit = time.Minute
)

func TestPages_AccessibleOnDesktopAndPhone(t *testing.T) {
	for _, tour := range tours(t, appPages) {
		t.Run(tour.role, func(t *testing.T) {
			ctx, base := startTour(t, tour)
			made, found := map[webpages.Besoin]bool{}, map[string]string{}
			for _, p := range tour.pages {
				for _, v := range viewports {
					t.Run(fmt.Sprintf("%s@%d", p.Slug(), v.width), func(t *testing.T) {
						ctx, cancel := context.WithTimeout(ctx, pageLimit)
						defer cancel()
						do(t, ctx, v.emulate())
						p.open(t, ctx, base, made, found)
						lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
						require.NoError(t, err)
						require.Equal(t, "fr-CA", lang, "the language of %s", p.Path)
						checkAxe(t, ctx, int(v.width))
						if v.phone {
							checkNoSidewaysScroll(t, ctx, int(v.width))
						}
						savePage(t, ctx, fmt.Sprintf("%s-%s-%d", tour.role, p.Slug(), v.width))
					})
				}
			}
		})
	}
}

// maxTabs bounds the keyboard walk of one page.
const maxTabs = 40

// focused describes document.activeElement after a key press. Each element
// gets a number the first time it has the focus, so a walk that comes back
// to an element it has seen is known.
type focused struct {
	Body     bool   `json:"body"` // nothing has the focus
	N        int    `json:"n"`
	What     string `json:"what"`
	Visible  bool   `json:"visible"`
	Ring     bool   `json:"ring"` // an outline or a box-shadow shows the focus
	Skip     bool   `json:"skip"` // the skip link
	InMain   bool   `json:"inMain"`
	Followed bool   `json:"followed"` // inside <main> or after it
	// Fields: a date or time input, where Tab moves between its own
	// fields (day, month, year) before it leaves the element.
	Fields bool `json:"fields"`
}

const focusedJS = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {body: true};
  window.__vus = window.__vus || new WeakMap();
  if (!window.__vus.has(el)) window.__vus.set(el, (window.__n = (window.__n || 0) + 1));
  const cs = getComputedStyle(el), r = el.getBoundingClientRect(), main = document.querySelector('main');
  const label = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return {
    n: window.__vus.get(el),
    what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + label + '"',
    visible: r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.opacity !== '0' &&
      r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    ring: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none',
    skip: el.matches('a[href="#contenu"]') && el.textContent.trim() === 'Aller au contenu',
    inMain: !!main && main.contains(el),
    followed: !!main && (main.contains(el) || !!(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)),
    fields: el.matches('input[type=date], input[type=time], input[type=datetime-local], input[type=month], input[type=week]'),
  };
})()`

// tabbableFromMainJS tells whether anything in <main> or after it can be
// reached by Tab.
const tabbableFromMainJS = `(() => {
  const main = document.querySelector('main');
  if (!main) return false;
  return [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')]
    .some(el => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0 &&
      (main.contains(el) || !!(main.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)));
})()`

func focusNow(t *testing.T, ctx context.Context) focused {
	t.Helper()
	f, err := chromedp.Run(ctx, chromedp.Evaluate[focused](focusedJS))
	require.NoError(t, err)
	return f
}

func tab(t *testing.T, ctx context.Context) focused {
	t.Helper()
	do(t, ctx, chromedp.KeyEvent("\t"))
	return focusNow(t, ctx)
}

// focusEmulation makes the page behave as the window in front: a headless
// tab is not, and its focused element (the sign-in form's autofocus) would
// then match no :focus rule.
func focusEmulation() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	})
}

// A keyboard alone goes through every page: the first Tab reaches the skip
// link (or the page put the focus in its content itself, as the sign-in
// form does), the skip link leads into <main>, and each Tab after it lands
// on a visible element that shows it has the focus.
func TestKeyboard_EveryPageByTab(t *testing.T) {
	for _, tour := range tours(t, appPages) {
		t.Run(tour.role, func(t *testing.T) {
			ctx, base := startTour(t, tour)
			made, found := map[webpages.Besoin]bool{}, map[string]string{}
			do(t, ctx, focusEmulation())
			for _, p := range tour.pages {
				t.Run(p.Slug(), func(t *testing.T) {
					ctx, cancel := context.WithTimeout(ctx, pageLimit)
					defer cancel()
					p.open(t, ctx, base, made, found)
					keyboardWalk(t, ctx)
				})
			}
		})
	}
}

func keyboardWalk(t *testing.T, ctx context.Context) {
	t.Helper()
	where := location(t, ctx)
	start := focusNow(t, ctx)
	if start.Body {
		first := tab(t, ctx)
		require.True(t, first.Skip, "%s: the first Tab reaches %s, not the skip link \"Aller au contenu\"", where, first.What)
		checkFocus(t, where, first)
		// Following the skip link moves the keyboard into the content: the
		// next Tab lands in <main> or after it, or, on a page with nothing
		// to reach from there on, back at the top.
		do(t, ctx, chromedp.KeyEvent("\r"))
		next := tab(t, ctx)
		ahead, err := chromedp.Run(ctx, chromedp.Evaluate[bool](tabbableFromMainJS))
		require.NoError(t, err)
		if ahead || !next.Body && !next.Skip {
			require.True(t, next.Followed, "%s: after the skip link, Tab goes to %s, before <main>", where, next.What)
		}
		// Back to the top of the page for the walk through it all.
		_, err = chromedp.Run(ctx, chromedp.Navigate(where))
		require.NoError(t, err)
		start = tab(t, ctx)
	} else {
		require.True(t, start.InMain, "%s: the page opens with the focus on %s, outside <main>", where, start.What)
	}

	seen := map[int]bool{}
	prev := start
	for i := 0; i < maxTabs && !prev.Body && !seen[prev.N]; i++ {
		checkFocus(t, where, prev)
		seen[prev.N] = true
		next := tab(t, ctx)
		for ; next.N == prev.N && !next.Body && prev.Fields && i < maxTabs; i++ {
			next = tab(t, ctx) // the next field of the same date input
		}
		require.False(t, next.N == prev.N && !next.Body, "%s: Tab stays on %s", where, prev.What)
		prev = next
	}
	require.NotEmpty(t, seen, "%s: Tab reaches nothing", where)
}

func checkFocus(t *testing.T, where string, f focused) {
	t.Helper()
	if !f.Visible {
		t.Errorf("%s: Tab reaches %s, which cannot be seen", where, f.What)
	}
	if !f.Ring {
		t.Errorf("%s: %s has the focus but shows no outline or box-shadow", where, f.What)
	}
}
