package main

import (
	"context"
	"fmt"
	"maps"
	"net/http/cookiejar"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// TestResumeAfterRestart: residents answer, the server is killed with
// SIGKILL in the middle of a burst of answers and started again on the same
// data directory. Every resident reconnects, resynchronises and resends
// what had no acknowledgement; no acknowledged answer is lost, none is
// counted twice.
func TestResumeAfterRestart(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	p := run(t, data, "-demo")
	s := openSession(t, ctx, demoStaff(t, ctx, p, p.url), facesSession("Herstart"), 0)

	const n = 100
	type dev struct {
		jar  *cookiejar.Jar
		conn *live.Conn
		last string // id of the last answer sent
		face int
	}
	devs := make([]*dev, n)
	for i := range devs {
		jar, c := joinResident(t, ctx, p.url, s)
		devs[i] = &dev{jar: jar, conn: c}
	}
	// A burst: every device answers twice, without waiting; the server is
	// killed while acknowledgements are still coming.
	var acked sync.Map
	var wg sync.WaitGroup
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 2 {
				d.last, d.face = fmt.Sprintf("d%d-%d", i, k), 1+(i+k)%5
				if _, err := d.conn.Submit(ctx, d.last, protocol.SubmitData{PromptID: s.Prompts[0].ID,
					Answer: protocol.AnswerData{Face: d.face}}); err != nil {
					return
				}
				acked.Store(d.last, true)
			}
		}()
	}
	// Kill once about half the answers have been acknowledged.
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		k := 0
		acked.Range(func(_, _ any) bool { k++; return true })
		if k >= n {
			break
		}
	}
	p.signal(t, syscall.SIGKILL)
	wg.Wait()

	p2 := run(t, data, "-demo")
	start := time.Now()
	var rw sync.WaitGroup
	errs := make(chan error, n)
	for _, d := range devs {
		rw.Add(1)
		go func() {
			defer rw.Done()
			epoch, seq := d.conn.Position()
			c, err := live.Dial(ctx, live.Options{Base: p2.url, Session: s.ID, Jar: d.jar, Epoch: epoch, LastSeq: seq, Buffer: 10000})
			if err != nil {
				errs <- err
				return
			}
			d.conn = c
			if _, err := c.Next(ctx, protocol.TypeSnapshot); err != nil {
				errs <- err
				return
			}
			if _, err := c.Submit(ctx, d.last, protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Face: d.face}}); err != nil {
				errs <- err
			}
		}()
	}
	rw.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("resync after restart: %v", err)
	}
	t.Logf("%d residents resynchronised and resent in %v after the restart", n, time.Since(start).Round(time.Millisecond))

	// The projector's snapshot: every device counted once, with its last
	// answer.
	snap := projectorSnapshot(t, ctx, p2.url, s)
	want := map[string]int{}
	for _, d := range devs {
		want[fmt.Sprint(d.face)]++
	}
	res := snap.Results[0]
	if res.Answered != n || !maps.Equal(res.Counts, want) {
		t.Fatalf("after restart: %+v, want %d answered with %v", res, n, want)
	}
	count := 0
	acked.Range(func(_, _ any) bool { count++; return true })
	t.Logf("%d answers were acknowledged before SIGKILL; all %d residents counted once", count, n)
}
