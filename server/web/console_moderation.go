package web

import (
	"github.com/buurtstem/buurtstem/moderation"
	"github.com/buurtstem/buurtstem/server/model"
	"github.com/buurtstem/buurtstem/server/sessions"
)

// The console's moderation queue (#6) renders its choices on the server:
// the reasons a moderator hides input for, the themes to tag, and the
// labels of the moderation library's reason codes, which console.js shows
// next to held and masked input.

// HideReasons are the reasons to pick when hiding input.
func (p *ConsolePage) HideReasons() []string { return model.HideReasons }

// Themes are the themes input can be tagged with.
func (p *ConsolePage) Themes() []string { return sessions.Themes }

// ReasonCode is a moderation library reason with its explanation.
type ReasonCode struct {
	Code  string
	Label string
}

// ReasonCodes lists every reason code of the moderation library.
func (p *ConsolePage) ReasonCodes() []ReasonCode {
	codes := moderation.Codes()
	out := make([]ReasonCode, len(codes))
	for i, c := range codes {
		out[i] = ReasonCode{Code: string(c), Label: p.T(c.MessageID())}
	}
	return out
}
