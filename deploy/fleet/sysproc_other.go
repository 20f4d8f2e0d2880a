//go:build unix && !linux

package fleet

import "syscall"

// A process group per child lets Stop reach grandchildren.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
