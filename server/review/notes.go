package review

import (
	"context"

	"github.com/buurtstem/buurtstem/i18n/machine"
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

// Translator translates a text by machine (machine.Client): a service the
// operator configured, or none.
type Translator interface {
	Enabled() bool
	Translate(ctx context.Context, text, source, target string) (machine.Translation, error)
}

// SetTranslator connects machine translation; without it (or with a
// client that is off) MachineTranslate says it is off.
func (s *Service) SetTranslator(t Translator) { s.translator = t }

// CanMachineTranslate reports whether a translation service is configured.
func (s *Service) CanMachineTranslate() bool { return s.translator != nil && s.translator.Enabled() }

// MachineTranslate has the configured service translate a contribution's
// written answer (with personal data masked, see below; for a voice note,
// its transcript) into lang, and
// stores the result as the translation into lang, marked machine-made
// with the service's name. The answer itself is never changed; a failing
// service changes nothing and says so (review.translate_failed).
func (s *Service) MachineTranslate(ctx context.Context, actor *model.Staff, orgID, contributionID, lang string) (*model.Contribution, error) {
	if err := may(actor, orgID, CanAnnotate); err != nil {
		return nil, err
	}
	if !validContributionID(contributionID) {
		return nil, notFound()
	}
	if !s.CanMachineTranslate() {
		return nil, apperr.New(apperr.ErrNotFound, "review.translate_off")
	}
	if !langPattern.MatchString(lang) {
		return nil, apperr.Invalid("lang", "note.lang_invalid")
	}
	c, err := s.store.ContributionOf(ctx, orgID, contributionID)
	if err != nil {
		return nil, err
	}
	// The service is another party: it gets the text with personal data
	// masked by moderation (phone numbers, addresses, names) when there
	// is such a version. The reviewer still sees the original beside it.
	text := c.ShownText()
	if text == "" && c.Notes != nil && c.Notes.Transcript != nil {
		text = c.Notes.Transcript.Text
	}
	if text == "" {
		return nil, apperr.Invalid("lang", "review.translate_nothing")
	}
	if lang == c.Lang {
		return nil, apperr.Invalid("lang", "review.translate_same")
	}
	tr, err := s.translator.Translate(ctx, text, c.Lang, lang)
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.ErrUnavailable, MsgID: "review.translate_failed", Cause: err}
	}
	// What comes back is another party's text: cleaned like staff's.
	clean, err := admin.CleanText("translation", tr.Text, MaxNoteRunes, true)
	if err != nil {
		return nil, &apperr.Error{Kind: apperr.ErrUnavailable, MsgID: "review.translate_failed", Cause: err}
	}
	n := model.Note{Text: clean, By: actor.ID, At: s.now().UTC(), Machine: tr.Engine}
	if n.Machine == "" {
		n.Machine = "machine"
	}
	if err := s.store.SetContributionNote(ctx, orgID, contributionID, lang, n); err != nil {
		return nil, err
	}
	if c.Notes == nil {
		c.Notes = &model.ContributionNotes{}
	}
	if c.Notes.Translations == nil {
		c.Notes.Translations = map[string]model.Note{}
	}
	c.Notes.Translations[lang] = n
	return c, nil
}
