package sessions

import (
	"context"
	"errors"
	"regexp"
	"slices"

	"golang.org/x/text/language"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/media"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// MaxPromptAudio is how many recordings one prompt may have.
const MaxPromptAudio = 20

// CheckMediaAnswer finishes CheckAnswer for a voice note or photo: the file
// must exist, belong to this session and participant, and be of a kind the
// prompt allows. It returns the kind, and links the file to the
// contribution that uses it so the retention purge can mark that
// contribution. Every refusal looks the same ("not yours"), so a resident
// cannot learn about other people's files.
func (s *Service) CheckMediaAnswer(ctx context.Context, p *model.Prompt, sessionID, participant, mediaID, contributionID string) (string, error) {
	m, err := s.store.Media(ctx, mediaID)
	if errors.Is(err, apperr.ErrNotFound) {
		return "", apperr.Invalid("media_id", "answer.media_unknown")
	}
	if err != nil {
		return "", err
	}
	if m.SessionID != sessionID || m.Participant == "" || m.Participant != participant ||
		(m.Kind != model.MediaVoice && m.Kind != model.MediaPhoto) {
		return "", apperr.Invalid("media_id", "answer.media_unknown")
	}
	if !slices.Contains(p.Allow, m.Kind) {
		return "", apperr.Invalid("media_id", "answer.kind_not_allowed")
	}
	if err := s.store.LinkMediaContribution(ctx, mediaID, contributionID); err != nil {
		return "", err
	}
	return m.Kind, nil
}

// audioLang is what a recording's language code may look like: a BCP 47
// language (two or three letters, so spoken-only languages such as tzm and
// ary fit) with optional subtags.
var audioLang = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,3}$`)

// AudioLang checks and normalises a recording's language code.
func AudioLang(code string) (string, error) {
	if !audioLang.MatchString(code) {
		return "", apperr.Invalid("lang", "sessions.audio_lang_invalid")
	}
	tag, err := language.Parse(code)
	if err != nil {
		return "", apperr.Invalid("lang", "sessions.audio_lang_invalid")
	}
	return tag.String(), nil
}

// SetPromptAudio stores a recording of a prompt read aloud in a language,
// replacing the one there was.
func (s *Service) SetPromptAudio(ctx context.Context, actor *model.Staff, orgID, id string, version int, promptID, lang, contentType string, body []byte) (*model.Session, error) {
	ls, err := s.editable(ctx, actor, orgID, id, version)
	if err != nil {
		return nil, err
	}
	p := ls.PromptByID(promptID)
	if p == nil {
		return nil, apperr.New(apperr.ErrNotFound, "session.no_such_prompt")
	}
	if lang, err = AudioLang(lang); err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, apperr.Invalid("file", "sessions.audio_file_required")
	}
	if _, ok := p.Audio[lang]; !ok && len(p.Audio) >= MaxPromptAudio {
		return nil, apperr.Invalid("lang", "sessions.audio_lang_invalid")
	}
	f, err := media.Check(media.Prompt, contentType, body, media.DefaultLimits)
	if err != nil {
		return nil, err
	}
	m := &model.Media{ID: store.NewID(), OrgID: orgID, SessionID: id, Kind: model.MediaPrompt,
		ContentType: f.ContentType, DurationMS: f.Duration.Milliseconds(), CreatedAt: s.now().UTC()}
	if err := s.store.PutMedia(ctx, m, f.Data); err != nil {
		return nil, err
	}
	old := p.Audio[lang]
	if p.Audio == nil {
		p.Audio = map[string]string{}
	}
	p.Audio[lang] = m.ID
	if err := s.store.ReplaceSession(ctx, ls); err != nil {
		_ = s.store.DeleteMedia(ctx, m.ID)
		return nil, err
	}
	if old != "" {
		_ = s.store.DeleteMedia(ctx, old) // an orphan at worst
	}
	return ls, nil
}

// DeletePromptAudio removes the recording of a prompt in a language.
func (s *Service) DeletePromptAudio(ctx context.Context, actor *model.Staff, orgID, id string, version int, promptID, lang string) (*model.Session, error) {
	ls, err := s.editable(ctx, actor, orgID, id, version)
	if err != nil {
		return nil, err
	}
	p := ls.PromptByID(promptID)
	if p == nil {
		return nil, apperr.New(apperr.ErrNotFound, "session.no_such_prompt")
	}
	old, ok := p.Audio[lang]
	if !ok {
		return nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	delete(p.Audio, lang)
	if err := s.store.ReplaceSession(ctx, ls); err != nil {
		return nil, err
	}
	return ls, s.store.DeleteMedia(ctx, old)
}

// PromptAudio returns a prompt's recording in a language, for anyone who
// knows the session id (residents fetch it to hear the prompt). Anything
// missing is apperr.ErrNotFound.
func (s *Service) PromptAudio(ctx context.Context, sessionID, promptID, lang string) (*model.Media, []byte, error) {
	ls, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return nil, nil, err
	}
	p := ls.PromptByID(promptID)
	if p == nil || p.Audio[lang] == "" {
		return nil, nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	m, err := s.store.Media(ctx, p.Audio[lang])
	if err != nil {
		return nil, nil, err
	}
	if m.SessionID != ls.ID || m.Kind != model.MediaPrompt {
		return nil, nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	data, err := s.store.MediaData(ctx, m.ID)
	return m, data, err
}

// audioIDs lists the recordings the prompts use.
func audioIDs(ps []model.Prompt) []string {
	var out []string
	for _, p := range ps {
		for _, id := range p.Audio {
			out = append(out, id)
		}
	}
	return out
}

// dropAudio deletes the recordings of before that the prompts no longer
// use (their prompt was deleted). A failure leaves an orphan file, never a
// prompt without its file.
func (s *Service) dropAudio(ctx context.Context, before []string, ps []model.Prompt) {
	still := audioIDs(ps)
	for _, id := range before {
		if !slices.Contains(still, id) {
			_ = s.store.DeleteMedia(ctx, id)
		}
	}
}

// copyAudio gives a copied session copies of its recordings, so that each
// session owns its files and deleting one never breaks the other.
func (s *Service) copyAudio(ctx context.Context, cp *model.Session) error {
	for i := range cp.Prompts {
		src := cp.Prompts[i].Audio
		if len(src) == 0 {
			continue
		}
		cp.Prompts[i].Audio = make(map[string]string, len(src))
		for lang, id := range src {
			m, err := s.store.Media(ctx, id)
			if errors.Is(err, apperr.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			data, err := s.store.MediaData(ctx, id)
			if err != nil {
				return err
			}
			m.ID, m.SessionID, m.CreatedAt, m.Contributions = store.NewID(), cp.ID, s.now().UTC(), nil
			if err := s.store.PutMedia(ctx, m, data); err != nil {
				return err
			}
			cp.Prompts[i].Audio[lang] = m.ID
		}
	}
	return nil
}
