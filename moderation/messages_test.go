package moderation_test

import (
	"testing"

	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/moderation"
)

// Every reason has its explanation in the Dutch source (the i18n tests
// then require it in every language), so the server can always tell the
// author why.
func TestEveryReasonHasAnExplanation(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Languages() {
		l := cat.Localizer(lang.Code)
		for _, c := range moderation.Codes() {
			if got := l.T(c.MessageID()); got == c.MessageID() || got == "" {
				t.Errorf("%s: no message %s for %s", lang.Code, c.MessageID(), c)
			}
		}
	}
}
