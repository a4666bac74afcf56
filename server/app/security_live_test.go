package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// WebSocket attacks that TestLiveBadInput (wrong codes, no cookie, foreign
// Origin, hello rules, binary and oversized frames, bad messages, a flood)
// does not cover: authorisation per message for every role, a staff login
// that ends while its console is connected, the upgrade's other doors, and
// thousands of idle connections up to and over the connection cap.

// TestLiveAuthorisationPerMessage: a resident and the projector send every
// message only intermediaries may send, and are refused each time with a
// translated error, while the session stays as it was; an intermediary's
// console whose staff login ends (logout, or the account disabled) is
// refused at its next control message, however long it has been connected.
func TestLiveAuthorisationPerMessage(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	staff, s := e.liveSession("pre")
	r, _ := e.resident(s.Code, live.Options{})
	next[protocol.SnapshotData](t, r, protocol.TypeSnapshot)
	proj, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "projector", Key: s.ProjectorKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer proj.Close()
	next[protocol.SnapshotData](t, proj, protocol.TypeSnapshot)

	staffOnly := []struct{ typ, data string }{
		{protocol.TypeControl, `{"action":"next"}`},
		{protocol.TypeControl, `{"action":"close"}`},
		{protocol.TypeModerate, `{"contribution_id":"x","decision":"approve"}`},
		{"assist", `{"prompt_id":"` + s.Prompts[0].ID + `","answer":{"face":1}}`},
	}
	for who, c := range map[string]*live.Conn{"resident": r, "projector": proj} {
		for i, m := range staffOnly {
			rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := c.Request(rctx, m.typ, fmt.Sprint(who, i), json.RawMessage(m.data))
			cancel()
			var se *live.ServerError
			if !errors.As(err, &se) || se.Code != protocol.ErrForbidden || se.Message == "" {
				t.Errorf("%s sends %s %s: %v", who, m.typ, m.data, err)
			}
		}
	}
	// The projector cannot answer either.
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err = proj.Request(rctx, protocol.TypeSubmit, "p-submit", protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Face: 1}})
	cancel()
	if se := (*live.ServerError)(nil); !errors.As(err, &se) || se.Code != protocol.ErrForbidden {
		t.Errorf("projector submits: %v", err)
	}
	if got := e.stored(s.ID); got.State != "open" || got.Current != -1 {
		t.Fatalf("refused messages changed the session: state %s, current %d", got.State, got.Current)
	}

	// A console connected, then its login ends.
	im, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: staff.Jar()})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	next[protocol.SnapshotData](t, im, protocol.TypeSnapshot)
	if err := im.Control(ctx, "c1", protocol.ControlData{Action: "goto", Index: 0}); err != nil {
		t.Fatalf("control while logged in: %v", err)
	}
	if err := staff.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	err = im.Control(ctx, "c2", protocol.ControlData{Action: "next"})
	var se *live.ServerError
	var ce *live.CloseError
	switch {
	case errors.As(err, &se) && (se.Code == protocol.ErrForbidden || se.Code == "unauthenticated"):
	case errors.As(im.Err(), &ce) && ce.Code == protocol.CloseUnauthorized:
	default:
		t.Errorf("control after logout: %v (connection %v)", err, im.Err())
	}
	if got := e.stored(s.ID); got.Current != 0 {
		t.Errorf("a logged-out console moved the session to %d", got.Current)
	}

	// The same for a disabled account: the admin disables the
	// intermediary while their console is open.
	staff2 := e.api("intermediary")
	im2, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: staff2.Jar()})
	if err != nil {
		t.Fatal(err)
	}
	defer im2.Close()
	next[protocol.SnapshotData](t, im2, protocol.TypeSnapshot)
	acc := e.accounts["intermediary"]
	if err := e.api("admin").Do(ctx, http.MethodPut, "/api/v1/orgs/"+demo.OrgID+"/staff/"+acc.ID,
		map[string]any{"name": acc.Name, "role": "intermediary", "disabled": true}, nil); err != nil {
		t.Fatal(err)
	}
	err = im2.Control(ctx, "c3", protocol.ControlData{Action: "next"})
	switch {
	case errors.As(err, &se) && (se.Code == protocol.ErrForbidden || se.Code == "unauthenticated"):
	case errors.As(im2.Err(), &ce) && ce.Code == protocol.CloseUnauthorized:
	default:
		t.Errorf("control after the account was disabled: %v (connection %v)", err, im2.Err())
	}
	if got := e.stored(s.ID); got.Current != 0 {
		t.Errorf("a disabled account's console moved the session to %d", got.Current)
	}
}

