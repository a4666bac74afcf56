package app_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/media/mediatest"
	"github.com/buurtstem/buurtstem/server/uploads"
)

// TestUploadBudgetPerParticipant: one device may send the burst of the
// upload budget; the next upload is refused with 429 and a translated
// message in every language, and nothing is stored. Another device on the
// same address (every test client is 127.0.0.1, as a community centre's
// wifi is one address) still uploads: the budget is per participant, never
// per address. Once the budget has refilled (the service's clock moved on
// by one interval) the first device sends one more, and no more.
func TestUploadBudgetPerParticipant(t *testing.T) {
	e := start(t)
	var offset atomic.Int64
	e.srv.Uploads().SetClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	_, s := e.mediaSession("voice")
	busy, other := e.participant(s.Code), e.participant(s.Code)
	voice := mediatest.WebM(time.Second, mediatest.WebMOptions{})
	b := uploads.DefaultBudget
	before := e.mediaCount()

	for range b.Burst {
		busy.uploadOK(s.ID, "voice", "audio/webm", voice)
	}
	refused := func(when string) {
		t.Helper()
		for _, lang := range []string{"nl", "en", "ar", "tr", "pl", "uk"} {
			p := busy.upload(s.ID, "voice", "audio/webm", voice, lang)
			ae := apiErrorOf(t, p)
			if want := msg(t, lang, "answer.upload_too_many"); p.status != http.StatusTooManyRequests || ae.Code != "too_many" || ae.Message != want {
				t.Fatalf("%s, %s: %d %+v, want 429 %q", when, lang, p.status, ae, want)
			}
		}
	}
	refused("after the burst")
	if n := e.mediaCount() - before; n != b.Burst {
		t.Fatalf("%d files stored, want the burst of %d", n, b.Burst)
	}

	other.uploadOK(s.ID, "voice", "audio/webm", voice)

	offset.Store(int64(b.Every))
	busy.uploadOK(s.ID, "voice", "audio/webm", voice)
	refused("after one interval")
	if n := e.mediaCount() - before; n != b.Burst+2 {
		t.Fatalf("%d files stored, want %d", n, b.Burst+2)
	}
}
