package fleet

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRestartDelay_DoublesFromHalfASecondUpToThirtySeconds(t *testing.T) {
	want := []time.Duration{
		500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
		8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second,
	}
	for failures, d := range want {
		require.Equal(t, d, restartDelay(failures), "after %d crashes in a row", failures)
	}
	require.Equal(t, maxRestartDelay, restartDelay(1000), "no overflow past the cap")
}

func TestNextRestart_ALongRunStartsTheBackoffAgain(t *testing.T) {
	p := &proc{name: "stock"}
	var delays []time.Duration
	for _, uptime := range []time.Duration{time.Second, time.Second, time.Second, stableRun, time.Second} {
		delays = append(delays, p.nextRestart("exit status 1", uptime).delay)
	}
	require.Equal(t, []time.Duration{restartDelay(0), restartDelay(1), restartDelay(2), restartDelay(0), restartDelay(1)}, delays)
	require.Equal(t, 5, p.restartCount(), "the count of restarts goes on")
}

func TestSupervisor_RestartsAProcessThatExitsOnItsOwn(t *testing.T) {
	sv := watch(t)
	// Fails once, then runs: the restart is what brings it up.
	p := shProc(t, "flaky", sv.sup, `if [ -e started ]; then exec sleep 600; fi; touch started; exit 3`)
	f := testFleet(t, sv.sup, p)
	require.NoError(t, p.start(nil))
	first := p.current()

	e := sv.event(t)
	require.Equal(t, "flaky", e.name)
	require.Equal(t, "exit status 3", e.status)
	require.Equal(t, 1, e.restart)
	require.Equal(t, restartDelay(0), e.delay)
	require.Equal(t, restartDelay(0), sv.endWait(t), "the backoff is the one reported")

	require.Eventually(t, func() bool { return p.current() != first }, 30*time.Second, 10*time.Millisecond)
	second := p.current()
	require.NoError(t, syscall.Kill(second.cmd.Process.Pid, 0), "the restarted process runs")
	require.Contains(t, readFile(t, p.logPath), "exited on its own (exit status 3)")

	require.NoError(t, f.Stop())
	requireGone(t, first, second)
	require.Equal(t, 2, starts(t, p), "nothing restarts after Stop")
}

// A kill -9 from another terminal is a crash; Stop still ends everything,
// the restarted process and the others.
func TestSupervisor_RestartsAProcessKilledFromOutsideAndStopEndsThemAll(t *testing.T) {
	sv := watch(t)
	victim := shProc(t, "victim", sv.sup, `exec sleep 600`)
	other := shProc(t, "other", sv.sup, `exec sleep 600`)
	f := testFleet(t, sv.sup, victim, other)
	require.NoError(t, victim.start(nil))
	require.NoError(t, other.start(nil))
	first := victim.current()

	require.NoError(t, syscall.Kill(-first.cmd.Process.Pid, syscall.SIGKILL))
	e := sv.event(t)
	require.Equal(t, "victim", e.name)
	require.Equal(t, "signal: killed", e.status)
	sv.endWait(t)
	require.Eventually(t, func() bool { return victim.current() != first }, 30*time.Second, 10*time.Millisecond)

	require.NoError(t, f.Stop())
	requireGone(t, first, victim.current(), other.current())
	require.Equal(t, 1, victim.restartCount())
	require.Zero(t, other.restartCount())
}

func TestSupervisor_StopEndsABackoffWaitAndNothingRestartsAfter(t *testing.T) {
	sv := watch(t)
	p := shProc(t, "crashy", sv.sup, `exit 3`)
	f := testFleet(t, sv.sup, p)
	require.NoError(t, p.start(nil))
	first := p.current()
	sv.event(t)
	end := <-sv.waits // the supervisor now waits for its backoff, which never ends by itself

	stopped := make(chan error, 1)
	go func() { stopped <- f.Stop() }()
	select {
	case err := <-stopped:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Stop waited for the backoff")
	}
	end.end <- time.Now() // too late: Stop has dropped the pending restart
	require.Same(t, first, p.current())
	require.Equal(t, 1, starts(t, p))
	select {
	case w := <-sv.waits:
		t.Fatalf("a backoff of %s began after Stop", w.d)
	default:
	}
}

func TestSupervisor_RetriesACrashLoopWithGrowingDelays(t *testing.T) {
	sv := watch(t)
	p := shProc(t, "crashy", sv.sup, `exit 3`)
	f := testFleet(t, sv.sup, p)
	require.NoError(t, p.start(nil))

	var delays []time.Duration
	for i := range 5 {
		e := sv.event(t)
		require.Equal(t, i+1, e.restart)
		require.Equal(t, "exit status 3", e.status)
		delays = append(delays, sv.endWait(t))
	}
	require.Equal(t, []time.Duration{restartDelay(0), restartDelay(1), restartDelay(2), restartDelay(3), restartDelay(4)}, delays)
	require.IsIncreasing(t, delays)
	require.NoError(t, f.Stop())
}

