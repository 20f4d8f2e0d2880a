package postman

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/kit/kittest"
	"multimagasins/test/internal/postmangen"
)

// regenerate is what to run when the committed files are stale.
const regenerate = "cd test && go run ./cmd/postman"

func dir(t *testing.T) string { return filepath.Join(kittest.RepoRoot(t), "deploy", "postman") }

func krakend(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(kittest.RepoRoot(t), "gateway", "krakend.json"))
	require.NoError(t, err)
	return raw
}

func TestCollection_IsWhatTheGeneratorMakesNow(t *testing.T) {
	k := krakend(t)
	specs, err := postmangen.FetchSpecs(t.Context(), k, fl.URL)
	require.NoError(t, err)
	files, err := postmangen.Build(postmangen.Input{Krakend: k, Specs: specs})
	require.NoError(t, err)
	for _, name := range postmangen.Files {
		committed, err := os.ReadFile(filepath.Join(dir(t), name))
		require.NoError(t, err, "deploy/postman/%s is missing: run `%s`", name, regenerate)
		if !bytes.Equal(committed, files[name]) {
			t.Errorf("deploy/postman/%s differs from what the generator makes from krakend.json and the services' "+
				"OpenAPI documents now (first difference: %s): run `%s` and commit the result",
				name, firstDifference(committed, files[name]), regenerate)
		}
	}
}

// firstDifference names the first line where two files differ.
func firstDifference(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: committed %q, generated %q", i+1, strings.TrimSpace(x), strings.TrimSpace(y))
		}
	}
	return "none"
}

// pmItem is a folder or a request of the committed collection.
type pmItem struct {
	Name    string   `json:"name"`
	Item    []pmItem `json:"item"`
	Request *struct {
		Method string `json:"method"`
		Header []struct {
			Key, Value string
		} `json:"header"`
		URL struct {
			Raw  string   `json:"raw"`
			Path []string `json:"path"`
		} `json:"url"`
		Auth struct {
			Type   string `json:"type"`
			Bearer []struct {
				Key, Value string
			} `json:"bearer"`
		} `json:"auth"`
	} `json:"request"`
	Event []struct {
		Listen string `json:"listen"`
		Script struct {
			Exec []string `json:"exec"`
		} `json:"script"`
	} `json:"event"`
}

func loadCollection(t *testing.T) []pmItem {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir(t), postmangen.CollectionFile))
	require.NoError(t, err)
	var c struct {
		Item []pmItem `json:"item"`
	}
	require.NoError(t, json.Unmarshal(raw, &c))
	return c.Item
}

// requests flattens a folder, with each request's folder path.
func requests(prefix string, items []pmItem) map[string][]pmItem {
	out := map[string][]pmItem{}
	var walk func(string, []pmItem)
	walk = func(path string, items []pmItem) {
		for _, it := range items {
			if it.Request != nil {
				out[path] = append(out[path], it)
				continue
			}
			walk(path+" / "+it.Name, it.Item)
		}
	}
	walk(prefix, items)
	return out
}

func folder(t *testing.T, items []pmItem, name string) []pmItem {
	t.Helper()
	i := slices.IndexFunc(items, func(it pmItem) bool { return it.Name == name })
	require.GreaterOrEqual(t, i, 0, "the collection has no %s folder", name)
	return items[i].Item
}

func header(it pmItem, key string) string {
	for _, h := range it.Request.Header {
		if h.Key == key {
			return h.Value
		}
	}
	return ""
}

