package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http/cookiejar"
	"syscall"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

type resident struct {
	jar  *cookiejar.Jar
	conn *live.Conn
	sent []string
}

// TestTwoInstancesServeOneSession runs two server processes on one store:
// A with the embedded engine served on a loopback port, B connected to it
// as MongoDB. Residents on both follow the intermediary on A; answers given
// on B show in A's results. Then B is killed with SIGKILL: its residents
// reconnect to A, resend what was not acknowledged, and nothing is lost or
// counted twice.
func TestTwoInstancesServeOneSession(t *testing.T) {
	ctx := context.Background()
	storeAddr := freePort(t)
	a := run(t, t.TempDir(), "-demo", "-store-listen", storeAddr)
	b := run(t, t.TempDir(), "-mongodb-uri", "mongodb://"+storeAddr+"/")

	staff := demoStaff(t, ctx, a, a.url)
	s := openSession(t, ctx, staff, facesSession("Twee servers"), -1)
	proj, err := live.Dial(ctx, live.Options{Base: a.url, Session: s.ID, Role: "projector", Key: s.ProjectorKey(), Buffer: 100000})
	if err != nil {
		t.Fatal(err)
	}
	defer proj.Close()

	const perInstance = 10
	var onA, onB []*resident
	for i := range 2 * perInstance {
		base := a.url
		if i%2 == 1 {
			base = b.url
		}
		jar, c := joinResident(t, ctx, base, s)
		r := &resident{jar: jar, conn: c}
		if base == a.url {
			onA = append(onA, r)
		} else {
			onB = append(onB, r)
		}
	}
	im, err := live.Dial(ctx, live.Options{Base: a.url, Session: s.ID, Role: "intermediary", Jar: staff.Jar()})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if err := im.Control(ctx, "go", protocol.ControlData{Action: "goto", Index: 0}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for _, r := range append(append([]*resident{}, onA...), onB...) {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		env, err := r.conn.Next(wctx, protocol.TypeState)
		cancel()
		if err != nil {
			t.Fatalf("prompt switch did not reach a resident: %v", err)
		}
		var st protocol.StateData
		_ = json.Unmarshal(env.Data, &st)
		if st.Current != 0 {
			t.Fatalf("state %+v", st)
		}
	}
	t.Logf("prompt switch reached %d residents on two instances in %v", 2*perInstance, time.Since(start).Round(time.Millisecond))

	// The projector on A counts the residents connected to B too.
	presence := 0
	for deadline := time.Now().Add(10 * time.Second); presence != 2*perInstance && time.Now().Before(deadline); {
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		env, err := proj.Next(wctx, protocol.TypePresence)
		cancel()
		if err != nil {
			continue
		}
		var pd protocol.PresenceData
		_ = json.Unmarshal(env.Data, &pd)
		presence = pd.Participants
	}
	if presence != 2*perInstance {
		t.Fatalf("projector on A counts %d participants, want %d on both instances", presence, 2*perInstance)
	}

	// Everyone answers once; B's residents answer a second time (another
	// id) but are killed before all acks can arrive.
	for i, r := range append(append([]*resident{}, onA...), onB...) {
		id := fmt.Sprintf("first-%d", i)
		r.sent = append(r.sent, id)
		if _, err := r.conn.Submit(ctx, id, protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Face: 1 + i%5}}); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range onB {
		id := fmt.Sprintf("second-%d", i)
		r.sent = append(r.sent, id)
		_ = r.conn.Send(protocol.Envelope{Type: protocol.TypeSubmit, ID: id,
			Data: json.RawMessage(`{"prompt_id":"` + s.Prompts[0].ID + `","answer":{"face":5}}`)})
	}
	b.signal(t, syscall.SIGKILL)

	// B's residents reconnect to A, resume, and resend their last answer.
	for i, r := range onB {
		<-r.conn.Done()
		epoch, seq := r.conn.Position()
		c, err := live.Dial(ctx, live.Options{Base: a.url, Session: s.ID, Jar: r.jar, Epoch: epoch, LastSeq: seq, Buffer: 10000})
		if err != nil {
			t.Fatalf("reconnect to A: %v", err)
		}
		defer c.Close()
		id := r.sent[len(r.sent)-1]
		if _, err := c.Submit(ctx, id, protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Face: 5}}); err != nil {
			t.Fatalf("resend %s after failover: %v", id, err)
		}
		_ = i
	}
	// Every resident counted once, with B's residents on their second
	// answer (face 5).
	want := map[string]int{}
	for i := range onA {
		want[fmt.Sprint(1+(2*i)%5)]++
	}
	want["5"] += len(onB)
	deadline := time.Now().Add(10 * time.Second)
	var last protocol.ResultsData
	for time.Now().Before(deadline) {
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		env, err := proj.Next(wctx, protocol.TypeResults)
		cancel()
		if err != nil {
			continue
		}
		_ = json.Unmarshal(env.Data, &last)
		if last.Answered == 2*perInstance && maps.Equal(last.Counts, want) {
			return
		}
	}
	t.Fatalf("results after failover: %+v, want %d answered with %v", last, 2*perInstance, want)
}
