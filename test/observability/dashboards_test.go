package observability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
	"github.com/stretchr/testify/require"
)

// committed is where Grafana's provisioning reads the dashboards from.
const committed = "../../deploy/grafana/dashboards"

// datasourceUID is the uid of deploy/grafana/provisioning/datasources/prometheus.yml.
const datasourceUID = "prometheus"

// query is one PromQL expression of a dashboard, with where it comes from.
type query struct {
	file, where, expr string
	variable          bool // a template variable's label_values(...), not a panel target
}

func (q query) String() string { return q.file + ": " + q.where }

// gateway tells the queries of the KrakenD dashboard: only a KrakenD makes their series.
func (q query) gateway() bool { return q.file == "gateway.json" }

// dashboardFiles are the committed dashboards, sorted.
func dashboardFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(committed, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no dashboards in %s: run go run ./cmd/dashboards -out ../deploy/grafana/dashboards", committed)
	slices.Sort(files)
	return files
}

type dsRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int     `json:"id"`
	Type       string  `json:"type"`
	Title      string  `json:"title"`
	Datasource *dsRef  `json:"datasource"`
	Panels     []panel `json:"panels"`
	Targets    []struct {
		RefID      string `json:"refId"`
		Expr       string `json:"expr"`
		Datasource *dsRef `json:"datasource"`
	} `json:"targets"`
}

type dashboardJSON struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Query      any    `json:"query"`
			Datasource *dsRef `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

func readDashboard(t *testing.T, path string) dashboardJSON {
	t.Helper()
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var d dashboardJSON
	require.NoError(t, json.Unmarshal(raw, &d), path)
	return d
}

// queries lists every expression of every committed dashboard: panel targets
// (rows' nested panels included) and query variables.
func queries(t *testing.T) []query {
	t.Helper()
	var out []query
	for _, path := range dashboardFiles(t) {
		file := filepath.Base(path)
		d := readDashboard(t, path)
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, p := range ps {
				walk(p.Panels)
				for _, tg := range p.Targets {
					out = append(out, query{file: file, where: fmt.Sprintf("panel %q target %s", p.Title, tg.RefID), expr: tg.Expr})
				}
			}
		}
		walk(d.Panels)
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			s, ok := v.Query.(string)
			require.True(t, ok, "%s: variable %s: query %v is not a string", file, v.Name, v.Query)
			out = append(out, query{file: file, where: "variable $" + v.Name, expr: s, variable: true})
		}
	}
	return out
}

var (
	grafanaVar  = regexp.MustCompile(`\$(\w+)`)
	labelValues = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)
)

// concrete turns a dashboard expression into plain PromQL: Grafana's
// variables get values a short test run can cover (a 30s rate window is six
// scrapes at 5s), multi-value variables match everything as "All" does, and
// label_values(selector, label) becomes the query Grafana runs for it. An
// unknown variable fails, so a typo cannot slip through.
func concrete(t *testing.T, q query) string {
	t.Helper()
	values := map[string]string{
		"__rate_interval": "30s",
		"__interval":      "30s",
		"__range":         "10m",
		"service":         ".+",
		"instance":        ".+",
		"type":            ".+",
		"route":           ".+",
	}
	expr := grafanaVar.ReplaceAllStringFunc(q.expr, func(m string) string {
		v, ok := values[m[1:]]
		if !ok {
			t.Errorf("%s: unknown variable %s in %s", q, m, q.expr)
			return m
		}
		return v
	})
	if q.variable {
		m := labelValues.FindStringSubmatch(expr)
		require.NotNil(t, m, "%s: %q is not label_values(selector, label)", q, q.expr)
		expr = fmt.Sprintf("count by (%s) (%s)", m[2], m[1])
	}
	return expr
}

// Regenerating the dashboards from code gives exactly the committed files:
// nobody edited the JSON by hand, and nobody forgot to regenerate.
func TestDashboards_RegeneratedFilesMatchTheCommittedOnes(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./cmd/dashboards", "-out", out)
	cmd.Dir = ".." // the test module
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)

	fresh, err := filepath.Glob(filepath.Join(out, "*.json"))
	require.NoError(t, err)
	var names, want []string
	for _, f := range fresh {
		names = append(names, filepath.Base(f))
	}
	for _, f := range dashboardFiles(t) {
		want = append(want, filepath.Base(f))
	}
	slices.Sort(names)
	require.Equal(t, names, want, "the committed dashboards are not the generated set")
	for _, name := range names {
		got, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		old, err := os.ReadFile(filepath.Join(committed, name))
		require.NoError(t, err)
		require.True(t, bytes.Equal(got, old),
			"%s differs from the generated one: run `go run ./cmd/dashboards -out ../deploy/grafana/dashboards` in test/", name)
	}
}

// Every panel and every target names the provisioned datasource by its fixed
// uid, and the provisioning gives Prometheus that uid.
func TestDashboards_UseTheProvisionedDatasource(t *testing.T) {
	prov, err := os.ReadFile("../../deploy/grafana/provisioning/datasources/prometheus.yml")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^\s+uid:\s*`+datasourceUID+`\s*$`, string(prov))
	require.Regexp(t, `(?m)^\s+url:\s*http://prometheus:9091\s*$`, string(prov))
	dash, err := os.ReadFile("../../deploy/grafana/provisioning/dashboards/dashboards.yml")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^\s+path:\s*/var/lib/grafana/dashboards\s*$`, string(dash))

	uids := map[string]string{}
	for _, path := range dashboardFiles(t) {
		d := readDashboard(t, path)
		require.NotEmpty(t, d.UID, path)
		if other, dup := uids[d.UID]; dup {
			t.Errorf("%s and %s share the uid %s", other, path, d.UID)
		}
		uids[d.UID] = path
		ids := map[int]bool{}
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, p := range ps {
				walk(p.Panels)
				if ids[p.ID] {
					t.Errorf("%s: panel id %d used twice", path, p.ID)
				}
				ids[p.ID] = true
				if p.Type == "row" {
					continue
				}
				require.NotNil(t, p.Datasource, "%s: panel %q has no datasource", path, p.Title)
				require.Equal(t, dsRef{"prometheus", datasourceUID}, *p.Datasource, "%s: panel %q", path, p.Title)
				require.NotEmpty(t, p.Targets, "%s: panel %q has no query", path, p.Title)
				for _, tg := range p.Targets {
					require.NotNil(t, tg.Datasource, "%s: panel %q target %s", path, p.Title, tg.RefID)
					require.Equal(t, dsRef{"prometheus", datasourceUID}, *tg.Datasource, "%s: panel %q target %s", path, p.Title, tg.RefID)
				}
			}
		}
		walk(d.Panels)
		for _, v := range d.Templating.List {
			if v.Type == "query" {
				require.NotNil(t, v.Datasource, "%s: variable %s", path, v.Name)
				require.Equal(t, datasourceUID, v.Datasource.UID, "%s: variable %s", path, v.Name)
			}
		}
	}
}

// Every query is valid PromQL once Grafana has put its variables in.
func TestDashboards_EveryQueryParses(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	qs := queries(t)
	require.NotEmpty(t, qs)
	for _, q := range qs {
		expr := concrete(t, q)
		if _, err := p.ParseExpr(expr); err != nil {
			t.Errorf("%s: %v\n  %s", q, err, expr)
		}
		if strings.Contains(expr, "$") {
			t.Errorf("%s: a variable is left in %s", q, expr)
		}
	}
}
