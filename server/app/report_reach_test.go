package app_test

import (
	"context"
	"fmt"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// TestReportReachCountsPeopleOnce: six residents answer on their own
// phones in two sessions; the report counts six participants, not twelve. The page says what a participant is and that the
// profile figures are per session; with a theme chosen it says that reach
// is not narrowed by the theme.
func TestReportReachCountsPeopleOnce(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	staff, s1 := e.liveSession("post")
	_, s2 := e.liveSession("post")
	jars := make([]*cookiejar.Jar, 6)
	for i := range jars {
		jars[i], _ = cookiejar.New(nil)
	}
	for _, s := range []string{s1.ID, s2.ID} {
		ls := s1
		if s == s2.ID {
			ls = s2
		}
		if _, err := staff.MoveSession(ctx, demo.OrgID, s, 0); err != nil {
			t.Fatal(err)
		}
		for i, jar := range jars {
			r, _ := e.resident(ls.Code, live.Options{Jar: jar})
			if _, err := r.Submit(ctx, fmt.Sprintf("f%d", i), protocol.SubmitData{PromptID: ls.Prompts[0].ID, Answer: protocol.AnswerData{Face: 1 + i%5}}); err != nil {
				t.Fatal(err)
			}
			r.Close()
		}
	}
	rev := e.staffBrowser("reviewer")
	var p *page
	for deadline := time.Now().Add(10 * time.Second); ; {
		p = rev.get("/orgs/" + demo.OrgID + "/reports")
		if shows(p, "12 reacties") || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !shows(p, "12 reacties") || !shows(p, "6 deelnemers") || shows(p, "12 deelnemers") {
		t.Fatalf("report reach: %.3000s", p.body)
	}
	if !shows(p, msg(t, "nl", "report.reach_devices")) || !shows(p, msg(t, "nl", "report.reach_profiles")) || shows(p, msg(t, "nl", "report.reach_theme")) {
		t.Errorf("the reach notes are wrong without a theme")
	}
	if q := rev.get("/orgs/" + demo.OrgID + "/reports?theme=safety"); !shows(q, msg(t, "nl", "report.reach_theme")) {
		t.Errorf("with a theme the page does not say reach is not narrowed")
	}
}
