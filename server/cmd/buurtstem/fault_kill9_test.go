package main

import (
	"context"
	"fmt"
	"net/http/cookiejar"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/store"
)

// faultRounds is how many times TestKill9DuringSubmissionsRepeated kills
// the server: BUURTSTEM_FAULT_ROUNDS (CI's .ci/run sets 20), else 3.
func faultRounds(t *testing.T) int {
	if v := os.Getenv("BUURTSTEM_FAULT_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("BUURTSTEM_FAULT_ROUNDS=%q: want a whole number from 1", v)
		}
		return n
	}
	return 3
}

// TestKill9DuringSubmissionsRepeated: residents send written answers
// without waiting for each other; the server is killed with SIGKILL in the
// middle of the burst, restarted on the same data directory, and the
// residents reconnect and resend what had no acknowledgement, as their
// devices do. Repeated (3 rounds, or BUURTSTEM_FAULT_ROUNDS). At the end the
// store, opened directly, holds every submission exactly once, with the
// answer sent: none that was acknowledged is lost, none is stored twice, and
// nothing else is there.
func TestKill9DuringSubmissionsRepeated(t *testing.T) {
	ctx := context.Background()
	rounds := faultRounds(t)
	data := t.TempDir()
	p := run(t, data, "-demo")
	// Faces: every answer is stored, none held back by the moderation
	// guard, which refuses floods and near-duplicates of written text.
	in := facesSession("Kill -9")
	in.Pace, in.Moderation = "self", "pre"
	s := openSession(t, ctx, demoStaff(t, ctx, p, p.url), in, 0)
	prompt := s.Prompts[0].ID

	const residents, perRound = 20, 10
	jars := make([]*cookiejar.Jar, residents)
	for i := range jars {
		jars[i], _ = cookiejar.New(nil)
		if _, err := live.Join(ctx, p.url, s.Code, jars[i]); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu       sync.Mutex
		sent     = map[string]int{}    // client id → face, every submission ever sent
		owner    = map[string]int{}    // client id → resident
		acked    = map[string]string{} // client id → contribution id
		ackedPre = 0                   // acknowledged before a kill
	)
	// submit sends one answer and records its acknowledgement.
	submit := func(c *live.Conn, id string, face int) error {
		ack, err := c.Submit(ctx, id, protocol.SubmitData{PromptID: prompt, Answer: protocol.AnswerData{Face: face}})
		if err != nil {
			return err
		}
		mu.Lock()
		acked[id] = ack.ContributionID
		mu.Unlock()
		return nil
	}
	var restarts []time.Duration
	for round := range rounds + 1 {
		conns := make([]*live.Conn, residents)
		for i := range conns {
			c, err := live.Dial(ctx, live.Options{Base: p.url, Session: s.ID, Jar: jars[i], Buffer: 10000})
			if err != nil {
				t.Fatalf("round %d: resident %d reconnects: %v", round, i, err)
			}
			conns[i] = c
		}
		// Resend what was not acknowledged, with the same ids.
		mu.Lock()
		var pending []string
		for id := range sent {
			if _, ok := acked[id]; !ok {
				pending = append(pending, id)
			}
		}
		mu.Unlock()
		for _, id := range pending {
			if err := submit(conns[owner[id]], id, sent[id]); err != nil {
				t.Fatalf("round %d: resending %s: %v", round, id, err)
			}
		}
		if round == rounds {
			for _, c := range conns {
				c.Close()
			}
			break // the last start only takes the resends
		}
		// The burst; the server dies once half of it is acknowledged.
		before := len(acked)
		var wg sync.WaitGroup
		for i, c := range conns {
			for k := range perRound {
				id, face := fmt.Sprintf("r%d-%d-%d", round, i, k), 1+(round+i+k)%5
				mu.Lock()
				sent[id], owner[id] = face, i
				mu.Unlock()
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = submit(c, id, face) // errors: the server is gone
				}()
			}
		}
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			mu.Lock()
			n := len(acked) - before
			mu.Unlock()
			if n >= residents*perRound/2 {
				break
			}
		}
		p.signal(t, syscall.SIGKILL)
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
		mu.Lock()
		ackedPre += len(acked) - before
		t.Logf("round %d: %d of %d answers acknowledged before SIGKILL", round+1, len(acked)-before, residents*perRound)
		mu.Unlock()
		start := time.Now()
		p = run(t, data, "-demo")
		restarts = append(restarts, time.Since(start))
	}
	// Stop cleanly and read the store itself.
	if err := p.signal(t, syscall.SIGTERM); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	st, err := store.Open(ctx, store.Options{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(ctx)
	cs, err := st.ContributionsOf(ctx, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{} // contribution id → how often
	faces := map[int]int{}
	for _, c := range cs {
		stored[c.ID]++
		faces[c.Answer.Face]++
	}
	want := map[int]int{}
	for id, face := range sent {
		want[face]++
		if cid, ok := acked[id]; !ok || stored[cid] != 1 {
			t.Errorf("submission %s: acknowledged as %q, stored %d times", id, cid, stored[cid])
		}
	}
	if fmt.Sprint(faces) != fmt.Sprint(want) {
		t.Errorf("stored answers %v, sent %v", faces, want)
	}
	if len(cs) != len(sent) {
		t.Errorf("%d contributions stored for %d submissions", len(cs), len(sent))
	}
	var slowest time.Duration
	for _, d := range restarts {
		slowest = max(slowest, d)
	}
	t.Logf("%d SIGKILLs during bursts: %d submissions, %d acknowledged before a kill, all %d stored exactly once; restart to listening at most %v",
		rounds, len(sent), ackedPre, len(cs), slowest.Round(time.Millisecond))
}
