package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// The open demo session residents can join at once, with a known code.
const (
	SessionID = "demo-session-lindenplein"
	JoinCode  = "246810"
)

// seedSession makes sure the demo session is running with its code, so a
// newcomer can click through as a resident: open /j/246810 (or type the
// code on /). It is self-paced, so every prompt kind can be tried without
// an intermediary. A demo that was closed is opened again.
func seedSession(ctx context.Context, s *store.Store, out io.Writer) error {
	now := time.Now().UTC()
	sess := &model.Session{
		ID: SessionID, OrgID: OrgID, NeighbourhoodID: BuurtAID, VenueID: VenueID,
		Title: "Buurtavond Lindenplein (demo)", Languages: []string{"nl", "ar", "tr", "pl", "uk", "en"},
		Moderation: model.ModerationPost, Pace: model.PaceSelf, State: model.StateRunning, Current: 0,
		Code: JoinCode, ProjectorKey: "demo-projector-key", CreatedBy: "demo-intermediary", CreatedAt: now, UpdatedAt: now,
		Prompts: []model.Prompt{
			{ID: "demo-p1", Kind: model.KindFaces, Text: model.Text{"nl": "Hoe is het om hier te wonen?", "en": "How is it to live here?",
				"ar": "كيف هي الحياة هنا؟", "tr": "Burada yaşamak nasıl?", "pl": "Jak się tu mieszka?", "uk": "Як тут живеться?"}},
			{ID: "demo-p2", Kind: model.KindThemes, Multiple: true, Text: model.Text{"nl": "Waar gaat het over?", "en": "What is it about?",
				"ar": "عن ماذا يدور الأمر؟", "tr": "Konu ne?", "pl": "Czego to dotyczy?", "uk": "Про що йдеться?"}},
			{ID: "demo-p3", Kind: model.KindPicture, Text: model.Text{"nl": "Wat wilt u op het plein?", "en": "What would you like on the square?"},
				Options: []model.Option{
					{ID: "benches", Label: model.Text{"nl": "Bankjes", "en": "Benches"}, Pictogram: "theme-housing"},
					{ID: "play", Label: model.Text{"nl": "Speeltuin", "en": "Playground"}, Pictogram: "theme-education"},
					{ID: "light", Label: model.Text{"nl": "Meer licht", "en": "More light"}, Pictogram: "theme-safety"},
				}},
			{ID: "demo-p4", Kind: model.KindOpen, Allow: []string{"voice", "photo", "text"}, Text: model.Text{"nl": "Wat kan beter in de buurt?",
				"en": "What could be better in the neighbourhood?", "ar": "ما الذي يمكن أن يكون أفضل في الحي؟"}},
			{ID: "demo-p5", Kind: model.KindFeedback, Text: model.Text{"nl": "Wat is er gedaan met wat u eerder zei?", "en": "What was done with what you said before?"}},
		},
	}
	existing, err := s.SessionByID(ctx, SessionID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		if err := s.InsertSession(ctx, sess); err != nil {
			return err
		}
	case err != nil:
		return err
	case existing.State != model.StateRunning || existing.Code != JoinCode:
		existing.State, existing.Code, existing.Current = model.StateRunning, JoinCode, 0
		if err := s.ReplaceSession(ctx, existing); err != nil {
			return err
		}
	}
	if err := ignoreExists(s.ClaimJoinCode(ctx, JoinCode, SessionID)); err != nil {
		return err
	}
	if id, err := s.SessionIDByCode(ctx, JoinCode); err != nil || id != SessionID {
		return fmt.Errorf("demo: join code %s is held by another session (%q): %v", JoinCode, id, err)
	}
	fmt.Fprintf(out, "Residents: open /j/%s, or type the code %s on the start page.\n\n", JoinCode, JoinCode)
	return nil
}
