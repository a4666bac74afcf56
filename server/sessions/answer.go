package sessions

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
)

// mediaID is what a media id looks like (store.NewID): checked before any
// lookup, so junk never reaches the store.
var mediaID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// CheckAnswer validates a resident's answer against the prompt it answers
// and returns it cleaned: only the fields of the prompt's kind survive.
// dotItems are the ids a dots prompt may receive dots on (input approved
// earlier in the session).
func CheckAnswer(p *model.Prompt, a model.Answer, dotItems []string) (model.Answer, error) {
	var out model.Answer
	switch p.Kind {
	case model.KindFaces:
		if a.Face < 1 || a.Face > 5 {
			return out, apperr.Invalid("face", "answer.face_invalid")
		}
		out.Face = a.Face
	case model.KindThemes, model.KindPicture:
		valid := Themes
		if p.Kind == model.KindPicture {
			valid = make([]string, len(p.Options))
			for i, o := range p.Options {
				valid[i] = o.ID
			}
		}
		if len(a.Options) == 0 {
			return out, apperr.Invalid("options", "answer.choose_one")
		}
		if !p.Multiple && len(a.Options) > 1 {
			return out, apperr.Invalid("options", "answer.only_one")
		}
		for _, o := range a.Options {
			if !slices.Contains(valid, o) {
				return out, apperr.Invalid("options", "answer.option_invalid")
			}
			if !slices.Contains(out.Options, o) {
				out.Options = append(out.Options, o)
			}
		}
	case model.KindOpen:
		text := strings.TrimSpace(a.Text)
		switch {
		case a.MediaID != "":
			// A voice note or photo uploaded before, with an optional
			// caption. Whose file it is and its kind need the store:
			// Service.CheckMediaAnswer does that part.
			if !mediaID.MatchString(a.MediaID) {
				return out, apperr.Invalid("media_id", "answer.media_unknown")
			}
			if !slices.Contains(p.Allow, model.MediaVoice) && !slices.Contains(p.Allow, model.MediaPhoto) {
				return out, apperr.Invalid("media_id", "answer.kind_not_allowed")
			}
			if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxAnswerRunes {
				return out, &apperr.Error{Kind: apperr.ErrInvalid, Field: "text", MsgID: "answer.text_too_long",
					Data: map[string]any{"Max": MaxAnswerRunes}}
			}
			out.MediaID, out.Text = a.MediaID, text
		case text != "":
			if !slices.Contains(p.Allow, "text") {
				return out, apperr.Invalid("text", "answer.kind_not_allowed")
			}
			if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxAnswerRunes {
				return out, &apperr.Error{Kind: apperr.ErrInvalid, Field: "text", MsgID: "answer.text_too_long",
					Data: map[string]any{"Max": MaxAnswerRunes}}
			}
			out.Text = text
		default:
			return out, apperr.Invalid("text", "answer.empty")
		}
	case model.KindDots:
		total := 0
		out.Dots = map[string]int{}
		for item, n := range a.Dots {
			if !slices.Contains(dotItems, item) {
				return model.Answer{}, apperr.Invalid("dots", "answer.option_invalid")
			}
			// Checking each count first keeps the sum from overflowing.
			if n < 0 || n > p.Dots {
				return model.Answer{}, &apperr.Error{Kind: apperr.ErrInvalid, Field: "dots", MsgID: "answer.dots_invalid",
					Data: map[string]any{"Max": p.Dots}}
			}
			if n > 0 {
				out.Dots[item] = n
				total += n
			}
		}
		if total == 0 || total > p.Dots {
			return model.Answer{}, &apperr.Error{Kind: apperr.ErrInvalid, Field: "dots", MsgID: "answer.dots_invalid",
				Data: map[string]any{"Max": p.Dots}}
		}
	default:
		return out, apperr.Invalid("", "answer.not_answerable")
	}
	return out, nil
}
