package fleet

import (
	"fmt"
	"sync"
	"time"
)

// The supervisor does for the native fleet what `restart: unless-stopped`
// does in docker-compose.yml: a process that exits when the launcher did not
// stop it (a crash, a panic, a kill -9 from another terminal) is started
// again, after a delay that doubles while it keeps crashing.
//
// What the launcher stops itself (Stop, Kill, Restart) is not restarted:
// every such path marks the process as not wanted (proc.down) before it
// sends a signal. Starts and stops of one process are serialized by
// proc.life, and a pending restart goes ahead only if the run that crashed
// is still the latest one, so a restart by hand during the backoff wait
// leaves exactly one copy running.
type supervisor struct {
	report func(restartEvent)                   // says what happened and what comes next
	after  func(time.Duration) <-chan time.Time // time.After; tests decide when a wait ends

	quit     chan struct{} // closed by stop: no restart from then on
	quitOnce sync.Once
	pending  sync.WaitGroup // restarts scheduled and not yet done or dropped
}

func newSupervisor(report func(restartEvent)) *supervisor {
	return &supervisor{report: report, after: time.After, quit: make(chan struct{})}
}

// restartEvent is one restart decided by the supervisor.
type restartEvent struct {
	name    string
	status  string        // how the run ended: "exit status 3", "signal: killed"
	uptime  time.Duration // how long that run lasted
	failed  error         // instead of status: the previous restart could not start it
	restart int           // restarts of this process so far, this one included
	delay   time.Duration // the backoff before it
}

func (e restartEvent) String() string {
	if e.failed != nil {
		return fmt.Sprintf("%s did not start again (%v); restart %d in %s", e.name, e.failed, e.restart, e.delay)
	}
	return fmt.Sprintf("%s exited on its own (%s) after %s; restart %d in %s",
		e.name, e.status, e.uptime.Round(time.Millisecond), e.restart, e.delay)
}

// The backoff: 0.5s, 1s, 2s … up to 30s between restarts while a process
// keeps crashing; a run of stableRun or more counts as healthy and starts the
// sequence again. A plain doubling is all one local process needs: no jitter
// (there is no crowd of clients to spread out), and the retry loop of
// cenkalti/backoff (used by the orchestrator) runs an operation until it
// succeeds, whereas this one reacts to exits and must end on Stop.
const (
	firstRestartDelay = 500 * time.Millisecond
	maxRestartDelay   = 30 * time.Second
	stableRun         = 30 * time.Second
)

// restartDelay is the wait before a restart after failures crashes in a row
// (0 for the first).
func restartDelay(failures int) time.Duration {
	d := firstRestartDelay
	for range failures {
		d *= 2
		if d >= maxRestartDelay {
			return maxRestartDelay
		}
	}
	return d
}

// stopping says whether stop was called.
func (s *supervisor) stopping() bool {
	select {
	case <-s.quit:
		return true
	default:
		return false
	}
}

// stop ends every backoff wait and forbids any later restart; the caller
// then terminates the processes and waits for wait().
func (s *supervisor) stop() { s.quitOnce.Do(func() { close(s.quit) }) }

// wait returns once no restart is pending. Call it after stop and after every
// process is terminated, so no new restart can be scheduled meanwhile.
func (s *supervisor) wait() { s.pending.Wait() }

// nextRestart counts one more restart of p and picks its delay; the caller
// holds p.mu.
func (p *proc) nextRestart(status string, uptime time.Duration) restartEvent {
	if uptime >= stableRun {
		p.failures = 0
	}
	e := restartEvent{name: p.name, status: status, uptime: uptime, delay: restartDelay(p.failures)}
	p.failures++
	p.restarts++
	e.restart = p.restarts
	return e
}

// restartAfter waits e.delay, then starts p again unless, meanwhile, the
// launcher stopped or restarted it (r is no longer its latest run) or the
// fleet is stopping. A start that fails is retried with the next delay.
func (p *proc) restartAfter(r *run, e restartEvent) {
	defer p.sup.pending.Done()
	for {
		p.sup.report(e)
		select {
		case <-p.sup.quit:
			return
		case <-p.sup.after(e.delay):
		}
		err := p.restartIfStill(r)
		if err == nil {
			return
		}
		p.mu.Lock()
		e = p.nextRestart("", 0)
		p.mu.Unlock()
		e.failed = err
	}
}

// restartIfStill starts a new run if r, which crashed, is still the run the
// launcher wants; a nil error also means there was nothing to do.
func (p *proc) restartIfStill(r *run) error {
	p.life.Lock()
	defer p.life.Unlock()
	p.mu.Lock()
	still := p.up && p.cur == r
	console := p.console
	p.mu.Unlock()
	if !still || p.sup.stopping() {
		return nil
	}
	return p.startLocked(console)
}

// restartCount is how many times the supervisor restarted p.
func (p *proc) restartCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.restarts
}
