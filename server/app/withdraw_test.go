package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/media/mediatest"
)

// TestResidentDeletesOwnInput is issue #7's "residents can delete their own
// input from their phone or with their receipt code". On "my input" a
// resident deletes a written answer with a photo: the answer and the photo
// are gone from the store, the answer leaves the wall of the session that
// is still running (another phone sees it go), and the page says it was
// deleted. Someone else's device cannot delete the resident's input (the
// same translated "not found" as an answer that does not exist), nor can
// a form without the page's token. On a shared tablet the resident's
// receipt code deletes the face answer, which then leaves the live
// results. The reviewer's inbox no longer lists either.
func TestResidentDeletesOwnInput(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.mediaSession("text", "photo")
	phone := e.browser()
	jar := phone.c.Jar.(*cookiejar.Jar)
	conn, _ := e.resident(s.Code, live.Options{Jar: jar})
	next[protocol.SnapshotData](t, conn, protocol.TypeSnapshot)
	other, _ := e.resident(s.Code, live.Options{Buffer: 1000})
	next[protocol.SnapshotData](t, other, protocol.TypeSnapshot)
	me := &participant{t: t, e: e, jar: jar, c: phone.c}
	photo := me.uploadOK(s.ID, "photo", "image/jpeg", mediatest.JPEG(mediatest.Image(64, 48)))
	const said = "De lantaarn bij de speeltuin is kapot"
	text, err := conn.Submit(ctx, "w1", protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Text: said, MediaID: photo}})
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, w := next[protocol.WallData](t, other, protocol.TypeWall)
		if w.Op == "add" && strings.Contains(mustJSON(t, w), text.ContributionID) {
			break
		}
	}

	rev := e.staffBrowser("reviewer")
	inbox := "/orgs/" + demo.OrgID + "/inbox?session=" + s.ID
	waitFor(t, func() bool { return strings.Contains(rev.get(inbox).body, text.ContributionID) })

	var mine *page
	form := `action="/mine/` + text.ContributionID + `/delete"`
	waitFor(t, func() bool { mine = phone.get("/mine"); return strings.Contains(mine.body, form) })
	if mine.status != http.StatusOK || !shows(mine, msg(t, "nl", "resident.withdraw_sure")) {
		t.Fatalf("'my input' has no delete form for the answer: %d", mine.status)
	}
	csrf := mine.csrf(t)

	// Another device, with the id, and a form without the token: refused.
	stranger := e.browser()
	sconn, _ := e.resident(s.Code, live.Options{Jar: stranger.c.Jar.(*cookiejar.Jar)})
	if _, err := sconn.Submit(ctx, "s1", protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Text: "Hier ook"}}); err != nil {
		t.Fatal(err)
	}
	var strangerPage *page
	waitFor(t, func() bool {
		strangerPage = stranger.get("/mine")
		return strings.Contains(strangerPage.body, `name="csrf"`)
	})
	if p := stranger.post("/mine/"+text.ContributionID+"/delete", url.Values{"csrf": {strangerPage.csrf(t)}}); p.status != http.StatusNotFound ||
		!shows(p, msg(t, "nl", "resident.input_gone")) {
		t.Fatalf("another device deleting the answer: %d %.300s", p.status, p.body)
	}
	if p := phone.post("/mine/"+text.ContributionID+"/delete", url.Values{}); p.status != http.StatusForbidden {
		t.Fatalf("a delete without the form's token: %d", p.status)
	}
	if _, err := e.store.Contribution(ctx, text.ContributionID); err != nil {
		t.Fatalf("the answer went after a refused delete: %v", err)
	}

	// The resident deletes it.
	p := phone.post("/mine/"+text.ContributionID+"/delete", url.Values{"csrf": {csrf}})
	if p.status != http.StatusSeeOther || p.location != "/mine?deleted=1" {
		t.Fatalf("deleting: %d %q %.300s", p.status, p.location, p.body)
	}
	if _, err := e.store.Contribution(ctx, text.ContributionID); err == nil {
		t.Fatal("the deleted answer is still stored")
	}
	if _, err := e.store.Media(ctx, photo); err == nil {
		t.Fatal("the deleted answer's photo is still stored")
	}
	after := phone.get(p.location)
	if strings.Contains(after.body, said) || !shows(after, msg(t, "nl", "resident.withdrawn")) {
		t.Errorf("'my input' after deleting: text shown %v", strings.Contains(after.body, said))
	}
	for {
		_, w := next[protocol.WallData](t, other, protocol.TypeWall)
		if w.Op == "remove" && w.Item.ContributionID == text.ContributionID {
			break
		}
	}
	if p := phone.post("/mine/"+text.ContributionID+"/delete", url.Values{"csrf": {csrf}}); p.status != http.StatusNotFound {
		t.Errorf("deleting it twice: %d", p.status)
	}
	waitFor(t, func() bool { return !strings.Contains(rev.get(inbox).body, text.ContributionID) })

	// A shared tablet: a face answer, then the receipt code typed on
	// another browser deletes it, and it leaves the live results.
	staff, s2 := e.liveSession("post")
	tablet := e.browser()
	tjar := tablet.c.Jar.(*cookiejar.Jar)
	tconn, _ := e.resident(s2.Code, live.Options{Jar: tjar})
	next[protocol.SnapshotData](t, tconn, protocol.TypeSnapshot)
	proj, err := live.Dial(ctx, live.Options{Base: e.url, Session: s2.ID, Role: "projector", Key: s2.ProjectorKey(), Buffer: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer proj.Close()
	if _, err := staff.MoveSession(ctx, demo.OrgID, s2.ID, 0); err != nil {
		t.Fatal(err)
	}
	face, err := tconn.Submit(ctx, "f1", protocol.SubmitData{PromptID: s2.Prompts[0].ID, Answer: protocol.AnswerData{Face: 4}})
	if err != nil {
		t.Fatal(err)
	}
	answered := func(n int) {
		t.Helper()
		for {
			_, r := next[protocol.ResultsData](t, proj, protocol.TypeResults)
			if r.PromptID == s2.Prompts[0].ID && r.Answered == n {
				return
			}
		}
	}
	answered(1)
	rc := tablet.postJSON("/api/v1/receipt", "{}")
	var receipt struct{ Code string }
	if err := json.Unmarshal([]byte(rc.body), &receipt); err != nil || rc.status != http.StatusCreated || receipt.Code == "" {
		t.Fatalf("receipt: %d %s", rc.status, rc.body)
	}
	code := strings.ReplaceAll(receipt.Code, "-", "")
	helper := e.browser()
	// The lists are written behind the group commit: up to 2 s late.
	var rp *page
	waitFor(t, func() bool {
		rp = helper.get("/r/" + code)
		return rp.status == http.StatusOK && strings.Contains(rp.body, `action="/r/`+code+`/`+face.ContributionID+`/delete"`)
	})
	if p := helper.post("/r/"+code+"/"+face.ContributionID+"/delete", url.Values{"csrf": {rp.csrf(t)}}); p.status != http.StatusSeeOther ||
		p.location != "/r/"+code+"?deleted=1" {
		t.Fatalf("deleting with the receipt code: %d %q %.300s", p.status, p.location, p.body)
	}
	if _, err := e.store.Contribution(ctx, face.ContributionID); err == nil {
		t.Fatal("the answer deleted with the receipt code is still stored")
	}
	answered(0)
	if p := helper.get("/r/" + code + "?deleted=1"); !shows(p, msg(t, "nl", "resident.withdrawn")) {
		t.Errorf("the receipt page does not say the answer was deleted")
	}
	// A wrong receipt code deletes nothing.
	if p := helper.post("/r/ABCDEFGHJK/"+face.ContributionID+"/delete", url.Values{"csrf": {rp.csrf(t)}}); p.status < 400 {
		t.Errorf("a wrong receipt code: %d", p.status)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
