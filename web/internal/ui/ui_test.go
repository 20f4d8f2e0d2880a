package ui

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit"
)

func TestHome_SaysWhichInstanceAnsweredAndEscapesIt(t *testing.T) {
	h := kit.RequestIDMiddleware(Home(Config{Instance: "web-<2>", GatewayURL: "http://gw.example:8080"}, slog.New(slog.DiscardHandler)))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set(kit.HeaderRequestID, "req-42")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	require.Equal(t, "web-<2>", rec.Header().Get(HeaderInstance))
	body := rec.Body.String()
	require.Contains(t, body, `lang="fr"`)
	require.Contains(t, body, "web-&lt;2&gt;")
	require.NotContains(t, body, "web-<2>")
	require.Contains(t, body, `href="http://gw.example:8080"`)
	require.Contains(t, body, "req-42")
	require.False(t, strings.Contains(body, "https://cdn"), "the page loads nothing from elsewhere")
}
