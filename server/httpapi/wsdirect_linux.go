//go:build linux

package httpapi

import (
	"net"
	"syscall"
	"unsafe"
)

// directWriter writes a frame to a connection's socket from the caller's
// goroutine without ever blocking: one writev(2) on the descriptor, which
// the Go runtime keeps in non-blocking mode. A fan-out to a hall of idle
// tablets is then one system call per tablet, with no writer goroutine
// started, no stack grown and no deadline timer set (wsConn.Send).
type directWriter struct{ rc syscall.RawConn }

// newDirectWriter returns a directWriter for conn, or nil when conn is not
// a plain socket (TLS, a test pipe): its frames then all go through the
// writer goroutine.
func newDirectWriter(conn net.Conn) *directWriter {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &directWriter{rc: rc}
}

// write writes parts (at most 8) with one writev and returns how many
// bytes the socket took: all, some, or none when its buffer is full. tried
// is false when the runtime refused to try (the socket is closed, or a
// write deadline the writer goroutine set has passed): nothing was written
// and the writer goroutine must take the frame. err is the socket's error.
func (d *directWriter) write(parts [][]byte) (n int, tried bool, err error) {
	var iov [8]syscall.Iovec
	cnt := 0
	for _, p := range parts {
		if len(p) == 0 {
			continue
		}
		if cnt == len(iov) {
			return 0, false, nil
		}
		iov[cnt].Base = &p[0]
		iov[cnt].SetLen(len(p))
		cnt++
	}
	rerr := d.rc.Write(func(fd uintptr) bool {
		tried = true
		for {
			r, _, e := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(cnt))
			switch e {
			case 0:
				n = int(r)
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				// The socket's buffer is full: the writer goroutine waits.
			default:
				err = e
			}
			return true // never wait here: the caller may be the room's fan-out
		}
	})
	if !tried {
		return 0, false, nil
	}
	if err == nil {
		err = rerr
	}
	return n, true, err
}
