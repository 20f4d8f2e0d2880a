package kit

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"html"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/go-chi/chi/v5"
)

// The interactive API reference at /docs is Stoplight Elements' web
// component, vendored in docsui/ and embedded here, so the page works with
// no internet access (huma's own /docs loads it from a CDN). docsui/README.md
// says which version it is and how to refresh it; docs/adr/0017 why.
//
// The files from the package are stored gzip-compressed: that is how almost
// every browser takes them, and it keeps the repository and every binary
// about 1.7 MB smaller. The rare client that does not accept gzip gets them
// decompressed on the fly.
//
//go:embed docsui/*.gz docsui/docs.css docsui/LICENSE docsui/web-components.min.js.LICENSE.txt
var docsUI embed.FS

// DocsAssetsPath is where the page's script, stylesheet and their licences are served.
const DocsAssetsPath = "/docs/assets/"

// docsAssetCacheControl keeps a copy a year: the page names each asset with a
// hash of its bytes (?v=), so a new version is a new URL and a kept copy is
// never stale.
const docsAssetCacheControl = "public, max-age=31536000, immutable"

// docsCSP lets the page load nothing but its own assets, and fetch nothing
// but its own service's OpenAPI document and routes ("Try it"). No
// 'unsafe-inline' is needed: React sets Elements' styles through the CSSOM,
// which CSP does not govern, and the one inline <style> of the bundle, Font
// Awesome's, is turned off (data-auto-add-css) and served as a file instead
// (docsui/update.sh). The browser suite checks that nothing is refused. The
// sandbox keeps the page's origin (allow-same-origin) so it may fetch the spec.
var docsCSP = strings.Join([]string{
	"default-src 'none'",
	"base-uri 'none'",
	"connect-src 'self'",
	"form-action 'none'",
	"frame-ancestors 'none'",
	"script-src 'self'",
	"style-src 'self'",
	"sandbox allow-same-origin allow-scripts",
}, "; ")

// docsAsset is one embedded file, ready to serve.
type docsAsset struct {
	contentType string
	body        []byte // gzip-compressed when gzipped
	gzipped     bool
	size        int    // length once decompressed
	etag        string // of the uncompressed representation: a hash of the stored bytes, which fix it
	version     string // a short hash of body, for the page's URLs
}

// gzipETag is the entity tag of the compressed representation: another
// representation of the same resource needs another strong tag.
func (a docsAsset) gzipETag() string { return strings.TrimSuffix(a.etag, `"`) + `-gzip"` }

// docsAssets are read once per process: every NewApp of a test binary shares them.
var docsAssets = sync.OnceValue(func() map[string]docsAsset {
	assets := map[string]docsAsset{}
	for file, contentType := range map[string]string{
		"web-components.min.js.gz":          "text/javascript; charset=utf-8",
		"styles.min.css.gz":                 "text/css; charset=utf-8",
		"fontawesome.css.gz":                "text/css; charset=utf-8",
		"docs.css":                          "text/css; charset=utf-8",
		"LICENSE":                           "text/plain; charset=utf-8",
		"web-components.min.js.LICENSE.txt": "text/plain; charset=utf-8",
	} {
		body, err := docsUI.ReadFile(path.Join("docsui", file))
		if err != nil {
			panic("kit: embedded docs asset: " + err.Error()) // go:embed guarantees it; a build without it is broken
		}
		a := docsAsset{contentType: contentType, body: body, size: len(body), etag: ETag(body)}
		name, gzipped := strings.CutSuffix(file, ".gz")
		if gzipped {
			// RFC 1952: the last four bytes are the input's length (mod 2^32).
			a.gzipped, a.size = true, int(binary.LittleEndian.Uint32(body[len(body)-4:]))
		}
		a.version = strings.Trim(a.etag, `"`)[:12]
		assets[name] = a
	}
	return assets
})

// registerDocs serves the reference page at /docs and its assets under
// DocsAssetsPath. title names the page; specURL is the OpenAPI document the
// page renders, on the same origin.
func registerDocs(router chi.Router, title, specURL string) {
	assets := docsAssets()
	asset := func(name string) string {
		return html.EscapeString(DocsAssetsPath + name + "?v=" + assets[name].version)
	}
	page := []byte(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + html.EscapeString(title) + `</title>
<link rel="stylesheet" href="` + asset("styles.min.css") + `">
<link rel="stylesheet" href="` + asset("fontawesome.css") + `">
<link rel="stylesheet" href="` + asset("docs.css") + `">
<script src="` + asset("web-components.min.js") + `" data-auto-add-css="false"></script>
</head>
<body>
<elements-api apiDescriptionUrl="` + html.EscapeString(specURL) + `" router="hash" layout="sidebar"
  tryItCredentialsPolicy="same-origin"></elements-api>
</body>
</html>
`)
	router.Get("/docs", func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", docsCSP)
		// The page names the assets' versions: a kept copy could outlive them.
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		_, _ = w.Write(page) // the client may be gone; nothing left to tell it
	})
	router.Get(DocsAssetsPath+"{name}", serveDocsAsset)
}

func serveDocsAsset(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "name")
	a, ok := docsAssets()[name]
	if !ok {
		WriteProblem(w, http.StatusNotFound, "no docs asset "+clip(name, MaxEchoBytes))
		return
	}
	h := w.Header()
	h.Set("Cache-Control", docsAssetCacheControl)
	etag, gz := a.etag, false
	if a.gzipped {
		h.Set("Vary", "Accept-Encoding")
		if gz = acceptsGzip(r.Header.Values("Accept-Encoding")); gz {
			etag = a.gzipETag()
		}
	}
	h.Set("ETag", etag)
	if NoneMatch(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	if gz || !a.gzipped {
		h.Set("Content-Length", strconv.Itoa(len(a.body)))
		_, _ = w.Write(a.body)
		return
	}
	h.Set("Content-Length", strconv.Itoa(a.size))
	zr, err := gzip.NewReader(bytes.NewReader(a.body))
	if err != nil {
		panic("kit: embedded docs asset " + name + ": " + err.Error()) // the recoverer answers 500
	}
	_, _ = io.Copy(w, zr) // the bytes are ours and checked by the tests; a write error is the client gone
}

// acceptsGzip reads Accept-Encoding (RFC 9110 §12.5.3): gzip (or x-gzip,
// or "*" when gzip is not named) with a non-zero weight.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			weighted := qualityAboveZero(params)
			if coding != "*" {
				return weighted
			}
			star = weighted
		}
	}
	return star
}

// qualityAboveZero reports whether the parameters of one Accept-Encoding
// item leave it acceptable: no q, or a q other than 0.
func qualityAboveZero(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}
