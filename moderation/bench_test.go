package moderation

import (
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// cpuTime is the process's user and system CPU time so far. On a shared
// machine the wall-clock rate drops whenever other processes take the
// cores; CPU time per check is the figure that says what one core does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

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
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		k := i % len(benchTexts)
		c.Check(benchTexts[k], langs[k])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "checks/cpu-s")
	}
}