// TestLiveUpgradeDoors: the upgrade refuses a resident role claimed by
// someone with only a staff cookie of another organisation, an intermediary
// role without a login, a projector without or with a wrong key, and an
// unknown role, each before the upgrade with a JSON error; staff of another
// organisation find no such session, as the tenancy rule says.
func TestLiveUpgradeDoors(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("pre")
	foreign := e.foreignStaff()
	dial := func(query string, header http.Header) int {
		t.Helper()
		ws, resp, err := websocket.DefaultDialer.Dial("ws"+e.url[4:]+"/live/"+s.ID+"/ws"+query, header)
		if err == nil {
			ws.Close()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatalf("%s: %v", query, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cookies := func(b *browser) http.Header {
		var parts []string
		for _, c := range b.c.Jar.Cookies(mustURL(e.url)) {
			parts = append(parts, c.Name+"="+c.Value)
		}
		return http.Header{"Cookie": {strings.Join(parts, "; ")}}
	}
	for name, c := range map[string]struct {
		query  string
		header http.Header
		want   int
	}{
		"intermediary without login":         {"?role=intermediary", nil, http.StatusUnauthorized},
		"intermediary of another org":        {"?role=intermediary", cookies(foreign), http.StatusNotFound}, // as if there were no such session,
		"projector without key":              {"?role=projector", nil, http.StatusForbidden},
		"projector with a wrong key":         {"?role=projector&key=" + strings.Repeat("A", 43), nil, http.StatusForbidden},
		"unknown role":                       {"?role=admin", nil, http.StatusBadRequest},
		"resident without participant":       {"", cookies(foreign), http.StatusUnauthorized},
		"resident with a forged participant": {"", http.Header{"Cookie": {"bst_participant=" + strings.Repeat("A", 43)}}, http.StatusUnauthorized},
	} {
		if got := dial(c.query, c.header); got != c.want {
			t.Errorf("%s: %d, want %d", name, got, c.want)
		}
	}
}

// TestLiveIdleConnectionsAtTheCap opens 2,000 idle resident connections
// against a cap of 2,000 (one device each would need 2,000 joins; the
// connections share ten participants, as tabs would), then tries more: each
// is refused before the upgrade with 503, Retry-After and a translated
// message, the server keeps serving pages and the open connections, and
// once some close new ones are accepted again.
func TestLiveIdleConnectionsAtTheCap(t *testing.T) {
	const limit = 2000
	e := start(t, "BUURTSTEM_MAX_CONNECTIONS", fmt.Sprint(limit))
	ctx := context.Background()
	staff, s := e.liveSession("post")
	var jars []*cookiejar.Jar
	for range 10 {
		jar, _ := cookiejar.New(nil)
		if _, err := live.Join(ctx, e.url, s.Code, jar); err != nil {
			t.Fatal(err)
		}
		jars = append(jars, jar)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapInuse
	start := time.Now()
	conns := make([]*live.Conn, limit)
	var wg sync.WaitGroup
	errs := make(chan error, limit)
	sem := make(chan struct{}, 50)
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Jar: jars[i%len(jars)], Buffer: 64})
			if err != nil {
				errs <- err
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("connection within the cap refused: %v", err)
	}
	opened := time.Since(start)
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("%d idle connections opened in %v; heap of server and clients together %+d MB",
		limit, opened.Round(time.Millisecond), (int64(ms.HeapInuse)-int64(heapBefore))>>20)

	// Over the cap: refused before the upgrade, in the asker's language.
	for _, lang := range []string{"nl", "en"} {
		h := http.Header{"Accept-Language": {lang}}
		for _, c := range jars[0].Cookies(mustURL(e.url)) {
			h.Add("Cookie", c.Name+"="+c.Value)
		}
		_, resp, err := websocket.DefaultDialer.Dial("ws"+e.url[4:]+"/live/"+s.ID+"/ws", h)
		if err == nil || resp == nil {
			t.Fatalf("connection over the cap: %v", err)
		}
		var eb struct{ Error apiError }
		_ = json.NewDecoder(resp.Body).Decode(&eb)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			eb.Error.Message != msg(t, lang, "live.full") {
			t.Errorf("over the cap, %s: %d Retry-After %q %+v", lang, resp.StatusCode, resp.Header.Get("Retry-After"), eb.Error)
		}
	}
	// Pages still work, and the open connections still follow the session.
	if p := e.browser().get("/login"); p.status != http.StatusOK {
		t.Errorf("login page at the cap: %d", p.status)
	}
	if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, 1); err != nil {
		t.Fatal(err)
	}
	moved := time.Now()
	for _, i := range []int{0, limit / 2, limit - 1} {
		if _, err := conns[i].Next(ctx, protocol.TypeState); err != nil {
			t.Fatalf("connection %d at the cap: %v", i, err)
		}
	}
	t.Logf("prompt switch reached the sampled connections in %v", time.Since(moved).Round(time.Millisecond))
	// Close a hundred; a hundred new ones fit again.
	for _, c := range conns[:100] {
		c.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; i < 100; {
		c, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Jar: jars[0], Buffer: 64})
		if err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("after closing 100, new connection %d refused: %v", i, err)
			}
			time.Sleep(50 * time.Millisecond) // the server notices the closes
			continue
		}
		conns[i] = c
		i++
	}
}
