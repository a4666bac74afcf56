package app_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

// TestNoAddressAfterFullJourney: a whole journey — a resident joins,
// answers, uploads a voice note, gives a profile and takes a receipt; a
// reviewer groups, responds and downloads the report — with every request
// claiming a forwarded address as well. Afterwards no address appears in
// any log line (the server's slog output, captured) nor in any document of
// any collection (every collection dumped through the store): neither the
// claimed one, nor 127.0.0.1, ::1 or the client's own address.
func TestNoAddressAfterFullJourney(t *testing.T) {
	var logs syncBuffer
	e := startWith(t, envOptions{logs: &logs})
	ctx := context.Background()
	const claimed = "198.51.100.23"
	fwd := []string{"X-Forwarded-For", claimed, "X-Real-IP", claimed, "Forwarded", "for=" + claimed}
	withFwd := func(h http.Header) {
		for i := 0; i+1 < len(fwd); i += 2 {
			h.Set(fwd[i], fwd[i+1])
		}
	}

	staff, s := e.liveSession("post")
	res := e.participant("")
	req, _ := http.NewRequest(http.MethodGet, e.url+"/j/"+s.Code+"?lang=nl", nil)
	withFwd(req.Header)
	res.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if p := doRequest(t, res.c, req); p.status != http.StatusSeeOther {
		t.Fatalf("join: %d", p.status)
	}
	// (The Go client sets no extra headers on the upgrade; the HTTP calls
	// around it carry the forwarded address.)
	c, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Jar: res.jar})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	ack, err := c.Submit(ctx, "p1", protocol.SubmitData{PromptID: s.Prompts[2].ID, Answer: protocol.AnswerData{Text: "Meer groen op het plein"}})
	if err != nil {
		t.Fatal(err)
	}
	// A voice note: a prompt that allows one.
	_, ms := e.mediaSession("voice")
	voiceRes := e.participant(ms.Code)
	webm, err := os.ReadFile("../media/testdata/voice-5s.webm")
	if err != nil {
		t.Fatal(err)
	}
	voiceRes.uploadOK(ms.ID, "voice", "audio/webm", webm)
	for _, call := range []struct{ path, body string }{
		{"/api/v1/profile", `{"session_id":"` + s.ID + `","age_band":"30_49","home_lang":"ar","school":"vocational","first_time":"yes"}`},
		{"/api/v1/receipt", `{}`},
	} {
		req, _ := http.NewRequest(http.MethodPost, e.url+call.path, strings.NewReader(call.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", e.url)
		withFwd(req.Header)
		if p := doRequest(t, res.c, req); p.status >= 300 {
			t.Fatalf("%s: %d %s", call.path, p.status, p.body)
		}
	}
	rev := e.staffBrowser("reviewer")
	base := "/orgs/" + demo.OrgID
	waitIndexed(t, rev, base+"/inbox", []string{ack.ContributionID})
	csrf := rev.get(base + "/inbox").csrf(t)
	g := rev.post(base+"/topics", url.Values{"csrf": {csrf}, "contribution": {ack.ContributionID},
		"title_nl": {"Groen"}, "theme": {"housing"}, "neighbourhood_id": {demo.BuurtAID}})
	m := topicLocation.FindStringSubmatch(g.location)
	if m == nil {
		t.Fatalf("group: %d %q", g.status, g.location)
	}
	if p := rev.post(base+"/topics/"+m[1]+"/respond", url.Values{"csrf": {csrf}, "status": {"looking"}, "text_nl": {"We kijken ernaar."}}); p.status != http.StatusSeeOther {
		t.Fatalf("respond: %d", p.status)
	}
	for _, path := range []string{base + "/reports", base + "/reports/contributions.csv", "/buurt/" + demo.BuurtAID, "/mine"} {
		req, _ := http.NewRequest(http.MethodGet, e.url+path, nil)
		withFwd(req.Header)
		doRequest(t, rev.c, req)
	}

	// The addresses to look for: the claimed one, loopback in both
	// families, and every address of this machine (the client's own).
	bad := []string{claimed, "127.0.0.1", "::1", "[::"}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() {
				bad = append(bad, ipn.IP.String())
			}
		}
	}
	ipv4 := regexp.MustCompile(`(^|[^0-9.])(\d{1,3}\.){3}\d{1,3}([^0-9.]|$)`)

	out := logs.String()
	if strings.Count(out, "Request served.") < 20 {
		t.Fatalf("only %d request log lines: the logger was not captured", strings.Count(out, "Request served."))
	}
	for _, a := range bad {
		if strings.Contains(out, a) {
			t.Errorf("the log holds the address %s", a)
		}
	}
	if m := ipv4.FindString(out); m != "" {
		t.Errorf("the log holds something like an address: %q", m)
	}

	sn, err := e.store.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close(ctx)
	cols, err := sn.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	docs := 0
	for _, col := range cols {
		err := sn.Documents(ctx, col, func(doc []byte) error {
			docs++
			for _, a := range bad {
				if bytes.Contains(doc, []byte(a)) {
					t.Errorf("collection %s holds the address %s", col, a)
				}
			}
			// Media chunks are binary: any four numbers with dots are chance.
			if !strings.HasPrefix(col, "media.") {
				if m := ipv4.Find(doc); m != nil {
					t.Errorf("collection %s holds something like an address: %q", col, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d log bytes and %d documents in %d collections hold no address", len(out), docs, len(cols))
	if docs < 20 || len(cols) < 10 {
		t.Fatalf("only %d documents in %d collections: the journey wrote less than it should", docs, len(cols))
	}

	// Every collection the journey wrote exists as soon as a store opens:
	// on the embedded engine only the tables present then get the _id
	// index its lookups need at once (store.IndexIDs); a later one scans
	// on every read until the next maintenance pass.
	fresh := storetest.New(t)
	fsn, err := fresh.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer fsn.Close(ctx)
	atOpen, err := fsn.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, col := range cols {
		if !slices.Contains(atOpen, col) {
			t.Errorf("collection %s is not created when the store opens", col)
		}
	}
}
