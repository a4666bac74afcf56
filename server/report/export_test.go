package report

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/model"
)

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+31 6": "'+31 6", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
		"\t=1": "'\t=1", "\r=1": "'\r=1", "Lindenplein": "Lindenplein", "": "", "3 + 4": "3 + 4",
	} {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCSVIsProtectedAndSuppressed: a report's CSV carries no cell a
// spreadsheet would run, and no group under MinGroup people.
func TestCSVIsProtectedAndSuppressed(t *testing.T) {
	r := &Report{Org: &model.Organisation{Name: "=cmd|' /C calc'!A0"}, GeneratedAt: time.Now(),
		Participants: group("", 3), Langs: suppress(map[string]int{"nl": 40, "ar": 2, "tr": 9}, []string{"nl", "ar", "tr"}),
		Sessions: []SessionRow{{Session: &model.Session{ID: "s", Title: "@avond"}, Participants: group("", 12)}}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && (cell[0] == '=' || cell[0] == '+' || cell[0] == '@' || cell[0] == '-') {
				t.Errorf("unprotected cell %q", cell)
			}
		}
		seen[row[0]+"/"+row[1]] = row[2]
	}
	// ar (2) is hidden, and tr (9) too: otherwise total minus the rest
	// would give ar away.
	if seen["participants/total"] != "<5" || seen["reach_language/ar"] != "<5" || seen["reach_language/tr"] != "<5" || seen["reach_language/nl"] != "40" {
		t.Errorf("suppression: %v", seen)
	}
}
