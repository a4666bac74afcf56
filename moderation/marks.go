package moderation

// Redaction marks replace personal data in the redacted text. They are in
// the contribution's language, because the redacted text is shown as the
// resident's own words (on the projector, to the municipality), and a
// Dutch "[telefoonnummer]" in the middle of an Arabic sentence reads as
// noise. The table lives here, not in the locale files, because the
// library has no I/O and marks must exist for every language a
// contribution can be in; an unknown language gets the Dutch marks.
//
// Masked abuse is replaced by maskWord in every language.
var marks = map[string]map[Code]string{
	"nl": {PIIEmail: "[e-mailadres]", PIIPhone: "[telefoonnummer]", PIIIBAN: "[rekeningnummer]", PIIBSN: "[BSN]",
		PIIAddress: "[adres]", PIIPlate: "[kenteken]", PIIURL: "[link]", PIIPerson: "[naam]"},
	"en": {PIIEmail: "[e-mail address]", PIIPhone: "[phone number]", PIIIBAN: "[bank account]", PIIBSN: "[BSN]",
		PIIAddress: "[address]", PIIPlate: "[licence plate]", PIIURL: "[link]", PIIPerson: "[name]"},
	"ar": {PIIEmail: "[البريد الإلكتروني]", PIIPhone: "[رقم الهاتف]", PIIIBAN: "[رقم الحساب]", PIIBSN: "[رقم BSN]",
		PIIAddress: "[العنوان]", PIIPlate: "[رقم السيارة]", PIIURL: "[رابط]", PIIPerson: "[الاسم]"},
	"tr": {PIIEmail: "[e-posta]", PIIPhone: "[telefon numarası]", PIIIBAN: "[hesap numarası]", PIIBSN: "[BSN]",
		PIIAddress: "[adres]", PIIPlate: "[plaka]", PIIURL: "[bağlantı]", PIIPerson: "[isim]"},
	"pl": {PIIEmail: "[adres e-mail]", PIIPhone: "[numer telefonu]", PIIIBAN: "[numer konta]", PIIBSN: "[BSN]",
		PIIAddress: "[adres]", PIIPlate: "[numer rejestracyjny]", PIIURL: "[link]", PIIPerson: "[imię]"},
	"uk": {PIIEmail: "[електронна пошта]", PIIPhone: "[номер телефону]", PIIIBAN: "[номер рахунку]", PIIBSN: "[BSN]",
		PIIAddress: "[адреса]", PIIPlate: "[номерний знак]", PIIURL: "[посилання]", PIIPerson: "[ім'я]"},
}

// maskWord replaces an insult or a swear word: the same in every script,
// and the same length for every word, so the length gives nothing away.
const maskWord = "***"

// Mark returns the redaction mark of a personal-data code in a language
// ("[telefoonnummer]" for PIIPhone in Dutch), and maskWord for abuse.
func Mark(c Code, lang string) string {
	m, ok := marks[baseLang(lang)]
	if !ok {
		m = marks["nl"]
	}
	if s, ok := m[c]; ok {
		return s
	}
	return maskWord
}
