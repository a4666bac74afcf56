package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/media/mediatest"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/uploads"
)

// Voice notes, photos and prompt recordings over real HTTP and a real
// WebSocket: uploads good and bad, answers that use them, who may play
// them back, prompts read aloud, and the retention purge.

// mediaSession creates, opens and starts a led session whose only prompt
// is an open question with the given answer kinds.
func (e *env) mediaSession(allow ...string) (*apiclient.Client, *apiclient.LiveSession) {
	e.t.Helper()
	ctx := context.Background()
	staff := e.api("intermediary")
	s, err := staff.CreateSession(ctx, demo.OrgID, apiclient.SessionInput{
		Title: "Spreekuur", NeighbourhoodID: demo.BuurtAID, Languages: []string{"nl", "ar"}, Moderation: "post", Pace: "led",
		Prompts: []apiclient.Prompt{{Kind: "open", Allow: allow, Text: map[string]string{"nl": "Wat kan beter?"}}},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if s, err = staff.SessionAction(ctx, demo.OrgID, s.ID, "open"); err != nil {
		e.t.Fatal(err)
	}
	if s, err = staff.MoveSession(ctx, demo.OrgID, s.ID, 0); err != nil {
		e.t.Fatal(err)
	}
	return staff, s
}

// participant is a resident's device: its cookie jar after joining.
type participant struct {
	t   *testing.T
	e   *env
	jar *cookiejar.Jar
	c   *http.Client
}

func (e *env) participant(code string) *participant {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	if code != "" {
		if _, err := live.Join(context.Background(), e.url, code, jar); err != nil {
			e.t.Fatal(err)
		}
	}
	return &participant{t: e.t, e: e, jar: jar, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// upload posts a file as the resident client does.
func (p *participant) upload(sessionID, kind, contentType string, body []byte, lang string) *page {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.e.url+"/live/"+sessionID+"/media?kind="+kind, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", p.e.url)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	return doRequest(p.t, p.c, req)
}

func (p *participant) uploadOK(sessionID, kind, contentType string, body []byte) string {
	p.t.Helper()
	r := p.upload(sessionID, kind, contentType, body, "")
	var out struct {
		MediaID string `json:"media_id"`
		Kind    string `json:"kind"`
		Bytes   int64  `json:"bytes"`
	}
	if r.status != http.StatusCreated || json.Unmarshal([]byte(r.body), &out) != nil || len(out.MediaID) != 32 ||
		out.Kind != kind || out.Bytes <= 0 {
		p.t.Fatalf("upload %s: %d %.300s", kind, r.status, r.body)
	}
	return out.MediaID
}

func (p *participant) get(path string, header ...string) *page {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.e.url+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return doRequest(p.t, p.c, req)
}

// mediaCount counts the stored voice notes and photos of the demo
// organisation.
func (e *env) mediaCount() int {
	e.t.Helper()
	ms, err := e.store.ExpiredMedia(context.Background(), demo.OrgID, []string{model.MediaVoice, model.MediaPhoto},
		time.Now().Add(time.Hour), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ms)
}

// TestMediaUploadAndPlayback: a voice note and a phone photo go up, the
// photo comes back without its EXIF block, and only the uploader and the
// organisation's staff may play them.
func TestMediaUploadAndPlayback(t *testing.T) {
	e := start(t)
	_, s := e.mediaSession("voice", "photo", "text")
	me := e.participant(s.Code)
	voice := mediatest.WebM(5*time.Second, mediatest.WebMOptions{})
	voiceID := me.uploadOK(s.ID, "voice", "audio/webm;codecs=opus", voice)
	photoID := me.uploadOK(s.ID, "photo", "image/jpeg", mediatest.PhotoWithEXIF(400, 200, 6))

	r := me.get("/media/" + voiceID)
	if r.status != http.StatusOK || r.body != string(voice) {
		t.Fatalf("own voice note: %d, %d bytes", r.status, len(r.body))
	}
	for h, want := range map[string]string{"Content-Type": "audio/webm", "X-Content-Type-Options": "nosniff",
		"Content-Security-Policy": "sandbox", "Cache-Control": "private"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s: %q, want %q", h, got, want)
		}
	}
	r = me.get("/media/"+voiceID, "Range", "bytes=10-19")
	if r.status != http.StatusPartialContent || r.body != string(voice[10:20]) ||
		r.header.Get("Content-Range") != "bytes 10-19/"+strconv.Itoa(len(voice)) {
		t.Errorf("range: %d %q %q", r.status, r.header.Get("Content-Range"), r.body)
	}

	r = me.get("/media/" + photoID)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("own photo: %d %s", r.status, r.header.Get("Content-Type"))
	}
	for _, secret := range mediatest.Secrets {
		if strings.Contains(r.body, secret) {
			t.Errorf("stored photo still holds %q", secret)
		}
	}

	// Staff of the organisation, any role: yes.
	for _, role := range []string{"admin", "reviewer", "intermediary"} {
		b := e.staffBrowser(role)
		if p := b.get("/media/" + photoID); p.status != http.StatusOK || p.header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("%s of the organisation: %d", role, p.status)
		}
	}
	// Another resident, nobody, another organisation's staff: the same 404
	// as each of them gets for an id that does not exist.
	other := e.participant(s.Code)
	nobody := e.participant("")
	foreign := e.foreignStaff()
	missing := strings.Repeat("ab", 16)
	for name, get := range map[string]func(string) *page{
		"other participant":          func(id string) *page { return other.get("/media/" + id) },
		"no participant":             func(id string) *page { return nobody.get("/media/" + id) },
		"other organisation's staff": func(id string) *page { return foreign.get("/media/" + id) },
	} {
		p, q := get(voiceID), get(missing)
		if p.status != http.StatusNotFound || q.status != http.StatusNotFound {
			t.Errorf("%s: %d, unknown id %d", name, p.status, q.status)
		}
		if a, b := normalise(p.body), normalise(q.body); a != b {
			t.Errorf("%s: the refusal differs from a missing file: %s", name, firstDiff(a, b))
		}
	}
}

// foreignStaff is a reviewer of a second organisation, logged in.
func (e *env) foreignStaff() *browser {
	e.t.Helper()
	ctx := context.Background()
	adm := e.api("admin")
	o, err := adm.CreateOrg(ctx, "Gemeente Elders")
	if err != nil {
		e.t.Fatal(err)
	}
	ns, err := adm.CreateStaff(ctx, o.ID, "elders@example.org", "Elders", "reviewer")
	if err != nil {
		e.t.Fatal(err)
	}
	c := apiclient.New(e.url)
	if _, err := c.Login(ctx, "elders@example.org", ns.Password); err != nil {
		e.t.Fatal(err)
	}
	if err := c.ChangePassword(ctx, ns.Password, "Een-heel-lang-nieuw-wachtwoord-42"); err != nil {
		e.t.Fatal(err)
	}
	b := e.browser()
	if p := b.login("elders@example.org", "Een-heel-lang-nieuw-wachtwoord-42"); p.status != http.StatusSeeOther {
		e.t.Fatalf("foreign login: %d", p.status)
	}
	return b
}

// TestMediaBadUploads: every bad file the issue lists is refused with a
// translated message naming the field, in every shipped language, and
// nothing is stored.
func TestMediaBadUploads(t *testing.T) {
	e := start(t)
	// One device sends every case in six languages: far more than a
	// resident's upload budget, which TestUploadBudgetPerParticipant tests.
	e.srv.Uploads().SetBudget(uploads.Budget{Burst: 1000, Every: time.Millisecond})
	staff, s := e.mediaSession("voice", "photo")
	me := e.participant(s.Code)
	nobody := e.participant("")
	webm := mediatest.WebM(5*time.Second, mediatest.WebMOptions{})
	jpg := mediatest.JPEG(mediatest.Image(64, 64))
	bomb := mediatest.Bomb(50000, 50000)

	draft, err := staff.CreateSession(context.Background(), demo.OrgID, apiclient.SessionInput{
		Title: "Nog niet open", NeighbourhoodID: demo.BuurtAID, Languages: []string{"nl"},
		Prompts: []apiclient.Prompt{{Kind: "open", Text: map[string]string{"nl": "Wat kan beter?"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, closed := e.mediaSession("voice")
	if _, err := staff.SessionAction(context.Background(), demo.OrgID, closed.ID, "close"); err != nil {
		t.Fatal(err)
	}

	before := e.mediaCount()
	for _, tc := range []struct {
		name              string
		who               *participant
		session, kind, ct string
		body              []byte
		status            int
		field, msgID      string
		args              []any
	}{
		{"html as audio", me, s.ID, "voice", "audio/webm", []byte("<!DOCTYPE html><script>alert(1)</script>"), 400, "file", "answer.file_not_audio", nil},
		{"svg as image", me, s.ID, "photo", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), 400, "file", "answer.file_not_photo", nil},
		{"svg declared as svg", me, s.ID, "photo", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), 400, "file", "answer.file_not_photo", nil},
		{"wrong magic bytes", me, s.ID, "voice", "audio/mp4", append([]byte("\x00\x00\x00\x18ftypqt  "), webm...), 400, "file", "answer.file_not_audio", nil},
		{"photo bytes as voice", me, s.ID, "voice", "audio/webm", jpg, 400, "file", "answer.file_not_audio", nil},
		{"truncated recording", me, s.ID, "voice", "audio/webm", webm[:len(webm)*2/3+1], 400, "file", "answer.file_broken", nil},
		{"truncated photo", me, s.ID, "photo", "image/jpeg", jpg[:len(jpg)/2], 400, "file", "answer.file_broken", nil},
		{"zero bytes", me, s.ID, "voice", "audio/webm", nil, 400, "file", "answer.file_empty", nil},
		{"too big voice note", me, s.ID, "voice", "audio/webm", append(bytes.Clone(webm), make([]byte, 2<<20)...), 400, "file", "answer.file_too_large", []any{"Max", 2}},
		{"too long voice note", me, s.ID, "voice", "audio/webm", mediatest.WebM(61*time.Second, mediatest.WebMOptions{}), 400, "file", "answer.file_too_long", []any{"Max", 60}},
		{"huge dimensions", me, s.ID, "photo", "image/png", bomb, 400, "file", "answer.file_too_many_pixels", nil},
		{"unknown kind", me, s.ID, "video", "video/webm", webm, 400, "kind", "answer.file_kind_invalid", nil},
		{"no participant cookie", nobody, s.ID, "voice", "audio/webm", webm, 401, "", "join.required", nil},
		{"session not open yet", me, draft.ID, "voice", "audio/webm", webm, 409, "session", "live.error.not_running", nil},
		{"session closed", me, closed.ID, "voice", "audio/webm", webm, 409, "session", "join.closed", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, lang := range []string{"nl", "en", "ar", "tr", "pl", "uk"} {
				r := tc.who.upload(tc.session, tc.kind, tc.ct, tc.body, lang)
				ae := apiErrorOf(t, r)
				if want := msg(t, lang, tc.msgID, tc.args...); r.status != tc.status || ae.Field != tc.field || ae.Message != want {
					t.Errorf("%s: %d %+v, want %d field %q %q", lang, r.status, ae, tc.status, tc.field, want)
				}
			}
		})
	}
	if after := e.mediaCount(); after != before {
		t.Errorf("bad uploads stored %d files", after-before)
	}
}

// TestMediaBodyOverServerLimit: a body over the server's limit gets the
// app's translated JSON 413, not fasthttp's bare one.
func TestMediaBodyOverServerLimit(t *testing.T) {
	e := start(t, "BUURTSTEM_MAX_BODY_MB", "1")
	_, s := e.mediaSession("photo")
	me := e.participant(s.Code)
	u, _ := url.Parse(e.url)
	var cookies []string
	for _, c := range me.jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	for _, lang := range []string{"nl", "ar"} {
		p := sendLarge(t, e.url, "POST", "/live/"+s.ID+"/media?kind=photo", lang, "image/jpeg",
			strings.Repeat("x", 2<<20), strings.Join(cookies, "; "))
		if ae := apiErrorOf(t, p); p.status != http.StatusRequestEntityTooLarge || ae.Code != "too_large" ||
			ae.Message != msg(t, lang, "error.too_large", "Max", 1) {
			t.Errorf("%s: %d %+v", lang, p.status, ae)
		}
	}
}

// TestMediaAnswerOverWebSocket: the uploaded file is answered with over the
// live connection and stored with its kind; someone else's file, a file of
// another session and a kind the prompt does not allow are refused.
func TestMediaAnswerOverWebSocket(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.mediaSession("voice")
	_, s2 := e.mediaSession("voice", "photo")
	conn, jar := e.resident(s.Code, live.Options{})
	me := &participant{t: t, e: e, jar: jar, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	_, snap := next[protocol.SnapshotData](t, conn, protocol.TypeSnapshot)
	promptID := snap.Session.Prompts[0].ID

	voiceID := me.uploadOK(s.ID, "voice", "audio/webm", mediatest.WebM(3*time.Second, mediatest.WebMOptions{}))
	ack, err := conn.Submit(ctx, "v1", protocol.SubmitData{PromptID: promptID,
		Answer: protocol.AnswerData{MediaID: voiceID, Text: "Bij de speeltuin"}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.store.Contribution(ctx, ack.ContributionID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Answer.MediaID != voiceID || c.Answer.MediaKind != "voice" || c.Answer.Text != "Bij de speeltuin" {
		t.Errorf("stored answer %+v", c.Answer)
	}
	if m, _ := e.store.Media(ctx, voiceID); m == nil || len(m.Contributions) != 1 || m.Contributions[0] != c.ID {
		t.Errorf("file not linked to its contribution: %+v", m)
	}

	n := 0
	refused := func(name, mediaID, msgID string) {
		t.Helper()
		n++
		_, err := conn.Submit(ctx, "refused-"+strconv.Itoa(n), protocol.SubmitData{PromptID: promptID,
			Answer: protocol.AnswerData{MediaID: mediaID}})
		var se *live.ServerError
		if !asServerError(err, &se) || se.Code != protocol.ErrInvalid || se.Field != "media_id" || se.Message != msg(t, "nl", msgID) {
			t.Errorf("%s: %v", name, err)
		}
	}
	other := e.participant(s.Code)
	othersVoice := other.uploadOK(s.ID, "voice", "audio/webm", mediatest.WebM(time.Second, mediatest.WebMOptions{}))
	refused("other participant's file", othersVoice, "answer.media_unknown")
	otherSession := me.uploadOK(s2.ID, "voice", "audio/webm", mediatest.WebM(time.Second, mediatest.WebMOptions{}))
	refused("file of another session", otherSession, "answer.media_unknown")
	photo := me.uploadOK(s.ID, "photo", "image/jpeg", mediatest.JPEG(mediatest.Image(32, 32)))
	refused("photo where only voice is allowed", photo, "answer.kind_not_allowed")
	refused("made-up id", strings.Repeat("cd", 16), "answer.media_unknown")
	refused("not an id", "../../etc/passwd", "answer.media_unknown")
}

// TestPromptRecordings: the console stores a recording of a prompt in a
// spoken-only language; residents see which languages have one and play
// it; a copy of the session keeps it; deleting it removes the file.
func TestPromptRecordings(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	_, s := e.mediaSession("voice")
	b := e.staffBrowser("intermediary")
	sp := b.get("/orgs/" + demo.OrgID + "/sessions/" + s.ID)
	if sp.status != http.StatusOK || !strings.Contains(sp.body, "prompt-audio.js") {
		t.Fatalf("session page: %d", sp.status)
	}
	stored := e.stored(s.ID)
	promptID := stored.Prompts[0].ID
	rec := mediatest.WebM(4*time.Second, mediatest.WebMOptions{})
	post := func(path string, fields map[string]string, file []byte) *page {
		form := url.Values{}
		for k, v := range fields {
			form.Set(k, v)
		}
		return b.postFile(path, form, formFile{field: "audio", name: "recording.webm", contentType: "audio/webm;codecs=opus", data: file})
	}
	base := "/orgs/" + demo.OrgID + "/sessions/" + s.ID + "/prompts/audio"
	fields := func(lang string) map[string]string {
		return map[string]string{"csrf": sp.csrf(t), "version": strconv.Itoa(e.stored(s.ID).Version), "prompt": promptID, "lang": lang}
	}
	if p := post(base, fields("tzm"), rec); p.status != http.StatusSeeOther {
		t.Fatalf("saving a recording: %d %.300s", p.status, p.body)
	}
	// Bad recordings are refused on the page, translated.
	for _, tc := range []struct {
		name, lang string
		file       []byte
		msgID      string
	}{
		{"html", "nl", []byte("<html></html>"), "answer.file_not_audio"},
		{"bad language code", "not a language", rec, "sessions.audio_lang_invalid"},
		{"no file", "nl", nil, "sessions.audio_file_required"},
	} {
		p := post(base, fields(tc.lang), tc.file)
		if p.status != http.StatusBadRequest || !shows(p, msg(t, "nl", tc.msgID)) {
			t.Errorf("%s: %d", tc.name, p.status)
		}
	}

	audioID := e.stored(s.ID).Prompts[0].Audio["tzm"]
	if len(audioID) != 32 {
		t.Fatalf("prompt audio: %v", e.stored(s.ID).Prompts[0].Audio)
	}
	// A resident joining now sees the language in the prompt's audio map
	// and plays the recording; an unknown language is a 404.
	conn, jar := e.resident(s.Code, live.Options{})
	_, snap := next[protocol.SnapshotData](t, conn, protocol.TypeSnapshot)
	if snap.Session.Prompts[0].Audio["tzm"] == "" {
		t.Errorf("snapshot lacks the recording: %+v", snap.Session.Prompts[0].Audio)
	}
	res := &participant{t: t, e: e, jar: jar, c: &http.Client{Jar: jar}}
	anyone := e.participant("")
	path := "/live/" + s.ID + "/prompts/" + promptID + "/audio/"
	if p := anyone.get(path + "tzm"); p.status != http.StatusOK || p.body != string(rec) || p.header.Get("Content-Type") != "audio/webm" {
		t.Errorf("resident plays the recording: %d", p.status)
	}
	if p := res.get(path + "ary"); p.status != http.StatusNotFound {
		t.Errorf("missing language: %d", p.status)
	}
	// A copy keeps the recording, as a file of its own.
	if err := e.api("intermediary").Do(ctx, http.MethodPost, "/api/v1/orgs/"+demo.OrgID+"/sessions/"+s.ID+"/copy", nil, nil); err != nil {
		t.Fatal(err)
	}
	var cp *model.Session
	all, _ := e.store.Sessions(ctx, demo.OrgID)
	for i := range all {
		if all[i].ID != s.ID && all[i].Title == "Spreekuur" && all[i].State == model.StateDraft {
			cp = &all[i]
		}
	}
	if cp == nil || cp.Prompts[0].Audio["tzm"] == "" || cp.Prompts[0].Audio["tzm"] == audioID {
		t.Fatalf("copy's recording: %+v", cp)
	}
	// Deleting the recording removes the file; the copy's stays.
	del := fields("tzm")
	if p := post(base+"/delete", del, nil); p.status != http.StatusSeeOther {
		t.Fatalf("delete: %d %.200s", p.status, p.body)
	}
	if p := anyone.get(path + "tzm"); p.status != http.StatusNotFound {
		t.Errorf("after delete: %d", p.status)
	}
	if _, err := e.store.Media(ctx, audioID); err == nil {
		t.Error("deleted recording's file is still stored")
	}
	cpPath := "/live/" + cp.ID + "/prompts/" + cp.Prompts[0].ID + "/audio/tzm"
	if p := anyone.get(cpPath); p.status != http.StatusOK || p.body != string(rec) {
		t.Errorf("copy's recording after the original was deleted: %d", p.status)
	}
}

// TestMediaRetentionPurge: with the clock moved past an organisation's
// retention, its residents' voice notes and photos are deleted and their
// answers marked; newer files, prompt recordings and another
// organisation's files (on the 12-month default) stay.
func TestMediaRetentionPurge(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	var offset time.Duration
	clock := func() time.Time { return time.Now().Add(offset) }
	e.srv.Uploads().SetClock(clock)

	// The admin sets 1 month on the organisation page.
	adm := e.staffBrowser("admin")
	orgPage := adm.get("/orgs/" + demo.OrgID)
	if p := adm.post("/orgs/"+demo.OrgID+"/retention", url.Values{"csrf": {orgPage.csrf(t)}, "media_retention_months": {"13"}}); p.status != http.StatusBadRequest || !shows(p, msg(t, "nl", "org.retention_invalid")) {
		t.Errorf("13 months: %d", p.status)
	}
	if p := adm.post("/orgs/"+demo.OrgID+"/retention", url.Values{"csrf": {orgPage.csrf(t)}, "media_retention_months": {"1"}}); p.status != http.StatusSeeOther {
		t.Fatalf("setting 1 month: %d %.300s", p.status, p.body)
	}
	if o, _ := e.store.Organisation(ctx, demo.OrgID); o.MediaRetentionMonths != 1 {
		t.Fatalf("retention %d", o.MediaRetentionMonths)
	}

	_, s := e.mediaSession("voice", "photo")
	conn, jar := e.resident(s.Code, live.Options{})
	_, snap := next[protocol.SnapshotData](t, conn, protocol.TypeSnapshot)
	me := &participant{t: t, e: e, jar: jar, c: &http.Client{Jar: jar}}
	oldVoice := me.uploadOK(s.ID, "voice", "audio/webm", mediatest.WebM(2*time.Second, mediatest.WebMOptions{}))
	oldPhoto := me.uploadOK(s.ID, "photo", "image/jpeg", mediatest.JPEG(mediatest.Image(16, 16)))
	ack, err := conn.Submit(ctx, "old", protocol.SubmitData{PromptID: snap.Session.Prompts[0].ID, Answer: protocol.AnswerData{MediaID: oldVoice}})
	if err != nil {
		t.Fatal(err)
	}
	// A prompt recording, a reviewer's photo of a result (the
	// municipality's, published with a response) and another
	// organisation's voice note, as old.
	promptAudio := &model.Media{ID: strings.Repeat("1", 32), OrgID: demo.OrgID, SessionID: s.ID, Kind: model.MediaPrompt,
		ContentType: "audio/webm", CreatedAt: time.Now().UTC()}
	result := &model.Media{ID: strings.Repeat("3", 32), OrgID: demo.OrgID, Kind: model.MediaResult,
		ContentType: "image/jpeg", CreatedAt: time.Now().UTC()}
	foreign := &model.Media{ID: strings.Repeat("2", 32), OrgID: "other-org", SessionID: "x", Participant: "p", Kind: model.MediaVoice,
		ContentType: "audio/webm", CreatedAt: time.Now().UTC()}
	for _, m := range []*model.Media{promptAudio, result, foreign} {
		if err := e.store.PutMedia(ctx, m, []byte("abc")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.Organisation(ctx, "other-org"); err != nil {
		if err := e.store.InsertOrganisation(ctx, &model.Organisation{ID: "other-org", Name: "Elders"}); err != nil {
			t.Fatal(err)
		}
	}

	// 29 days on: nothing is due.
	offset = 29 * 24 * time.Hour
	if n, err := e.srv.Uploads().Purge(ctx); err != nil || n != 0 {
		t.Fatalf("purge after 29 days: %d %v", n, err)
	}
	// A file given on day 29 is not due on day 31.
	newPhoto := me.uploadOK(s.ID, "photo", "image/jpeg", mediatest.JPEG(mediatest.Image(16, 16)))
	offset = 31 * 24 * time.Hour
	n, err := e.srv.Uploads().Purge(ctx)
	if err != nil || n != 2 {
		t.Fatalf("purge after 31 days: %d files, %v", n, err)
	}
	for _, id := range []string{oldVoice, oldPhoto} {
		if _, err := e.store.Media(ctx, id); err == nil {
			t.Errorf("%s survived the purge", id)
		}
		if p := me.get("/media/" + id); p.status != http.StatusNotFound {
			t.Errorf("purged file still plays: %d", p.status)
		}
	}
	for _, id := range []string{newPhoto, promptAudio.ID, result.ID, foreign.ID} {
		if _, err := e.store.Media(ctx, id); err != nil {
			t.Errorf("%s was purged: %v", id, err)
		}
	}
	c, err := e.store.Contribution(ctx, ack.ContributionID)
	if err != nil || c.MediaDeletedAt == nil || c.Answer.MediaID != oldVoice {
		t.Fatalf("contribution not marked: %+v %v", c, err)
	}
	// The other organisation is on the 12-month default: a year on, it goes.
	offset = 366 * 24 * time.Hour
	if _, err := e.srv.Uploads().Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Media(ctx, foreign.ID); err == nil {
		t.Error("the other organisation's voice note outlived 12 months")
	}
	if _, err := e.store.Media(ctx, promptAudio.ID); err != nil {
		t.Error("a prompt recording was purged")
	}
}

func asServerError(err error, target **live.ServerError) bool {
	se, ok := err.(*live.ServerError)
	if ok {
		*target = se
	}
	return ok
}
