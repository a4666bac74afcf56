//go:build unix

package live

import (
	"bufio"
	"net"
	"syscall"
)

// readWaiter parks an idle connection's reader in a shallow call until
// the client sends something. Blocked inside gorilla's frame reader, the
// reader goroutine's stack holds gorilla's and bufio's frames for as long as
// the phone stays silent, which is most of a session; parked here, the
// stack can shrink. At 10,000 residents that is megabytes.
type readWaiter struct {
	rc syscall.RawConn
	br *bufio.Reader // gorilla's read buffer: bytes in it need no waiting
}

func newReadWaiter(nc net.Conn, br *bufio.Reader) *readWaiter {
	sc, ok := nc.(syscall.Conn)
	if !ok || br == nil {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return &readWaiter{rc: rc, br: br}
}

// wait returns once a read would not block: bytes arrived, the peer
// closed, an error, or the read deadline passed (the read that follows
// then reports it).
func (w *readWaiter) wait() {
	if w == nil || w.br.Buffered() > 0 {
		return
	}
	var b [1]byte
	_ = w.rc.Read(func(fd uintptr) bool {
		// A peek, not a wait on the poller alone: bytes may already sit in
		// the kernel from before the poller last reported the socket
		// readable, and then no new readiness event would come.
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return err != syscall.EAGAIN
	})
}
