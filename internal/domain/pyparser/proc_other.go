//go:build !unix

package pyparser

import (
	"os"
	"os/exec"
)

func isolate(cmd *exec.Cmd) {}

func killGroup(p *os.Process) {
	if p != nil {
		_ = p.Kill()
	}
}

func exitSignal(st *os.ProcessState) (string, bool) { return "", false }
