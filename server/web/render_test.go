package web

import (
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// pageData gives every page a filled value of its typed data struct. A new
// page without an entry here fails TestEveryPageRendersInEveryLanguage.
func pageData(p Page) map[string]any {
	org := &model.Organisation{ID: "o1", Name: "Gemeente <Test>", CreatedAt: time.Now()}
	staff := model.Staff{ID: "s1", Name: "Sam", Email: "sam@example.org", Memberships: []model.Membership{{OrgID: "o1", Role: model.RoleAdmin}}}
	n := model.Neighbourhood{ID: "n1", OrgID: "o1", Level: model.LevelBuurt, Name: "Lindenplein", CBSCode: "BU1234"}
	v := model.Venue{ID: "v1", OrgID: "o1", NeighbourhoodID: "n1", Name: "Buurthuis"}
	orgPage := func() *OrgPage {
		return &OrgPage{Page: p, Org: org, CanManage: true, Tree: []TreeNode{{N: n}}, Parents: []model.Neighbourhood{n},
			Venues: []model.Venue{v}, StaffList: []model.Staff{staff}, Levels: model.Levels, Roles: model.Roles,
			Form: Form{Failed: "neighbourhood", Values: map[string]string{"name": "x"}, Errors: map[string]string{"name": "fout"}}}
	}
	ne, ve, se, sp := orgPage(), orgPage(), orgPage(), orgPage()
	ne.Neighbourhood = &n
	ve.Venue = &v
	se.Member = &staff
	sp.Member, sp.Password = &staff, "ABCDE-FGHIJ"
	ls := &model.Session{ID: "ls1", OrgID: "o1", NeighbourhoodID: "n1", VenueID: "v1", Title: "Avond <in> De Linde",
		Languages: []string{"nl", "ar"}, Moderation: model.ModerationPre, Pace: model.PaceLed, State: model.StateRunning,
		Current: 1, Code: "123456", ProjectorKey: "key", Version: 3, Prompts: []model.Prompt{
			{ID: "p1", Kind: model.KindFaces, Text: model.Text{"nl": "Hoe is het hier?", "ar": "كيف الحال هنا؟"}},
			{ID: "p2", Kind: model.KindThemes, Multiple: true, Text: model.Text{"nl": "Waarover?"}},
			{ID: "p3", Kind: model.KindPicture, Text: model.Text{"nl": "Kies"}, Options: []model.Option{
				{ID: "o1", Label: model.Text{"nl": "Bankje"}, Pictogram: "theme-housing"}, {ID: "o2", Label: model.Text{"nl": "Boom"}}}},
			{ID: "p4", Kind: model.KindOpen, Allow: []string{"text", "voice"}, Text: model.Text{"nl": "Wat kan beter?"}},
			{ID: "p5", Kind: model.KindDots, Dots: 3, Text: model.Text{"nl": "Wat eerst?"}},
			{ID: "p6", Kind: model.KindFeedback, Text: model.Text{"nl": "Wat is er gedaan?"}},
		}}
	sf := SessionForm{Draft: sessions.InputOf(ls), Tree: []TreeNode{{N: n}}, Venues: []model.Venue{v}}
	sessionPage := &SessionPage{Page: p, SessionForm: sf, Org: org, Session: ls, CanRun: true, JoinURL: "http://x/j/123456",
		ProjectorURL: "/orgs/o1/sessions/ls1/projector?key=key", Kinds: model.PromptKinds, Pictograms: pictograms,
		Form:        Form{Failed: "prompt:p3", Errors: map[string]string{"options.0.label": "fout", "general": "fout"}},
		PromptDraft: sessions.PromptInputOf(ls.Prompts[2])}
	return map[string]any{
		"sessions": &SessionListPage{Page: p, SessionForm: sf, Org: org, CanRun: true, Sessions: []model.Session{*ls},
			Form: Form{Failed: "create", Errors: map[string]string{"title": "fout"}}},
		"session":            sessionPage,
		"console":            &ConsolePage{Page: p, Org: org, Session: ls, CanRun: true, JoinURL: "http://x/j/123456", ProjectorURL: "/p"},
		"projector":          &ProjectorPage{Page: p, Session: ls, Key: "key", JoinURL: "http://x/j/123456", JoinSite: "x", QR: "<svg></svg>"},
		"login":              &LoginPage{Page: p, Email: "a@b.c", Error: "fout"},
		"password":           &PasswordPage{Page: p, MinLength: 10},
		"home":               &HomePage{Page: p, Orgs: []model.Organisation{*org}},
		"org":                orgPage(),
		"neighbourhood_edit": ne,
		"venue_edit":         ve,
		"staff_edit":         se,
		"staff_password":     sp,
		"error":              &ErrorPage{Page: p, Heading: "Oeps", Message: "Mis", RetryAfter: 5},
		"moderation_policy":  &ModerationPolicyPage{Page: p},
		"privacy":            &StatementPage{Page: p},
		"accessibility":      &StatementPage{Page: p},
		"credits": &CreditsPage{Page: p, Pictograms: creditedPictograms(), PictogramLicence: PictogramLicence, Licence: Licence,
			LicenceURL: LicenceURL, Libraries: Libraries},
		"slips": &SlipsPage{Page: p, Session: ls, Count: 16, Max: 40, Form: Form{Failed: "slips", Errors: map[string]string{"count": "fout"}},
			Sheet: &SlipSheet{Lang: i18n.Lang{Code: "ar", Dir: "rtl"}, L: p.L, Slips: []Slip{{Code: "ABCDE-FGHJK", URL: "http://x/r/ABCDEFGHJK", QR: "<svg></svg>"}}}},
		"moderation_log": &ModerationLogPage{Page: p, Org: org, SessionID: "ls1", Entries: []LogRow{{When: "nu", UndoneBy: "c1:0002",
			ModerationEntry: model.ModerationEntry{ID: "c1:0001", ContributionID: "c1", StaffName: "Sam <S>", Action: "hide",
				Reason: model.HideAbuse, Note: "te <grof>", From: model.ModerationView{State: model.ModApproved, Theme: "safety"},
				To: model.ModerationView{State: model.ModRejected, HideReason: model.HideAbuse, DuplicateOf: "c2", Highlighted: true}}}}},
	}
}

func TestEveryPageRendersInEveryLanguage(t *testing.T) {
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Languages() {
		st := &model.Staff{ID: "s1", Name: "Sam", PlatformAdmin: true, Memberships: []model.Membership{{OrgID: "o1", Role: model.RoleAdmin}}}
		p := Page{L: cat.Localizer(lang.Code), Langs: cat.Languages(), Staff: st, CSRF: "tok"}
		data := pageData(p)
		for _, name := range r.Pages() {
			d, ok := data[name]
			if !ok {
				t.Fatalf("page %s has no typed data in pageData", name)
			}
			b, err := r.Render(name, d)
			if err != nil {
				t.Fatalf("%s/%s: %v", lang.Code, name, err)
			}
			html := string(b)
			if !strings.Contains(html, `lang="`+lang.Code+`" dir="`+lang.Dir+`"`) {
				t.Errorf("%s/%s: html element lacks lang and dir", lang.Code, name)
			}
			if strings.Contains(html, "Gemeente <Test>") || strings.Contains(html, "Avond <in>") {
				t.Errorf("%s/%s: organisation name not escaped", lang.Code, name)
			}
			// An untranslated key renders as its id, e.g. "login.title".
			for _, frag := range []string{">login.", ">form.", ">error.", ">staff.", ">org.", ">neighbourhood.", ">venue.", ">role.", ">level.",
				">sessions.", ">session.", ">moderation.", ">layout.", ">console.", ">projector.", ">prompt_kind.", ">session_state.", ">face.", ">theme.", "\"console.", "\"projector."} {
				if strings.Contains(html, frag) {
					t.Errorf("%s/%s: untranslated message id near %q", lang.Code, name, frag)
				}
			}
		}
	}
}

func TestBuildTree(t *testing.T) {
	all := []model.Neighbourhood{
		{ID: "b", ParentID: "w", Level: model.LevelBuurt, Name: "A-buurt"},
		{ID: "d", Level: model.LevelDistrict, Name: "Noord"},
		{ID: "w", ParentID: "d", Level: model.LevelWijk, Name: "Wijk"},
		{ID: "x", ParentID: "gone", Level: model.LevelBuurt, Name: "Wees"},
	}
	got := buildTree(all)
	var order []string
	for _, n := range got {
		order = append(order, n.N.ID+":"+string(rune('0'+n.Depth)))
	}
	if strings.Join(order, " ") != "d:0 w:1 b:2 x:0" {
		t.Fatalf("tree order: %v", order)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"":                     "/staff",
		"/orgs/1":              "/orgs/1",
		"//evil.example":       "/staff",
		"https://evil.example": "/staff",
		"/\\evil.example":      "/staff",
		"orgs":                 "/staff",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
