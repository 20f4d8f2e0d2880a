package observability

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// k6 scripts are ES modules (import http from 'k6/http'). node cannot run
// them, but `node --check` parses them; a .mjs copy makes node read each as a
// module whatever its version's detection of module syntax does with .js.
func TestK6_ScriptsParse(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the k6 scripts cannot be parsed here")
	}
	scripts, err := filepath.Glob("../../k6/*.js")
	require.NoError(t, err)
	var names []string
	for _, s := range scripts {
		names = append(names, filepath.Base(s))
	}
	require.Subset(t, names, []string{"k6-lb.js", "saga.js", "smoke.js"})

	dir := t.TempDir()
	for _, s := range scripts {
		t.Run(filepath.Base(s), func(t *testing.T) {
			src, err := os.ReadFile(s)
			require.NoError(t, err)
			require.Regexp(t, regexp.MustCompile(`(?m)^import http from 'k6/http';$`), string(src))
			require.Regexp(t, regexp.MustCompile(`(?m)^export const options = \{`), string(src))
			require.Regexp(t, regexp.MustCompile(`(?m)^\s+thresholds: \{`), string(src), "a load run without thresholds cannot fail")
			require.Regexp(t, regexp.MustCompile(`(?m)^export default function`), string(src))
			require.Contains(t, string(src), "__ENV.BASE_URL || 'http://localhost:8080'")

			copied := filepath.Join(dir, filepath.Base(s)+".mjs")
			require.NoError(t, os.WriteFile(copied, src, 0o644))
			out, err := exec.Command(node, "--check", copied).CombinedOutput()
			require.NoError(t, err, "node --check %s:\n%s", s, out)
		})
	}
}

// The check above would be worthless if node accepted anything: a broken
// module must fail it.
func TestK6_NodeCheckRejectsABrokenModule(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	broken := filepath.Join(t.TempDir(), "broken.mjs")
	require.NoError(t, os.WriteFile(broken, []byte("import http from 'k6/http';\nexport default function ( {\n"), 0o644))
	_, err = exec.Command(node, "--check", broken).CombinedOutput()
	require.Error(t, err)
}

// Every call of the k6 scripts is a public route of the gateway
// (gateway/krakend.json), so a run never measures 404s.
func TestK6_ScriptsCallGatewayRoutes(t *testing.T) {
	raw, err := os.ReadFile("../../gateway/krakend.json")
	require.NoError(t, err, "the routes the scripts are checked against")
	var gw struct {
		Endpoints []struct {
			Endpoint string `json:"endpoint"`
			Method   string `json:"method"`
		} `json:"endpoints"`
	}
	require.NoError(t, json.Unmarshal(raw, &gw))
	// A path parameter, a template literal's ${…} or a literal id is one "*".
	param := regexp.MustCompile(`\{[^}]*\}|\$\{[^}]*\}|\b\d+\b`)
	shape := func(method, path string) string {
		return method + " " + param.ReplaceAllString(strings.SplitN(path, "?", 2)[0], "*")
	}
	routes := map[string]bool{}
	for _, e := range gw.Endpoints {
		routes[shape(e.Method, e.Endpoint)] = true
	}

	// http.get(`${BASE_URL}/path`…), http.post(…), and smoke.js's call('METHOD', '/path'…).
	direct := regexp.MustCompile("http\\.(get|post|put|del)\\(`\\$\\{(?:BASE_URL|STOCK_URL)\\}([^`]+)`")
	helper := regexp.MustCompile("call\\('(GET|POST|PUT|DELETE)', ['`]([^'`]+)['`]")
	scripts, err := filepath.Glob("../../k6/*.js")
	require.NoError(t, err)
	require.NotEmpty(t, scripts, "no k6/*.js: nothing would be checked")
	for _, s := range scripts {
		src, err := os.ReadFile(s)
		require.NoError(t, err)
		var calls []string
		for _, m := range direct.FindAllStringSubmatch(string(src), -1) {
			method := strings.ToUpper(m[1])
			if method == "DEL" {
				method = "DELETE"
			}
			calls = append(calls, shape(method, m[2]))
		}
		for _, m := range helper.FindAllStringSubmatch(string(src), -1) {
			calls = append(calls, shape(m[1], m[2]))
		}
		require.NotEmpty(t, calls, "%s: no call found", s)
		for _, c := range calls {
			require.True(t, routes[c], "%s calls %s, which gateway/krakend.json does not route", filepath.Base(s), c)
		}
	}
}
