//go:build !unix

package live

import (
	"bufio"
	"net"
)

// readWaiter is a no-op where there is no raw socket peek: the reader then
// simply blocks in gorilla's frame reader.
type readWaiter struct{}

func newReadWaiter(net.Conn, *bufio.Reader) *readWaiter { return nil }

func (w *readWaiter) wait() {}
