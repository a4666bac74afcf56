package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
)

// postJSON sends a resident's JSON call from the site's own origin.
func (b *browser) postJSON(path, body string) *page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", b.base)
	return b.do(req)
}

// joined is a resident's browser that opened the QR code's link.
func (e *env) joined(t *testing.T, code, lang string) (*browser, string) {
	t.Helper()
	b := e.browser()
	p := b.get("/j/" + code + "?lang=" + lang)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/s/") {
		t.Fatalf("QR link: %d %q", p.status, p.location)
	}
	return b, strings.TrimPrefix(p.location, "/s/")
}

// TestResidentFrontDoor: "/" asks for the language first, then shows the
// keypad (with a discreet staff link); the QR code's link joins and opens
// the answer page; wrong codes get the keypad again with a translated
// message, in Arabic right to left; a closed session says it ended and
// links to "my input".
func TestResidentFrontDoor(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("post")
	b := e.browser()

	p := b.get("/")
	if p.status != http.StatusOK || strings.Count(p.body, `class="big lang-choice"`) != 6 || !strings.Contains(p.body, `hreflang="ar"`) {
		t.Fatalf("front door without a language: %d\n%.400s", p.status, p.body)
	}
	p = b.get("/?lang=ar")
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="join"`) || !strings.Contains(p.body, `dir="rtl"`) ||
		!strings.Contains(p.body, `href="/login"`) || !shows(p, msg(t, "ar", "resident.join_hint")) {
		t.Fatalf("keypad in Arabic: %d\n%.600s", p.status, p.body)
	}
	// The cookie remembers the choice.
	if p = b.get("/"); !strings.Contains(p.body, `id="join"`) {
		t.Fatal("the language choice was not remembered")
	}
	if p = b.get("/language?next=/j/" + s.Code); !strings.Contains(p.body, `href="/j/`+s.Code+`?lang=nl"`) {
		t.Fatalf("language screen does not lead back: %.600s", p.body)
	}
	if p = b.get("/language?next=//evil.example"); strings.Contains(p.body, "evil.example") {
		t.Fatal("language screen leads off-site")
	}

	for code, want := range map[string]string{"12": "join.code_invalid", "000000": "join.code_unknown"} {
		if code == s.Code {
			continue
		}
		p = b.get("/j/" + code)
		if p.status < 400 || !strings.Contains(p.body, `id="join-error"`) || !shows(p, msg(t, "ar", want)) {
			t.Errorf("wrong code %s: %d %.300s", code, p.status, p.body)
		}
	}
	if p = b.get("/j?code=" + url.QueryEscape(s.Code[:3]+" "+s.Code[3:])); p.location != "/j/"+s.Code {
		t.Errorf("keypad form without script: %d %q", p.status, p.location)
	}

	// No participant yet: the answer page sends to the keypad.
	if p = b.get("/s/" + s.ID); p.status != http.StatusSeeOther || p.location != "/" {
		t.Fatalf("answer page without joining: %d %q", p.status, p.location)
	}
	rb, sid := e.joined(t, s.Code, "ar")
	if sid != s.ID {
		t.Fatalf("QR link opened %q, want %q", sid, s.ID)
	}
	p = rb.get("/s/" + s.ID)
	if p.status != http.StatusOK || !strings.Contains(p.body, `data-session="`+s.ID+`"`) || !strings.Contains(p.body, `src="/static/resident.js"`) ||
		p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("answer page: %d %v\n%.400s", p.status, p.header, p.body)
	}
	if p = rb.get("/s/nope"); p.status != http.StatusNotFound || !shows(p, msg(t, "ar", "resident.not_found")) {
		t.Fatalf("unknown session: %d", p.status)
	}
	staff := e.api("intermediary")
	if _, err := staff.SessionAction(context.Background(), demo.OrgID, s.ID, "close"); err != nil {
		t.Fatal(err)
	}
	if p = rb.get("/s/" + s.ID); p.status != http.StatusOK || !shows(p, msg(t, "ar", "resident.ended")) || !strings.Contains(p.body, `href="/mine"`) {
		t.Fatalf("closed session: %d %.400s", p.status, p.body)
	}
	if p = rb.get("/j/" + s.Code); p.status != http.StatusNotFound {
		t.Fatalf("the code of a closed session: %d", p.status)
	}
}

var receiptCode = regexp.MustCompile(`^[2-9A-HJ-KM-NP-Z]{5}-[2-9A-HJ-KM-NP-Z]{5}$`)

// TestResidentMyInputAndReceipts: a resident answers over a real WebSocket;
// "my input" on the same device lists the answers with their status, no
// other device sees them; a receipt code (the same one each time) shows the
// same list on any device; unknown codes are refused and limited for the
// whole server, never per address.
func TestResidentMyInputAndReceipts(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	staff, s := e.liveSession("pre")
	b, _ := e.joined(t, s.Code, "nl")

	if p := b.postJSON("/api/v1/receipt", "{}"); p.status != http.StatusCreated {
		t.Fatalf("receipt before answering: %d %s", p.status, p.body)
	}
	jar := b.c.Jar
	r, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Jar: jar, Lang: "nl"})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Submit(ctx, "f1", protocol.SubmitData{PromptID: s.Prompts[0].ID, Answer: protocol.AnswerData{Face: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Submit(ctx, "o1", protocol.SubmitData{PromptID: s.Prompts[2].ID, Answer: protocol.AnswerData{Text: "Meer bankjes op het plein"}}); err != nil {
		t.Fatal(err)
	}

	// The list is written behind the group commit: wait for it.
	var p *page
	for deadline := time.Now().Add(10 * time.Second); ; {
		p = b.get("/mine")
		if strings.Count(p.body, `class="input"`) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if p.status != http.StatusOK || strings.Count(p.body, `class="input"`) != 2 || !shows(p, "Meer bankjes op het plein") ||
		!strings.Contains(p.body, `face-2.svg`) || !strings.Contains(p.body, `data-status="pending"`) || !strings.Contains(p.body, `data-status="received"`) {
		t.Fatalf("my input: %d\n%s", p.status, p.body)
	}
	if other := e.browser().get("/mine"); strings.Contains(other.body, `class="input"`) || !shows(other, msg(t, "nl", "resident.mine_none")) {
		t.Fatal("another device sees someone's input")
	}

	var rc struct{ Code, URL, QR string }
	p = b.postJSON("/api/v1/receipt", "{}")
	if err := json.Unmarshal([]byte(p.body), &rc); err != nil || p.status != http.StatusCreated || !receiptCode.MatchString(rc.Code) {
		t.Fatalf("receipt: %d %s", p.status, p.body)
	}
	var again struct{ Code string }
	_ = json.Unmarshal([]byte(b.postJSON("/api/v1/receipt", "{}").body), &again)
	if again.Code != rc.Code {
		t.Fatalf("a second receipt %q, want the same %q", again.Code, rc.Code)
	}
	anyone := e.browser()
	bare := strings.ReplaceAll(rc.Code, "-", "")
	for _, form := range []string{"/r/" + bare, "/r/" + strings.ToLower(rc.Code)} {
		p = anyone.get(form)
		if p.status != http.StatusOK || strings.Count(p.body, `class="input"`) != 2 || p.header.Get("X-Robots-Tag") != "noindex" {
			t.Fatalf("receipt page %s: %d", form, p.status)
		}
	}
	if p = anyone.get("/r?code=" + url.QueryEscape(rc.Code)); p.location != "/r/"+bare {
		t.Fatalf("receipt form: %d %q", p.status, p.location)
	}
	if p = anyone.get("/r/" + bare + "/qr.svg"); p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "image/svg+xml") {
		t.Fatalf("receipt QR: %d", p.status)
	}

	// Bad receipt input.
	if p = anyone.get("/r/short"); p.status != http.StatusNotFound || !shows(p, msg(t, "nl", "receipt.unknown")) {
		t.Fatalf("malformed receipt code: %d", p.status)
	}
	if p = e.browser().postJSON("/api/v1/receipt", "{}"); p.status != http.StatusUnauthorized {
		t.Fatalf("receipt without participant: %d", p.status)
	}
	if p = b.post("/api/v1/receipt", url.Values{}); p.status != http.StatusBadRequest {
		t.Fatalf("receipt as a form: %d", p.status)
	}
	// Unknown codes: 30 at once, then the whole server waits; a known code
	// is refused too while the limit holds (no address makes a difference).
	limited := 0
	for i := range 40 {
		code := strings.Repeat("Z", 9) + string("23456789ABCDEFGHJKMNPQRSTUVWXY"[i%30])
		if anyone.get("/r/"+code).status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 5 {
		t.Fatalf("unknown receipt codes were not limited: %d of 40 refused", limited)
	}
	if p = e.browser().get("/r/" + bare); p.status != http.StatusTooManyRequests {
		t.Fatalf("lookup during the limit from another client: %d", p.status)
	}
}

// TestResidentProfile: the voluntary profile is stored per session and
// participant under a hashed id, checked against the fixed answers, and
// counted on write; giving it again replaces the earlier answers.
func TestResidentProfile(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("post")
	b, _ := e.joined(t, s.Code, "nl")
	good := `{"session_id":"` + s.ID + `","age_band":"30_49","home_lang":"ar","school":"vocational","first_time":"yes"}`

	for body, field := range map[string]string{
		`{"session_id":"` + s.ID + `","age_band":"old"}`:          "age_band",
		`{"session_id":"` + s.ID + `","school":"phd"}`:            "school",
		`{"session_id":"` + s.ID + `","home_lang":"xx-notalang"}`: "home_lang",
		`{"session_id":"` + s.ID + `","first_time":"maybe"}`:      "first_time",
		`{"session_id":"nope","age_band":"30_49"}`:                "session_id",
		`{"session_id":"` + s.ID + `"}`:                           "",
	} {
		p := b.postJSON("/api/v1/profile", body)
		if ae := apiErrorOf(t, p); p.status != http.StatusBadRequest || ae.Field != field || ae.Message == "" {
			t.Errorf("profile %s: %d %+v", body, p.status, ae)
		}
	}
	if p := e.browser().postJSON("/api/v1/profile", good); p.status != http.StatusUnauthorized {
		t.Fatalf("profile without participant: %d", p.status)
	}
	if p := b.postJSON("/api/v1/profile", good); p.status != http.StatusNoContent {
		t.Fatalf("profile: %d %s", p.status, p.body)
	}
	pc, err := e.store.ProfileCounts(context.Background(), s.ID)
	if err != nil || pc.Profiles != 1 || pc.AgeBand["30_49"] != 1 || pc.HomeLang["ar"] != 1 || pc.School["vocational"] != 1 || pc.FirstTime["yes"] != 1 {
		t.Fatalf("counts after one profile: %+v %v", pc, err)
	}
	// The same resident changes an answer: replaced, not counted twice.
	if p := b.postJSON("/api/v1/profile", `{"session_id":"`+s.ID+`","age_band":"50_66","school":"none"}`); p.status != http.StatusNoContent {
		t.Fatalf("profile again: %d", p.status)
	}
	// A second resident.
	b2, _ := e.joined(t, s.Code, "nl")
	if p := b2.postJSON("/api/v1/profile", `{"session_id":"`+s.ID+`","first_time":"no"}`); p.status != http.StatusNoContent {
		t.Fatalf("second profile: %d", p.status)
	}
	pc, _ = e.store.ProfileCounts(context.Background(), s.ID)
	if pc.Profiles != 2 || pc.AgeBand["30_49"] != 0 || pc.AgeBand["50_66"] != 1 || pc.School["vocational"] != 0 || pc.School["none"] != 1 ||
		pc.HomeLang["ar"] != 0 || pc.FirstTime["yes"] != 0 || pc.FirstTime["no"] != 1 {
		t.Fatalf("counts after a change and a second profile: %+v", pc)
	}
}

// TestResidentLeave: the kiosk reset forgets the participant and the
// language on the device; the next resident gets a new participant.
func TestResidentLeave(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("post")
	b, _ := e.joined(t, s.Code, "ar")
	before := cookieOf(b, "bst_participant")
	if p := b.post("/api/v1/leave", url.Values{}); p.status != http.StatusBadRequest {
		t.Fatalf("leave as a form: %d", p.status)
	}
	req, _ := http.NewRequest(http.MethodPost, b.base+"/api/v1/leave", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://evil.example")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Fatalf("leave from another origin: %d", p.status)
	}
	if p := b.postJSON("/api/v1/leave", "{}"); p.status != http.StatusNoContent || !clearsCookie(p, "bst_participant") || !clearsCookie(p, "bst_lang") {
		t.Fatalf("leave: %d %v", p.status, p.header)
	}
	if p := b.get("/"); !strings.Contains(p.body, "lang-choice") {
		t.Fatal("after leave the device does not start at the language screen")
	}
	e.joined(t, s.Code, "nl")
	b.get("/j/" + s.Code + "?lang=nl")
	if after := cookieOf(b, "bst_participant"); after == "" || after == before {
		t.Fatalf("participant after leave: %q (before %q)", after, before)
	}
}

func cookieOf(b *browser, name string) string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var _ = model.StateOpen
