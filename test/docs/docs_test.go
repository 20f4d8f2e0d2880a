// Package docs runs the examples of README.md and docs/*.md against a fresh
// fleet, so that none of them can drift from what the platform does. Every
// ```sh block runs, in the order of the file, in one bash per file (a
// variable set in one block serves the next); ```console blocks are for
// commands that need what a test fleet has not (Docker, k6, a long load run).
//
// Every curl is recorded: it must be answered, never with a 5xx, and with the
// status a `# NNN` comment on its command announces, else a 2xx.
package docs

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"multimagasins/fleet"
	"multimagasins/test/internal/fleettest"
)

var fl *fleet.Fleet

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(fleettest.Main(m, "docs", fleet.Options{LogLevel: "warn"}, func(f *fleet.Fleet) { fl = f }))
}

// documents are the files whose examples run, README first, then docs/ in
// name order, as a newcomer would read them, all against the same fleet.
func documents(t *testing.T, root string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	out := []string{"README.md"}
	for _, d := range docs {
		rel, err := filepath.Rel(root, d)
		require.NoError(t, err)
		out = append(out, rel)
	}
	return out
}

func TestDocs_EveryShellExampleRunsAsItSays(t *testing.T) {
	root, err := fleet.FindRoot()
	require.NoError(t, err)
	for _, doc := range documents(t, root) {
		t.Run(doc, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, doc))
			require.NoError(t, err)
			runExamples(t, doc, string(src))
		})
	}
}

// command is one shell command of a block: its lines (a trailing backslash
// continues it) and the status its comment announces (0: any 2xx).
type command struct {
	first, last int // lines in the document, 1-based
	want        int
	curl        bool
}

var (
	announced = regexp.MustCompile(`\s#\s+(\d{3})\b`)
	localhost = regexp.MustCompile(`(https?://)?localhost:(\d{4})`)
)

// script turns a document into a bash script whose line n+1 is the
// document's line n inside an sh block (other lines blank), so bash's line
// numbers lead back to the document; it also returns the commands.
func script(doc string) (string, []command) {
	var (
		out  strings.Builder
		cmds []command
		open *command
	)
	walkFences(doc, "sh", func(lineNo int, line string, at fence) {
		if at != inside {
			out.WriteString("\n")
			return
		}
		out.WriteString(line + "\n")
		if open == nil {
			if trimmed := strings.TrimSpace(line); trimmed == "" || strings.HasPrefix(trimmed, "#") {
				return
			}
			open = &command{first: lineNo}
		}
		if m := announced.FindStringSubmatch(line); m != nil {
			open.want, _ = strconv.Atoi(m[1])
		}
		if strings.Contains(line, "curl ") {
			open.curl = true
		}
		if !strings.HasSuffix(strings.TrimRight(line, " "), `\`) && !strings.HasSuffix(strings.TrimRight(line, " "), "|") {
			open.last = lineNo
			cmds = append(cmds, *open)
			open = nil
		}
	})
	return out.String(), cmds
}

// prelude records every curl: the document line it was called from, its
// exit code and the status line of its answer.
const prelude = `curl() { local f; f=$(mktemp -p "$DUMP"); command curl -sS -D "$f.h" "$@"; local rc=$?; ` +
	`echo "${BASH_LINENO[0]} $rc $(head -n1 "$f.h" 2>/dev/null | cut -d' ' -f2)" > "$f"; return $rc; }`

func runExamples(t *testing.T, name, doc string) {
	body, cmds := script(doc)
	var curls int
	for _, c := range cmds {
		if c.curl {
			curls++
		}
	}
	if !strings.Contains(doc, "```sh") {
		return
	}
	require.NotZero(t, curls, "%s: an sh block calls nothing; mark a command that needs what a test fleet has not as console", name)
	// The fleet's own ports in place of the defaults the documents show.
	body = localhost.ReplaceAllStringFunc(body, func(s string) string {
		m := localhost.FindStringSubmatch(s)
		port, _ := strconv.Atoi(m[2])
		for proc, def := range fleet.DefaultPorts {
			if def == port && fl.URL(proc) != "" && proc != "krakend-metrics" {
				return m[1] + strings.TrimPrefix(fl.URL(proc), "http://")
			}
		}
		t.Fatalf("%s: no process of the fleet answers on port %d", name, port)
		return s
	})
	dump := t.TempDir()
	file := filepath.Join(t.TempDir(), "examples.sh")
	require.NoError(t, os.WriteFile(file, []byte(prelude+"\n"+body), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", file)
	cmd.Env = append(os.Environ(), "DUMP="+dump)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "%s\nstderr:\n%s", name, stderr.String())
	require.Empty(t, stderr.String(), "%s: the examples wrote to stderr", name)

	// Every call's line, exit code and status.
	type call struct{ line, rc, status int }
	var calls []call
	entries, err := os.ReadDir(dump)
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".h") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dump, e.Name()))
		require.NoError(t, err)
		var c call
		_, err = fmt.Sscan(string(b), &c.line, &c.rc, &c.status)
		require.NoError(t, err, "%s: %q", e.Name(), b)
		c.line-- // the prelude is line 1
		calls = append(calls, c)
	}
	lineOf := func(c call) *command {
		for i := range cmds {
			if cmds[i].first <= c.line && c.line <= cmds[i].last {
				return &cmds[i]
			}
		}
		return nil
	}
	called := map[int]bool{}
	for _, c := range calls {
		require.Zero(t, c.rc, "%s:%d: curl failed", name, c.line)
		require.Less(t, c.status, 500, "%s:%d answered %d", name, c.line, c.status)
		cmd := lineOf(c)
		if cmd == nil {
			// A function's body (jeton): a 2xx, as any unannounced call.
			require.True(t, c.status >= 200 && c.status < 300, "%s:%d answered %d", name, c.line, c.status)
			continue
		}
		called[cmd.first] = true
		if cmd.want != 0 {
			require.Equal(t, cmd.want, c.status, "%s:%d announces %d", name, cmd.first, cmd.want)
		} else {
			require.True(t, c.status >= 200 && c.status < 300, "%s:%d answered %d, announces no error", name, cmd.first, c.status)
		}
	}
	for _, c := range cmds {
		if c.curl && !strings.Contains(lineText(doc, c.first), "() {") {
			require.True(t, called[c.first], "%s:%d: its curl never ran", name, c.first)
		}
	}
}

func lineText(doc string, n int) string {
	lines := strings.Split(doc, "\n")
	if n-1 < len(lines) {
		return lines[n-1]
	}
	return ""
}
