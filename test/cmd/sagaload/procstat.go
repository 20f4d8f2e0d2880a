package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is USER_HZ, the unit of the times in /proc/PID/stat
// (sysconf(_SC_CLK_TCK), what `getconf CLK_TCK` prints). Linux reports them
// in 100 Hz ticks to user space on every architecture whatever the kernel's
// own HZ, and reading the value properly would need cgo.
const clockTicks = 100

// fleetProcesses are the process names (/proc/PID/comm) whose CPU a run
// reports when -pids is not given. Every PostgreSQL backend is a postgres.
var fleetProcesses = []string{"orchestrator", "commande", "stock", "paiement", "panier", "clients", "postgres"}

// procStat is what sagaload needs from one /proc/PID/stat line.
type procStat struct {
	pid, ppid int
	comm      string
	// ticks is utime+stime+cutime+cstime: the process's own CPU plus that of
	// the children it has reaped, so a backend that exits during a run still
	// counts, through the postmaster.
	ticks int64
}

// parseStat reads one /proc/PID/stat line. The name sits in parentheses and
// may itself hold spaces and parentheses, so fields are counted from the
// last ')'.
func parseStat(line string) (procStat, error) {
	open, closing := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || closing < open {
		return procStat{}, fmt.Errorf("stat %q: no (comm)", firstWords(line))
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return procStat{}, fmt.Errorf("stat pid: %w", err)
	}
	// Fields after the name, from field 3 (state): ppid is field 4, utime,
	// stime, cutime and cstime are fields 14 to 17 (proc(5)).
	f := strings.Fields(line[closing+1:])
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("stat of %d: %d fields after the name, want at least 15", pid, len(f))
	}
	s := procStat{pid: pid, comm: line[open+1 : closing]}
	if s.ppid, err = strconv.Atoi(f[1]); err != nil {
		return procStat{}, fmt.Errorf("stat of %d: ppid: %w", pid, err)
	}
	for _, v := range f[11:15] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return procStat{}, fmt.Errorf("stat of %d: times: %w", pid, err)
		}
		s.ticks += n
	}
	return s, nil
}

// cpuSample is CPU ticks and process counts by group (process name).
type cpuSample struct {
	ticks map[string]int64
	procs map[string]int
}

// sampleCPU adds up the ticks of the processes under procRoot ("/proc")
// named in names, grouped by name, plus the processes in pids (grouped by
// their own names too). A named process that vanishes while being read is
// skipped; so is one of pids when optional, else it is an error.
func sampleCPU(procRoot string, names []string, pids []int, optional bool) (cpuSample, error) {
	s := cpuSample{ticks: map[string]int64{}, procs: map[string]int{}}
	for _, pid := range pids {
		st, err := readStat(filepath.Join(procRoot, strconv.Itoa(pid), "stat"))
		if optional && errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return s, fmt.Errorf("process %d: %w", pid, err)
		}
		s.add(st)
	}
	if len(names) == 0 {
		return s, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return s, fmt.Errorf("read %s: %w", procRoot, err)
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		st, err := readStat(filepath.Join(procRoot, e.Name(), "stat"))
		if errors.Is(err, os.ErrNotExist) {
			continue // it exited since ReadDir
		}
		if err != nil {
			return s, err
		}
		if want[st.comm] {
			s.add(st)
		}
	}
	return s, nil
}

func (s cpuSample) add(st procStat) {
	s.ticks[st.comm] += st.ticks
	s.procs[st.comm]++
}

func readStat(path string) (procStat, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, err
	}
	st, err := parseStat(string(b))
	if err != nil {
		return procStat{}, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// selfTicks is the load generator's own CPU.
func selfTicks(procRoot string) (int64, error) {
	st, err := readStat(filepath.Join(procRoot, "self", "stat"))
	return st.ticks, err
}

// cpuMillis turns a tick delta into milliseconds.
func cpuMillis(ticks int64) float64 { return float64(ticks) * 1000 / clockTicks }
