package fleet

import (
	"fmt"
	"net"
)

// choosePorts starts from the defaults, applies the overrides, and with free
// set gives every other process a port the kernel says is free. All the
// listeners stay open until the last port is chosen, so no two collide.
func choosePorts(overrides map[string]int, free bool) (map[string]int, error) {
	ports := make(map[string]int, len(DefaultPorts))
	var held []net.Listener
	defer func() {
		for _, ln := range held {
			ln.Close()
		}
	}()
	for name, def := range DefaultPorts {
		if p, ok := overrides[name]; ok {
			ports[name] = p
			continue
		}
		if !free {
			ports[name] = def
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		held = append(held, ln)
		ports[name] = ln.Addr().(*net.TCPAddr).Port
	}
	for name := range overrides {
		if _, ok := DefaultPorts[name]; !ok {
			return nil, fmt.Errorf("port for unknown process %q", name)
		}
	}
	return ports, nil
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
