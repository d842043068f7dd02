//go:build !linux

package httpapi

import "net"

// directWriter is Linux-only; elsewhere every frame goes through the
// writer goroutine.
type directWriter struct{}

func newDirectWriter(net.Conn) *directWriter { return nil }

func (*directWriter) write([][]byte) (n int, tried bool, err error) { return 0, false, nil }
