package main

import (
	"encoding/json"
	"net/url"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"github.com/grafana/grafana-foundation-sdk/go/units"
)

// DatasourceUID is the uid given to Prometheus in
// deploy/grafana/provisioning/datasources/prometheus.yml. Every panel names
// it, so the dashboards work without an import step or a datasource picker.
const DatasourceUID = "prometheus"

// JaegerUID is the uid given to Jaeger in
// deploy/grafana/provisioning/datasources/jaeger.yml; links to the traces name it.
const JaegerUID = "jaeger"

func datasource() common.DataSourceRef {
	typ, uid := "prometheus", DatasourceUID
	return common.DataSourceRef{Type: &typ, Uid: &uid}
}

// board wraps a dashboard builder and numbers its panels itself, so the ids
// (and the JSON) do not depend on anything but the order of the calls.
type board struct {
	b      *boardBuilder
	nextID uint32
}

// Grafana 11, the version docker-compose.yml pins, provisions the v1
// dashboard JSON this builder writes; the SDK's suggested dashboardv2 targets
// Grafana 12's v2 schema. So the v1 builder stays, named once here.
type boardBuilder = dashboard.DashboardBuilder //nolint:staticcheck // v1 JSON on purpose, see above

var newDashboardBuilder = dashboard.NewDashboardBuilder //nolint:staticcheck // v1 JSON on purpose, see above

func newBoard(uid, title, description string, tags ...string) *board {
	b := newDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags(append([]string{"multimagasins"}, tags...)).
		Editable().
		Refresh("10s").
		Time("now-30m", "now").
		Timezone(common.TimeZoneBrowser).
		Tooltip(dashboard.DashboardCursorSyncCrosshair)
	return &board{b: b}
}

func (d *board) id() uint32 {
	d.nextID++
	return d.nextID
}

func (d *board) row(title string) *board {
	d.b.WithRow(dashboard.NewRowBuilder(title).Id(d.id()))
	return d
}

// variable adds a multi-value query variable over a label, "All" by default.
// The query is Grafana's label_values(metric, label) form.
func (d *board) variable(name, label, query string) *board {
	all := "$__all"
	d.b.WithVariable(dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(datasource()).
		Query(dashboard.StringOrMap{String: &query}).
		Definition(query).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".+").
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: strPtr("All")},
			Value: dashboard.StringOrArrayOfString{String: &all},
		}))
	return d
}

// q is one PromQL target; legend uses Grafana's {{label}} templates.
type q struct {
	expr, legend string
}

func targets(qs []q) []cog.Builder[variants.Dataquery] {
	refs := "ABCDEFGHIJ"
	out := make([]cog.Builder[variants.Dataquery], 0, len(qs))
	for i, x := range qs {
		t := prometheus.NewDataqueryBuilder().
			Datasource(datasource()).
			Expr(x.expr).
			LegendFormat(x.legend).
			RefId(refs[i : i+1]).
			Range()
		out = append(out, t)
	}
	return out
}

// timeseries adds a graph of w (of 24) columns.
func (d *board) timeseries(title, desc, unit string, w uint32, qs ...q) *board {
	p := timeseries.NewPanelBuilder().
		Id(d.id()).
		Title(title).
		Datasource(datasource()).
		Unit(unit).
		Span(w).
		Height(8).
		Min(0).
		FillOpacity(10).
		LineWidth(1).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeTable).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true).
			Calcs([]string{"mean", "max", "lastNotNull"})).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending)).
		Targets(targets(qs))
	if desc != "" {
		p.Description(desc)
	}
	d.b.WithPanel(p)
	return d
}

// stat adds a single big number of w (of 24) columns.
func (d *board) stat(title, desc, unit string, w uint32, qs ...q) *board {
	p := stat.NewPanelBuilder().
		Id(d.id()).
		Title(title).
		Datasource(datasource()).
		Unit(unit).
		Span(w).
		Height(4).
		Orientation(common.VizOrientationAuto).
		GraphMode(common.BigValueGraphModeArea).
		ColorMode(common.BigValueColorModeValue).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
		Targets(targets(qs))
	if desc != "" {
		p.Description(desc)
	}
	d.b.WithPanel(p)
	return d
}

func strPtr(s string) *string { return &s }

// Units used by the panels, named once.
const (
	unitReqps   = units.RequestsPerSecond
	unitOps     = units.OpsPerSecond
	unitSeconds = units.Seconds
	unitRatio   = units.PercentUnit
	unitShort   = units.Short
	unitDollars = units.Dollars
)

// traceLink adds a link, at the top of the dashboard, to Grafana's Explore
// with the Jaeger datasource searching the traces of service's operation:
// a saga's whole trace, every service it crossed, is one click from its
// metrics. A link, not a panel: test/observability sends every panel's
// query to Prometheus.
func (d *board) traceLink(title, tooltip, service, operation string) *board {
	type ref struct {
		Type string `json:"type"`
		UID  string `json:"uid"`
	}
	type query struct {
		RefID      string `json:"refId"`
		Datasource ref    `json:"datasource"`
		QueryType  string `json:"queryType"`
		Service    string `json:"service"`
		Operation  string `json:"operation"`
	}
	type pane struct {
		Datasource string  `json:"datasource"`
		Queries    []query `json:"queries"`
		Range      struct {
			From string `json:"from"`
			To   string `json:"to"`
		} `json:"range"`
	}
	p := pane{Datasource: JaegerUID, Queries: []query{{RefID: "A", Datasource: ref{"jaeger", JaegerUID},
		QueryType: "search", Service: service, Operation: operation}}}
	p.Range.From, p.Range.To = "now-30m", "now"
	panes, err := json.Marshal(map[string]pane{"traces": p})
	if err != nil {
		panic(err) // plain structs of strings always encode
	}
	d.b.Link(dashboard.NewDashboardLinkBuilder(title).
		Type(dashboard.DashboardLinkTypeLink).
		Icon("external link").
		Tooltip(tooltip).
		Url("/explore?schemaVersion=1&orgId=1&panes=" + url.QueryEscape(string(panes))).
		TargetBlank(true))
	return d
}
