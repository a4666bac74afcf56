package review

import (
	"encoding/binary"
	"encoding/hex"
	"slices"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// An inbox entry is a contribution in 28 bytes, so that an organisation's
// million entries are 28 MB of chunk data read by _id instead of a 15 s
// scan of the contributions collection:
//
//	0–11  contribution id (the 24 hex digits of live.contributionID)
//	12–15 created at, Unix seconds, big endian
//	16    kind (index in model.PromptKinds, plus one)
//	17    moderation when written (modCodes)
//	18    face (0 or 1–5)
//	19    themes named (bit i: sessions.Themes[i])
//	20–23 language code, ASCII, zero padded
//	24    flags (flagAssisted, flagText, flagMedia)
//	25–27 reserved, zero
const entrySize = 28

const (
	flagAssisted = 1 << iota
	flagText
	flagMedia
)

// New states go at the end: entries already written keep their meaning.
var modCodes = []model.ModerationState{"", model.ModPending, model.ModApproved, model.ModRejected, model.ModHeld, model.ModEscalated}

// entry is a decoded inbox entry.
type entry struct {
	id       string
	at       time.Time
	kind     model.PromptKind
	mod      model.ModerationState
	face     int
	themes   uint8
	lang     string
	flags    uint8
	session  string
	topicID  string
	unixSecs uint32
}

// encodeEntry appends c's entry to b. It reports false for an id that is
// not 24 hex digits, which only the live hub makes.
func encodeEntry(b []byte, c *model.Contribution) ([]byte, bool) {
	var e [entrySize]byte
	if len(c.ID) != 24 {
		return b, false
	}
	if _, err := hex.Decode(e[0:12], []byte(c.ID)); err != nil {
		return b, false
	}
	binary.BigEndian.PutUint32(e[12:16], uint32(c.CreatedAt.Unix()))
	e[16] = byte(slices.Index(model.PromptKinds, c.Kind) + 1)
	e[17] = byte(max(0, slices.Index(modCodes, c.Moderation)))
	e[18] = byte(c.Answer.Face)
	e[19] = themeBits(c.Answer.Options)
	copy(e[20:24], c.Lang)
	if c.Assisted {
		e[24] |= flagAssisted
	}
	if c.Answer.Text != "" {
		e[24] |= flagText
	}
	if c.Answer.MediaID != "" {
		e[24] |= flagMedia
	}
	return append(b, e[:]...), true
}

// themeBits returns the bits of the themes among options (a picture
// choice's options are not themes and set none).
func themeBits(options []string) uint8 {
	var bits uint8
	for _, o := range options {
		if i := slices.Index(sessions.Themes, o); i >= 0 {
			bits |= 1 << i
		}
	}
	return bits
}

// themeBit returns the bit of one theme, or 0.
func themeBit(theme string) uint8 {
	if i := slices.Index(sessions.Themes, theme); i >= 0 {
		return 1 << i
	}
	return 0
}

func decodeEntry(b []byte, session string) entry {
	secs := binary.BigEndian.Uint32(b[12:16])
	e := entry{
		id: hex.EncodeToString(b[0:12]), unixSecs: secs, at: time.Unix(int64(secs), 0).UTC(),
		face: int(b[18]), themes: b[19], flags: b[24], session: session,
	}
	if k := int(b[16]); k >= 1 && k <= len(model.PromptKinds) {
		e.kind = model.PromptKinds[k-1]
	}
	if m := int(b[17]); m < len(modCodes) {
		e.mod = modCodes[m]
	}
	l := b[20:24]
	n := 0
	for n < len(l) && l[n] != 0 {
		n++
	}
	e.lang = string(l[:n])
	return e
}

// Themes returns the theme ids of an entry's bits.
func themesOf(bits uint8) []string {
	var out []string
	for i, t := range sessions.Themes {
		if bits&(1<<i) != 0 {
			out = append(out, t)
		}
	}
	return out
}