// Every public route of the gateway is in Lectures or Écritures exactly once,
// goes through {{base_url}}, and carries {{access_token}} exactly where the
// gateway asks for a token.
func TestCollection_CoversEveryPublicRouteOnce(t *testing.T) {
	var k struct {
		Endpoints []struct {
			Endpoint    string `json:"endpoint"`
			Method      string `json:"method"`
			ExtraConfig struct {
				Validator *struct{ Roles []string } `json:"auth/validator"`
			} `json:"extra_config"`
		} `json:"endpoints"`
	}
	require.NoError(t, json.Unmarshal(krakend(t), &k))
	needsToken := map[string]bool{}
	for _, e := range k.Endpoints {
		needsToken[e.Method+" "+e.Endpoint] = e.ExtraConfig.Validator != nil
	}
	require.NotEmpty(t, needsToken)

	items := loadCollection(t)
	seen := map[string]int{}
	for _, name := range []string{"Lectures", "Écritures"} {
		for path, list := range requests(name, folder(t, items, name)) {
			for _, it := range list {
				r := it.Request
				// The route as krakend.json writes it: ":id" is "{id}".
				segs := make([]string, len(r.URL.Path))
				for i, s := range r.URL.Path {
					if strings.HasPrefix(s, ":") {
						s = "{" + s[1:] + "}"
					}
					segs[i] = s
				}
				key := r.Method + " /" + strings.Join(segs, "/")
				seen[key]++
				where := path + " / " + it.Name
				require.True(t, strings.HasPrefix(r.URL.Raw, "{{base_url}}/"), "%s: %s", where, r.URL.Raw)
				token, published := needsToken[key]
				require.True(t, published, "%s: %s is no public route", where, key)
				if token {
					require.Equal(t, "bearer", r.Auth.Type, where)
					require.Len(t, r.Auth.Bearer, 1, where)
					require.Equal(t, "{{access_token}}", r.Auth.Bearer[0].Value, where)
					require.NotEmpty(t, header(it, "X-Compte"), "%s: which account signs in", where)
				} else {
					require.Equal(t, "noauth", r.Auth.Type, where)
					require.Empty(t, header(it, "X-Compte"), where)
				}
				require.True(t, hasTest(it), "%s has no pm.test", where)
			}
		}
	}
	for key := range needsToken {
		require.Equal(t, 1, seen[key], "%s: in Lectures or Écritures once", key)
	}
	require.Len(t, seen, len(needsToken))

	flows := requests("Parcours", folder(t, items, "Parcours"))
	var n int
	for path, list := range flows {
		for _, it := range list {
			n++
			require.True(t, hasTest(it), "%s / %s has no pm.test", path, it.Name)
			require.True(t, strings.HasPrefix(it.Request.URL.Raw, "{{base_url}}/"), it.Request.URL.Raw)
		}
	}
	require.GreaterOrEqual(t, n, 20, "the Parcours folder lost steps")
}

func hasTest(it pmItem) bool {
	for _, e := range it.Event {
		if e.Listen == "test" && strings.Contains(strings.Join(e.Script.Exec, "\n"), "pm.test(") {
			return true
		}
	}
	return false
}

// junit is the part of newman's JUnit report the test reads.
type junit struct {
	Suites []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Cases    []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// newman runs the collection through the fleet's gateway and returns its
// output, failing the test with that output when newman does.
func newman(t *testing.T, env string, args ...string) (string, junit) {
	t.Helper()
	bin := filepath.Join(dir(t), "node_modules", ".bin", "newman")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("newman is not installed (%v): run `npm ci` in deploy/postman (`make test` does it; it needs Node.js and npm)", err)
	}
	report := filepath.Join(t.TempDir(), "newman.xml")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmdArgs := append([]string{"run", filepath.Join(dir(t), postmangen.CollectionFile), "-e", env,
		"--reporters", "cli,junit", "--reporter-junit-export", report, "--color", "off", "--disable-unicode",
		"--timeout-request", "60000"}, args...)
	cmd := exec.CommandContext(ctx, bin, cmdArgs...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	t.Logf("newman ran in %s", time.Since(start).Round(time.Millisecond))
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("newman failed (exit %d):\n%s", exit.ExitCode(), out.String())
		}
		t.Fatalf("newman: %v\n%s", err, out.String())
	}
	raw, err := os.ReadFile(report)
	require.NoError(t, err, "newman wrote no JUnit report\n%s", out.String())
	var j junit
	require.NoError(t, xml.Unmarshal(raw, &j))
	return out.String(), j
}

// environment is the native environment with the fleet's gateway as base_url.
func environment(t *testing.T) string {
	t.Helper()
	gateway := fl.URL("gateway")
	if gateway == "" {
		t.Fatalf("the fleet runs no gateway (%s): install nginx-light or krakend", fl.Skipped("gateway"))
	}
	raw, err := os.ReadFile(filepath.Join(dir(t), postmangen.NativeEnvFile))
	require.NoError(t, err)
	var env map[string]any
	require.NoError(t, json.Unmarshal(raw, &env))
	values, _ := env["values"].([]any)
	var set bool
	for _, v := range values {
		if m, _ := v.(map[string]any); m != nil && m["key"] == "base_url" {
			m["value"], set = gateway, true
		}
	}
	require.True(t, set, "the native environment has no base_url")
	raw, err = json.Marshal(env)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "fleet.postman_environment.json")
	require.NoError(t, os.WriteFile(path, raw, 0o644))
	return path
}

// The whole collection, in its order: Parcours (the flows, their ids set for
// what follows), Lectures, then Écritures, through the fleet's gateway.
func TestNewman_RunsTheCollectionGreen(t *testing.T) {
	out, report := newman(t, environment(t))
	if testing.Verbose() {
		t.Log(out)
	}
	want := 0
	for _, list := range requests("", loadCollection(t)) {
		want += len(list)
	}
	require.Len(t, report.Suites, want, "every request of the collection ran\n%s", out)
	var assertions int
	for _, s := range report.Suites {
		require.Zero(t, s.Failures+s.Errors, "%s failed\n%s", s.Name, out)
		require.NotZero(t, s.Tests, "%s asserted nothing\n%s", s.Name, out)
		assertions += s.Tests
	}
	t.Logf("newman: %d requests, %d assertions, none failed", len(report.Suites), assertions)
}
