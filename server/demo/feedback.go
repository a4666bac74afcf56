package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/receipts"
	"github.com/buurtstem/buurtstem/server/review"
	"github.com/buurtstem/buurtstem/server/store"
)

// The earlier demo session whose input the municipality has answered.
const (
	PastSessionID = "demo-session-voorjaar"
	// Participant is the demo resident whose receipt Seed prints.
	Participant = "demo-participant-1"
)

// demoInput is one answer of the earlier demo session.
type demoInput struct {
	participant string
	lang, text  string
	topic       int // index in demoTopics
}

var demoInputs = []demoInput{
	{Participant, "nl", "Bij de speeltuin is het 's avonds erg donker.", 0},
	{"demo-participant-2", "ar", "الإضاءة عند الملعب ضعيفة في المساء.", 0},
	{Participant, "nl", "Er zijn te weinig bankjes op het plein.", 1},
	{"demo-participant-3", "tr", "Meydanda oturacak yer yok.", 1},
	{"demo-participant-2", "nl", "Veel hondenpoep op de stoep bij de school.", 2},
	{"demo-participant-4", "pl", "Przed szkołą samochody parkują na chodniku.", 3},
	{Participant, "nl", "Kan er een moestuin komen bij het buurthuis?", 4},
}

// demoTopics are the topics the demo reviewer made of demoInputs, each
// with a response in another state.
var demoTopics = []struct {
	title    model.Text
	theme    string
	response review.ResponseInput
}{
	{model.Text{"nl": "Meer licht bij de speeltuin", "en": "More light at the playground", "ar": "إضاءة أكثر عند الملعب"}, "safety",
		review.ResponseInput{Status: "planned", Text: model.Text{
			"nl": "We zetten twee nieuwe lantaarns bij de speeltuin.", "en": "We will put two new street lights at the playground.",
			"ar": "سنضع مصباحين جديدين عند الملعب.", "tr": "Oyun alanına iki yeni sokak lambası koyacağız."}}},
	{model.Text{"nl": "Bankjes op het plein", "en": "Benches on the square"}, "housing",
		review.ResponseInput{Status: "done", Text: model.Text{
			"nl": "Er staan nu vier nieuwe bankjes op het plein.", "en": "There are now four new benches on the square.",
			"tr": "Meydanda artık dört yeni bank var.", "ar": "توجد الآن أربعة مقاعد جديدة في الساحة."}}},
	{model.Text{"nl": "Hondenpoep bij de school", "en": "Dog mess near the school"}, "housing",
		review.ResponseInput{Status: "looking", Text: model.Text{
			"nl": "We kijken waar een extra afvalbak voor hondenpoep kan staan.", "en": "We are looking for a place for an extra dog waste bin."}}},
	{model.Text{"nl": "Parkeren voor de school", "en": "Parking in front of the school"}, "safety",
		review.ResponseInput{Status: "not_possible", Text: model.Text{
			"nl": "Een parkeerverbod voor de school kan nu niet.", "en": "A parking ban in front of the school is not possible now.",
			"pl": "Zakaz parkowania przed szkołą nie jest teraz możliwy."},
			Reason: model.Text{"nl": "De straat is van de provincie. Wij hebben het aan de provincie gevraagd.",
				"en": "The road belongs to the province. We have asked the province.",
				"pl": "Ulica należy do województwa. Zapytaliśmy województwo."}}},
	{model.Text{"nl": "Moestuin bij het buurthuis", "en": "Vegetable garden at the community centre"}, "democracy",
		review.ResponseInput{Status: "received", Text: model.Text{
			"nl": "We hebben uw idee gelezen. We praten erover met het buurthuis.", "en": "We have read your idea. We will talk about it with the community centre."}}},
}

