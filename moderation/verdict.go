package moderation

import "strings"

// Decision is what the platform does with a contribution. The order
// matters: a contribution gets the strictest decision of its reasons.
type Decision string

const (
	// Allow publishes the text as written.
	Allow Decision = "allow"
	// Mask publishes Verdict.Redacted instead of the text: personal data,
	// insults and invisible characters are replaced, the message stays.
	Mask Decision = "mask"
	// Hold keeps the contribution from the projector and the public until a
	// person (the intermediary or a reviewer) has looked at it. Never
	// published automatically.
	Hold Decision = "hold"
	// Reject does not accept the contribution at all (empty, too long,
	// sent again, flooding); the author is told why and can send again.
	Reject Decision = "reject"
)

func (d Decision) rank() int {
	switch d {
	case Mask:
		return 1
	case Hold:
		return 2
	case Reject:
		return 3
	}
	return 0
}

// Code is a stable reason code. The server stores it with the
// contribution; the author sees the translated explanation of
// Code.MessageID. Codes never change meaning; new ones may be added.
type Code string

// Personal data: replaced in the redacted text by a mark in the
// contribution's language (see Mark).
const (
	PIIEmail   Code = "pii.email"
	PIIPhone   Code = "pii.phone"
	PIIIBAN    Code = "pii.iban"    // mod-97 checked
	PIIBSN     Code = "pii.bsn"     // eleven-test checked
	PIIAddress Code = "pii.address" // Dutch postcode with house number
	PIIPlate   Code = "pii.plate"   // Dutch licence plate
	PIIURL     Code = "pii.url"
	// PIIPerson is a private person named in a way that lets neighbours
	// recognise them ("mevrouw Jansen op nummer 12"). The name is replaced
	// and the contribution held for a person.
	PIIPerson Code = "pii.person"
)

// Abuse. Insults and profanity are masked word by word; threats, hate
// against groups and doxxing are held for a person.
const (
	AbuseInsult    Code = "abuse.insult"
	AbuseProfanity Code = "abuse.profanity"
	AbuseThreat    Code = "abuse.threat"
	AbuseHate      Code = "abuse.hate"
	AbuseDoxxing   Code = "abuse.doxxing"
)

// Spam, found by a Guard (it needs the session's history).
const (
	SpamDuplicate Code = "spam.duplicate"
	SpamFlood     Code = "spam.flood"
)

// Bad input.
const (
	TextEmpty   Code = "text.empty"
	TextTooLong Code = "text.too_long"
	// TextInvalidUTF8: bytes that are not UTF-8 were replaced by U+FFFD.
	TextInvalidUTF8 Code = "text.invalid_utf8"
	// TextHidden: zero-width and bidirectional control characters were
	// removed. They hide words from the checks ("klo\u200botzak") or turn
	// text around on screen (U+202E).
	TextHidden Code = "text.hidden_characters"
)

var codeDecision = map[Code]Decision{
	PIIEmail: Mask, PIIPhone: Mask, PIIIBAN: Mask, PIIBSN: Mask, PIIAddress: Mask, PIIPlate: Mask, PIIURL: Mask,
	PIIPerson:   Hold,
	AbuseInsult: Mask, AbuseProfanity: Mask,
	AbuseThreat: Hold, AbuseHate: Hold, AbuseDoxxing: Hold,
	SpamDuplicate: Reject, SpamFlood: Reject,
	TextEmpty: Reject, TextTooLong: Reject, TextInvalidUTF8: Mask, TextHidden: Mask,
}

// Codes lists every reason code, for the locale checks and the policy page.
func Codes() []Code {
	return []Code{
		PIIEmail, PIIPhone, PIIIBAN, PIIBSN, PIIAddress, PIIPlate, PIIURL, PIIPerson,
		AbuseInsult, AbuseProfanity, AbuseThreat, AbuseHate, AbuseDoxxing,
		SpamDuplicate, SpamFlood,
		TextEmpty, TextTooLong, TextInvalidUTF8, TextHidden,
	}
}

// Decision is what this reason alone asks for.
func (c Code) Decision() Decision { return codeDecision[c] }

// MessageID is the i18n message that explains the reason to the author,
// e.g. "moderation.reason.pii_phone".
func (c Code) MessageID() string {
	return "moderation.reason." + strings.ReplaceAll(string(c), ".", "_")
}

// Reason is one reason of a verdict: its code, the message explaining it
// and how often it was found.
type Reason struct {
	Code      Code   `json:"code"`
	MessageID string `json:"message_id"`
	Count     int    `json:"count"`
}

// Verdict is the result of a check.
type Verdict struct {
	Decision Decision `json:"verdict"`
	// Redacted is the text to show when the decision is Mask, and what a
	// moderator sees of a held contribution (personal data replaced,
	// threats left as written so they can be judged). Empty on Reject.
	Redacted string   `json:"redacted"`
	Reasons  []Reason `json:"reasons"`
}

// Has reports whether the verdict has a reason with this code.
func (v Verdict) Has(c Code) bool {
	for _, r := range v.Reasons {
		if r.Code == c {
			return true
		}
	}
	return false
}

// Codes returns the reason codes, to store with the contribution.
func (v Verdict) Codes() []string {
	out := make([]string, len(v.Reasons))
	for i, r := range v.Reasons {
		out[i] = string(r.Code)
	}
	return out
}

// With returns the verdict with more reasons (e.g. those of a Guard) and
// the decision they ask for. A Reject empties Redacted.
func (v Verdict) With(codes ...Code) Verdict {
	if len(codes) == 0 {
		return v
	}
	v.Reasons = append([]Reason(nil), v.Reasons...)
	for _, c := range codes {
		v.add(c, 1)
	}
	if v.Decision == Reject {
		v.Redacted = ""
	}
	return v
}

func (v *Verdict) add(c Code, n int) {
	for i := range v.Reasons {
		if v.Reasons[i].Code == c {
			v.Reasons[i].Count += n
			return
		}
	}
	v.Reasons = append(v.Reasons, Reason{Code: c, MessageID: c.MessageID(), Count: n})
	if d := c.Decision(); d.rank() > v.Decision.rank() {
		v.Decision = d
	}
}
