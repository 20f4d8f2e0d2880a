package fleet

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/template"
)

// FuzzBuildGateway feeds the gateway table builder any krakend.json. It must
// never panic, and what it accepts must render to an nginx config where no
// value from the file can end a string, a directive or a block early: a path,
// a method or a query from the file goes into quoted map keys and locations.
func FuzzBuildGateway(f *testing.F) {
	root, err := FindRoot()
	if err != nil {
		f.Fatal(err)
	}
	real, err := os.ReadFile(filepath.Join(root, "gateway", "krakend.json"))
	if err != nil {
		f.Fatal(err)
	}
	tmpl, err := template.ParseFiles(filepath.Join(root, "deploy", "nginx", "gateway.conf.tmpl"))
	if err != nil {
		f.Fatal(err)
	}
	const cors = `{"extra_config":{"security/cors":{"allow_origins":["*"]}},"endpoints":[`
	for _, seed := range []string{
		string(real),
		cors + `{"endpoint":"/a","backend":[{"host":["http://clients:8001"],"url_pattern":"/a"}]}]}`,
		cors + `{"endpoint":"/a/{id}","method":"PUT","backend":[{"host":["http://stock:8007"],"url_pattern":"/a/{id}"}]}]}`,
		cors + `{"endpoint":"/m","backend":[{"host":["http://clients:8001"],"url_pattern":"/x","group":"x"},{"host":["http://stock:8007"],"url_pattern":"/y","group":"y"}]}]}`,
		cors + `{"endpoint":"/a\" x;","backend":[{"host":["http://clients:8001"],"url_pattern":"/a\" x;"}]}]}`,
		cors + `{"endpoint":"/a","method":"GET\";","backend":[{"host":["http://clients:8001"],"url_pattern":"/a"}]}]}`,
		cors + `{"endpoint":"/a","extra_config":{"qos/ratelimit/router":{"max_rate":-1,"every":"1h"}},"backend":[{"host":["http://clients:8001"],"url_pattern":"/a"}]}]}`,
		`{"timeout":"-5s","extra_config":{"security/cors":{"allow_origins":["*"],"max_age":"x"}},"endpoints":[]}`,
		`null`, `{}`, `[`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, err := buildGateway(src, "/run", "127.0.0.1:1", fakeAddr)
		if err != nil {
			return
		}
		// Route keys, paths and templates are quoted in the config; a merge's
		// path is a location and its backends' paths go into rewrite, unquoted.
		for _, r := range c.Routes {
			requireConfSafe(t, "route", strings.TrimSuffix(r.Key, "$"), quoted)
		}
		for _, p := range c.Paths {
			requireConfSafe(t, "path", strings.TrimSuffix(p.Pattern, "$"), quoted)
			requireConfSafe(t, "template", p.Template, quoted)
		}
		for _, m := range c.Merges {
			requireConfSafe(t, "merge", m.Path, bare)
			for _, s := range m.Subs {
				requireConfSafe(t, "merged backend", s.URI, bare)
			}
		}
		var out bytes.Buffer
		if err := tmpl.Execute(&out, c); err != nil {
			t.Fatalf("render: %v", err)
		}
	})
}

// What nginx reads as syntax in a double-quoted value, and in a bare one.
const (
	quoted = "\"\\'$\n\r"
	bare   = quoted + ";{}# \t"
)

// requireConfSafe fails when s holds a character of syntax.
func requireConfSafe(t *testing.T, what, s, syntax string) {
	t.Helper()
	if i := strings.IndexAny(s, syntax); i >= 0 {
		t.Fatalf("%s %q holds %q, which nginx would read as syntax", what, s, s[i])
	}
}
