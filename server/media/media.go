package media

import (
	"mime"
	"slices"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
)

// Kind is what a file is for. It decides the formats and limits.
type Kind string

// The kinds. Voice notes and photos are residents' answers and fall under
// the retention period; prompt recordings are a session's read-aloud audio,
// made by staff, and stay as long as the session.
const (
	Voice  Kind = "voice"
	Photo  Kind = "photo"
	Prompt Kind = "prompt"
)

// Valid reports whether k is a kind residents may upload.
func (k Kind) Valid() bool { return k == Voice || k == Photo }

// Limits bound what is accepted. DefaultLimits are those of the contract
// with the resident client.
type Limits struct {
	VoiceBytes     int
	VoiceDuration  time.Duration
	PromptBytes    int
	PromptDuration time.Duration
	PhotoBytes     int
	PhotoPixels    int
	// PhotoLongSide is the longest side a stored photo keeps; larger ones
	// are scaled down.
	PhotoLongSide int
}

// DefaultLimits: voice ≤ 60 s and ≤ 2 MB; photo ≤ 8 MB and ≤ 40 megapixels,
// stored at most 1600 px on its long side; a prompt recording (read aloud
// by staff, several languages per prompt) ≤ 3 minutes and ≤ 6 MB.
var DefaultLimits = Limits{
	VoiceBytes: 2 << 20, VoiceDuration: 60 * time.Second,
	PromptBytes: 6 << 20, PromptDuration: 3 * time.Minute,
	PhotoBytes: 8 << 20, PhotoPixels: 40_000_000, PhotoLongSide: 1600,
}

// MaxBytes returns the largest upload of a kind.
func (l Limits) MaxBytes(k Kind) int {
	switch k {
	case Voice:
		return l.VoiceBytes
	case Photo:
		return l.PhotoBytes
	}
	return l.PromptBytes
}

// File is an accepted file, ready to store.
type File struct {
	Data []byte
	// ContentType is what the bytes are (not what the sender said).
	ContentType string
	// Duration of a recording, if the file tells it; 0 if unknown.
	Duration time.Duration
	// Width and Height of a photo as stored.
	Width, Height int
}

// Content types accepted per kind.
const (
	TypeWebM = "audio/webm"
	TypeMP4  = "audio/mp4"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
)

var accepted = map[Kind][]string{
	Voice:  {TypeWebM, TypeMP4},
	Prompt: {TypeWebM, TypeMP4},
	Photo:  {TypeJPEG, TypePNG, TypeWebP},
}

// Check validates an upload of a kind, given its declared Content-Type, and
// returns what to store: recordings as they came, photos cleaned (see the
// package doc). Every refusal is an *apperr.Error with a message id.
func Check(k Kind, declared string, b []byte, l Limits) (File, error) {
	if len(b) == 0 {
		return File{}, invalid("answer.file_empty")
	}
	if max := l.MaxBytes(k); len(b) > max {
		return File{}, TooLarge(max)
	}
	mt, _, err := mime.ParseMediaType(declared)
	// Browsers label MediaRecorder output "audio/webm;codecs=opus" and
	// sometimes "video/webm" for audio-only recordings.
	mt = strings.ToLower(mt)
	if mt == "video/webm" {
		mt = TypeWebM
	}
	if err != nil || !slices.Contains(accepted[k], mt) {
		return File{}, wrongType(k)
	}
	switch k {
	case Voice, Prompt:
		max := l.VoiceDuration
		if k == Prompt {
			max = l.PromptDuration
		}
		return checkAudio(b, max)
	case Photo:
		return cleanPhoto(b, l)
	}
	return File{}, wrongType(k)
}

func checkAudio(b []byte, max time.Duration) (File, error) {
	var (
		d   time.Duration
		ct  string
		err error
	)
	switch {
	case isWebM(b):
		ct = TypeWebM
		d, err = webmDuration(b)
	case isMP4(b):
		ct = TypeMP4
		d, err = mp4Duration(b)
	default:
		return File{}, wrongType(Voice)
	}
	if err != nil {
		return File{}, err
	}
	if d > max {
		return File{}, &apperr.Error{Kind: apperr.ErrInvalid, Field: "file", MsgID: "answer.file_too_long",
			Data: map[string]any{"Max": int(max / time.Second)}}
	}
	return File{Data: b, ContentType: ct, Duration: d}, nil
}

// TooLarge is the refusal of a file over max bytes, naming the limit in
// whole megabytes.
func TooLarge(max int) *apperr.Error {
	return &apperr.Error{Kind: apperr.ErrInvalid, Field: "file", MsgID: "answer.file_too_large",
		Data: map[string]any{"Max": max >> 20}}
}

func invalid(msgID string) *apperr.Error { return apperr.Invalid("file", msgID) }

func wrongType(k Kind) *apperr.Error {
	if k == Photo {
		return invalid("answer.file_not_photo")
	}
	return invalid("answer.file_not_audio")
}

// broken is a file that starts right but does not hold together: cut off,
// or with sizes that do not add up.
func broken() *apperr.Error { return invalid("answer.file_broken") }
