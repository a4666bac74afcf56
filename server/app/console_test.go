package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
)

var sessionLocation = regexp.MustCompile(`^/orgs/[^/]+/sessions/([0-9a-f]+)`)

// sessionID returns the session id a redirect points to.
func sessionID(t *testing.T, p *page) string {
	t.Helper()
	m := sessionLocation.FindStringSubmatch(p.location)
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("want a redirect to a session, got %d %q: %.300s", p.status, p.location, p.body)
	}
	return m[1]
}

// stored reads a session from the store, as the test's ground truth.
func (e *env) stored(id string) *model.Session {
	e.t.Helper()
	s, err := e.store.Session(context.Background(), demo.OrgID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// form is a posted form with the session's CSRF token and version.
func form(csrf string, s *model.Session, kv ...string) url.Values {
	f := url.Values{"csrf": {csrf}, "version": {strconv.Itoa(s.Version)}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

func contains(t *testing.T, p *page, what ...string) {
	t.Helper()
	for _, w := range what {
		if !strings.Contains(p.body, w) {
			t.Errorf("page (status %d) lacks %q", p.status, w)
		}
	}
}

// TestConsoleForms drives the console's plain HTML forms as the demo
// intermediary, in English: create a session (a refused one first, which
// keeps what was typed), add, change, move and remove prompts, open it,
// move through it, close it and copy it. Every change reaches live devices.
func TestConsoleForms(t *testing.T) {
	e := start(t)
	b := e.staffBrowser("intermediary")
	b.lang = "en"
	base := "/orgs/" + demo.OrgID + "/sessions"

	list := b.get(base)
	if list.status != http.StatusOK {
		t.Fatalf("list: %d", list.status)
	}
	contains(t, list, `action="`+base+`"`, "Create session")
	csrf := list.csrf(t)

	// A session without a title: 400, the message in English, every typed
	// value kept.
	bad := b.post(base, url.Values{"csrf": {csrf}, "title": {"  "}, "neighbourhood_id": {demo.BuurtBID},
		"venue_id": {demo.VenueID}, "languages": {"nl", "ar"}, "moderation": {"post"}, "pace": {"self"}})
	if bad.status != http.StatusBadRequest {
		t.Fatalf("empty title: %d", bad.status)
	}
	contains(t, bad, "Please fill this in.", `value="`+demo.BuurtBID+`" selected`, `value="`+demo.VenueID+`" selected`,
		`id="s-lang-ar" name="languages" value="ar" checked`, `id="s-mod-post" name="moderation" value="post" checked`,
		`id="s-pace-self" name="pace" value="self" checked`, "<details class=\"card\" open>")
	if strings.Contains(bad.body, `id="s-lang-tr" name="languages" value="tr" checked`) {
		t.Error("a language that was not ticked is ticked")
	}
	// A language the server does not ship.
	bad = b.post(base, url.Values{"csrf": {csrf}, "title": {"Avond"}, "neighbourhood_id": {demo.BuurtAID}, "languages": {"xx"}})
	if bad.status != http.StatusBadRequest {
		t.Fatalf("bad language: %d", bad.status)
	}
	contains(t, bad, `value="Avond"`, "field-error")

	id := sessionID(t, b.post(base, url.Values{"csrf": {csrf}, "title": {"Evening at De Linde"}, "neighbourhood_id": {demo.BuurtAID},
		"venue_id": {demo.VenueID}, "languages": {"nl", "ar"}, "moderation": {"pre"}, "pace": {"led"}}))
	path := base + "/" + id
	s := e.stored(id)
	if s.Title != "Evening at De Linde" || s.State != model.StateDraft || len(s.Languages) != 2 || s.CreatedBy != "demo-intermediary" {
		t.Fatalf("created: %+v", s)
	}
	pg := b.get(path)
	contains(t, pg, "Evening at De Linde", "There are no questions yet.", `action="`+path+`/prompts"`)

	// Prompts of each kind. A picture prompt with one choice is refused and
	// keeps its typed text; then it gets two, with a pictogram.
	add := func(kind string, kv ...string) *page {
		return b.post(path+"/prompts", form(csrf, e.stored(id), append([]string{"kind", kind}, kv...)...))
	}
	if p := add("faces", "text.nl", "Hoe is het om hier te wonen?", "text.ar", "كيف الحياة هنا؟"); p.status != http.StatusSeeOther {
		t.Fatalf("faces: %d %.300s", p.status, p.body)
	}
	p := add("picture", "text.nl", "Wat wilt u op het plein?", "option.0.label.nl", "Bankjes")
	if p.status != http.StatusBadRequest {
		t.Fatalf("one option: %d", p.status)
	}
	contains(t, p, "A choice question has 2 to 12 choices.", `value="Wat wilt u op het plein?"`, `value="Bankjes"`)
	p = add("picture", "text.nl", "Wat wilt u op het plein?", "option.0.label.nl", "Bankjes", "option.0.pictogram", "theme-housing",
		"option.1.label.nl", "Bomen", "option.2.label.nl", "")
	if p.status != http.StatusSeeOther {
		t.Fatalf("picture: %d %.300s", p.status, p.body)
	}
	// Text is required in the session's first language.
	p = add("open", "text.ar", "ماذا يمكن أن يكون أفضل؟", "allow", "text")
	if p.status != http.StatusBadRequest {
		t.Fatalf("no Dutch text: %d", p.status)
	}
	contains(t, p, "Fill in the text for language nl.", "ماذا يمكن أن يكون أفضل؟")
	for _, kv := range [][]string{
		{"open", "text.nl", "Wat kan beter?", "allow", "text", "allow", "voice"},
		{"themes", "text.nl", "Waar gaat het over?", "multiple", "1"},
		{"dots", "text.nl", "Wat eerst?", "dots", "3"},
		{"feedback", "text.nl", "Wat is er gedaan?"},
	} {
		if p := add(kv[0], kv[1:]...); p.status != http.StatusSeeOther {
			t.Fatalf("%s: %d %.300s", kv[0], p.status, p.body)
		}
	}
	s = e.stored(id)
	var kinds []string
	for _, pr := range s.Prompts {
		kinds = append(kinds, string(pr.Kind))
	}
	if strings.Join(kinds, " ") != "faces picture open themes dots feedback" {
		t.Fatalf("prompts: %v", kinds)
	}
	if pic := s.Prompts[1]; len(pic.Options) != 2 || pic.Options[0].Pictogram != "theme-housing" || pic.Options[1].Label["nl"] != "Bomen" {
		t.Fatalf("picture options: %+v", pic.Options)
	}
	if op := s.Prompts[2]; strings.Join(op.Allow, ",") != "text,voice" {
		t.Fatalf("open allows %v", op.Allow)
	}
	if th, d := s.Prompts[3], s.Prompts[4]; !th.Multiple || d.Dots != 3 {
		t.Fatalf("themes multiple %v, dots %d", th.Multiple, d.Dots)
	}

	// Change a prompt, move one, remove one.
	themes := s.Prompts[3].ID
	if p := b.post(path+"/prompts/save", form(csrf, s, "prompt", themes, "kind", "themes", "text.nl", "Welk onderwerp?")); p.status != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", p.status, p.body)
	}
	if p := b.post(path+"/prompts/move", form(csrf, e.stored(id), "prompt", themes, "direction", "up")); p.status != http.StatusSeeOther {
		t.Fatalf("move: %d", p.status)
	}
	if p := b.post(path+"/prompts/delete", form(csrf, e.stored(id), "prompt", e.stored(id).Prompts[5].ID)); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.status)
	}
	s = e.stored(id)
	if len(s.Prompts) != 5 || s.Prompts[2].ID != themes || s.Prompts[2].Text["nl"] != "Welk onderwerp?" || s.Prompts[2].Multiple {
		t.Fatalf("after save, move and delete: %+v", s.Prompts)
	}
	// A form based on an old version is refused, not applied.
	stale := form(csrf, s, "prompt", themes, "kind", "themes", "text.nl", "Oud")
	stale.Set("version", strconv.Itoa(s.Version-1))
	p = b.post(path+"/prompts/save", stale)
	if p.status != http.StatusConflict {
		t.Fatalf("stale save: %d", p.status)
	}
	contains(t, p, "Someone else just changed this session. Reload the page.", `value="Oud"`)
	if e.stored(id).Prompts[2].Text["nl"] != "Welk onderwerp?" {
		t.Fatal("a stale form changed the prompt")
	}
	// Details: a bad neighbourhood keeps the typed title.
	p = b.post(path, form(csrf, s, "title", "Nieuwe naam", "neighbourhood_id", "no-such", "languages", "nl"))
	if p.status != http.StatusBadRequest {
		t.Fatalf("details: %d", p.status)
	}
	contains(t, p, `value="Nieuwe naam"`, "field-error")
	if p := b.post(path, form(csrf, s, "title", "Evening at De Linde", "neighbourhood_id", demo.BuurtAID, "languages", "nl", "languages", "ar", "moderation", "pre", "pace", "led")); p.status != http.StatusSeeOther {
		t.Fatalf("details: %d %.300s", p.status, p.body)
	}

	// Open: the console shows the join code large and the QR code.
	p = b.post(path+"/open", url.Values{"csrf": {csrf}})
	if p.status != http.StatusSeeOther || p.location != path+"/console" {
		t.Fatalf("open: %d %q", p.status, p.location)
	}
	s = e.stored(id)
	if s.State != model.StateOpen || len(s.Code) != 6 {
		t.Fatalf("opened: %+v", s)
	}
	console := b.get(path + "/console")
	contains(t, console, `<p class="join-code">`+s.Code+`</p>`, path+`/qr.svg`, "/static/console.js",
		"projector?key="+s.ProjectorKey, "The session is open. Residents can now join with the code.")

	// A projector follows; the console's buttons without JavaScript move
	// the session, and the projector hears it.
	proj, err := live.Dial(context.Background(), live.Options{Base: e.url, Session: id, Role: "projector", Key: s.ProjectorKey})
	if err != nil {
		t.Fatal(err)
	}
	defer proj.Close()
	next[protocol.SnapshotData](t, proj, protocol.TypeSnapshot)
	if p := b.post(path+"/move", url.Values{"csrf": {csrf}, "action": {"start"}}); p.status != http.StatusSeeOther {
		t.Fatalf("start: %d", p.status)
	}
	if _, st := next[protocol.StateData](t, proj, protocol.TypeState); st.State != "running" || st.Current != 0 {
		t.Fatalf("after start: %+v", st)
	}
	for _, step := range []struct {
		form url.Values
		want int
	}{
		{url.Values{"action": {"next"}}, 1},
		{url.Values{"action": {"goto"}, "index": {"4"}}, 4},
		{url.Values{"action": {"next"}}, 4}, // the last stays the last
		{url.Values{"action": {"prev"}}, 3},
		{url.Values{"index": {"-1"}}, -1}, // goto is the default
	} {
		step.form.Set("csrf", csrf)
		if p := b.post(path+"/move", step.form); p.status != http.StatusSeeOther {
			t.Fatalf("%v: %d", step.form, p.status)
		}
		if _, st := next[protocol.StateData](t, proj, protocol.TypeState); st.Current != step.want {
			t.Fatalf("%v: current %d, want %d", step.form, st.Current, step.want)
		}
	}
	if p := b.post(path+"/move", url.Values{"csrf": {csrf}, "action": {"goto"}, "index": {"9"}}); p.status != http.StatusBadRequest {
		t.Fatalf("goto a prompt that does not exist: %d", p.status)
	}
	// An edit while open reaches the projector with the new prompts.
	if p := b.post(path+"/prompts/save", form(csrf, e.stored(id), "prompt", themes, "kind", "themes", "text.nl", "Waarover gaat het?")); p.status != http.StatusSeeOther {
		t.Fatalf("save while open: %d", p.status)
	}
	if _, st := next[protocol.StateData](t, proj, protocol.TypeState); st.Session == nil || st.Session.Prompts[2].Text["nl"] != "Waarover gaat het?" {
		t.Fatalf("edit while open: %+v", st)
	}

	// Copy as a template: a new draft with the same prompts and new ids.
	cp := sessionID(t, b.post(path+"/copy", url.Values{"csrf": {csrf}}))
	if c := e.stored(cp); c.State != model.StateDraft || c.Code != "" || len(c.Prompts) != 5 || c.Prompts[0].ID == s.Prompts[0].ID || c.ProjectorKey == s.ProjectorKey {
		t.Fatalf("copy: %+v", c)
	}
	contains(t, b.get(base+"/"+cp), "A copy was made. You now see the copy.")

	// Close: the projector is told, the code is free, the forms are gone.
	if p := b.post(path+"/close", url.Values{"csrf": {csrf}}); p.status != http.StatusSeeOther {
		t.Fatalf("close: %d", p.status)
	}
	if _, st := next[protocol.StateData](t, proj, protocol.TypeState); st.State != "closed" {
		t.Fatalf("after close: %+v", st)
	}
	if c := e.stored(id); c.State != model.StateClosed || c.Code != "" {
		t.Fatalf("closed: %+v", c)
	}
	pg = b.get(path)
	if pg.status != http.StatusOK || strings.Contains(pg.body, `action="`+path+`/prompts"`) {
		t.Fatalf("closed session page: %d, prompt forms shown", pg.status)
	}
	if q := b.get(path + "/qr.svg"); q.status != http.StatusConflict {
		t.Fatalf("QR of a closed session: %d", q.status)
	}
	p = b.post(path+"/prompts", form(csrf, e.stored(id), "kind", "faces", "text.nl", "Te laat"))
	if p.status != http.StatusConflict {
		t.Fatalf("adding to a closed session: %d", p.status)
	}
	contains(t, p, "This session has already ended.")
}

// TestConsoleReadOnlyForReviewers: reviewers see sessions without forms
// and cannot change them.
func TestConsoleReadOnlyForReviewers(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("pre")
	b := e.staffBrowser("reviewer")
	path := "/orgs/" + demo.OrgID + "/sessions/" + s.ID
	for _, u := range []string{"/orgs/" + demo.OrgID + "/sessions", path, path + "/console"} {
		p := b.get(u)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", u, p.status)
		}
		for _, form := range []string{`action="` + path + `/prompts"`, `action="/orgs/` + demo.OrgID + `/sessions"`, `/static/console.js`, `action="` + path + `/move"`} {
			if strings.Contains(p.body, form) {
				t.Errorf("%s shows %s to a reviewer", u, form)
			}
		}
	}
	csrf := b.get(path).csrf(t)
	for _, u := range []string{path + "/open", path + "/close", path + "/copy", path + "/move", path + "/prompts"} {
		if p := b.post(u, url.Values{"csrf": {csrf}, "kind": {"faces"}, "text.nl": {"x"}, "index": {"0"}}); p.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", u, p.status)
		}
	}
}

