package reviewweb

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/report"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/web"
)

// pageData has typed data for every page of this package; a page without
// it fails the test.
func pageData(p Page) map[string]any {
	now := time.Date(2026, 3, 14, 19, 30, 0, 0, time.UTC)
	topic := &model.Topic{ID: "t1", Theme: "safety", NeighbourhoodID: "n1", Title: model.Text{"nl": "Licht <in> het park"},
		Items:    []model.TopicItem{{ContributionID: "c1", Kind: model.KindOpen, Approved: true, CreatedAt: now}},
		Response: &model.Response{Status: model.TopicPlanned, ExpectedMonth: "2026-09", Text: model.Text{"nl": "We doen het."}, At: now},
		History:  []model.TopicChange{{At: now, By: "s1", Action: "created"}, {At: now, By: "s1", Action: "responded", Response: &model.Response{Status: model.TopicPlanned, Text: model.Text{"nl": "We doen het."}}}},
	}
	ses := &model.Session{ID: "s1", Title: "Avond <in> De Linde"}
	c := model.Contribution{ID: "c1", Kind: model.KindOpen, Lang: "ar", Answer: model.Answer{Text: "Meer licht"}, CreatedAt: now,
		Notes: &model.ContributionNotes{Transcript: &model.Note{Text: "uitgeschreven"}, Translations: map[string]model.Note{"nl": {Text: "vertaald"}}}}
	fig := review.Figures{Answerable: 10, Answered: 4, Topics: 2, Responded: 1, Overdue: 1, MedianDays: 3.5, HasMedian: true, OverdueDays: 30}
	rep := &report.Report{Org: p.Org, GeneratedAt: now, Participants: report.Group{Count: 12}, Contributions: 40,
		Kinds: []report.Count{{Key: "faces", Count: 20}}, Themes: []report.Count{{Key: "safety", Count: 3}},
		Faces: []report.Count{{Key: "1", Count: 1}, {Key: "5", Count: 9}}, Langs: []report.Group{{Key: "nl", Count: 8}, {Key: "ar", Suppressed: true}},
		AgeBands: []report.Group{{Key: "18_29", Count: 6}}, Schools: []report.Group{{Key: "primary", Suppressed: true}},
		FirstTime: []report.Group{{Key: "yes", Count: 7}}, Sessions: []report.SessionRow{{Session: ses, Contributions: 40, Participants: report.Group{Count: 12}}},
		TopTopics: []review.TopicRow{{Topic: topic, Inputs: 1}}, Feedback: fig}
	return map[string]any{
		"inbox": &InboxPage{Page: p, Values: url.Values{"kind": {"open"}}, CanGroup: true,
			Result:   &review.InboxPage{Items: []review.InboxItem{{Contribution: c, Session: ses, Topic: topic, Moderation: model.ModApproved, Themes: []string{"safety"}}}, Next: &review.Cursor{At: 1, ID: "c1"}},
			Sessions: []model.Session{*ses}, Hoods: []model.Neighbourhood{{ID: "n1", Name: "Lindenplein"}}, Topics: []model.Topic{*topic},
			Feedback: review.FeedbackStates, Moderate: []model.ModerationState{model.ModPending, model.ModApproved, model.ModRejected}, NextURL: "/next"},
		"topics": &TopicsPage{Page: p, Acc: &review.Accountability{Org: fig, Settings: &model.ReviewSettings{OverdueDays: 30},
			Neighbourhoods: []review.NeighbourhoodFigures{{Neighbourhood: model.Neighbourhood{Name: "Lindenplein"}, Figures: fig}},
			Topics:         []review.TopicRow{{Topic: topic, Inputs: 1}, {Topic: &model.Topic{ID: "t2", Theme: "work", Title: model.Text{"nl": "Werk"}, Items: []model.TopicItem{}}, Overdue: true, Waiting: 40}}},
			Hoods: map[string]string{"n1": "Lindenplein"}, CanManage: true},
		"topic": &TopicPage{Page: p, Topic: topic, Items: []model.Contribution{c}, Hoods: []model.Neighbourhood{{ID: "n1", Name: "Lindenplein"}},
			Languages: p.Langs, CanReview: true, Errors: map[string]string{"text_nl": "Schrijf iets."}, Staff: map[string]string{"s1": "Ravi"}},
		"report": &ReportPage{Page: p, Report: rep, Values: url.Values{}},
		"board": &BoardPage{Page: p, Board: &review.Board{Neighbourhood: &model.Neighbourhood{Name: "Lindenplein"}},
			Items: []BoardItem{{FeedbackItem: protocol.FeedbackItem{TopicID: "t1", Theme: "safety", Status: "planned", ExpectedMonth: "2026-09", Inputs: 3},
				Title: web.Shown{Text: "Licht", Lang: "nl", Dir: "ltr"}, Text: web.Shown{Text: "We doen het.", Lang: "nl", Dir: "ltr"}}}},
	}
}

var untranslated = regexp.MustCompile(`[>"](review|topic|report|feedback|board|response|note)\.[a-z0-9_]+(\.[a-z]+)?`)

func TestEveryPageRendersInEveryLanguage(t *testing.T) {
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Languages() {
		st := &model.Staff{ID: "s1", Name: "Sam", Memberships: []model.Membership{{OrgID: "o1", Role: model.RoleReviewer}}}
		p := Page{Page: web.Page{L: cat.Localizer(lang.Code), Langs: cat.Languages(), Staff: st, CSRF: "tok"},
			Org: &model.Organisation{ID: "o1", Name: "Gemeente <Test>"}}
		data := pageData(p)
		if len(data) != len(r.Pages()) {
			t.Fatalf("%d pages, %d with data", len(r.Pages()), len(data))
		}
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
			if strings.Contains(html, "Gemeente <Test>") || strings.Contains(html, "Licht <in>") || strings.Contains(html, "Avond <in>") {
				t.Errorf("%s/%s: text not escaped", lang.Code, name)
			}
			// An untranslated key renders as its id; the export file
			// names (report.csv) are not keys.
			for _, m := range untranslated.FindAllString(html, -1) {
				if !strings.HasSuffix(m, ".csv") && !strings.HasSuffix(m, ".json") {
					t.Errorf("%s/%s: untranslated message id %q", lang.Code, name, m)
				}
			}
		}
	}
}
