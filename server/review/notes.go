package review

import (
	"context"

	"github.com/buurtstem/buurtstem/server/admin"
	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// MaxNoteRunes bounds a transcript or translation: a voice note is at most
// a minute, a written answer at most 1,000 characters.
const MaxNoteRunes = 3000

// Annotate adds or replaces a transcript (lang "") or a translation into
// lang of a contribution. The resident's answer is never changed; the
// note says who typed it and when.
func (s *Service) Annotate(ctx context.Context, actor *model.Staff, orgID, contributionID, lang, text string) (*model.Contribution, error) {
	if err := may(actor, orgID, CanAnnotate); err != nil {
		return nil, err
	}
	if !validContributionID(contributionID) {
		return nil, notFound()
	}
	field := "transcript"
	if lang != "" {
		field = "translation"
		if !langPattern.MatchString(lang) {
			return nil, apperr.Invalid("lang", "note.lang_invalid")
		}
	}
	clean, err := admin.CleanText(field, text, MaxNoteRunes, true)
	if err != nil {
		return nil, err
	}
	c, err := s.store.ContributionOf(ctx, orgID, contributionID)
	if err != nil {
		return nil, err
	}
	n := model.Note{Text: clean, By: actor.ID, At: s.now().UTC()}
	if err := s.store.SetContributionNote(ctx, orgID, contributionID, lang, n); err != nil {
		return nil, err
	}
	if c.Notes == nil {
		c.Notes = &model.ContributionNotes{}
	}
	if lang == "" {
		c.Notes.Transcript = &n
	} else {
		if c.Notes.Translations == nil {
			c.Notes.Translations = map[string]model.Note{}
		}
		c.Notes.Translations[lang] = n
	}
	return c, nil
}
