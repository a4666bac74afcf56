package app_test

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/qrsvg"
	"github.com/buurtstem/buurtstem/server/receipts"
)

// Receipt slips printed from the console (#5): an intermediary makes a
// sheet of slips, each a receipt code with the QR code of /r/{code}; when
// entering an answer for a resident without a phone, the slip's code binds
// the answer to the slip, and /r/{code} shows it.

var slipCode = regexp.MustCompile(`data-code="([2-9A-Z]{5}-[2-9A-Z]{5})"`)

// makeSlips posts the form and returns the sheet's path and page.
func makeSlips(t *testing.T, b *browser, base string, count, lang string) (string, *page) {
	t.Helper()
	form := b.get(base + "/slips")
	if form.status != http.StatusOK {
		t.Fatalf("slips form: %d", form.status)
	}
	p := b.post(base+"/slips", url.Values{"csrf": {form.csrf(t)}, "count": {count}, "lang": {lang}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, base+"/slips?sheet=") {
		t.Fatalf("making %s slips: %d %q %.300s", count, p.status, p.location, p.body)
	}
	return p.location, b.get(p.location)
}

// TestReceiptSlips: the sheet holds the slips asked for, in the chosen
// language, each with its code and the QR code of its receipt page; bad
// counts are refused with a translated message; reviewers may not make
// slips, and another organisation's staff find nothing.
func TestReceiptSlips(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("post")
	base := "/orgs/" + demo.OrgID + "/sessions/" + s.ID
	im := e.staffBrowser("intermediary")

	console := im.get(base + "/console")
	if console.status != http.StatusOK || !strings.Contains(console.body, `href="`+base+`/slips"`) || !strings.Contains(console.body, `id="assist-receipt"`) {
		t.Fatalf("the console links to the slips and asks for a slip code: %d", console.status)
	}

	sheetPath, sheet := makeSlips(t, im, base, "3", "ar")
	if sheet.status != http.StatusOK || sheet.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("sheet: %d %q", sheet.status, sheet.header.Get("Cache-Control"))
	}
	codes := slipCode.FindAllStringSubmatch(sheet.body, -1)
	if len(codes) != 3 {
		t.Fatalf("sheet holds %d slips, want 3", len(codes))
	}
	secret, err := e.store.Secret(context.Background(), "receipt_links")
	if err != nil {
		t.Fatal(err)
	}
	links := receipts.NewLinks(secret)
	seen := map[string]bool{}
	for _, m := range codes {
		code := strings.ReplaceAll(m[1], "-", "")
		if seen[code] {
			t.Fatalf("code %s twice on one sheet", code)
		}
		seen[code] = true
		// The QR code on the slip is the one of /r/{code} signed with the
		// server's receipt link secret (receipts.Links), drawn here.
		qr, err := qrsvg.Encode(e.url+links.Path(code), msg(t, "ar", "receipt.qr_title", "Code", m[1]))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sheet.body, string(qr)) {
			t.Errorf("slip %s: no QR code of %s/r/%s", m[1], e.url, code)
		}
		r, err := e.store.Receipt(context.Background(), code)
		if err != nil || r.OrgID != demo.OrgID || r.SessionID != s.ID || !strings.HasPrefix(r.ParticipantID, receipts.SlipPrefix) {
			t.Errorf("stored slip %s: %+v %v", code, r, err)
		}
		// Nothing given yet: the receipt page is there, and empty.
		if p := e.browser().get("/r/" + code); p.status != http.StatusOK || strings.Contains(p.body, `class="input"`) {
			t.Errorf("/r/%s before any answer: %d", code, p.status)
		}
	}
	for _, text := range []string{"receipt.slip_title", "receipt.slip_text"} {
		if !strings.Contains(sheet.body, html.EscapeString(msg(t, "ar", text))) {
			t.Errorf("the slips do not say %s in Arabic:\n%s", text, sheet.body[strings.Index(sheet.body, `class="slips"`):][:600])
		}
	}
	if !strings.Contains(sheet.body, `class="slips" lang="ar" dir="rtl"`) || !strings.Contains(sheet.body, `/static/slips.css`) {
		t.Error("the sheet is not marked Arabic and right to left, or lacks its print style")
	}
	// The same address prints the same sheet again.
	if again := im.get(sheetPath); again.status != http.StatusOK || len(slipCode.FindAllString(again.body, -1)) != 3 ||
		slipCode.FindString(again.body) != slipCode.FindString(sheet.body) {
		t.Errorf("the sheet again: %d", again.status)
	}

	// Bad counts: a translated message, the form again, nothing made.
	form := im.get(base + "/slips")
	for _, count := range []string{"0", "41", "-3", "veel", ""} {
		p := im.post(base+"/slips", url.Values{"csrf": {form.csrf(t)}, "count": {count}, "lang": {"nl"}})
		if p.status != http.StatusBadRequest || !shows(p, msg(t, "nl", "slips.count_invalid", "Max", receipts.MaxSlips)) {
			t.Errorf("count %q: %d", count, p.status)
		}
	}
	// No CSRF token: refused.
	if p := im.post(base+"/slips", url.Values{"count": {"2"}}); p.status != http.StatusForbidden {
		t.Errorf("without the form token: %d", p.status)
	}

	// A reviewer of the organisation may see a sheet but makes none.
	rv := e.staffBrowser("reviewer")
	if p := rv.get(base + "/slips"); p.status != http.StatusOK || strings.Contains(p.body, `name="count"`) {
		t.Errorf("reviewer GET the form: %d", p.status)
	}
	if p := rv.get(sheetPath); p.status != http.StatusOK || len(slipCode.FindAllString(p.body, -1)) != 3 {
		t.Errorf("reviewer GET the sheet: %d", p.status)
	}
	if p := rv.post(base+"/slips", url.Values{"csrf": {rv.get(base + "/slips").csrf(t)}, "count": {"2"}}); p.status != http.StatusForbidden {
		t.Errorf("reviewer POST: %d", p.status)
	}

	// Another organisation's intermediary: the same 404 as for a missing
	// session or sheet, on every address.
	other := foreignIntermediary(t, e)
	missing := "/orgs/" + demo.OrgID + "/sessions/" + strings.Repeat("ab", 12)
	for _, path := range []string{base + "/slips", sheetPath, missing + "/slips"} {
		if p := other.b.get(path); p.status != http.StatusNotFound {
			t.Errorf("another organisation GET %s: %d", path, p.status)
		}
	}
	batch := sheetPath[strings.LastIndex(sheetPath, "=")+1:]
	otherBase := "/orgs/" + other.orgID + "/sessions/" + other.sessionID
	for _, path := range []string{"/orgs/" + other.orgID + "/sessions/" + s.ID + "/slips", otherBase + "/slips?sheet=" + batch} {
		if p := other.b.get(path); p.status != http.StatusNotFound {
			t.Errorf("another organisation, own org in the path, GET %s: %d", path, p.status)
		}
	}
	op := other.b.get(otherBase + "/slips")
	if p := other.b.post("/orgs/"+demo.OrgID+"/sessions/"+s.ID+"/slips", url.Values{"csrf": {op.csrf(t)}, "count": {"2"}}); p.status != http.StatusNotFound {
		t.Errorf("another organisation POST: %d", p.status)
	}
	// A sheet of the same organisation's other session is not this one's.
	_, s2 := e.liveSession("post")
	if p := im.get("/orgs/" + demo.OrgID + "/sessions/" + s2.ID + "/slips?sheet=" + batch); p.status != http.StatusNotFound {
		t.Errorf("sheet under another session: %d", p.status)
	}
}

