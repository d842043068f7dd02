package main

import (
	"os/exec"
	"syscall"
)

// childAttrs puts the child server in a process group of its own (a Ctrl-C
// at the terminal reaches only the bench, which then stops the server in
// order) and has the kernel kill it if the bench dies without cleaning up.
func childAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
