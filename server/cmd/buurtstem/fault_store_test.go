package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// TestStoreStoppedMidSession: the store is served by its own process (S,
// -store-listen) and the residents' instance (A) uses it as MongoDB. While
// residents keep answering, S is frozen with SIGSTOP for 10 s (a store that
// hangs without closing its connections is the hard case: no error, just
// silence), then resumed with SIGCONT. Expected: A keeps running and says
// "not ready" on /readyz meanwhile (/healthz, the liveness probe, stays
// up: restarting A would not help); residents get the translated
// "unavailable, your answer is resent" error, in their own language; their
// devices resend with the same ids and every answer is acknowledged after
// the store is back, stored exactly once; neither process logs a panic or
// stack trace.
func TestStoreStoppedMidSession(t *testing.T) {
	const outage = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	storeAddr := freePort(t)
	storeDir := t.TempDir()
	s := run(t, storeDir, "-demo", "-store-listen", storeAddr)
	a := run(t, t.TempDir(), "-mongodb-uri", "mongodb://"+storeAddr+"/", "-store-timeout", "1s")
	// Whatever happens, S must not stay frozen after the test.
	t.Cleanup(func() { _ = s.cmd.Process.Signal(syscall.SIGCONT) })

	staff := apiclient.New(a.url)
	email := demo.Accounts[2].Email
	if _, err := staff.Login(ctx, email, demoPassword(t, s, email)); err != nil {
		t.Fatal(err)
	}
	sess, err := staff.CreateSession(ctx, demo.OrgID, apiclient.SessionInput{
		Title: "Store weg", NeighbourhoodID: demo.BuurtAID, Languages: []string{"nl", "ar"}, Pace: "self",
		Prompts: []apiclient.Prompt{{Kind: "faces", Text: map[string]string{"nl": "Hoe gaat het?"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sess, err = staff.SessionAction(ctx, demo.OrgID, sess.ID, "open"); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.MoveSession(ctx, demo.OrgID, sess.ID, 0); err != nil {
		t.Fatal(err)
	}
	prompt := sess.Prompts[0].ID

	const residents = 8
	langs := []string{"nl", "ar"}
	conns := make([]*live.Resilient, residents)
	for i := range conns {
		jar, _ := cookiejar.New(nil)
		if _, err := live.Join(ctx, a.url, sess.Code, jar); err != nil {
			t.Fatal(err)
		}
		c, err := live.Connect(ctx, live.Options{Base: a.url, Session: sess.ID, Jar: jar, Lang: langs[i%2], Buffer: 10000},
			live.Backoff{Min: 100 * time.Millisecond, Max: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		go func() { // a device reads its events, so it is never cut off as slow
			for range c.Events() {
			}
		}()
		conns[i] = c
	}

	var (
		mu       sync.Mutex
		sent     = map[string]int{}    // client id → face
		acked    = map[string]string{} // client id → contribution id
		ackedAt  = map[string]time.Time{}
		messages = map[string]map[string]int{} // language → unavailable message → times
		others   = map[string]int{}            // any other refusal: code → times
		// slowest first answer (ack or refusal) the server gave a
		// submission: how long a device heard nothing at all
		slowest time.Duration
	)
	// submit is what a device's queue does: send, and on "unavailable" or a
	// lost connection send again with the same id until acknowledged.
	submit := func(i int, id string, face int) {
		sctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		d := protocol.SubmitData{PromptID: prompt, Answer: protocol.AnswerData{Face: face}}
		first := true
		for attempt := 0; ; attempt++ {
			c, err := conns[i].Conn(sctx)
			if err != nil {
				t.Errorf("resident %d: %s: %v", i, id, err)
				return
			}
			sentAt := time.Now()
			ack, err := c.Submit(sctx, id, d)
			var se *live.ServerError
			if first && (err == nil || errors.As(err, &se)) {
				first = false
				mu.Lock()
				slowest = max(slowest, time.Since(sentAt))
				mu.Unlock()
			}
			switch {
			case err == nil:
				mu.Lock()
				acked[id], ackedAt[id] = ack.ContributionID, time.Now()
				mu.Unlock()
				return
			case sctx.Err() != nil:
				t.Errorf("resident %d: %s never acknowledged: %v", i, id, err)
				return
			case errors.As(err, &se) && se.Code == protocol.ErrUnavailable:
				mu.Lock()
				if messages[langs[i%2]] == nil {
					messages[langs[i%2]] = map[string]int{}
				}
				messages[langs[i%2]][se.Message]++
				mu.Unlock()
				time.Sleep(live.Backoff{Min: 200 * time.Millisecond, Max: 2 * time.Second}.Wait(attempt))
			case errors.As(err, &se):
				mu.Lock()
				others[se.Code]++
				mu.Unlock()
				t.Errorf("resident %d: %s refused: %v", i, id, err)
				return
			default: // the connection dropped: the next one resends
				time.Sleep(100 * time.Millisecond)
			}
		}
	}

	// Residents answer every 400 ms each, before, during and after the
	// outage, without waiting for earlier answers (a device's queue).
	var wg sync.WaitGroup
	stopSending := make(chan struct{})
	for i := range residents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(400 * time.Millisecond)
			defer tick.Stop()
			var inner sync.WaitGroup
			defer inner.Wait()
			for k := 0; ; k++ {
				id, face := fmt.Sprintf("r%d-%d", i, k), 1+(i+k)%5
				mu.Lock()
				sent[id] = face
				mu.Unlock()
				inner.Add(1)
				go func() { defer inner.Done(); submit(i, id, face) }()
				select {
				case <-stopSending:
					return
				case <-tick.C:
				}
			}
		}()
	}

	time.Sleep(2 * time.Second)
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	stoppedAt := time.Now()
	mu.Lock()
	ackedBefore := len(acked)
	mu.Unlock()

	// During the outage: A is alive but not ready.
	http1 := &http.Client{Timeout: 5 * time.Second}
	notReady, probes := 0, 0
	for time.Since(stoppedAt) < outage {
		time.Sleep(time.Second)
		probes++
		if code := httpStatus(t, http1, a.url+"/healthz"); code != http.StatusOK {
			t.Errorf("/healthz during the outage: %d, want 200 (the process is alive)", code)
		}
		if code := httpStatus(t, http1, a.url+"/readyz"); code == http.StatusServiceUnavailable {
			notReady++
		}
	}
	if notReady < probes/2 {
		t.Errorf("/readyz said not ready %d of %d times during the outage", notReady, probes)
	}
	mu.Lock()
	ackedDuring := len(acked) - ackedBefore
	mu.Unlock()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	resumedAt := time.Now()
	time.Sleep(2 * time.Second)
	close(stopSending)
	wg.Wait()

	var lastAck time.Time
	for id := range sent {
		if _, ok := acked[id]; !ok {
			t.Errorf("%s never acknowledged", id)
		}
		if ackedAt[id].After(lastAck) {
			lastAck = ackedAt[id]
		}
	}
	if ready := httpStatus(t, http1, a.url+"/readyz"); ready != http.StatusOK {
		t.Errorf("/readyz after the outage: %d", ready)
	}

	// Residents were told, in their language, that the answer is resent.
	for _, lang := range langs {
		want := catalog.Localizer(lang).T("live.error." + protocol.ErrUnavailable)
		if len(messages[lang]) == 0 {
			t.Errorf("no %s resident was told about the outage", lang)
		}
		for msg, n := range messages[lang] {
			if msg != want {
				t.Errorf("%s resident told %q (%d times), want %q", lang, msg, n, want)
			}
		}
	}

	// Stop both and read the store itself: every answer exactly once.
	for _, p := range []*proc{a, s} {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := <-p.done; err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	}
	for name, p := range map[string]*proc{"A": a, "S": s} {
		logs := p.stderr.String()
		for _, bad := range []string{"panic", "goroutine ", ".go:"} {
			if strings.Contains(logs, bad) {
				t.Errorf("%s logged %q (a crash or stack trace):\n%s", name, bad, logs)
				break
			}
		}
	}
	n := storedOnce(t, storeDir, sess.ID, acked)
	if n != len(sent) {
		t.Errorf("%d contributions stored for %d answers sent", n, len(sent))
	}
	t.Logf("store frozen %v: %d answers sent by %d residents, %d acknowledged before, %d during the outage; "+
		"refusals %v (others %v); longest wait for a first answer %v; /readyz 503 in %d of %d probes; last acknowledgement %v after SIGCONT; all %d stored once",
		outage, len(sent), residents, ackedBefore, ackedDuring, messages, others, slowest.Round(time.Millisecond), notReady, probes,
		lastAck.Sub(resumedAt).Round(time.Millisecond), n)
}

func httpStatus(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
