package docs

// Every ```mermaid block of README.md and docs/ must parse, with the same
// parser a reader's viewer runs: the mermaid npm package's browser build,
// loaded into a headless chromium from a server on loopback, asked
// `mermaid.parse(text)` block by block. The package comes from
// test/docs/package-lock.json (`npm ci` in test/docs; make test runs it).

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"multimagasins/fleet"
	"multimagasins/test/internal/headless"
)

// block is one ```mermaid block: the document, the line of its opening
// fence (1-based) and its text.
type block struct {
	doc  string
	line int
	text string
}

// parseErrorLine finds the line, counted from the block's first, in the
// parser's "Parse error on line N" message.
var parseErrorLine = regexp.MustCompile(`on line (\d+)`)

func (b block) String() string { return fmt.Sprintf("%s:%d", b.doc, b.line) }

// mermaidBlocks returns the ```mermaid blocks of doc, in order.
func mermaidBlocks(name, doc string) []block {
	var (
		out  []block
		open *block
		body strings.Builder
	)
	walkFences(doc, "mermaid", func(n int, line string, at fence) {
		switch at {
		case opening:
			open = &block{doc: name, line: n}
			body.Reset()
		case inside:
			body.WriteString(line + "\n")
		case closing:
			open.text = body.String()
			out = append(out, *open)
			open = nil
		}
	})
	if open != nil { // an unclosed fence: the viewer shows it as code, not a diagram
		open.text = body.String()
		out = append(out, *open)
	}
	return out
}

func TestMermaidBlocks_Extracted(t *testing.T) {
	doc := "# t\n\n```mermaid\nflowchart LR\n  a --> b\n```\n\n```sh\necho\n```\n```mermaid\nstateDiagram-v2\n```\n"
	got := mermaidBlocks("x.md", doc)
	require.Len(t, got, 2)
	require.Equal(t, block{doc: "x.md", line: 3, text: "flowchart LR\n  a --> b\n"}, got[0])
	require.Equal(t, block{doc: "x.md", line: 11, text: "stateDiagram-v2\n"}, got[1])
}

// page loads the parser and exposes check(text): "" when the diagram
// parses, else the parser's message.
const page = `<!doctype html><meta charset="utf-8"><title>mermaid</title>
<script src="/mermaid.min.js"></script>
<script>
mermaid.initialize({startOnLoad: false});
window.check = async (text) => {
  try { await mermaid.parse(text); return ""; }
  catch (e) { return String((e && (e.message || e.str)) || e) || "parse error"; }
};
</script>`

func TestDocs_EveryMermaidDiagramParses(t *testing.T) {
	root, err := fleet.FindRoot()
	require.NoError(t, err)
	dist := filepath.Join(root, "test", "docs", "node_modules", "mermaid", "dist", "mermaid.min.js")
	if _, err := os.Stat(dist); err != nil {
		t.Fatalf("the mermaid parser is missing (run `npm ci` in test/docs, as make test does): %v", err)
	}
	if _, err := os.Stat(headless.Chromium); err != nil {
		t.Fatalf("%s is missing (apt-get install chromium): %v", headless.Chromium, err)
	}

	var blocks []block
	for _, doc := range documents(t, root) {
		src, err := os.ReadFile(filepath.Join(root, doc))
		require.NoError(t, err)
		blocks = append(blocks, mermaidBlocks(doc, string(src))...)
	}
	require.NotEmpty(t, blocks, "no ```mermaid block in README.md or docs/*.md")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	mux.HandleFunc("GET /mermaid.min.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, dist)
	})
	srv := httptest.NewServer(mux) // loopback only
	t.Cleanup(srv.Close)

	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), headless.Options(t)...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A bound so a stuck page fails the test instead of hanging the suite.
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")))
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.check === "function" && typeof mermaid === "object"`))
	require.NoError(t, err)
	require.True(t, loaded, "the page did not load mermaid.min.js")

	check := func(text string) string {
		arg, err := json.Marshal(text)
		require.NoError(t, err)
		msg, err := chromedp.Run(ctx, chromedp.Evaluate[string]("window.check("+string(arg)+")", chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		return msg
	}

	// The parser refuses what it should, so a pass below means something.
	require.NotEmpty(t, check("flowchart LR\n  a -->\n"), "a broken diagram parsed")
	require.NotEmpty(t, check("stateDiagram-v2\n  [*] --> A: x\n  A -- B\n"), "a broken state diagram parsed")
	require.Empty(t, check("flowchart LR\n  a --> b\n"))

	for _, b := range blocks {
		if msg := check(b.text); msg != "" {
			at := ""
			if m := parseErrorLine.FindStringSubmatch(msg); m != nil {
				n, _ := strconv.Atoi(m[1])
				at = fmt.Sprintf(" (the error is at %s:%d)", b.doc, b.line+n)
			}
			t.Errorf("%s: the ```mermaid block opened on this line does not parse%s:\n%s", b, at, msg)
		}
	}
	t.Logf("%d mermaid blocks checked", len(blocks))
}
