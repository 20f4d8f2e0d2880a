package kit

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// HealthcheckFlag is the argument that turns a service binary into its own
// health probe. The images are FROM scratch, with no shell nor curl, so a
// container healthcheck can only run the binary itself:
//
//	healthcheck: {test: ["CMD", "/stock", "-healthcheck"]}
const HealthcheckFlag = "-healthcheck"

// healthcheckTimeout stays under the container healthcheck's own timeout, so
// a hung server is reported by us rather than killed by the engine.
const healthcheckTimeout = 2 * time.Second

// HealthcheckMain is called first thing in main:
//
//	if handled, code := kit.HealthcheckMain(os.Args, os.Getenv); handled {
//		os.Exit(code)
//	}
//
// When args[1] is -healthcheck it GETs /healthz of the server this same
// environment would start (ADDR, else PORT, on loopback) and returns
// handled=true with exit code 0 for a 200 and 1 otherwise, the reason on
// stderr. Any other args return handled=false and the service starts as usual.
func HealthcheckMain(args []string, getenv func(string) string) (handled bool, code int) {
	if len(args) < 2 || (args[1] != HealthcheckFlag && args[1] != "-"+HealthcheckFlag) {
		return false, 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), healthcheckTimeout)
	defer cancel()
	if err := Healthcheck(ctx, getenv, http.DefaultClient); err != nil {
		fmt.Fprintln(os.Stderr, "healthcheck:", err)
		return true, 1
	}
	return true, 0
}

// Healthcheck GETs /healthz on the address the service listens on.
func Healthcheck(ctx context.Context, getenv func(string) string, client *http.Client) error {
	addr, err := healthcheckAddr(getenv)
	if err != nil {
		return err
	}
	url := "http://" + addr + "/healthz"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// healthcheckAddr is the listen address of LoadConfig (ADDR, else ":"+PORT)
// with a wildcard or empty host replaced by loopback. The service's default
// port is not known here, so one of the two must be set: compose always sets PORT.
func healthcheckAddr(getenv func(string) string) (string, error) {
	addr := strings.TrimSpace(getenv("ADDR"))
	if addr == "" {
		port := strings.TrimSpace(getenv("PORT"))
		if port == "" {
			return "", fmt.Errorf("%s needs PORT or ADDR in the environment", HealthcheckFlag)
		}
		if _, err := strconv.Atoi(port); err != nil {
			return "", fmt.Errorf("PORT=%q is not an integer", port)
		}
		addr = ":" + port
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("ADDR=%q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}
