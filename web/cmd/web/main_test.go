package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit"
	"multimagasins/kit/kittest"
	"multimagasins/web/internal/ui"
)

const sessionKey = "the web tests' session key, thirty-two bytes or more"

// identite answers the password grant for one account, with a token of the
// test issuer, whose key set kittest.Start gives the app as JWKS_URL.
func identite(t *testing.T) string {
	t.Helper()
	signer := kittest.TestIssuer(t).Signer // here: no t.Fatal off the test goroutine
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/auth/jeton" || r.PostFormValue("username") != "maison-mere" || r.PostFormValue("password") != "multimagasins" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		p := kittest.MaisonMere
		p.Name = "Maison mère"
		tok, exp, err := signer.Sign(p, kit.MaxTokenTTL)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer",
			"expires_in": int(time.Until(exp).Seconds()), "refresh_token": "r-1"})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestWeb_ServesHomeAndKitEndpointsWithoutADatabase(t *testing.T) {
	base := kittest.Start(t, run, map[string]string{"INSTANCE": "web-test", "IDENTITE_URL": identite(t), "SESSION_KEY": sessionKey})

	home := kittest.Do(t, "GET", base+"/", nil)
	require.Equal(t, http.StatusOK, home.Status)
	require.Equal(t, "web-test", home.Header.Get("X-Instance"))
	require.Contains(t, string(home.Body), "web-test")

	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		r := kittest.Do(t, "GET", base+p, nil)
		require.Equal(t, http.StatusOK, r.Status, p)
		// The security headers wrap kit's own routes too.
		require.Equal(t, ui.ContentSecurityPolicy, r.Header.Get("Content-Security-Policy"), p)
		require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"), p)
	}
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/nulle-part", nil), http.StatusNotFound, "")
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/", "x"), http.StatusMethodNotAllowed, "")
	// A cross-origin post is refused before routing.
	r := kittest.Do(t, "POST", base+"/deconnexion", "", "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, r.Status)
}

// Signing in goes through identite's token endpoint, and the token is
// verified against the key set at JWKS_URL.
func TestWeb_SignsInAtIdentiteAndVerifiesWithTheKeySet(t *testing.T) {
	base := kittest.Start(t, run, map[string]string{"IDENTITE_URL": identite(t), "SESSION_KEY": sessionKey})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/connexion", url.Values{"identifiant": {"maison-mere"}, "mot_de_passe": {"multimagasins"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Header.Get("Location"), "/maison-mere?"), resp.Header.Get("Location"))
	cookies := resp.Cookies()
	require.Len(t, cookies, 1)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/", nil)
	require.NoError(t, err)
	req.AddCookie(cookies[0])
	resp, err = c.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Contains(t, string(body), `<span id="qui">Maison mère</span>`)
}

// Missing settings stop the app at start, all of them named at once.
func TestWeb_FailsFastWithoutItsIdentitySettings(t *testing.T) {
	err := run(context.Background(), nil, func(string) string { return "" }, io.Discard)
	require.Error(t, err)
	for _, name := range []string{"JWKS_URL", "IDENTITE_URL", "SESSION_KEY"} {
		require.Contains(t, err.Error(), name)
	}
	err = run(context.Background(), nil, func(k string) string {
		return map[string]string{"JWKS_URL": "http://127.0.0.1:1/jwks", "IDENTITE_URL": "http://127.0.0.1:1", "SESSION_KEY": "court"}[k]
	}, io.Discard)
	require.ErrorContains(t, err, "SESSION_KEY must hold at least 32")
}
