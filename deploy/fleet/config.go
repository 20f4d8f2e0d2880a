package fleet

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// nginxConf is what deploy/nginx/nginx.conf.tmpl needs.
type nginxConf struct {
	RunDir string
	Listen string   // "127.0.0.1:8088"
	Web    []string // upstream servers, "127.0.0.1:8004"
}

// renderTemplate fills an nginx template; a field the template names but the
// data lacks is an error, not an empty string in a config.
func renderTemplate(tmplPath string, c any) ([]byte, error) {
	t, err := template.New(filepath.Base(tmplPath)).Option("missingkey=error").ParseFiles(tmplPath)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (f *Fleet) writeNginxConf() (string, error) {
	c := nginxConf{RunDir: f.opts.RunDir, Listen: f.local("nginx")}
	for _, name := range instances("web") {
		c.Web = append(c.Web, f.local(name))
	}
	conf, err := renderTemplate(filepath.Join(f.root, "deploy", "nginx", "nginx.conf.tmpl"), c)
	if err != nil {
		return "", err
	}
	for _, d := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(f.opts.RunDir, "nginx-temp", d), 0o755); err != nil {
			return "", err
		}
	}
	path := filepath.Join(f.opts.RunDir, "nginx.conf")
	return path, os.WriteFile(path, conf, 0o644)
}

// nativePrometheus rewrites the docker-compose Prometheus config for local
// processes: each "<host>:<port>" target becomes the address in running
// (keyed by host), targets of processes not running are dropped, and so are
// jobs left with none. Rule files become absolute, relative to the source.
func nativePrometheus(src []byte, srcDir string, running map[string]string) ([]byte, error) {
	var cfg map[string]any
	if err := yaml.Unmarshal(src, &cfg); err != nil {
		return nil, fmt.Errorf("prometheus.yml: %w", err)
	}
	if rules, ok := cfg["rule_files"].([]any); ok {
		for i, r := range rules {
			if s, ok := r.(string); ok && !filepath.IsAbs(s) {
				rules[i] = filepath.Join(srcDir, s)
			}
		}
	}
	jobs, _ := cfg["scrape_configs"].([]any)
	var kept []any
	for _, j := range jobs {
		job, ok := j.(map[string]any)
		if !ok {
			continue
		}
		statics, _ := job["static_configs"].([]any)
		var keptStatics []any
		for _, s := range statics {
			sc, ok := s.(map[string]any)
			if !ok {
				continue
			}
			targets, _ := sc["targets"].([]any)
			var local []any
			for _, t := range targets {
				host, _, err := net.SplitHostPort(fmt.Sprint(t))
				if err != nil {
					return nil, fmt.Errorf("prometheus.yml: target %v: %w", t, err)
				}
				if addr, ok := running[host]; ok {
					local = append(local, addr)
				}
			}
			if len(local) > 0 {
				sc["targets"] = local
				keptStatics = append(keptStatics, sc)
			}
		}
		if len(keptStatics) > 0 {
			job["static_configs"] = keptStatics
			kept = append(kept, job)
		}
	}
	cfg["scrape_configs"] = kept
	return yaml.Marshal(cfg)
}

func (f *Fleet) writePrometheusConf(running map[string]string) (string, error) {
	dir := filepath.Join(f.root, "deploy", "prometheus")
	src, err := os.ReadFile(filepath.Join(dir, "prometheus.yml"))
	if err != nil {
		return "", err
	}
	conf, err := nativePrometheus(src, dir, running)
	if err != nil {
		return "", err
	}
	path := filepath.Join(f.opts.RunDir, "prometheus.yml")
	return path, os.WriteFile(path, conf, 0o644)
}