// Fleet.Kill, the fault tests' crash, is the launcher's doing: the process
// stays down until Restart.
func TestSupervisor_LeavesAProcessTheLauncherKilledDownUntilRestart(t *testing.T) {
	sv := watch(t)
	p := shProc(t, "paiement", sv.sup, `exec sleep 600`)
	f := testFleet(t, sv.sup, p)
	require.NoError(t, p.start(nil))
	first := p.current()

	require.NoError(t, f.Kill("paiement"))
	// kill returns once the exit is handled, the restart decision included.
	gone, err := first.exited()
	require.True(t, gone)
	require.Error(t, err)
	require.Zero(t, f.Restarts("paiement"))
	select {
	case e := <-sv.events:
		t.Fatalf("restart after Kill: %s", e)
	default:
	}

	require.NoError(t, p.restart(nil, stopGrace))
	require.NotSame(t, first, p.current())
	require.NoError(t, syscall.Kill(p.pid(), 0))
	require.NoError(t, f.Stop())
	require.Zero(t, f.Restarts("paiement"))
}

// A restart by hand after a crash leaves one copy, whether the supervisor is
// still in its backoff wait or has already started one.
func TestSupervisor_RestartByHandAfterACrashLeavesOneCopy(t *testing.T) {
	sv := watch(t)
	p := shProc(t, "orchestrator", sv.sup, `exec sleep 600`)
	f := testFleet(t, sv.sup, p)
	require.NoError(t, p.start(nil))
	crashed := p.current()

	// During the backoff: the pending restart finds a newer run and gives up.
	require.NoError(t, syscall.Kill(-crashed.cmd.Process.Pid, syscall.SIGKILL))
	sv.event(t)
	end := <-sv.waits
	require.NoError(t, p.restart(nil, stopGrace))
	byHand := p.current()
	end.end <- time.Now()
	sv.sup.wait() // the pending restart is done with
	require.Same(t, byHand, p.current())
	require.Equal(t, 2, starts(t, p))

	// After the supervisor's restart: Restart replaces that copy.
	require.NoError(t, syscall.Kill(-byHand.cmd.Process.Pid, syscall.SIGKILL))
	sv.event(t)
	sv.endWait(t)
	require.Eventually(t, func() bool { return p.current() != byHand }, 30*time.Second, 10*time.Millisecond)
	bySupervisor := p.current()
	require.NoError(t, p.restart(nil, stopGrace))
	requireGone(t, crashed, byHand, bySupervisor)
	require.NoError(t, syscall.Kill(p.pid(), 0))
	require.Equal(t, 4, starts(t, p))

	require.NoError(t, f.Stop())
	requireGone(t, p.current())
}

// watched is a supervisor whose reports and backoff waits the test receives.
type watched struct {
	sup    *supervisor
	events chan restartEvent
	waits  chan backoffWait
}

type backoffWait struct {
	d   time.Duration
	end chan time.Time
}

func watch(t *testing.T) *watched {
	t.Helper()
	w := &watched{events: make(chan restartEvent, 100), waits: make(chan backoffWait, 100)}
	w.sup = newSupervisor(func(e restartEvent) { w.events <- e })
	w.sup.after = func(d time.Duration) <-chan time.Time {
		end := make(chan time.Time, 1)
		w.waits <- backoffWait{d: d, end: end}
		return end
	}
	return w
}

func (w *watched) event(t *testing.T) restartEvent {
	t.Helper()
	select {
	case e := <-w.events:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no restart was reported")
		return restartEvent{}
	}
}

// endWait ends the next backoff wait at once and returns its length.
func (w *watched) endWait(t *testing.T) time.Duration {
	t.Helper()
	select {
	case b := <-w.waits:
		b.end <- time.Now()
		return b.d
	case <-time.After(30 * time.Second):
		t.Fatal("the supervisor never waited for a backoff")
		return 0
	}
}

// shProc is a process running script under sh, in its own directory.
func shProc(t *testing.T, name string, sup *supervisor, script string) *proc {
	dir := t.TempDir()
	return &proc{
		name: name, service: name, path: "/bin/sh", args: []string{"-c", script}, dir: dir,
		env: environ(nil), logPath: filepath.Join(dir, name+".log"), sup: sup,
	}
}

// testFleet holds procs as a started fleet would; Stop is its whole API here.
func testFleet(t *testing.T, sup *supervisor, procs ...*proc) *Fleet {
	f := &Fleet{procs: procs, sup: sup, out: testWriter{t}}
	t.Cleanup(func() { _ = f.Stop() })
	return f
}

var startLine = regexp.MustCompile(`(?m)^---- \S+ start `)

// starts counts the runs the process's log records.
func starts(t *testing.T, p *proc) int {
	return len(startLine.FindAllString(readFile(t, p.logPath), -1))
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// requireGone checks that each run has ended and left nothing of its group.
func requireGone(t *testing.T, runs ...*run) {
	t.Helper()
	for _, r := range runs {
		gone, _ := r.exited()
		require.True(t, gone, "pid %d still runs", r.cmd.Process.Pid)
		err := syscall.Kill(-r.cmd.Process.Pid, 0)
		require.True(t, errors.Is(err, syscall.ESRCH), "process group %d still alive: %v", r.cmd.Process.Pid, err)
	}
}
