//go:build !linux

package main

import "os/exec"

// childAttrs does nothing outside Linux (no parent-death signal).
func childAttrs(*exec.Cmd) {}
