package ui

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"multimagasins/kit"
	"multimagasins/web/internal/vignette"
)

// How long a browser or a shared cache keeps a product's picture. Asked for
// with the version of its current content (?v=, as the pages link it), the
// address names those bytes for ever; otherwise it may change with the
// product's name or category, so it is kept an hour and then checked again
// with its ETag.
const (
	cacheImageVersionnee = "public, max-age=31536000, immutable"
	cacheImage           = "public, max-age=3600"
)

// ImageProduit draws a product's picture (vignette), for anyone: the
// catalogue is public. It holds no text but the product's name, escaped.
func (s *Server) ImageProduit(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "produit_id"), 10, 64)
	if err != nil || id < 1 {
		http.NotFound(w, r)
		return
	}
	p, err := s.stock.GetProduit(r.Context(), id)
	switch st := kit.StatusOf(err); {
	case st == http.StatusNotFound:
		http.NotFound(w, r)
		return
	case err != nil:
		// No picture for now; the page shows the product without it.
		http.Error(w, "service indisponible", http.StatusBadGateway)
		return
	}
	svg := vignette.SVG(p.Nom, p.Categorie)
	version := vignette.Version(p.Nom, p.Categorie)
	etag := `"` + version + `"`
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("ETag", etag)
	if r.URL.Query().Get("v") == version {
		h.Set("Cache-Control", cacheImageVersionnee)
	} else {
		h.Set("Cache-Control", cacheImage)
	}
	// ServeContent answers a matching If-None-Match with a 304.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(svg))
}
