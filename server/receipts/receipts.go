// Package receipts holds the short codes residents take home to look up
// their input later without an account (/r/{code}): how a code is drawn,
// typed and shown, and the printed slips an intermediary hands out to
// residents without a phone.
//
// A receipt made on a device (a shared tablet) belongs to that device's
// anonymous participant. A slip is made in advance, in a batch printed from
// the console: each slip is a receipt of its own "slip participant" with no
// device behind it. When the intermediary enters an answer for a resident
// (the live "assist" message) and types the code of the slip that resident
// holds, the answer is stored for the slip's participant, so it appears on
// /r/{code}. Slips belong to one organisation; any of its sessions may use
// them, so a resident can bring the same slip to the next evening.
package receipts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/store"
)

// Codes: 10 characters from an alphabet without look-alikes (no 0/O,
// 1/I/L), 31^10 ≈ 8·10^14 codes, shown as "ABCDE-FGHJK".
const (
	Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	Len      = 10
)

// NewCode draws a code uniformly (rejection sampling).
func NewCode() string {
	var out [Len]byte
	var b [1]byte
	for i := 0; i < Len; {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err)
		}
		if int(b[0]) >= 256-256%len(Alphabet) {
			continue
		}
		out[i] = Alphabet[int(b[0])%len(Alphabet)]
		i++
	}
	return string(out[:])
}

// Normalise reads a typed or scanned code: case, spaces and dashes do not
// matter. "" if it cannot be a code (such a guess never reaches the store).
func Normalise(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r == ' ' || r == '-' || r == '\t' {
			continue
		}
		if !strings.ContainsRune(Alphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() != Len {
		return ""
	}
	return b.String()
}

// Format shows a code in two groups of five, easier to read aloud.
func Format(code string) string {
	if len(code) != Len {
		return code
	}
	return code[:5] + "-" + code[5:]
}

// Links signs the address a receipt's QR code holds, /r/{code}.{tag}: the
// tag is 64 bits of an HMAC of the code under a server secret, so a link
// with a right tag cannot be a guess and is opened without spending or
// needing a guess budget (package guess): a resident who scans a slip on
// a fresh phone gets in even while a flood of wrong codes has emptied the
// fresh devices' budget. A typed code, or a link with a wrong tag, is a
// guess like any other. The zero Links signs nothing.
type Links struct{ secret []byte }

// NewLinks returns Links under a secret every instance shares (store.Secret).
func NewLinks(secret []byte) Links { return Links{secret: secret} }

// Path is a receipt's address, signed when l has a secret.
func (l Links) Path(code string) string {
	if len(l.secret) == 0 {
		return "/r/" + code
	}
	return "/r/" + code + "." + l.tag(code)
}

// Split reads the {code} of /r/{code}: the normalised code ("" if it
// cannot be one) and whether it carried the right tag.
func (l Links) Split(param string) (code string, signed bool) {
	typed, tag, _ := strings.Cut(param, ".")
	code = Normalise(typed)
	if code == "" || tag == "" || len(l.secret) == 0 {
		return code, false
	}
	return code, hmac.Equal([]byte(tag), []byte(l.tag(code)))
}

func (l Links) tag(code string) string {
	m := hmac.New(sha256.New, l.secret)
	m.Write([]byte("receipt-link\x00"))
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// SlipPrefix starts the participant id of every slip: it is never a
// device's participant id (those are hex hashes) nor an assisted one.
const SlipPrefix = "slip:"

// MaxSlips is the most slips one sheet holds: five A4 pages of eight.
const MaxSlips = 40

// Service makes and reads printed slips. Handlers call it; it calls the
// store.
type Service struct {
	store *store.Store
	links Links
}

// New returns a Service on a store.
func New(st *store.Store) *Service { return &Service{store: st} }

// SetLinks makes the slips' QR codes signed links (Links).
func (s *Service) SetLinks(l Links) { s.links = l }

// Path is the address a slip's QR code holds.
func (s *Service) Path(code string) string { return s.links.Path(code) }

// MakeSlips stores n new slips for an organisation, printed from one of
// its sessions in lang, and returns their batch (read back by its _id to
// print the sheet again).
func (s *Service) MakeSlips(ctx context.Context, orgID, sessionID, lang string, n int) (*model.SlipBatch, error) {
	if n < 1 || n > MaxSlips {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Field: "count", MsgID: "slips.count_invalid", Data: map[string]any{"Max": MaxSlips}}
	}
	now := time.Now().UTC()
	b := &model.SlipBatch{ID: store.NewID(), OrgID: orgID, SessionID: sessionID, Lang: lang, CreatedAt: now}
	for range n {
		r := &model.Receipt{ParticipantID: SlipPrefix + randomHex(), OrgID: orgID, SessionID: sessionID, CreatedAt: now}
		if err := s.store.InsertReceipt(ctx, r, NewCode); err != nil {
			return nil, err
		}
		b.Codes = append(b.Codes, r.ID)
	}
	if err := s.store.InsertSlipBatch(ctx, b); err != nil {
		return nil, err
	}
	return b, nil
}

// Sheet returns a printed batch of an organisation's session; anything
// else is not found.
func (s *Service) Sheet(ctx context.Context, orgID, sessionID, id string) (*model.SlipBatch, error) {
	b, err := s.store.SlipBatch(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if b.SessionID != sessionID {
		return nil, apperr.New(apperr.ErrNotFound, "error.not_found")
	}
	return b, nil
}

// SlipParticipant returns the participant of the slip with this (typed)
// code, if it is a slip of the organisation. Any other code — unknown, a
// device's receipt, another organisation's slip — is the same invalid
// input, so the answer says nothing about codes elsewhere.
func (s *Service) SlipParticipant(ctx context.Context, orgID, typed string) (string, error) {
	code := Normalise(typed)
	if code == "" {
		return "", apperr.Invalid("receipt", "slips.code_unknown")
	}
	r, err := s.store.Receipt(ctx, code)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && (r.OrgID != orgID || !strings.HasPrefix(r.ParticipantID, SlipPrefix))) {
		return "", apperr.Invalid("receipt", "slips.code_unknown")
	}
	if err != nil {
		return "", err
	}
	return r.ParticipantID, nil
}

func randomHex() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
