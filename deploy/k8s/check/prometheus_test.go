package check

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// scrapeConfig mirrors the part of Prometheus' configuration that
// deploy/k8s/prometheus/prometheus.yml uses; decoded strictly, a misspelt
// key fails. (Debian's promtool is built without Kubernetes discovery, so
// it cannot check this file.)
type scrapeConfig struct {
	Global struct {
		ScrapeInterval     string `json:"scrape_interval"`
		EvaluationInterval string `json:"evaluation_interval"`
	} `json:"global"`
	RuleFiles     []string `json:"rule_files"`
	ScrapeConfigs []struct {
		JobName             string `json:"job_name"`
		KubernetesSDConfigs []struct {
			Role       string `json:"role"`
			Namespaces struct {
				Names []string `json:"names"`
			} `json:"namespaces"`
		} `json:"kubernetes_sd_configs"`
		RelabelConfigs []struct {
			SourceLabels []string `json:"source_labels"`
			Regex        string   `json:"regex"`
			Action       string   `json:"action"`
			Replacement  string   `json:"replacement"`
			TargetLabel  string   `json:"target_label"`
		} `json:"relabel_configs"`
	} `json:"scrape_configs"`
}

// metaAnnotation is the discovery label Prometheus gives a pod annotation.
func metaAnnotation(a string) string {
	return "__meta_kubernetes_pod_annotation_" + regexp.MustCompile(`[^a-zA-Z0-9_]`).ReplaceAllString(a, "_")
}

// The in-cluster scrape configuration discovers the platform's namespace and
// reads exactly the annotations the pods carry: keep on scrape, address from
// port, path from path, and the job from the pod's name label.
func TestPrometheus_ScrapesByTheAnnotationsThePodsCarry(t *testing.T) {
	var cfg scrapeConfig
	if err := yaml.UnmarshalStrict(readFile(t, k8sDir(t), "prometheus/prometheus.yml"), &cfg); err != nil {
		t.Fatalf("prometheus/prometheus.yml: %v", err)
	}
	if len(cfg.ScrapeConfigs) != 1 {
		t.Fatalf("want one scrape job, got %d", len(cfg.ScrapeConfigs))
	}
	sc := cfg.ScrapeConfigs[0]
	if len(sc.KubernetesSDConfigs) != 1 || sc.KubernetesSDConfigs[0].Role != "pod" ||
		!slices.Equal(sc.KubernetesSDConfigs[0].Namespaces.Names, []string{namespace}) {
		t.Errorf("kubernetes_sd_configs = %+v, want role pod in namespace %s", sc.KubernetesSDConfigs, namespace)
	}
	used := map[string]string{} // target label (or "keep") -> source labels
	for _, r := range sc.RelabelConfigs {
		key := r.TargetLabel
		if r.Action == "keep" {
			key = "keep " + r.Regex
		}
		used[key] += strings.Join(r.SourceLabels, ";") + " "
	}
	checks := map[string]string{
		"keep true":        metaAnnotation("prometheus.io/scrape"),
		"__address__":      metaAnnotation("prometheus.io/port"),
		"__metrics_path__": metaAnnotation("prometheus.io/path"),
		"job":              "__meta_kubernetes_pod_label_app_kubernetes_io_name",
	}
	for key, source := range checks {
		if !strings.Contains(used[key], source) {
			t.Errorf("no relabel rule sets %s from %s (rules: %v)", key, source, used)
		}
	}
	// Every annotated pod of every overlay carries the three annotations read above.
	for _, o := range overlays {
		m := build(t, o)
		for _, dname := range sortedKeys(m.Deployments) {
			a := m.Deployments[dname].Spec.Template.Annotations
			if dname == "jaeger" {
				// Its config turns its own metrics off: nothing to scrape.
				if level := jaegerConfig(t, m).MetricsLevel; level != "none" || a["prometheus.io/scrape"] != "" {
					t.Errorf("%s: jaeger's metrics level is %q and its pods say prometheus.io/scrape=%q: with metrics on, annotate it (and admit Prometheus)", o, level, a["prometheus.io/scrape"])
				}
				continue
			}
			if a["prometheus.io/scrape"] != "true" || a["prometheus.io/port"] == "" || a["prometheus.io/path"] == "" {
				t.Errorf("%s: %s pods lack prometheus.io/scrape, port or path: %v", o, dname, a)
			}
		}
	}
}
