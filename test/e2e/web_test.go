package e2e

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// web sends one request to the first web instance and never follows a
// redirect, so a form's 303 and its Location can be checked.
func web(t *testing.T, method, path string, form url.Values) (int, http.Header, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(t.Context(), method, fl.URL("web-1")+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}

// Every page reads the real services through their typed clients: a field
// the page expects and a service does not send, or the other way round,
// shows up here as an error on the page.
func TestWeb_EveryPageRendersFromTheRealServices(t *testing.T) {
	for _, path := range []string{"/", "/maison-mere", "/maison-mere?depuis=2026-01-01&jusqu_a=2026-01-31", "/maison-mere/produits",
		"/maison-mere/seuils?emplacement_id=6", "/magasins", "/magasins/1", "/logistique", "/boutique", "/boutique/1"} {
		code, _, body := web(t, http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, code, path)
		require.NotContains(t, body, `class="erreur"`, "%s shows an error:\n%s", path, body)
	}
	_, _, body := web(t, http.MethodGet, "/magasins/1", nil)
	require.Contains(t, body, "Tablette 10 pouces", "the store's stock is listed")
}

var commandeID = regexp.MustCompile(`Commande <code>([0-9a-f-]{36})</code>`)

// A counter sale and its return, through the forms, reach the orchestrator
// and come back as the saga's timeline.
func TestWeb_CounterSaleThenReturnShowTheirSagas(t *testing.T) {
	saga := func(path string, form url.Values) string {
		t.Helper()
		code, h, body := web(t, http.MethodPost, path, form)
		require.Equal(t, http.StatusSeeOther, code, body)
		loc := h.Get("Location")
		require.Contains(t, loc, "saga=", "the form lands on its saga: %s", loc)
		code, _, body = web(t, http.MethodGet, strings.Split(loc, "#")[0], nil)
		require.Equal(t, http.StatusOK, code)
		require.Contains(t, body, `<section id="saga-resultat" data-statut="CONFIRMEE"`, body)
		return body
	}
	body := saga("/magasins/1/ventes", url.Values{"produit_id": {"3"}, "quantite": {"1"}, "methode": {"comptant"}})
	for _, e := range []string{"CREEE", "STOCK_VERIFIE", "STOCK_RESERVE", "PAYEE", "CONFIRMEE"} {
		require.Contains(t, body, `data-etat="`+e+`"`)
	}
	m := commandeID.FindStringSubmatch(body)
	require.NotNil(t, m, "the sale's order id is on the page")
	saga("/magasins/1/retours", url.Values{"commande_id": {m[1]}, "produit_id": {"3"}, "quantite": {"1"}})
}
