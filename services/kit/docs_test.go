package kit

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// getDocs asks app for path with the given request headers (name, value, ...),
// through the router and its middleware, with no client in between to add
// or undo an encoding.
func getDocs(t *testing.T, app *App, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	app.Router.ServeHTTP(rec, req)
	return rec
}

func newDocsApp() *App {
	return NewApp(Config{Service: "kit-test", MaxBodyBytes: 1 << 20}, discardLog(), nil)
}

var pageRefs = regexp.MustCompile(`(?i)\b(?:src|href|apiDescriptionUrl)="([^"]*)"`)

func TestDocs_PageLoadsOnlyItsOwnAssets(t *testing.T) {
	rec := getDocs(t, newDocsApp(), "/docs")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /docs = %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	page := rec.Body.String()
	for _, outside := range []string{"http:", "https:", "//"} {
		if strings.Contains(page, outside) {
			t.Errorf("the page names something outside the service (%q):\n%s", outside, page)
		}
	}
	refs := pageRefs.FindAllStringSubmatch(page, -1)
	var got []string
	for _, r := range refs {
		got = append(got, r[1])
	}
	if len(got) != 5 {
		t.Fatalf("the page references %v, want three stylesheets, the script and the spec", got)
	}
	for _, ref := range got[:4] {
		if !strings.HasPrefix(ref, DocsAssetsPath) || !strings.Contains(ref, "?v=") {
			t.Errorf("asset %q is not a versioned URL under %s", ref, DocsAssetsPath)
		}
		if a := getDocs(t, newDocsApp(), strings.ReplaceAll(ref, "&amp;", "&")); a.Code != http.StatusOK {
			t.Errorf("GET %s = %d", ref, a.Code)
		}
	}
	if got[4] != "/openapi.json" {
		t.Errorf("Elements renders %q, want /openapi.json", got[4])
	}
	if !strings.Contains(page, `data-auto-add-css="false"`) {
		t.Errorf("Font Awesome would add an inline <style>, which the CSP refuses:\n%s", page)
	}
	if !strings.Contains(page, "<title>Multi-magasins kit-test Reference</title>") {
		t.Errorf("the title does not name the service:\n%s", page)
	}

	directives := map[string]string{}
	for d := range strings.SplitSeq(rec.Header().Get("Content-Security-Policy"), ";") {
		name, sources, _ := strings.Cut(strings.TrimSpace(d), " ")
		directives[name] = sources
	}
	for name, want := range map[string]string{
		"default-src": "'none'", "script-src": "'self'", "connect-src": "'self'",
		"base-uri": "'none'", "form-action": "'none'", "frame-ancestors": "'none'",
		"style-src": "'self'",
	} {
		if directives[name] != want {
			t.Errorf("Content-Security-Policy %s is %q, want %q", name, directives[name], want)
		}
	}
	for name, sources := range directives {
		for source := range strings.FieldsSeq(sources) {
			if strings.Contains(source, ":") && source != "data:" {
				t.Errorf("Content-Security-Policy %s allows %q, another origin", name, source)
			}
		}
	}
}

