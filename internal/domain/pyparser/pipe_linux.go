package pyparser

import (
	"os"
	"syscall"
)

// growPipe enlarges the document pipe (64 KiB by default on Linux) so the
// parser rarely waits for Go to catch up; failure only costs speed.
func growPipe(f *os.File) {
	const fSetPipeSz = 1031 // F_SETPIPE_SZ
	if rc, err := f.SyscallConn(); err == nil {
		_ = rc.Control(func(fd uintptr) {
			_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSz, 1<<20)
		})
	}
}
