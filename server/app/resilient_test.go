package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/app"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/metrics"
)

// TestResilientClientAcrossRestart: the Go client's Resilient connection
// rides out a server restart on the same address (close code 4000, then
// refused connections while the new process starts): it reconnects with
// backoff, resumes, and a submission made during the outage is delivered
// once the server is back.
func TestResilientClientAcrossRestart(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.liveSession("post")
	if _, err := e.api("intermediary").MoveSession(ctx, demo.OrgID, s.ID, 0); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	if _, err := live.Join(ctx, e.url, s.Code, jar); err != nil {
		t.Fatal(err)
	}
	r, err := live.Connect(ctx, live.Options{Base: e.url, Session: s.ID, Jar: jar},
		live.Backoff{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Submit(ctx, "before", protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Face: 2}}); err != nil {
		t.Fatal(err)
	}

	// Restart: the first server tells clients to reconnect and stops; for
	// a moment nothing listens; a new server on the same store and address
	// takes over.
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := e.srv.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Submit(ctx, "during", protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Face: 4}})
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	catalog, _ := i18n.Load()
	srv2, err := app.New(app.Deps{Config: e.cfg, Store: e.store, Catalog: catalog, Metrics: metrics.New(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", e.url[len("http://"):])
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv2.Fiber().Listener(ln) }()
	defer srv2.Fiber().ShutdownWithTimeout(5 * time.Second)

	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("submission across the restart: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("submission across the restart never acknowledged")
	}
	// Both answers are stored once; the newer one counts.
	c, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "projector", Key: s.ProjectorKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, snap := next[protocol.SnapshotData](t, c, protocol.TypeSnapshot)
	if res := snap.Results[0]; res.Answered != 1 || res.Counts["4"] != 1 || len(res.Counts) != 1 {
		t.Fatalf("results after restart: %+v", res)
	}
}