// SeedFeedback adds, once, an earlier closed session in Lindenplein whose
// input the demo reviewer grouped into topics and answered (planned, done,
// being looked at, not possible, received), so the public board
// /buurt/demo-buurt-lindenplein, the reviewer's inbox and topics, and the
// feedback round of the running demo session have something to show. It
// prints the receipt code of a demo resident whose /r/{code} shows the
// responses, and returns it.
func SeedFeedback(ctx context.Context, s *store.Store, out io.Writer) (string, error) {
	if _, err := s.SessionByID(ctx, PastSessionID); errors.Is(err, apperr.ErrNotFound) {
		if err := seedAnswered(ctx, s); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	code, err := s.ReceiptFor(ctx, Participant, receipts.NewCode)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(out, "Answered input: the board /buurt/%s, and a resident's receipt /r/%s (code %s).\n\n",
		BuurtAID, code, receipts.Format(code))
	return code, nil
}

func seedAnswered(ctx context.Context, s *store.Store) error {
	reviewer, err := s.Staff(ctx, "demo-reviewer")
	if err != nil {
		return err
	}
	at := time.Now().UTC().AddDate(0, -2, 0).Truncate(time.Minute)
	sess := &model.Session{
		ID: PastSessionID, OrgID: OrgID, NeighbourhoodID: BuurtAID, VenueID: VenueID,
		Title: "Buurtavond Lindenplein, voorjaar (demo)", Languages: []string{"nl", "ar", "tr", "pl", "uk", "en"},
		Moderation: model.ModerationPost, Pace: model.PaceSelf, State: model.StateClosed,
		CreatedBy: "demo-intermediary", CreatedAt: at, UpdatedAt: at,
		Prompts: []model.Prompt{{ID: "demo-v1", Kind: model.KindOpen, Allow: []string{"text"}, Text: model.Text{
			"nl": "Wat kan beter in de buurt?", "en": "What could be better in the neighbourhood?",
			"ar": "ما الذي يمكن أن يكون أفضل في الحي؟", "tr": "Mahallede ne daha iyi olabilir?",
			"pl": "Co może być lepsze w okolicy?", "uk": "Що можна покращити в районі?"}}},
	}
	if err := s.InsertSession(ctx, sess); err != nil {
		return err
	}
	cs := make([]*model.Contribution, len(demoInputs))
	lists := map[string][]string{}
	for i, in := range demoInputs {
		cs[i] = &model.Contribution{ID: fmt.Sprintf("de0000000000000000%06x", i+1), SessionID: PastSessionID, OrgID: OrgID,
			PromptID: "demo-v1", Kind: model.KindOpen, ParticipantID: in.participant, Lang: in.lang,
			Moderation: model.ModApproved, CreatedAt: at.Add(time.Duration(i+1) * 3 * time.Minute), Answer: model.Answer{Text: in.text}}
		lists[in.participant] = append(lists[in.participant], cs[i].ID)
	}
	if _, err := s.InsertContributions(ctx, cs); err != nil {
		return err
	}
	// What the live group commit's hook does for stored input: the inbox
	// index, the report counters and the residents' "my input" lists.
	if err := review.NewIndexer(s, review.Location()).Add(ctx, cs); err != nil {
		return err
	}
	if err := s.AddInputs(ctx, lists, map[string]int{}); err != nil {
		return err
	}
	rv := review.New(s, slog.New(slog.DiscardHandler), 0)
	for ti, tp := range demoTopics {
		var ids []string
		for i, in := range demoInputs {
			if in.topic == ti {
				ids = append(ids, cs[i].ID)
			}
		}
		t, err := rv.Group(ctx, reviewer, OrgID, review.TopicInput{Title: tp.title, Theme: tp.theme, NeighbourhoodID: BuurtAID, Contributions: ids})
		if err != nil {
			return fmt.Errorf("demo topic %d: %w", ti, err)
		}
		r := tp.response
		if r.Status == "planned" {
			r.ExpectedMonth = time.Now().AddDate(0, 2, 0).Format("2006-01")
		}
		if _, err := rv.Respond(ctx, reviewer, OrgID, t.ID, r); err != nil {
			return fmt.Errorf("demo response %d: %w", ti, err)
		}
	}
	return nil
}