// foreign is an intermediary of a second organisation with a session.
type foreign struct {
	b                  *browser
	orgID, sessionID   string
	api                *apiclient.Client
	email, newPassword string
}

func foreignIntermediary(t *testing.T, e *env) *foreign {
	t.Helper()
	ctx := context.Background()
	adm := e.api("admin")
	o, err := adm.CreateOrg(ctx, "Gemeente Elders")
	if err != nil {
		t.Fatal(err)
	}
	n, err := adm.CreateNeighbourhood(ctx, o.ID, apiclient.Neighbourhood{Name: "Elders", Level: "district"})
	if err != nil {
		t.Fatal(err)
	}
	ns, err := adm.CreateStaff(ctx, o.ID, "buurtwerk@elders.example", "Elders", "intermediary")
	if err != nil {
		t.Fatal(err)
	}
	f := &foreign{orgID: o.ID, email: "buurtwerk@elders.example", newPassword: "Een-heel-lang-nieuw-wachtwoord-42"}
	f.api = apiclient.New(e.url)
	if _, err := f.api.Login(ctx, f.email, ns.Password); err != nil {
		t.Fatal(err)
	}
	if err := f.api.ChangePassword(ctx, ns.Password, f.newPassword); err != nil {
		t.Fatal(err)
	}
	ls, err := f.api.CreateSession(ctx, o.ID, apiclient.SessionInput{Title: "Elders", NeighbourhoodID: n.ID, Languages: []string{"nl"},
		Prompts: []apiclient.Prompt{{Kind: "faces", Text: map[string]string{"nl": "Hoe is het hier?"}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.sessionID = ls.ID
	f.b = e.browser()
	if p := f.b.login(f.email, f.newPassword); p.status != http.StatusSeeOther {
		t.Fatalf("foreign login: %d", p.status)
	}
	return f
}

// TestReceiptSlipBindsAssistedInput: the intermediary enters two answers
// for a resident holding a slip, typing its code as a person would (lower
// case, a space); both are stored as assisted, for the slip, and the
// receipt page shows them. Codes that are not this organisation's slips
// are refused with a translated message, and a resident's phone cannot
// answer for a slip.
func TestReceiptSlipBindsAssistedInput(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	staff, s := e.liveSession("post")
	base := "/orgs/" + demo.OrgID + "/sessions/" + s.ID
	_, sheet := makeSlips(t, e.staffBrowser("intermediary"), base, "2", "nl")
	codes := slipCode.FindAllStringSubmatch(sheet.body, -1)
	if len(codes) != 2 {
		t.Fatalf("slips: %d", len(codes))
	}
	code := strings.ReplaceAll(codes[0][1], "-", "")
	typed := strings.ToLower(code[:5]) + " " + code[5:]

	im, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "intermediary", Jar: staff.Jar()})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	next[protocol.SnapshotData](t, im, protocol.TypeSnapshot)
	if err := im.Control(ctx, "go", protocol.ControlData{Action: "goto", Index: 0}); err != nil {
		t.Fatal(err)
	}
	faces, themes := s.Prompts[0].ID, s.Prompts[1].ID
	a1, err := im.Assist(ctx, "slip-a1", protocol.SubmitData{PromptID: faces, Answer: protocol.AnswerData{Face: 2}, Receipt: typed})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := im.Assist(ctx, "slip-a2", protocol.SubmitData{PromptID: themes, Answer: protocol.AnswerData{Options: []string{"safety"}}, Receipt: codes[0][1]})
	if err != nil {
		t.Fatal(err)
	}
	// An answer without a slip belongs to nobody, as before.
	if _, err := im.Assist(ctx, "no-slip", protocol.SubmitData{PromptID: faces, Answer: protocol.AnswerData{Face: 5}}); err != nil {
		t.Fatal(err)
	}
	r, err := e.store.Receipt(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a1.ContributionID, a2.ContributionID} {
		c, err := e.store.Contribution(ctx, id)
		if err != nil || !c.Assisted || c.ParticipantID != r.ParticipantID {
			t.Fatalf("assisted answer %s: %+v %v", id, c, err)
		}
	}
	// The receipt page lists both (the list is written behind the commit).
	var p *page
	for deadline := time.Now().Add(10 * time.Second); ; {
		p = e.browser().get("/r/" + code)
		if strings.Count(p.body, `class="input"`) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if p.status != http.StatusOK || strings.Count(p.body, `class="input"`) != 2 || !strings.Contains(p.body, "face-2.svg") || !strings.Contains(p.body, "theme-safety.svg") {
		t.Fatalf("receipt page of the slip: %d, %d inputs", p.status, strings.Count(p.body, `class="input"`))
	}
	// The other slip shows nothing.
	if p := e.browser().get("/r/" + strings.ReplaceAll(codes[1][1], "-", "")); strings.Contains(p.body, `class="input"`) {
		t.Error("the second slip shows input")
	}

	// Codes that are not a slip of this organisation.
	res, jar := e.resident(s.Code, live.Options{})
	next[protocol.SnapshotData](t, res, protocol.TypeSnapshot)
	phone := &browser{t: t, base: e.url, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	device := phone.postJSON("/api/v1/receipt", "{}")
	var deviceCode string
	if m := regexp.MustCompile(`"code":"([2-9A-Z-]+)"`).FindStringSubmatch(device.body); m != nil {
		deviceCode = m[1]
	} else {
		t.Fatalf("a device receipt: %d %s", device.status, device.body)
	}
	elsewhere := &model.Receipt{ParticipantID: receipts.SlipPrefix + "elders", OrgID: "other-org", SessionID: "x", CreatedAt: time.Now()}
	if err := e.store.InsertReceipt(ctx, elsewhere, receipts.NewCode); err != nil {
		t.Fatal(err)
	}
	before, _ := e.store.ContributionsOf(ctx, s.ID)
	for name, bad := range map[string]string{"unknown": "ABCDE-FGHJK", "not a code": "hallo", "a device's receipt": deviceCode,
		"another organisation's slip": elsewhere.ID} {
		_, err := im.Assist(ctx, "bad-"+strings.NewReplacer(" ", "-", "'", "").Replace(name), protocol.SubmitData{PromptID: faces, Answer: protocol.AnswerData{Face: 1}, Receipt: bad})
		var se *live.ServerError
		if !errors.As(err, &se) || se.Code != protocol.ErrInvalid || se.Field != "receipt" || se.Message != msg(t, "nl", "slips.code_unknown") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A resident's phone cannot answer for a slip.
	_, err = res.Submit(ctx, "phone-slip", protocol.SubmitData{PromptID: faces, Answer: protocol.AnswerData{Face: 1}, Receipt: code})
	var se *live.ServerError
	if !errors.As(err, &se) || se.Code != protocol.ErrBadData {
		t.Errorf("a resident submitting with a slip code: %v", err)
	}
	if after, _ := e.store.ContributionsOf(ctx, s.ID); len(after) != len(before) {
		t.Errorf("refused answers stored: %d → %d", len(before), len(after))
	}
}
