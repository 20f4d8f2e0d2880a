package fleet

import "syscall"

// A process group per child lets Stop reach grandchildren; Pdeathsig ends the
// child if the launcher itself is killed without a chance to clean up.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
