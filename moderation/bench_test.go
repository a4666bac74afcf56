package moderation

import (
	"testing"
	"unicode/utf8"
)

// benchTexts are 200-character contributions (the size the issue's
// target is set for) with the usual mix: plain criticism, personal data,
// an insult, Arabic script.
var benchTexts = []string{
	"De gemeente luistert nooit naar ons. Al drie jaar klagen we over de kapotte stoep bij de school en er gebeurt niks. Mijn moeder van 84 kan er niet meer over met haar rollator. Doe er nu eens iets aan!",
	"Bel mij op 06-12345678 of mail naar fatima.elamrani@gmail.com als er nieuws is over de speeltuin. Mevrouw Jansen op nummer 12 weet er ook van. Mijn adres is Kerkstraat 12, 1234 AB, kom gerust kijken.",
	"Die huisbaas is een vieze klootzak, hij laat de schimmel in de slaapkamer van mijn kinderen gewoon zitten en de huur gaat elk jaar omhoog. KL00TZAK!!! Wij betalen wel en krijgen er niks voor terug.",
	"البلدية لا تسمع لنا أبدا. نشتكي من الرصيف المكسور منذ ثلاث سنوات ولا أحد يفعل شيئا. يا حمار، الأطفال يلعبون في الشارع والسيارات تمر بسرعة كبيرة جدا. نريد ممرا للمشاة قرب المدرسة من فضلكم.",
}

func BenchmarkCheck(b *testing.B) {
	c, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	langs := []string{"nl", "nl", "nl", "ar"}
	for _, s := range benchTexts {
		if n := utf8.RuneCountInString(s); n < 150 || n > 210 {
			b.Fatalf("bench text of %d characters", n)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(benchTexts)
		c.Check(benchTexts[k], langs[k])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}
