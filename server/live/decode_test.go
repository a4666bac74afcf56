package live

import (
	"testing"

	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// FuzzDecode feeds arbitrary bytes through everything a client message
// passes before it reaches the store: the envelope, the strict decoding of
// each data type, and the answer check against every prompt kind. Nothing
// may panic. Seeds are in testdata/fuzz/FuzzDecode and below.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","data":{"protocol":1,"epoch":"e","last_seq":3,"lang":"ar"}}`,
		`{"type":"submit","id":"a1","data":{"prompt_id":"p","answer":{"face":4}}}`,
		`{"type":"submit","id":"a2","data":{"prompt_id":"p","answer":{"options":["safety","housing"]}}}`,
		`{"type":"submit","id":"a3","data":{"prompt_id":"p","answer":{"text":"Meer licht"}}}`,
		`{"type":"submit","id":"a4","data":{"prompt_id":"p","answer":{"dots":{"x":2,"y":-1}}}}`,
		`{"type":"control","id":"c","data":{"action":"goto","index":-7}}`,
		`{"type":"moderate","id":"m","data":{"contribution_id":"x","decision":"approve"}}`,
		`{"type":"ping"}`, `{}`, `[]`, `null`, `{"type":1}`, `{"type":"submit","data":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	prompts := []*model.Prompt{
		{ID: "p", Kind: model.KindFaces},
		{ID: "p", Kind: model.KindThemes, Multiple: true},
		{ID: "p", Kind: model.KindPicture, Options: []model.Option{{ID: "a"}, {ID: "b"}}},
		{ID: "p", Kind: model.KindOpen, Allow: []string{"text"}},
		{ID: "p", Kind: model.KindDots, Dots: 3},
		{ID: "p", Kind: model.KindFeedback},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		env, err := decodeEnvelope(b)
		if err != nil {
			return
		}
		var h protocol.HelloData
		_ = strictUnmarshal(env.Data, &h)
		var c protocol.ControlData
		_ = strictUnmarshal(env.Data, &c)
		var m protocol.ModerateData
		_ = strictUnmarshal(env.Data, &m)
		var d protocol.SubmitData
		if strictUnmarshal(env.Data, &d) != nil {
			return
		}
		a := model.Answer{Face: d.Answer.Face, Options: d.Answer.Options, Text: d.Answer.Text, MediaID: d.Answer.MediaID, Dots: d.Answer.Dots}
		for _, p := range prompts {
			out, err := sessions.CheckAnswer(p, a, []string{"x", "y"})
			if err == nil && p.Kind == model.KindDots {
				total := 0
				for _, n := range out.Dots {
					if n < 0 || n > p.Dots {
						t.Fatalf("negative dots accepted: %v", out.Dots)
					}
					total += n
				}
				if total > p.Dots {
					t.Fatalf("more dots than allowed: %v", out.Dots)
				}
			}
		}
	})
}
