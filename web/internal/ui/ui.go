// Package ui serves the browser interface, rendered on the server with
// html/template and no external assets, so it works offline and behind nginx.
package ui

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"

	"multimagasins/kit"
)

//go:embed templates/*.html
var templates embed.FS

var pages = template.Must(template.ParseFS(templates, "templates/*.html"))

// Config is what the pages need to know about their surroundings.
type Config struct {
	Instance   string // which copy of the app answered; nginx round-robins two
	GatewayURL string // where the public API lives
}

// HeaderInstance names the instance on every page answer, so a load balancer
// test can count who answered without parsing HTML.
const HeaderInstance = "X-Instance"

// Home serves the home page.
func Home(cfg Config, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		data := struct {
			Config
			RequestID string
		}{cfg, kit.RequestID(r.Context())}
		// Render into a buffer first: a template error must not leave half a page behind a 200.
		var buf bytes.Buffer
		if err := pages.ExecuteTemplate(&buf, "accueil.html", data); err != nil {
			log.ErrorContext(r.Context(), "render accueil", "err", err)
			kit.WriteProblem(w, http.StatusInternalServerError, "internal error")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set(HeaderInstance, cfg.Instance)
		_, _ = buf.WriteTo(w)
	}
}
