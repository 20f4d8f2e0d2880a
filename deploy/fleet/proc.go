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
	url     string
	ready   string // answers 200 when the process is ready
	port    int
	logPath string
	conf    string      // the generated config it runs with, if any
	sup     *supervisor // restarts it when it exits on its own; nil: nobody does

	// life serializes whatever starts or stops the process (start, restart,
	// terminate, kill and the supervisor's restarts), so that at most one
	// copy ever runs and a stale restart cannot start a second one.
	life sync.Mutex

	mu       sync.Mutex
	overlay  []string // RestartWith's variables, after env so they win
	console  io.Writer
	cur      *run // the latest run; nil before the first start
	up       bool // the launcher wants it running: an exit now is a crash
	restarts int  // restarts by the supervisor since the fleet started
	failures int  // crashes in a row, for the backoff; a long run resets it
}

// run is one execution of a proc.
type run struct {
	cmd   *exec.Cmd
	began time.Time
	done  chan struct{} // closed when the process has exited
	err   error         // how it exited; written before done is closed
}

func (p *proc) start(console io.Writer) error {
	p.life.Lock()
	defer p.life.Unlock()
	return p.startLocked(console)
}

// restart stops the process (gracefully) if it still runs and starts it
// again, under one hold of p.life: a supervisor's restart pending for the
// old run finds a newer run and gives up.
func (p *proc) restart(console io.Writer, grace time.Duration) error {
	p.life.Lock()
	defer p.life.Unlock()
	p.terminateLocked(grace)
	return p.startLocked(console)
}

// startLocked starts a new run; the caller holds p.life.
func (p *proc) startLocked(console io.Writer) error {
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "---- %s start %s %s\n", time.Now().Format(time.RFC3339), p.path, strings.Join(p.args, " "))
	p.mu.Lock()
	env := append(slices.Clip(p.env), p.overlay...)
	p.mu.Unlock()
	cmd := exec.Command(p.path, p.args...)
	cmd.Dir, cmd.Env = p.dir, env
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
	r := &run{cmd: cmd, began: time.Now(), done: make(chan struct{})}
	p.mu.Lock()
	p.cur, p.up, p.console = r, true, console
	p.mu.Unlock()
	go p.wait(r, logf)
	return nil
}

// wait reaps a run. An exit the launcher did not cause goes to the
// supervisor; the decision is taken before done is closed, so whoever waits
// on done (terminate, kill, Stop) sees it made.
func (p *proc) wait(r *run, logf *os.File) {
	err := r.cmd.Wait()
	uptime := time.Since(r.began)
	p.mu.Lock()
	crashed := p.up && p.cur == r && p.sup != nil && !p.sup.stopping()
	var next restartEvent
	if crashed {
		next = p.nextRestart(exitStatus(err), uptime)
		p.sup.pending.Add(1) // before done closes: Stop waits on done, then on pending
	}
	p.mu.Unlock()
	if crashed {
		fmt.Fprintf(logf, "---- %s exited on its own (%s) after %s; restart %d in %s\n",
			time.Now().Format(time.RFC3339), next.status, next.uptime, next.restart, next.delay)
	} else {
		fmt.Fprintf(logf, "---- %s exited (%s)\n", time.Now().Format(time.RFC3339), exitStatus(err))
	}
	logf.Close()
	r.err = err
	close(r.done)
	if crashed {
		go p.restartAfter(r, next)
	}
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
	if r := p.current(); r != nil {
		return r.cmd.Process.Pid
	}
	return 0
}

// current returns the latest run, nil before the first start.
func (p *proc) current() *run {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// terminate sends SIGTERM to the process group, waits up to grace, then
// sends SIGKILL. Whatever is left in the group afterwards is killed too.
// The supervisor leaves a terminated process down.
func (p *proc) terminate(grace time.Duration) {
	p.life.Lock()
	defer p.life.Unlock()
	p.terminateLocked(grace)
}

func (p *proc) terminateLocked(grace time.Duration) {
	r := p.down()
	if r == nil {
		return
	}
	pid := r.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(grace):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-r.done
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL)
}

// kill is a crash: SIGKILL to the whole group, no chance to clean up. It is
// still the launcher's doing, so the supervisor leaves the process down.
func (p *proc) kill() {
	p.life.Lock()
	defer p.life.Unlock()
	r := p.down()
	if r == nil {
		return
	}
	_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	<-r.done
}

// down marks the process as not wanted, before any signal is sent, so its
// exit is not taken for a crash; it returns the run to stop.
func (p *proc) down() *run {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = false
	return p.cur
}

// exited says whether run r has ended, and how.
func (r *run) exited() (bool, error) {
	select {
	case <-r.done:
		return true, r.err
	default:
		return false, nil
	}
}

// exitStatus says how a run ended: "exit status 3", "signal: killed".
func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

var readyClient = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}

// waitReady polls the readiness URL until it answers 200. It watches the
// run current when it is called: that run dying is the error to report, even
// if the supervisor has started another since.
func (p *proc) waitReady(ctx context.Context) error {
	r := p.current()
	if r == nil {
		return fmt.Errorf("%s was never started", p.name)
	}
	for {
		if gone, err := r.exited(); gone {
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