func TestDocs_AssetsHaveTheirTypeAndAreCachedForLong(t *testing.T) {
	app := newDocsApp()
	for name, want := range map[string]struct{ contentType, marker string }{
		"web-components.min.js":             {"text/javascript; charset=utf-8", `customElements.define("elements-api"`},
		"styles.min.css":                    {"text/css; charset=utf-8", ".sl-elements "},
		"fontawesome.css":                   {"text/css; charset=utf-8", ".svg-inline--fa"},
		"docs.css":                          {"text/css; charset=utf-8", "body"},
		"LICENSE":                           {"text/plain; charset=utf-8", "Apache License"},
		"web-components.min.js.LICENSE.txt": {"text/plain; charset=utf-8", "@license"},
	} {
		rec := getDocs(t, app, DocsAssetsPath+name)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d %s", name, rec.Code, rec.Body)
		}
		h := rec.Header()
		if h.Get("Content-Type") != want.contentType || h.Get("Content-Encoding") != "" {
			t.Errorf("%s: Content-Type %q, Content-Encoding %q", name, h.Get("Content-Type"), h.Get("Content-Encoding"))
		}
		if !strings.Contains(rec.Body.String(), want.marker) {
			t.Errorf("%s does not contain %q", name, want.marker)
		}
		if h.Get("Content-Length") != strconv.Itoa(rec.Body.Len()) {
			t.Errorf("%s: Content-Length %q for %d bytes", name, h.Get("Content-Length"), rec.Body.Len())
		}
		if h.Get("Cache-Control") != "public, max-age=31536000, immutable" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Cache-Control %q, X-Content-Type-Options %q", name, h.Get("Cache-Control"), h.Get("X-Content-Type-Options"))
		}
		etag := h.Get("ETag")
		if !strings.HasPrefix(etag, `"`) {
			t.Fatalf("%s: ETag %q", name, etag)
		}
		again := getDocs(t, app, DocsAssetsPath+name, "If-None-Match", etag)
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 || again.Header().Get("ETag") != etag {
			t.Errorf("%s: revalidation = %d, %d bytes, ETag %q", name, again.Code, again.Body.Len(), again.Header().Get("ETag"))
		}
	}
	requireProblem(t, answerOf(getDocs(t, app, DocsAssetsPath+"secret.js")), http.StatusNotFound)
	requireProblem(t, answerOf(getDocs(t, app, DocsAssetsPath+"..%2Fdocs.go")), http.StatusNotFound)
}

func TestDocs_GzipOnlyToClientsThatAcceptIt(t *testing.T) {
	app := newDocsApp()
	plain := getDocs(t, app, DocsAssetsPath+"web-components.min.js")
	if plain.Body.Len() < 1<<20 {
		t.Fatalf("the uncompressed script is %d bytes: not the Elements build", plain.Body.Len())
	}
	for _, accept := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, GZIP;q=0.5", "*", "identity, *;q=0.1"} {
		rec := getDocs(t, app, DocsAssetsPath+"web-components.min.js", "Accept-Encoding", accept)
		h := rec.Header()
		if h.Get("Content-Encoding") != "gzip" || h.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, Vary %q", accept, h.Get("Content-Encoding"), h.Get("Vary"))
		}
		if h.Get("Content-Length") != strconv.Itoa(rec.Body.Len()) || rec.Body.Len() >= plain.Body.Len()/2 {
			t.Errorf("Accept-Encoding %q: Content-Length %q, %d bytes compressed", accept, h.Get("Content-Length"), rec.Body.Len())
		}
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		unzipped, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(unzipped, plain.Body.Bytes()) {
			t.Errorf("Accept-Encoding %q: the compressed body is not the plain one", accept)
		}
		if h.Get("ETag") == plain.Header().Get("ETag") {
			t.Errorf("both representations have the ETag %s", h.Get("ETag"))
		}
		// The plain representation's tag does not validate the compressed one.
		if again := getDocs(t, app, DocsAssetsPath+"web-components.min.js", "Accept-Encoding", accept,
			"If-None-Match", plain.Header().Get("ETag")); again.Code != http.StatusOK {
			t.Errorf("Accept-Encoding %q with the plain ETag = %d", accept, again.Code)
		}
	}
	for _, accept := range []string{"", "identity", "gzip;q=0", "br, zstd", "*, gzip;q=0", "x-gzip;q=0.000"} {
		rec := getDocs(t, app, DocsAssetsPath+"web-components.min.js", "Accept-Encoding", accept)
		if rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), plain.Body.Bytes()) {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, %d bytes", accept, rec.Header().Get("Content-Encoding"), rec.Body.Len())
		}
	}
	// Files stored as they are go out as they are, whatever the client accepts.
	if rec := getDocs(t, app, DocsAssetsPath+"LICENSE", "Accept-Encoding", "gzip"); rec.Header().Get("Content-Encoding") != "" ||
		!strings.Contains(rec.Body.String(), "Apache License") {
		t.Errorf("LICENSE with Accept-Encoding gzip: Content-Encoding %q", rec.Header().Get("Content-Encoding"))
	}
}

func answerOf(rec *httptest.ResponseRecorder) answer {
	return answer{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}
