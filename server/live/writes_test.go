package live

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// TestStuckWriteIsCutOff: a device that stops reading blocks the write to
// it once the socket buffers are full. Writes carry no deadline, so the
// hub's clock cuts it off: not before writeTimeout, and then the writer
// ends without waiting for the device.
func TestStuckWriteIsCutOff(t *testing.T) {
	h, c := blockedWrite(t)
	h.cutStuckWrites(1 + int64(writeTimeout/time.Second)) // exactly writeTimeout: still allowed
	select {
	case <-c.written:
		t.Fatal("a write was cut off before writeTimeout")
	case <-time.After(200 * time.Millisecond):
	}
	// Past writeTimeout. The hub repeats this every second: a cut that
	// lands before the library sets its own (empty) deadline for the
	// write is undone by it.
	for now := 2 + int64(writeTimeout/time.Second); ; now++ {
		h.cutStuckWrites(now)
		select {
		case <-c.written:
		case <-time.After(time.Second):
			if now > 10+int64(writeTimeout/time.Second) {
				t.Fatal("the stuck write was not cut off")
			}
			continue
		}
		break
	}
	if c.closeCode != 1006 {
		t.Fatalf("close code %d, want 1006 (the device is gone for all we know)", c.closeCode)
	}
}

// TestFullQueueIsCutOff: a device that stops reading while messages keep
// coming fills its queue; the next message cuts it off at once, counted
// as a slow drop with protocol.CloseSlowConsumer, without waiting for the
// write timeout, and the writer ends though its write is blocked.
func TestFullQueueIsCutOff(t *testing.T) {
	h, c := blockedWrite(t)
	small, err := websocket.NewPreparedMessage(websocket.TextMessage, []byte(`{"type":"state"}`))
	if err != nil {
		t.Fatal(err)
	}
	for range sendQueue {
		c.enqueue(small)
	}
	if slow, stuck := h.Drops(); slow != 0 || stuck != 0 {
		t.Fatalf("drops %d/%d with the queue just full, want none", slow, stuck)
	}
	began := time.Now()
	c.enqueue(small) // one too many
	// enqueue cuts the socket at once, but the library resets the
	// deadline as a write begins: if the cut came just before, the next
	// tick of the hub's clock (not yet a stuck write) cuts again.
	for now := int64(2); ; now++ {
		select {
		case <-c.written:
		case <-time.After(time.Second):
			if now > 4 {
				t.Fatal("the writer still waits on the device after the queue overflowed")
			}
			h.cutStuckWrites(now)
			continue
		}
		break
	}
	if took := time.Since(began); took >= writeTimeout {
		t.Fatalf("cut off after %v: that is the stuck-write path, not the full queue", took)
	}
	if slow, stuck := h.Drops(); slow != 1 || stuck != 0 {
		t.Fatalf("drops: %d for a full queue, %d for a stuck write; want 1 and 0", slow, stuck)
	}
	if c.closeCode != protocol.CloseSlowConsumer {
		t.Fatalf("close code %d, want %d", c.closeCode, protocol.CloseSlowConsumer)
	}
}

// blockedWrite returns a hub on clock 1 with one connection whose writer
// is blocked writing 8 MB to a device that never reads.
func blockedWrite(t *testing.T) (*Hub, *conn) {
	t.Helper()
	device, ws := socketPair(t, 4096)
	t.Cleanup(func() { device.Close() })
	_ = ws.NetConn().(*net.TCPConn).SetWriteBuffer(4096)
	h := &Hub{}
	h.clock.Store(1)
	c := newConn(h, ws, identity{role: protocol.RoleResident})
	h.all.Store(c, struct{}{})
	go c.writer()
	big, err := websocket.NewPreparedMessage(websocket.TextMessage, []byte(strings.Repeat("x", 8<<20)))
	if err != nil {
		t.Fatal(err)
	}
	c.enqueue(big)
	deadline := time.Now().Add(10 * time.Second)
	for c.writing.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the write did not begin")
		}
		time.Sleep(time.Millisecond)
	}
	return h, c
}

// TestPingsQueuedBySlot: the hub's clock pings each connection once per
// pingEvery, in the second of its slot, through the send queue.
func TestPingsQueuedBySlot(t *testing.T) {
	device, ws := socketPair(t, 0)
	defer device.Close()
	pings := make(chan struct{}, 10)
	device.SetPingHandler(func(string) error { pings <- struct{}{}; return nil })
	go func() {
		for {
			if _, _, err := device.ReadMessage(); err != nil {
				return
			}
		}
	}()
	h := &Hub{}
	h.clock.Store(1)
	c := newConn(h, ws, identity{role: protocol.RoleResident})
	h.all.Store(c, struct{}{})
	go c.writer()
	defer c.kill(1000, "")
	slot := int64(c.pingSlot)
	for now := slot + 1; now < slot+pingSlots; now++ { // every other second of the period
		h.cutStuckWrites(now)
	}
	select {
	case <-pings:
		t.Fatal("pinged outside its slot")
	case <-time.After(300 * time.Millisecond):
	}
	h.cutStuckWrites(slot + pingSlots)
	select {
	case <-pings:
	case <-time.After(5 * time.Second):
		t.Fatal("not pinged in its slot")
	}
}

// socketPair connects a device to a WebSocket server end over TCP on
// loopback; readBuffer > 0 makes the device's receive buffer that small.
func socketPair(t *testing.T, readBuffer int) (device, server *websocket.Conn) {
	t.Helper()
	accepted := make(chan *websocket.Conn, 1)
	up := websocket.Upgrader{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		accepted <- ws
	}))
	t.Cleanup(ts.Close)
	d := websocket.Dialer{NetDial: func(network, addr string) (net.Conn, error) {
		c, err := net.Dial(network, addr)
		if tc, ok := c.(*net.TCPConn); ok && readBuffer > 0 {
			_ = tc.SetReadBuffer(readBuffer)
		}
		return c, err
	}}
	device, _, err := d.Dial("ws"+strings.TrimPrefix(ts.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return device, <-accepted
}
