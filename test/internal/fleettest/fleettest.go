// Package fleettest starts one whole fleet for a test package (free ports, a
// fresh database, its own binaries and logs) and holds the small HTTP helpers
// the end-to-end suites share.
package fleettest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"multimagasins/fleet"
	"multimagasins/kit"
	"multimagasins/kit/api/clientsapi"
	"multimagasins/kit/api/commandeapi"
	"multimagasins/kit/api/paiementapi"
	"multimagasins/kit/api/panierapi"
	"multimagasins/kit/api/sagaapi"
	"multimagasins/kit/api/stockapi"
	"multimagasins/kit/kittest"
)

// Main starts a fleet for the package (opts gives the extras, such as
// ProcessEnv), hands it to use, runs the tests and stops it. The run
// directory, logs included, is kept when a test failed. It returns the exit code.
func Main(m *testing.M, prefix string, opts fleet.Options, use func(*fleet.Fleet)) int {
	dir, err := os.MkdirTemp("", "multimagasins-"+prefix+"-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	opts.RunDir = filepath.Join(dir, "run")
	// Each package links its own binaries: two suites run at once, and two
	// go builds writing the same files would race.
	opts.BinDir = filepath.Join(dir, "bin")
	opts.AdminURL = kittest.AdminURL()
	opts.Database = prefix + "_" + strings.ReplaceAll(uuid.NewString()[:13], "-", "_")
	opts.DropDatabase = true
	opts.FreePorts = true
	opts.NoDemo = true // the suites need a fast start and only the data they make
	// identite signs with the test issuer's key, so the Staff token that
	// kittest's helpers send by default, and kittest.As, pass everywhere.
	if opts.SigningKey, err = kittest.IssuerKey(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	opts.Out = &out
	f, err := fleet.Start(ctx, opts)
	if testing.Verbose() || err != nil {
		_, _ = io.Copy(os.Stderr, &out)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: the fleet did not start: %v\n(run directory kept: %s)\n", prefix, err, dir)
		return 1
	}
	use(f)
	code := m.Run()
	if err := f.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, prefix+": stop:", err)
		code = 1
	}
	if code != 0 {
		fmt.Fprintf(os.Stderr, "%s: logs of every process kept in %s\n", prefix, filepath.Join(dir, "run", "logs"))
		return code
	}
	_ = os.RemoveAll(dir)
	return code
}

// Do sends a request to a fleet process ("stock", "panier-2") at path.
func Do(t testing.TB, f *fleet.Fleet, method, name, path string, body any, headers ...string) kittest.Response {
	t.Helper()
	base := f.URL(name)
	if base == "" {
		t.Fatalf("%s is not running", name)
	}
	return kittest.Do(t, method, base+path, body, headers...)
}

// PasswordToken signs in at the fleet's identite as a person would
// (OAuth2 password grant) and returns the access token.
func PasswordToken(t testing.TB, f *fleet.Fleet, username, password string) string {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "username": {username}, "password": {password}}
	r := kittest.Do(t, "POST", f.URL("identite")+"/auth/jeton", form.Encode(),
		append(kittest.Anonymous, "Content-Type", "application/x-www-form-urlencoded")...)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if r.Status != http.StatusOK {
		t.Fatalf("sign-in of %s: %d %s", username, r.Status, r.Body)
	}
	r.JSON(t, &tok)
	return tok.AccessToken
}

// Clients are the typed clients of a fleet's services, the ones every caller
// uses: safe from any goroutine, errors as *kit.ProblemError (kit.StatusOf).
type Clients struct {
	Stock    *stockapi.Client
	Commande *commandeapi.Client
	Paiement *paiementapi.Client
	Panier   *panierapi.Client // the first replica
	Clients  *clientsapi.Client
	Sagas    *sagaapi.Client
}

// Typed returns the typed clients of f's processes. The timeout is the
// helpers' own, long enough for a saga under a hammer.
func Typed(f *fleet.Fleet) Clients {
	c := func(name string) *kit.Client {
		return kit.NewClient(f.URL(name), 2*time.Minute, kit.WithTokens(kittest.StaffTokens))
	}
	return Clients{
		Stock:    stockapi.New(c("stock")),
		Commande: commandeapi.New(c("commande")),
		Paiement: paiementapi.New(c("paiement")),
		Panier:   panierapi.New(c("panier")),
		Clients:  clientsapi.New(c("clients")),
		Sagas:    sagaapi.New(c("orchestrator")),
	}
}

// client serves the concurrent helpers: many connections per host, since a
// hammer opens hundreds at once, and a bound so a hung service fails the test.
var client = &http.Client{
	Timeout:   2 * time.Minute,
	Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 256, MaxConnsPerHost: 0},
}

// Send is Do for goroutines other than the test's: it returns the error
// instead of failing the test, as t.Fatal may only run on the test goroutine.
func Send(ctx context.Context, method, url string, body any, headers ...string) (kittest.Response, error) {
	req, err := kittest.NewRequest(ctx, method, url, body, headers...)
	if err != nil {
		return kittest.Response{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return kittest.Response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return kittest.Response{}, err
	}
	return kittest.Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}

// Want checks the status and decodes the body, keeping numbers exact
// (json.Number), since money must never pass through a float.
func Want(t testing.TB, r kittest.Response, status int) map[string]any {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return nil
	}
	m, err := Decode(r.Body)
	if err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
	return m
}

// Decode reads a JSON object with exact numbers.
func Decode(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	return m, dec.Decode(&m)
}

// Num is a JSON number as written on the wire ("25.00", "3").
func Num(t testing.TB, v any) string {
	t.Helper()
	n, ok := v.(json.Number)
	if !ok {
		t.Fatalf("%v (%T) is not a JSON number", v, v)
	}
	return n.String()
}

// ID is the "id" of an object, integer or UUID, as text.
func ID(t testing.TB, m map[string]any) string {
	t.Helper()
	switch v := m["id"].(type) {
	case json.Number:
		return v.String()
	case string:
		return v
	}
	t.Fatalf("no id in %v", m)
	return ""
}

// Items are the rows of a page answer.
func Items(t testing.TB, m map[string]any) []map[string]any {
	t.Helper()
	raw, ok := m["items"].([]any)
	if !ok {
		t.Fatalf("not a page: %v", m)
	}
	list := make([]map[string]any, len(raw))
	for i, it := range raw {
		list[i] = it.(map[string]any)
	}
	return list
}

// Unique makes names and emails that no other test (or run) uses.
func Unique(prefix string) string { return prefix + "-" + uuid.NewString()[:8] }

// Key is a fresh Idempotency-Key header, ready for Do's headers.
func Key() []string { return []string{"Idempotency-Key", uuid.NewString()} }
