package kit

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHealthcheckMain_IgnoresOtherArguments(t *testing.T) {
	for _, args := range [][]string{nil, {"/stock"}, {"/stock", "-v"}, {"/stock", "serve", "-healthcheck"}} {
		if handled, _ := HealthcheckMain(args, mapEnv(nil)); handled {
			t.Errorf("HealthcheckMain(%q) handled it; the service would not start", args)
		}
	}
}

func TestHealthcheckMain_ExitCodeFollowsHealthz(t *testing.T) {
	alive := newTestApp(t, 1<<10)
	_, alivePort, _ := net.SplitHostPort(alive.Listener.Addr().String())

	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(sick.Close)

	// A port nobody listens on: take one, then free it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, deadPort, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()

	for _, tc := range []struct {
		name string
		env  map[string]string
		flag string
		want int
	}{
		{"PORT alone means loopback", map[string]string{"PORT": alivePort}, "-healthcheck", 0},
		{"the double-dash form", map[string]string{"PORT": alivePort}, "--healthcheck", 0},
		{"wildcard ADDR means loopback", map[string]string{"ADDR": "0.0.0.0:" + alivePort}, "-healthcheck", 0},
		{"ADDR wins over PORT", map[string]string{"ADDR": "127.0.0.1:" + alivePort, "PORT": deadPort}, "-healthcheck", 0},
		{"a non-200 answer", map[string]string{"ADDR": sick.Listener.Addr().String()}, "-healthcheck", 1},
		{"nothing listening", map[string]string{"PORT": deadPort}, "-healthcheck", 1},
		{"no address to check", nil, "-healthcheck", 1},
		{"a PORT that is not a number", map[string]string{"PORT": "http"}, "-healthcheck", 1},
		{"an ADDR without a port", map[string]string{"ADDR": "127.0.0.1"}, "-healthcheck", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			handled, code := HealthcheckMain([]string{"/svc", tc.flag}, mapEnv(tc.env))
			if !handled || code != tc.want {
				t.Fatalf("HealthcheckMain = (%v, %d), want (true, %d)", handled, code, tc.want)
			}
		})
	}
}
