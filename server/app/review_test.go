package app_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

var topicLocation = regexp.MustCompile(`^/orgs/[^/]+/topics/([0-9a-f]+)\?saved=1$`)

// TestFeedbackJourney is issue #7's journey: a resident answers in a live
// session, a reviewer finds the answer in the inbox, groups it into a
// topic and responds; the resident, still connected, gets the response
// live; it shows on the neighbourhood's public board and in the feedback
// round of the next session there. Bad input on the way gets clear,
// translated answers.
func TestFeedbackJourney(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	staff, s := e.liveSession("post")
	r, rjar := e.resident(s.Code, live.Options{})
	next[protocol.SnapshotData](t, r, protocol.TypeSnapshot)
	im, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: staff.Jar()})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	next[protocol.SnapshotData](t, im, protocol.TypeSnapshot)
	if err := im.Control(ctx, "c1", protocol.ControlData{Action: "goto", Index: 2}); err != nil {
		t.Fatal(err)
	}
	next[protocol.StateData](t, r, protocol.TypeState)
	const said = "De lantaarn bij de speeltuin is kapot"
	ack, err := r.Submit(ctx, "a1", protocol.SubmitData{PromptID: s.Prompts[2].ID, Answer: protocol.AnswerData{Text: said}})
	if err != nil {
		t.Fatal(err)
	}

	// The reviewer's inbox shows it (indexed right after the group commit).
	rev := e.staffBrowser("reviewer")
	inbox := "/orgs/" + demo.OrgID + "/inbox?kind=open&session=" + s.ID
	var p *page
	for deadline := time.Now().Add(5 * time.Second); ; {
		p = rev.get(inbox)
		if p.status == http.StatusOK && strings.Contains(p.body, ack.ContributionID) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox never showed the answer: %d %.300s", p.status, p.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	contains(t, p, said)
	// Filters that exclude it, and one that is malformed.
	if q := rev.get("/orgs/" + demo.OrgID + "/inbox?kind=faces&session=" + s.ID); strings.Contains(q.body, ack.ContributionID) {
		t.Error("a kind filter did not exclude the answer")
	}
	if q := rev.get("/orgs/" + demo.OrgID + "/inbox?feedback=done"); strings.Contains(q.body, ack.ContributionID) {
		t.Error("a feedback filter did not exclude the answer")
	}
	bad := rev.get("/orgs/" + demo.OrgID + "/inbox?from=2026-13-40")
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, msg(t, "nl", "review.filter_date")) {
		t.Errorf("malformed date filter: %d", bad.status)
	}
	csrf := p.csrf(t)

	// Group it into a topic.
	g := rev.post("/orgs/"+demo.OrgID+"/topics", url.Values{"csrf": {csrf}, "contribution": {ack.ContributionID},
		"title_nl": {"Licht bij de speeltuin"}, "theme": {"safety"}, "neighbourhood_id": {demo.BuurtAID}})
	m := topicLocation.FindStringSubmatch(g.location)
	if g.status != http.StatusSeeOther || m == nil {
		t.Fatalf("grouping: %d %q %.300s", g.status, g.location, g.body)
	}
	topic := m[1]
	if q := rev.get(inbox + "&feedback=waiting"); !strings.Contains(q.body, ack.ContributionID) {
		t.Error("the grouped answer is not 'waiting for a response' in the inbox")
	}

	// A response without text is a clear form error, and nothing is sent.
	respond := "/orgs/" + demo.OrgID + "/topics/" + topic + "/respond"
	empty := rev.post(respond, url.Values{"csrf": {csrf}, "status": {"planned"}, "expected_month": {"2026-09"}})
	if empty.status != http.StatusBadRequest || !strings.Contains(empty.body, msg(t, "nl", "response.text_required")) ||
		!strings.Contains(empty.body, "field-error") {
		t.Fatalf("response without text: %d %.300s", empty.status, empty.body)
	}
	noMonth := rev.post(respond, url.Values{"csrf": {csrf}, "status": {"planned"}, "text_nl": {"We maken de lamp."}})
	if noMonth.status != http.StatusBadRequest || !strings.Contains(noMonth.body, msg(t, "nl", "response.month_required")) {
		t.Fatalf("planned without a month: %d", noMonth.status)
	}
	const answer = "We maken de lamp in september."
	ok := rev.post(respond, url.Values{"csrf": {csrf}, "status": {"planned"}, "expected_month": {"2026-09"},
		"text_nl": {answer}, "text_ar": {"سنصلح المصباح في سبتمبر."}})
	if ok.status != http.StatusSeeOther {
		t.Fatalf("respond: %d %.300s", ok.status, ok.body)
	}

	// The resident gets it live, with their own input named.
	_, fb := next[protocol.FeedbackData](t, r, protocol.TypeFeedback)
	if fb.TopicID != topic || fb.Status != "planned" || fb.ExpectedMonth != "2026-09" || fb.Text["nl"] != answer ||
		len(fb.Mine) != 1 || fb.Mine[0] != ack.ContributionID {
		t.Fatalf("feedback event: %+v", fb)
	}

	// "My input" on the resident's phone shows the response beside the
	// input: status pictogram, month, text; in Arabic the Arabic text,
	// right to left. The receipt code shows the same on any device.
	phone := &browser{t: t, base: e.url, c: &http.Client{Jar: rjar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	mine := phone.get("/mine")
	contains(t, mine, `data-contribution="`+ack.ContributionID+`"`, `data-response="planned"`, "/static/pictograms/status-planned.svg")
	if !shows(mine, answer) || !shows(mine, msg(t, "nl", "feedback.response_status", "Status", msg(t, "nl", "feedback.status_planned"))) ||
		!shows(mine, msg(t, "nl", "board.expected", "Month", "september 2026")) {
		t.Fatalf("my input lacks the response:\n%s", mine.body)
	}
	phone.lang = "ar"
	if ar := phone.get("/mine?lang=ar"); !shows(ar, "سنصلح المصباح في سبتمبر.") || !strings.Contains(ar.body, `lang="ar" dir="rtl"`) {
		t.Errorf("the Arabic 'my input' lacks the Arabic response: %.2000s", ar.body)
	}
	phone.lang = "tr"
	if tr := phone.get("/mine?lang=tr"); !shows(tr, answer) || !shows(tr, msg(t, "tr", "content.fallback", "Language", "Nederlands")) {
		t.Errorf("the Turkish 'my input' does not fall back to Dutch with a note")
	}
	phone.lang = ""
	var rc struct{ Code string }
	if err := json.Unmarshal([]byte(phone.postJSON("/api/v1/receipt", "{}").body), &rc); err != nil || rc.Code == "" {
		t.Fatalf("receipt: %v", err)
	}
	if rp := e.browser().get("/r/" + strings.ReplaceAll(rc.Code, "-", "")); !shows(rp, answer) || !strings.Contains(rp.body, `data-response="planned"`) {
		t.Fatalf("the receipt page lacks the response: %d", rp.status)
	}
	if other := e.browser().get("/mine"); shows(other, answer) {
		t.Error("another device sees the response on 'my input'")
	}

	// The topic page keeps the history; the inbox knows it is answered.
	tp := rev.get("/orgs/" + demo.OrgID + "/topics/" + topic)
	contains(t, tp, answer, msg(t, "nl", "topic.history_created"), msg(t, "nl", "topic.history_responded"))
	if q := rev.get(inbox + "&feedback=planned"); !strings.Contains(q.body, ack.ContributionID) {
		t.Error("the answered input is not 'planned' in the inbox")
	}

	// The public board, without login, in Dutch and in Arabic; an unknown
	// board is a friendly 404.
	pub := e.browser()
	board := pub.get("/buurt/" + demo.BuurtAID)
	if board.status != http.StatusOK {
		t.Fatalf("board: %d", board.status)
	}
	contains(t, board, answer, "Licht bij de speeltuin", "/static/pictograms/status-planned.svg", "/static/board.js")
	if strings.Contains(board.body, said) || strings.Contains(board.body, ack.ContributionID) {
		t.Error("the board shows residents' own words or ids")
	}
	pub.lang = "ar"
	if ar := pub.get("/buurt/" + demo.BuurtAID); !strings.Contains(ar.body, "سنصلح المصباح") || !strings.Contains(ar.body, `dir="rtl"`) {
		t.Errorf("the Arabic board lacks the Arabic response")
	}
	if nb := pub.get("/buurt/no-such-neighbourhood"); nb.status != http.StatusNotFound {
		t.Errorf("unknown board: %d", nb.status)
	}
	// A board of the other buurt of the same wijk does not show it.
	if other := pub.get("/buurt/" + demo.BuurtBID); strings.Contains(other.body, answer) {
		t.Error("the response shows on another buurt's board")
	}

	// The next session in the neighbourhood has a feedback round that
	// carries the response.
	s2, err := staff.CreateSession(ctx, demo.OrgID, apiclient.SessionInput{
		Title: "Terugkomavond", NeighbourhoodID: demo.BuurtAID, VenueID: demo.VenueID, Languages: []string{"nl"},
		Moderation: "post", Pace: "led",
		Prompts: []apiclient.Prompt{{Kind: "feedback", Text: map[string]string{"nl": "Wat is er gedaan?"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s2, err = staff.SessionAction(ctx, demo.OrgID, s2.ID, "open"); err != nil {
		t.Fatal(err)
	}
	r2, _ := e.resident(s2.Code, live.Options{})
	_, snap := next[protocol.SnapshotData](t, r2, protocol.TypeSnapshot)
	if len(snap.Feedback) != 1 || snap.Feedback[0].TopicID != topic || snap.Feedback[0].Text["nl"] != answer || snap.Feedback[0].Inputs != 1 {
		t.Fatalf("feedback round: %+v", snap.Feedback)
	}

	// The report counts the answer and the response; the CSV export is
	// protected against formula injection.
	rep := rev.get("/orgs/" + demo.OrgID + "/reports")
	if rep.status != http.StatusOK || !strings.Contains(rep.body, "<svg") {
		t.Fatalf("report page: %d", rep.status)
	}
	export := rev.get("/orgs/" + demo.OrgID + "/reports/contributions.csv?session=" + s.ID)
	rows, err := csv.NewReader(strings.NewReader(export.body)).ReadAll()
	if err != nil || export.status != http.StatusOK {
		t.Fatalf("export: %d %v", export.status, err)
	}
	found := false
	for _, row := range rows[1:] {
		if row[0] == ack.ContributionID {
			found = true
			if row[5] != "open" || row[11] != "planned" || row[10] != topic {
				t.Errorf("export row: %v", row)
			}
		}
	}
	if !found {
		t.Errorf("the export lacks the answer: %v", rows)
	}
	if q := rev.get("/orgs/" + demo.OrgID + "/reports/contributions.csv?session=no-such-session"); q.status != http.StatusBadRequest {
		t.Errorf("export of an unknown session: %d", q.status)
	}
}

// TestExportOutlivesItsHandler: an export streams after its handler has
// returned, when Fiber has already given the request's context to the
// next request, whose path overwrites the old one in place. The
// organisation taken from the path was once used as it was, so an export
// running beside other requests read their bytes as its organisation
// (the race detector saw it in TestTenancyEveryRoute under CI). Exports
// now run beside a stream of other requests and must each come out whole
// and identical; under -race nothing may be shared.
func TestExportOutlivesItsHandler(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	staff, s := e.liveSession("post")
	if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	const answers = 20
	for i := range answers {
		r, _ := e.resident(s.Code, live.Options{})
		if _, err := r.Submit(ctx, fmt.Sprint("a", i), protocol.SubmitData{PromptID: s.Prompts[2].ID,
			Answer: protocol.AnswerData{Text: fmt.Sprintf("Antwoord %d: meer licht in het park", i)}}); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	rev := e.staffBrowser("reviewer")
	path := "/orgs/" + demo.OrgID + "/reports/contributions.csv"
	var want *page
	waitFor(t, func() bool {
		want = rev.get(path)
		rows, err := csv.NewReader(strings.NewReader(want.body)).ReadAll()
		if err != nil || want.status != http.StatusOK {
			t.Fatalf("export: %d %v", want.status, err)
		}
		return len(rows) == 1+answers
	})
	stop := make(chan struct{})
	var others sync.WaitGroup
	for i := range 4 {
		others.Add(1)
		go func() {
			defer others.Done()
			// Paths as long as the export's and longer, differing
			// where the organisation's id is.
			other := "/buurt/" + demo.BuurtAID + strings.Repeat("x", i)
			for {
				select {
				case <-stop:
					return
				default:
				}
				if resp, err := http.Get(e.url + other); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}
		}()
	}
	var exports sync.WaitGroup
	bad := make(chan string, 40)
	for range 4 {
		exports.Add(1)
		go func() {
			defer exports.Done()
			for range 10 {
				req, _ := http.NewRequest(http.MethodGet, e.url+path, nil)
				resp, err := rev.c.Do(req)
				if err != nil {
					bad <- err.Error()
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || string(body) != want.body {
					bad <- fmt.Sprintf("status %d, %d bytes of %d, %v", resp.StatusCode, len(body), len(want.body), err)
				}
			}
		}()
	}
	exports.Wait()
	close(stop)
	others.Wait()
	close(bad)
	for b := range bad {
		t.Error("an export beside other requests:", b)
	}
}

// TestHeadOfAnExport: HEAD of a streamed export answers with its headers
// and nothing after them. It used to send the chunked ending of a body it
// did not have, which the next answer on the same keep-alive connection
// would be read after (Go's client logged "Unsolicited response received
// on idle HTTP channel"). Read off the socket, as a client sees it.
func TestHeadOfAnExport(t *testing.T) {
	e := start(t)
	rev := e.staffBrowser("reviewer")
	for _, path := range []string{"/reports/contributions.csv", "/reports/contributions.json", "/reports/report.csv", "/inbox"} {
		path = "/orgs/" + demo.OrgID + path
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "HEAD %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\n\r\n", path, strings.TrimPrefix(e.url, "http://"), rev.cookieHeader())
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodHead})
		if err != nil {
			t.Fatalf("HEAD %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("HEAD %s: %d", path, resp.StatusCode)
		}
		_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		if b, err := br.ReadByte(); err == nil {
			rest, _ := br.Peek(br.Buffered())
			t.Errorf("HEAD %s (%s): bytes after the answer: %q", path, resp.Header.Get("Content-Type"), append([]byte{b}, rest...))
		}
		conn.Close()
	}
}
