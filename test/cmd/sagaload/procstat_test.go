package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A postmaster's line: utime 1200, stime 300, cutime 4000, cstime 500.
const postmasterStat = "812 (postgres) S 1 812 812 0 -1 4194560 5000 90000 0 0 1200 300 4000 500 20 0 1 0 1500 229376000 7000 18446744073709551615 1 1 0 0 0 0 4194304 18878464 536890375 0 0 0 17 1 0 0 0 0 0"

func TestParseStat_AddsOwnAndReapedChildrenTime(t *testing.T) {
	st, err := parseStat(postmasterStat)
	require.NoError(t, err)
	assert.Equal(t, procStat{pid: 812, ppid: 1, comm: "postgres", ticks: 1200 + 300 + 4000 + 500}, st)
}

func TestParseStat_NameWithSpacesAndParentheses(t *testing.T) {
	st, err := parseStat("42 (a (b) c) R 7 42 42 0 -1 0 0 0 0 0 5 6 7 8 20 0 1 0 100 0 0")
	require.NoError(t, err)
	assert.Equal(t, "a (b) c", st.comm)
	assert.Equal(t, 7, st.ppid)
	assert.Equal(t, int64(26), st.ticks)
}

func TestParseStat_RejectsATruncatedLine(t *testing.T) {
	_, err := parseStat("42 (stock) S 1 42 42 0")
	require.Error(t, err)
	_, err = parseStat("garbage")
	require.Error(t, err)
}

func TestSampleCPU_GroupsByNameOrTakesThePIDsGiven(t *testing.T) {
	root := t.TempDir()
	write := func(pid, line string) {
		require.NoError(t, os.MkdirAll(filepath.Join(root, pid), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, pid, "stat"), []byte(line+"\n"), 0o644))
	}
	write("812", postmasterStat)
	write("900", "900 (postgres) S 812 900 900 0 -1 0 0 0 0 0 10 5 0 0 20 0 1 0 100 0 0")
	write("1001", "1001 (panier) S 700 1001 1001 0 -1 0 0 0 0 0 30 10 0 0 20 0 1 0 100 0 0")
	write("1002", "1002 (panier) S 700 1002 1002 0 -1 0 0 0 0 0 20 10 0 0 20 0 1 0 100 0 0")
	write("1003", "1003 (bash) S 1 1003 1003 0 -1 0 0 0 0 0 99 99 0 0 20 0 1 0 100 0 0")
	require.NoError(t, os.MkdirAll(filepath.Join(root, "sys"), 0o755))

	s, err := sampleCPU(root, fleetProcesses, nil, false)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"postgres": 6000 + 15, "panier": 70}, s.ticks)
	assert.Equal(t, map[string]int{"postgres": 2, "panier": 2}, s.procs)

	s, err = sampleCPU(root, nil, []int{1003}, false)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"bash": 198}, s.ticks)

	s, err = sampleCPU(root, []string{"panier"}, []int{900, 4242}, true)
	require.NoError(t, err, "an optional PID that has exited is skipped")
	assert.Equal(t, map[string]int64{"postgres": 15, "panier": 70}, s.ticks)

	_, err = sampleCPU(root, nil, []int{4242}, false)
	require.Error(t, err, "a PID given that does not exist")
}

func TestCPUMillis_ClockTicksAre10ms(t *testing.T) {
	assert.InDelta(t, 250.0, cpuMillis(25), 1e-9)
}
