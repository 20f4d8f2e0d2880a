package fleet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"syscall"
)

// Free ports come from blocks below the kernel's ephemeral range (32768–60999
// on Linux). A port the kernel hands out (net.Listen on :0) is free only
// until it is closed: a fleet of another test package, running in parallel,
// could be handed the same port before this fleet's process binds it, and
// then one service answered for another (a stock's 404 where identite's key
// set was expected). A block is claimed with an exclusive flock on a file
// named after it, held for as long as the fleet, so parallel fleets never
// share a port; and since neither outgoing connections nor httptest servers
// get ports below the ephemeral range, nothing else takes one meanwhile.
const (
	firstBlockPort = 20000
	portBlock      = 32  // ports per block: more than the fleet's processes
	portBlocks     = 300 // 20000–29599
)

// choosePorts starts from the defaults and applies the overrides; with free
// set, every other process gets a port of a block it claims, which the
// returned file holds until it is closed (nil without free).
func choosePorts(overrides map[string]int, free bool) (map[string]int, *os.File, error) {
	for name := range overrides {
		if _, ok := DefaultPorts[name]; !ok {
			return nil, nil, fmt.Errorf("port for unknown process %q", name)
		}
	}
	ports := make(map[string]int, len(DefaultPorts))
	var names []string
	for name, def := range DefaultPorts {
		if p, ok := overrides[name]; ok {
			ports[name] = p
		} else if free {
			names = append(names, name)
		} else {
			ports[name] = def
		}
	}
	if len(names) == 0 {
		return ports, nil, nil
	}
	slices.Sort(names)
	lock, first, err := claimBlock(len(names))
	if err != nil {
		return nil, nil, err
	}
	for i, name := range names {
		ports[name] = first + i
	}
	return ports, lock, nil
}

// claimBlock locks the first block whose lock no other fleet holds and whose
// first n ports are not in use, and returns the lock and the block's first port.
func claimBlock(n int) (*os.File, int, error) {
	dir := filepath.Join(os.TempDir(), "multimagasins-ports")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, 0, err
	}
	for b := range portBlocks {
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("block-%d.lock", b)), os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			return nil, 0, err
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				continue // another fleet's
			}
			return nil, 0, fmt.Errorf("lock %s: %w", f.Name(), err)
		}
		first := firstBlockPort + b*portBlock
		if portsFree(first, n) {
			return f, first, nil
		}
		f.Close() // something outside any fleet listens there: try the next block
	}
	return nil, 0, fmt.Errorf("no block of %d free ports between %d and %d", n, firstBlockPort, firstBlockPort+portBlocks*portBlock)
}

func portsFree(first, n int) bool {
	for p := first; p < first+n; p++ {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}

// checkPortsFree fails fast, naming the process, when a port is taken (often
// by a fleet left running in another terminal).
func checkPortsFree(procs []*proc) error {
	for _, p := range procs {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p.port))
		if err != nil {
			return fmt.Errorf("port %d for %s is already in use: %w", p.port, p.name, err)
		}
		ln.Close()
	}
	return nil
}
