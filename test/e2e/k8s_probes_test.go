package e2e

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"multimagasins/k8s/manifest"
	"multimagasins/kit/kittest"
)

// Every probe path and Prometheus path of every deploy/k8s overlay's Go
// services answers 200 on the running service, whose unknown paths answer
// 404: the path is a route it registers, not a catch-all. (KrakenD's
// /__health is compose's healthcheck, and Jaeger's /status its config's
// health check, both checked in deploy/k8s/check: neither runs here.)
func TestK8s_EveryProbePathIsARouteTheServiceServes(t *testing.T) {
	root := kittest.RepoRoot(t)
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(base, path string) int {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s%s: %v", base, path, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	checked := 0
	for _, o := range []string{"base", "overlays/dev", "overlays/prod"} {
		m, err := manifest.Build(filepath.Join(root, "deploy", "k8s", filepath.FromSlash(o)), o)
		if err != nil {
			t.Fatal(err)
		}
		for name, d := range m.Deployments {
			if name == "krakend" || name == "jaeger" {
				continue
			}
			base := fl.URL(name)
			if base == "" {
				t.Errorf("%s: Deployment %s is no service the fleet runs", o, name)
				continue
			}
			if s := get(base, "/no-such-route-"+name); s != http.StatusNotFound {
				t.Fatalf("%s answers %d to an unknown path: the check below would prove nothing", name, s)
			}
			paths := map[string]string{}
			for _, c := range d.Spec.Template.Spec.Containers {
				for kind, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe, "startup": c.StartupProbe} {
					if p != nil && p.HTTPGet != nil {
						paths[kind+" probe"] = p.HTTPGet.Path
					}
				}
			}
			if a := d.Spec.Template.Annotations; a["prometheus.io/scrape"] == "true" {
				paths["prometheus.io/path"] = a["prometheus.io/path"]
			}
			if len(paths) == 0 {
				t.Errorf("%s: %s probes nothing", o, name)
			}
			for what, path := range paths {
				if s := get(base, path); s != http.StatusOK {
					t.Errorf("%s: %s %s %s answers %d on the running service", o, name, what, path, s)
				}
				checked++
			}
		}
	}
	t.Logf("%d probe and scrape paths answered", checked)
}
