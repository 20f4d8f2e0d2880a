package ui

import (
	"net/http"
)

// ContentSecurityPolicy is sent with every answer. The pages hold no inline
// script or style (the one style sheet is /static/app.css, the one script
// /static/app.js, both served here), so nothing needs 'unsafe-inline' or a
// hash; no other site may frame them, and forms post only here.
const ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"

// Protect wraps the whole app: the security headers on every answer, then
// net/http's CrossOriginProtection, which refuses a state-changing request
// (POST and the like) that a browser says came from another origin
// (Sec-Fetch-Site, or else an Origin that is not the Host). Every form of
// the app is a same-origin POST, so no token has to be put in the forms.
func (s *Server) Protect(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.crossOrigin))
	h := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", ContentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY") // frame-ancestors, for browsers that predate it
		h.ServeHTTP(w, r)
	})
}

// crossOrigin is the answer to a refused cross-origin form: a page, 403.
func (s *Server) crossOrigin(w http.ResponseWriter, r *http.Request) {
	// No session is read: the request came from another site.
	s.renderStatus(w, r, http.StatusForbidden, "refus.html", "Requête refusée", nil, map[string]any{
		"Motif": "Ce formulaire a été envoyé depuis un autre site ; rien n'a été modifié. Recommencez depuis cette application."})
}