// TestQRCode: an open session's join link as SVG; none for a draft; 404
// for another organisation's session, whichever organisation the URL names.
func TestQRCode(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.liveSession("pre")
	b := e.staffBrowser("intermediary")
	path := "/orgs/" + demo.OrgID + "/sessions/" + s.ID
	q := b.get(path + "/qr.svg")
	if q.status != http.StatusOK || q.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(q.body, "<svg") ||
		!strings.Contains(q.body, "<path") || !strings.Contains(q.body, s.Code) {
		t.Fatalf("QR: %d %q %.100s", q.status, q.header.Get("Content-Type"), q.body)
	}
	if again := b.get(path + "/qr.svg"); again.body != q.body {
		t.Fatal("the same session gave two QR codes")
	}

	// Another organisation with a session of its own.
	root := e.api("admin")
	o, err := root.CreateOrg(ctx, "Gemeente Andersdorp")
	if err != nil {
		t.Fatal(err)
	}
	n, err := root.CreateNeighbourhood(ctx, o.ID, apiclient.Neighbourhood{Level: "district", Name: "Centrum"})
	if err != nil {
		t.Fatal(err)
	}
	os, err := root.CreateSession(ctx, o.ID, apiclient.SessionInput{Title: "Elders", NeighbourhoodID: n.ID, Languages: []string{"nl"},
		Prompts: []apiclient.Prompt{{Kind: "faces", Text: map[string]string{"nl": "Hoe?"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if os, err = root.SessionAction(ctx, o.ID, os.ID, "open"); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"/orgs/" + demo.OrgID + "/sessions/" + os.ID + "/qr.svg", "/orgs/" + o.ID + "/sessions/" + os.ID + "/qr.svg"} {
		if p := b.get(u); p.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", u, p.status)
		}
	}
	// A draft has no join code yet.
	d, err := e.api("intermediary").CreateSession(ctx, demo.OrgID, apiclient.SessionInput{Title: "Later", NeighbourhoodID: demo.BuurtAID,
		Languages: []string{"nl"}, Prompts: []apiclient.Prompt{{Kind: "faces", Text: map[string]string{"nl": "Hoe?"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if p := b.get("/orgs/" + demo.OrgID + "/sessions/" + d.ID + "/qr.svg"); p.status != http.StatusConflict {
		t.Fatalf("QR of a draft: %d", p.status)
	}
}

// TestProjectorPage: no login needed; the right key shows the page, a
// wrong or missing key a translated 403, an unknown session or another
// organisation in the URL 404.
func TestProjectorPage(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("pre")
	b := e.browser() // nobody logged in
	b.lang = "en"
	path := "/orgs/" + demo.OrgID + "/sessions/" + s.ID + "/projector"
	key := s.ProjectorKey()

	p := b.get(path + "?key=" + url.QueryEscape(key))
	if p.status != http.StatusOK {
		t.Fatalf("right key: %d %.300s", p.status, p.body)
	}
	contains(t, p, s.Code[:3]+" "+s.Code[3:], "<svg", "Avond in De Linde", "Hoe is het om hier te wonen?",
		`lang="ar" dir="rtl"`, "/static/projector.js", `data-key="`+key+`"`, `class="projector"`, "/static/pictograms/face-5.svg")
	if strings.Contains(p.body, `class="top"`) || strings.Contains(p.body, "/logout") {
		t.Error("the projector shows the staff header")
	}
	if cc := p.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	for _, k := range []string{"", "wrong", key[:len(key)-1], key + "x"} {
		p := b.get(path + "?key=" + url.QueryEscape(k))
		if p.status != http.StatusForbidden {
			t.Fatalf("key %q: %d", k, p.status)
		}
		contains(t, p, "Not allowed", html.EscapeString("This link does not work. Open the projector screen again from the session."))
	}
	for _, u := range []string{
		"/orgs/" + demo.OrgID + "/sessions/no-such-session/projector?key=" + url.QueryEscape(key),
		"/orgs/other-org/sessions/" + s.ID + "/projector?key=" + url.QueryEscape(key),
	} {
		if p := b.get(u); p.status != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", u, p.status)
		}
	}
	// The key works for a live connection as a projector, and only it.
	ctx := context.Background()
	if _, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "projector", Key: "wrong"}); err == nil {
		t.Fatal("a wrong key opened a projector connection")
	}
	c, err := live.Dial(ctx, live.Options{Base: e.url, Session: s.ID, Role: "projector", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}
