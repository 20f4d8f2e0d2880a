package fleet

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Two fleets choosing free ports at once (as parallel test packages do) get
// disjoint ports, below the ephemeral range; a block let go of can be
// claimed again.
func TestChoosePorts_ParallelFleetsNeverShareAPort(t *testing.T) {
	a, lockA, err := choosePorts(map[string]int{"nginx": 18088}, true)
	require.NoError(t, err)
	b, lockB, err := choosePorts(nil, true)
	require.NoError(t, err)
	defer lockB.Close()
	require.Equal(t, 18088, a["nginx"], "an override is kept")
	seen := map[int]string{}
	for name, p := range a {
		require.NotContains(t, seen, p, "%s and %s", name, seen[p])
		seen[p] = "a " + name
	}
	for name, p := range b {
		require.NotContains(t, seen, p, "b %s and %s", name, seen[p])
		seen[p] = "b " + name
		require.Less(t, p, 32768, "%s: below the ephemeral range", name)
	}
	require.NoError(t, lockA.Close())
	c, lockC, err := choosePorts(map[string]int{"nginx": 18088}, true)
	require.NoError(t, err)
	defer lockC.Close()
	for name, p := range c {
		for other, q := range b {
			require.NotEqual(t, q, p, "c %s took b %s's port", name, other)
		}
	}

	d, lockD, err := choosePorts(nil, false)
	require.NoError(t, err)
	require.Nil(t, lockD)
	require.Equal(t, DefaultPorts, d)
}
