package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// balancer is the reverse proxy of deploy/compose.yaml in a few lines: it
// spreads requests and WebSocket upgrades round-robin over the instances
// and, like nginx's proxy_next_upstream error, tries the next instance when
// one refuses the connection.
type balancer struct {
	backends []string // host:port
	next     atomic.Uint64
	nextWS   atomic.Uint64
	t        *http.Transport
	upgrades []atomic.Int64 // WebSocket upgrades per backend
}

func (b *balancer) RoundTrip(req *http.Request) (*http.Response, error) {
	// Upgrades have a counter of their own: with one counter, a client's
	// join and its upgrade alternate, and every upgrade lands on the same
	// instance.
	counter := &b.next
	if req.Header.Get("Upgrade") != "" {
		counter = &b.nextWS
	}
	start := counter.Add(1)
	var last error
	for i := range b.backends {
		k := int(start+uint64(i)) % len(b.backends)
		r := req.Clone(req.Context())
		r.URL.Host = b.backends[k]
		resp, err := b.t.RoundTrip(r)
		var op *net.OpError
		if err != nil && errors.As(err, &op) && op.Op == "dial" {
			last = err // nothing was sent: the next instance may take it
			continue
		}
		if err == nil && resp.StatusCode == http.StatusSwitchingProtocols {
			b.upgrades[k].Add(1)
		}
		return resp, err
	}
	return nil, last
}

func startBalancer(t *testing.T, backends ...string) (*balancer, string) {
	t.Helper()
	b := &balancer{backends: backends, upgrades: make([]atomic.Int64, len(backends)),
		t: &http.Transport{DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}}
	rp := &httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.Out.URL.Scheme, r.Out.URL.Host = "http", backends[0] },
		Transport: b,
	}
	srv := httptest.NewServer(rp)
	t.Cleanup(srv.Close)
	return b, srv.URL
}

// TestFailoverBehindProxy is the scaled-out topology on one machine: two
// server processes on one store (A serves its embedded engine on a
// loopback port, B uses it as MongoDB) behind a round-robin reverse proxy.
// Residents connect through the proxy with the reconnecting Go client and
// answer three prompts as the intermediary moves on. In the middle of the
// second prompt B is killed with SIGKILL: its residents reconnect through
// the proxy to A and resend what had no acknowledgement. Every
// acknowledged answer must be counted exactly once.
func TestFailoverBehindProxy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	storeAddr := freePort(t)
	a := run(t, t.TempDir(), "-demo", "-store-listen", storeAddr)
	b := run(t, t.TempDir(), "-mongodb-uri", "mongodb://"+storeAddr+"/")
	lb, proxy := startBalancer(t, a.url[len("http://"):], b.url[len("http://"):])

	staff := demoStaff(t, ctx, a, proxy)
	const prompts = 3
	in := apiclient.SessionInput{Title: "Failover", NeighbourhoodID: demo.BuurtAID, Languages: []string{"nl"}}
	for p := range prompts {
		in.Prompts = append(in.Prompts, apiclient.Prompt{Kind: "faces", Text: map[string]string{"nl": fmt.Sprintf("Vraag %d", p+1)}})
	}
	s := openSession(t, ctx, staff, in, -1)

	const residents = 20
	conns := make([]*live.Resilient, residents)
	// current[i] is the prompt resident i's device shows (-1: none yet). A
	// real device answers what it shows; an instance learns of a prompt
	// switch made on the other one through the bus, a moment later.
	current := make([]atomic.Int32, residents)
	for i := range conns {
		current[i].Store(-1)
		jar, _ := cookiejar.New(nil)
		if _, err := live.Join(ctx, proxy, s.Code, jar); err != nil {
			t.Fatal(err)
		}
		c, err := live.Connect(ctx, live.Options{Base: proxy, Session: s.ID, Jar: jar, Buffer: 10000},
			live.Backoff{Min: 50 * time.Millisecond, Max: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		go func() { // read events, as a real client does, so it is never cut off as slow
			for env := range c.Events() {
				switch env.Type {
				case protocol.TypeState:
					var st protocol.StateData
					if json.Unmarshal(env.Data, &st) == nil && st.State == "running" {
						current[i].Store(int32(st.Current))
					}
				case protocol.TypeSnapshot:
					var sn protocol.SnapshotData
					if json.Unmarshal(env.Data, &sn) == nil && sn.Session.State == "running" {
						current[i].Store(int32(sn.Session.Current))
					}
				}
			}
		}()
		conns[i] = c
	}
	onB := lb.upgrades[1].Load()
	if onB == 0 || lb.upgrades[0].Load() == 0 {
		t.Fatalf("the proxy did not spread residents: %d on A, %d on B", lb.upgrades[0].Load(), onB)
	}

	face := func(i, p int) int { return 1 + (i+p)%5 }
	var killedAt time.Time
	var lastAck atomic.Int64 // unix nanos of the last acknowledgement
	for p := range prompts {
		if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, p); err != nil {
			t.Fatalf("move to prompt %d: %v", p, err)
		}
		var acked atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, residents)
		for i, c := range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if p == 1 {
					time.Sleep(time.Duration(i) * 20 * time.Millisecond) // spread, so the kill falls in the middle
				}
				sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				for current[i].Load() != int32(p) {
					if sctx.Err() != nil {
						errs <- fmt.Errorf("resident %d never saw prompt %d", i, p)
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
				_, err := c.Submit(sctx, fmt.Sprintf("r%d-p%d", i, p), protocol.SubmitData{PromptID: s.Prompts[p].ID,
					Answer: protocol.AnswerData{Face: face(i, p)}})
				if err != nil {
					errs <- fmt.Errorf("resident %d, prompt %d: %w", i, p, err)
					return
				}
				acked.Add(1)
				lastAck.Store(time.Now().UnixNano())
			}()
		}
		if p == 1 {
			for acked.Load() < residents/2 {
				time.Sleep(5 * time.Millisecond)
			}
			killedAt = time.Now()
			b.signal(t, syscall.SIGKILL)
			t.Logf("B killed with %d of %d answers to prompt 2 acknowledged; %d residents had connected through B", acked.Load(), residents, onB)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if p == 1 {
			t.Logf("every answer to prompt 2 acknowledged %v after the SIGKILL", time.Unix(0, lastAck.Load()).Sub(killedAt).Round(time.Millisecond))
		}
	}
	if lb.upgrades[0].Load() <= int64(residents)-onB {
		t.Fatalf("B's residents did not reconnect to A: %d upgrades on A", lb.upgrades[0].Load())
	}

	snap := projectorSnapshot(t, ctx, a.url, s)
	if len(snap.Results) != prompts {
		t.Fatalf("%d results, want %d", len(snap.Results), prompts)
	}
	for p, res := range snap.Results {
		want := map[string]int{}
		for i := range residents {
			want[fmt.Sprint(face(i, p))]++
		}
		if res.Answered != residents || !maps.Equal(res.Counts, want) {
			t.Fatalf("prompt %d after failover: %d answered %v, want %d with %v", p+1, res.Answered, res.Counts, residents, want)
		}
	}
	t.Logf("%d residents x %d prompts: every acknowledged answer counted once after B's SIGKILL (%d WebSocket upgrades on A, %d on B)",
		residents, prompts, lb.upgrades[0].Load(), lb.upgrades[1].Load())
}
