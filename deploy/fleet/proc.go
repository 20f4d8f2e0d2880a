package fleet

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one process of the fleet. It runs in its own process group so a
// stop reaches its children too (nginx workers).
type proc struct {
	name    string // "web-2"
	service string // "web": the binary and the database role
	path    string
	args    []string
	dir     string
	env     []string
	overlay []string // RestartWith's variables, after env so they win
	url     string
	ready   string // answers 200 when the process is ready
	port    int
	logPath string
	conf    string // the generated config it runs with, if any

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // how it exited
}

func (p *proc) start(console io.Writer) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "---- %s start %s %s\n", time.Now().Format(time.RFC3339), p.path, strings.Join(p.args, " "))
	cmd := exec.Command(p.path, p.args...)
	cmd.Dir, cmd.Env = p.dir, append(slices.Clip(p.env), p.overlay...)
	cmd.SysProcAttr = sysProcAttr()
	var out io.Writer = logf
	if console != nil {
		out = io.MultiWriter(logf, console)
	}
	cmd.Stdout, cmd.Stderr = out, out
	// With a non-file writer, Wait also waits for the output pipe, which a
	// leftover child could hold open forever.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	done := make(chan struct{})
	p.cmd, p.done, p.err = cmd, done, nil
	go func() {
		err := cmd.Wait()
		logf.Close()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

func (p *proc) setOverlay(env map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.overlay = nil
	for _, k := range slices.Sorted(maps.Keys(env)) {
		p.overlay = append(p.overlay, k+"="+env[k])
	}
}

func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// current returns the pid and the exit channel of the latest run, if any.
func (p *proc) current() (int, chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0, nil
	}
	return p.cmd.Process.Pid, p.done
}

// terminate sends SIGTERM to the process group, waits up to grace, then
// sends SIGKILL. Whatever is left in the group afterwards is killed too.
func (p *proc) terminate(grace time.Duration) {
	pid, done := p.current()
	if done == nil {
		return
	}
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// kill is a crash: SIGKILL to the whole group, no chance to clean up.
func (p *proc) kill() {
	pid, done := p.current()
	if done == nil {
		return
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	<-done
}

func (p *proc) exited() (bool, error) {
	_, done := p.current()
	select {
	case <-done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return true, p.err
	default:
		return false, nil
	}
}

var readyClient = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}

// waitReady polls the readiness URL until it answers 200.
func (p *proc) waitReady(ctx context.Context) error {
	for {
		if gone, err := p.exited(); gone {
			return fmt.Errorf("%s exited before it was ready (%w); end of %s:\n%s", p.name, err, p.logPath, tail(p.logPath, 20))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.ready, nil)
		if err != nil {
			return err
		}
		if resp, err := readyClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s: %w; end of %s:\n%s", p.name, p.ready, ctx.Err(), p.logPath, tail(p.logPath, 20))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tail returns the last n lines of a log file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// prefixWriter copies whole lines to out, each behind prefix, so the output
// of several processes interleaves line by line and stays readable.
type prefixWriter struct {
	prefix string
	out    io.Writer
	mu     *sync.Mutex
	buf    []byte
}

func (w *prefixWriter) Write(b []byte) (int, error) {
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.mu.Lock()
		// A console going away must not fail the process writing to it.
		_, _ = fmt.Fprintf(w.out, "%s%s\n", w.prefix, w.buf[:i])
		w.mu.Unlock()
		w.buf = w.buf[i+1:]
	}
	return len(b), nil
}
