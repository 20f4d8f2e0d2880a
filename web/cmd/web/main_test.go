package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
)

func TestWeb_ServesHomeAndKitEndpointsWithoutADatabase(t *testing.T) {
	base := kittest.Start(t, run, map[string]string{"INSTANCE": "web-test"})

	home := kittest.Do(t, "GET", base+"/", nil)
	require.Equal(t, http.StatusOK, home.Status)
	require.Equal(t, "web-test", home.Header.Get("X-Instance"))
	require.Contains(t, string(home.Body), "web-test")

	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		require.Equal(t, http.StatusOK, kittest.Do(t, "GET", base+p, nil).Status, p)
	}
	kittest.RequireProblem(t, kittest.Do(t, "GET", base+"/nulle-part", nil), http.StatusNotFound, "")
	kittest.RequireProblem(t, kittest.Do(t, "POST", base+"/", "x"), http.StatusMethodNotAllowed, "")
}
