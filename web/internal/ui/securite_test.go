package ui

import (
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A form posted from another site is refused before any handler runs; the
// same form from this site passes. Browsers say where a request came from
// with Sec-Fetch-Site, older ones only with Origin (compared with Host).
func TestCrossOrigin_FormPostRefusedSameOriginPasses(t *testing.T) {
	f, e := setup(t)
	b := e.as(t, "alice@example.com")
	form := url.Values{"produit_id": {"3"}, "quantite": {"1"}}
	for _, c := range []struct {
		name   string
		header []string
		want   int
	}{
		{"cross-site", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"same-site, other port", []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"old browser, other origin", []string{"Origin", "http://evil.example"}, http.StatusForbidden},
		{"old browser, same host other port", []string{"Origin", "http://example.com:8080"}, http.StatusForbidden},
		{"same-origin", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusSeeOther},
		{"old browser, same origin", []string{"Origin", "http://example.com"}, http.StatusSeeOther},
	} {
		f.mu.Lock()
		delete(f.bodies, "POST /panier")
		f.mu.Unlock()
		rec := b.do(http.MethodPost, "/boutique/panier", form, c.header...)
		require.Equal(t, c.want, rec.Code, c.name)
		_, called := f.called("POST /panier")
		require.Equal(t, c.want != http.StatusForbidden, called, "%s: the cart changes only when the post is allowed", c.name)
		if c.want == http.StatusForbidden {
			require.Contains(t, rec.Body.String(), "depuis un autre site", c.name)
			requireSecurityHeaders(t, rec.Header(), c.name)
		}
	}
	// Signing in or out from another site is refused too.
	rec := e.anonymous(t).do(http.MethodPost, "/connexion", url.Values{"identifiant": {"caissier1"}, "mot_de_passe": {testPassword}},
		"Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, rec.Code)
	require.Empty(t, rec.Result().Cookies())
	rec = b.do(http.MethodPost, "/deconnexion", nil, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, rec.Code)
	_, revoked := e.id.seen()
	require.Empty(t, revoked)
}

func requireSecurityHeaders(t *testing.T, h http.Header, name string) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'", "object-src 'none'"} {
		require.Contains(t, csp, d, name)
	}
	require.NotContains(t, csp, "unsafe-inline", name)
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), name)
	require.Equal(t, "same-origin", h.Get("Referrer-Policy"), name)
}

func TestSecurityHeaders_OnEveryAnswer(t *testing.T) {
	_, e := setup(t)
	anon, staff, client := e.anonymous(t), e.as(t, "maison-mere"), e.as(t, "alice@example.com")
	for _, c := range []struct {
		b            *browser
		method, path string
		status       int
	}{
		{anon, "GET", "/", 200}, {anon, "GET", "/connexion", 200}, {anon, "GET", "/inscription", 200},
		{anon, "GET", "/boutique", 200}, {anon, "GET", "/static/app.css", 200}, {anon, "GET", "/maison-mere", 303},
		{anon, "GET", "/nulle-part", 404}, {anon, "POST", "/connexion", 422},
		{staff, "GET", "/maison-mere", 200}, {staff, "GET", "/magasins/1", 200}, {client, "GET", "/logistique", 403},
		{staff, "POST", "/logistique/demandes/approuver", 303}, {client, "POST", "/logistique/demandes/approuver", 403},
		{client, "GET", "/boutique", 200}, {client, "POST", "/boutique/commander", 303},
		// The shop's orders are a client's own; a product's picture is anyone's.
		{anon, "GET", "/boutique/commandes", 303}, {anon, "GET", "/boutique/commandes/c1c1c1c1-0000-4000-8000-000000000001", 303},
		{staff, "GET", "/boutique/commandes", 403}, {staff, "GET", "/boutique/commandes/c1c1c1c1-0000-4000-8000-000000000001", 403},
		{client, "GET", "/boutique/commandes", 200}, {client, "GET", "/boutique/commandes/pas-un-uuid", 404},
		{anon, "GET", "/boutique/images/3.svg", 200}, {client, "GET", "/boutique/images/3.svg", 200},
	} {
		rec := c.b.do(c.method, c.path, nil)
		require.Equal(t, c.status, rec.Code, c.path)
		requireSecurityHeaders(t, rec.Header(), c.method+" "+c.path)
	}
}

// The CSP allows no inline script or style, so the templates must hold none:
// no <script> but the one that loads /static/app.js, no <style>, no
// style="", no onclick="", no javascript: URL.
func TestTemplates_HoldNoInlineScriptOrStyle(t *testing.T) {
	inline := regexp.MustCompile(`(?i)<script|<style|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)
	const loader = `<script src="/static/app.js" defer></script>`
	names, err := fs.Glob(templates, "templates/*.html")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	for _, name := range names {
		b, err := fs.ReadFile(templates, name)
		require.NoError(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			require.False(t, inline.MatchString(strings.Replace(line, loader, "", 1)), "%s:%d has inline script or style: %s", name, i+1, line)
		}
	}
}
