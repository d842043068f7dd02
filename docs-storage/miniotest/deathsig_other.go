//go:build !linux

package miniotest

import "os/exec"

func setDeathSignal(cmd *exec.Cmd) {}
