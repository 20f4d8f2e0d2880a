package browser

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"multimagasins/test/internal/headless"
)

// offline is what a browser with no internet access tried to reach: every
// request its tab sent (CDP network events) and what reached the one way out
// it has, a proxy that refuses everything.
type offline struct {
	mu         sync.Mutex
	requests   []string // every URL the page asked for
	refused    []string // what reached the proxy: anything not on loopback, the page's or the browser's own
	exceptions []string // uncaught JavaScript errors
}

func (o *offline) add(list *[]string, s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	*list = append(*list, s)
}

func (o *offline) snapshot() (requests, refused, exceptions []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.requests), slices.Clone(o.refused), slices.Clone(o.exceptions)
}

// browseOffline opens a headless Chromium that can reach loopback only.
// Every other request goes to a proxy that records it and answers 502 (a
// proxy never sees loopback requests: Chromium bypasses it for them), and no
// host name resolves, so a page that needs the internet stays blank, as on a
// machine with no network.
func browseOffline(t *testing.T) (context.Context, *offline) {
	t.Helper()
	seen := &offline{}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.add(&seen.refused, r.Method+" "+r.Host+r.URL.RequestURI())
		http.Error(w, "no network in this test", http.StatusBadGateway)
	}))
	t.Cleanup(proxy.Close)

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), headless.Options(t,
		chromedp.ProxyServer(proxy.URL),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(1280, 1000))...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			seen.add(&seen.requests, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			seen.add(&seen.exceptions, ev.ExceptionDetails.Text+" "+describe(ev.ExceptionDetails.Exception))
		}
	}))
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	// Every document the tab opens keeps its Content-Security-Policy
	// refusals where the test can read them, from before its own scripts run.
	addScript := func(ctx context.Context, tab *chromedp.Target) error {
		_, err := cdp.Call(ctx, tab, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener})
		return err
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.Func(addScript)))
	return ctx, seen
}

const cspListener = `window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));`

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return o.Description
}

// The docs page of a service renders its operations in a browser that can
// reach nothing but that service: Stoplight Elements comes from the binary.
func TestDocs_RendersTheOperationsWithTheNetworkOff(t *testing.T) {
	base := fl.URL("stock")
	require.NotEmpty(t, base, "stock is not running: %s", fl.Skipped("stock"))
	summaries := operationSummaries(t, base)
	require.NotEmpty(t, summaries, "stock's OpenAPI has no operation summaries")

	ctx, seen := browseOffline(t)
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+"/docs"))
	require.NoError(t, err)
	require.EqualValues(t, http.StatusOK, resp.Status)
	require.Contains(t, resp.Headers["Content-Security-Policy"], "script-src 'self'")

	// Elements fetched /openapi.json and rendered its root and every operation
	// in the sidebar.
	summariesJSON, err := json.Marshal(summaries)
	require.NoError(t, err)
	missing, err := chromedp.Run(ctx, chromedp.Poll[[]string](`(() => {
  const root = document.querySelector('elements-api .sl-elements-api');
  if (!root) return false;
  const text = root.innerText;
  const missing = `+string(summariesJSON)+`.filter(s => !text.includes(s));
  return missing.length === 0 ? [] : false;
})()`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		screenshot(t, ctx, "docs-hors-ligne-echec")
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("the operations did not render: %v\npage text: %.2000s\nrequests: %v", err, text, reqs(seen))
	}
	require.Empty(t, missing)
	screenshot(t, ctx, "docs-hors-ligne")

	// One operation opens, with its path, from the sidebar.
	first, err := json.Marshal(summaries[0])
	require.NoError(t, err)
	clicked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(s => {
  const a = [...document.querySelectorAll('.sl-elements-api a')].find(a => a.innerText.trim().startsWith(s));
  if (a) a.click();
  return !!a;
})(`+string(first)+`)`))
	require.NoError(t, err)
	require.True(t, clicked, "no link to %q in the sidebar", summaries[0])
	title, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => {
  const h = document.querySelector('.sl-elements-api h1');
  return h && h.innerText.trim();
})()`, chromedp.WithPollingTimeout(10*time.Second)))
	require.NoError(t, err)
	require.Equal(t, summaries[0], title)

	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__cspViolations || ['the CSP listener did not run']`))
	require.NoError(t, err)
	require.Empty(t, violations, "the page's Content-Security-Policy refused something it needs")

	// The tab's requests all stayed on loopback. The proxy also sees the
	// browser's own background calls (updates, accounts), which are no page's.
	requests, refused, exceptions := seen.snapshot()
	t.Logf("refused by the offline proxy: %v", refused)
	require.Empty(t, exceptions, "uncaught JavaScript errors")
	require.NotEmpty(t, requests)
	for _, raw := range requests {
		u, err := url.Parse(raw)
		require.NoError(t, err, raw)
		if u.Scheme == "data" || u.Scheme == "blob" {
			continue
		}
		ip := net.ParseIP(u.Hostname())
		require.True(t, ip != nil && ip.IsLoopback(), "the page asked for %s, not on loopback", raw)
	}
	require.True(t, slices.ContainsFunc(requests, func(s string) bool { return strings.HasSuffix(s, "/openapi.json") }),
		"Elements did not fetch /openapi.json: %v", requests)
}

// operationSummaries reads the summaries of the service's operations, as
// Elements lists them.
func operationSummaries(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc struct {
		Paths map[string]map[string]struct {
			Summary string `json:"summary"`
		} `json:"paths"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	var out []string
	for _, ops := range doc.Paths {
		for _, op := range ops {
			if op.Summary != "" {
				out = append(out, op.Summary)
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func reqs(o *offline) []string {
	r, _, _ := o.snapshot()
	return r
}
