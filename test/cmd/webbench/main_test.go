package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestQuantile_NearestRank(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	require.Equal(t, 50*time.Millisecond, quantile(lat, .50))
	require.Equal(t, 95*time.Millisecond, quantile(lat, .95))
	require.Equal(t, 99*time.Millisecond, quantile(lat, .99))
	require.Equal(t, 7*time.Millisecond, quantile([]time.Duration{7 * time.Millisecond}, .95))
	require.Zero(t, quantile(nil, .5))
}

// A staff session comes from the sign-in form's cookie, and the page loads
// carry it: a load without it would be sent to sign in, and not count as ok.
func TestSignInThenMeasure_CarriesTheSession(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/connexion":
			if r.PostFormValue("identifiant") != "logistique" || r.PostFormValue("mot_de_passe") != "secret" {
				http.Redirect(w, r, "/connexion?erreur=1", http.StatusSeeOther)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "session", Value: "ok", Path: "/"})
			http.Redirect(w, r, "/", http.StatusSeeOther)
		case r.URL.Path == "/logistique":
			if c, err := r.Cookie("session"); err != nil || c.Value != "ok" {
				http.Redirect(w, r, "/connexion", http.StatusSeeOther)
				return
			}
			_, _ = w.Write([]byte("page"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()

	_, err := signIn(ctx, srv.URL, "logistique", "faux")
	require.Error(t, err)
	cookie, err := signIn(ctx, srv.URL, "logistique", "secret")
	require.NoError(t, err)
	require.Equal(t, "session=ok", cookie)

	s, err := measure(ctx, srv.URL+"/logistique", cookie, 50, 10)
	require.NoError(t, err)
	require.Equal(t, stats{sent: 10, ok: 10, p50: s.p50, p95: s.p95, p99: s.p99, max: s.max}, s)
	require.Positive(t, s.p95)
	s, err = measure(ctx, srv.URL+"/logistique", "", 50, 5)
	require.NoError(t, err)
	require.Equal(t, 5, s.sent)
	require.Zero(t, s.ok, "redirected to sign in: not a page load")
}

func TestParseFlags_NeedsATarget(t *testing.T) {
	_, err := parseFlags([]string{"webbench", "-web", "", "-nginx", ""}, &bytes.Buffer{})
	require.ErrorContains(t, err, "no target")
	c, err := parseFlags([]string{"webbench", "-web", "http://127.0.0.1:1/"}, &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, []target{{"web", "http://127.0.0.1:1"}, {"nginx", "http://127.0.0.1:8088"}}, c.targets)
}
