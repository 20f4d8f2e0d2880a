package browser

// axe-core checks the page a browser is on against WCAG 2.1 A and AA: the
// engine comes from test/browser/package-lock.json (`npm ci` in test/browser;
// make test runs it), is injected with Runtime.evaluate, which the page's
// Content-Security-Policy does not govern, and runs in the page itself.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// axePath is where `npm ci` in test/browser puts the engine's browser build.
var axePath = filepath.Join("node_modules", "axe-core", "axe.min.js")

// axeSource reads the engine once per test binary.
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(axePath)
	if err != nil {
		return "", fmt.Errorf("axe-core is not installed (%w): `make test` installs it, or `npm ci` in test/browser", err)
	}
	return string(b), nil
})

// axeTags are the rule sets the pages must pass: WCAG 2.0 and 2.1, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// axeViolation is one failed rule, with every element that fails it.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Targets []string `json:"targets"` // a CSS selector per element
	Why     []string `json:"why"`     // axe's failure summary per element
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for i, target := range v.Targets {
		fmt.Fprintf(&b, "\n      %s", target)
		if i < len(v.Why) && v.Why[i] != "" {
			fmt.Fprintf(&b, " — %s", strings.ReplaceAll(v.Why[i], "\n", " "))
		}
	}
	return b.String()
}

// axeRun is the script run after the engine is in the page: the violations
// whose impact is serious or critical, the two levels that block a person
// (moderate and minor ones are left to review).
var axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ` + jsStrings(axeTags) + `}, resultTypes: ['violations']})
  .then(r => r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map(n => n.target.join(' ')),
      why: v.nodes.map(n => n.failureSummary || '')})))`

func jsStrings(list []string) string {
	return "['" + strings.Join(list, "', '") + "']"
}

// axeViolations injects axe-core into the current page and returns its
// serious and critical violations.
func axeViolations(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	src, err := axeSource()
	require.NoError(t, err)
	_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src+"\n;undefined"))
	require.NoError(t, err, "injecting axe-core")
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	require.NoError(t, err, "running axe-core")
	return violations
}

// checkAxe fails the test with every serious or critical violation of the
// current page, named with the page's URL and the viewport's width.
func checkAxe(t *testing.T, ctx context.Context, width int) {
	t.Helper()
	violations := axeViolations(t, ctx)
	if len(violations) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "axe-core: %d serious or critical violation(s) on %s at %d px:", len(violations), location(t, ctx), width)
	for _, v := range violations {
		b.WriteString("\n  - " + v.String())
	}
	t.Error(b.String())
}

// overflowJS is how far the page is wider than the viewport, and the first
// elements that stick out on the right, outside any scroll container: a
// phone user would have to scroll sideways to read them.
const overflowJS = `(() => {
  const root = document.documentElement;
  const over = Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
  let culprits = [];
  if (over > 1) {
    const inScroller = el => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
      }
      return false;
    };
    const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].join('.') : '');
    for (const el of document.body.querySelectorAll('*')) {
      if (inScroller(el)) continue;
      // A box past the edge, or a box whose content spills past it (a word
      // too long for its heading).
      const r = el.getBoundingClientRect();
      const right = Math.max(r.right, getComputedStyle(el).overflowX === 'visible' ? r.left + el.scrollWidth : 0);
      if (right > root.clientWidth + 1) culprits.push([el, right]);
    }
    // The innermost ones: their ancestors only carry their overflow.
    culprits = culprits.filter(([el]) => !culprits.some(([other]) => other !== el && el.contains(other)))
      .slice(0, 8).map(([el, right]) => name(el) + ' (right edge ' + Math.round(right) + ')');
  }
  return {over: over, culprits: culprits};
})()`

type overflow struct {
	Over     float64  `json:"over"`
	Culprits []string `json:"culprits"`
}

// checkNoSidewaysScroll fails when the page is wider than the viewport.
// Wide tables scroll inside their own box (app.css), so they do not count.
func checkNoSidewaysScroll(t *testing.T, ctx context.Context, width int) {
	t.Helper()
	o, err := chromedp.Run(ctx, chromedp.Evaluate[overflow](overflowJS))
	require.NoError(t, err)
	if o.Over > 1 {
		t.Errorf("%s at %d px is %.0f px wider than the screen; sticking out: %s",
			location(t, ctx), width, o.Over, strings.Join(o.Culprits, ", "))
	}
}

// The checker must find what it is there to find: on a page with an image
// without text, a field without a label, grey-on-white text and a box wider
// than a phone, served with the app's CSP, axe-core reports the first three
// and the overflow check the last. A harness that sees nothing cannot pass.
func TestAxe_FindsTheViolationsOfABadPage(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		if r.URL.Path == "/mauvaise.css" {
			w.Header().Set("Content-Type", "text/css")
			_, _ = fmt.Fprint(w, `#pale { color: #bbb; } #trop-large { width: 600px; }`)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprint(w, `<!doctype html><html lang="fr-CA"><head><title>Mauvaise page</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="stylesheet" href="/mauvaise.css"></head>
<body><main><h1>Mauvaise page</h1>
<svg role="img" id="sans-texte" width="20" height="20"><rect width="20" height="20"></rect></svg>
<input id="sans-etiquette">
<p id="pale">Texte trop pâle</p>
<div id="trop-large">large</div>
</main></body></html>`)
	}))
	t.Cleanup(bad.Close)

	ctx, _ := browseFor(t, 90*time.Second)
	do(t, ctx, phone(), chromedp.Navigate(bad.URL))
	found := map[string]string{}
	for _, v := range axeViolations(t, ctx) {
		found[v.ID] = strings.Join(v.Targets, " ")
	}
	require.Contains(t, found["svg-img-alt"], "#sans-texte", "%v", found)
	require.Contains(t, found["label"], "#sans-etiquette", "%v", found)
	require.Contains(t, found["color-contrast"], "#pale", "%v", found)

	o, err := chromedp.Run(ctx, chromedp.Evaluate[overflow](overflowJS))
	require.NoError(t, err)
	require.Greater(t, o.Over, 1.0, "the 600 px box overflows a 390 px screen")
	require.Contains(t, strings.Join(o.Culprits, " "), "div#trop-large")
}
