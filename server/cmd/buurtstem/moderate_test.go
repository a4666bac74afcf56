package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buurtstem/buurtstem/moderation"
)

// moderate runs the real binary's moderate command with stdin.
func moderate(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"moderate"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestModerateCommand(t *testing.T) {
	in := strings.Join([]string{
		`{"text":"Bel 06-12345678, klootzak","lang":"nl"}`,
		`not json`,
		`{"lang":"ar"}`,
		`{"text":"Ik weet waar je woont."}`,
		`{"text":"` + strings.Repeat("x", 3000) + `"}`,
		`["text"]`,
		`{"text":"يا حمار","lang":"ar"}`,
		`{"text":"   "}`,
		`{"text":"De gemeente luistert nooit naar ons!","lang":"nl"}`, // no newline at the end
	}, "\n")
	out, stderr, code := moderate(t, in, "-max-line", "2000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{
		`{"verdict":"mask","redacted":"Bel [telefoonnummer], ***","reasons":["pii.phone","abuse.insult"]}`,
		`{"line":2,"error":`,
		`{"line":3,"error":"missing \"text\""}`,
		`{"verdict":"hold","redacted":"Ik weet waar je woont.","reasons":["abuse.threat"]}`,
		`{"line":5,"error":"line too long"}`,
		`{"line":6,"error":`,
		`{"verdict":"mask","redacted":"يا ***","reasons":["abuse.insult"]}`,
		`{"verdict":"reject","redacted":"","reasons":["text.empty"]}`,
		`{"verdict":"allow","redacted":"De gemeente luistert nooit naar ons!","reasons":[]}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d output lines for %d input lines:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], w)
		}
	}
}

// TestModerateCommandScoresTheCorpus pipes the whole corpus through the
// command, as someone scoring the library on their own corpus would, and
// compares with the library called directly.
func TestModerateCommandScoresTheCorpus(t *testing.T) {
	corpus, err := os.ReadFile(filepath.Join("..", "..", "..", "moderation", "testdata", "corpus.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := moderate(t, string(corpus))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sc := bufio.NewScanner(bytes.NewReader(corpus))
	outs := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	n := 0
	for sc.Scan() {
		var in struct{ Text, Lang string }
		if err := json.Unmarshal(sc.Bytes(), &in); err != nil {
			t.Fatal(err)
		}
		if n >= len(outs) {
			t.Fatalf("only %d output lines", len(outs))
		}
		var got struct {
			Verdict  string   `json:"verdict"`
			Redacted string   `json:"redacted"`
			Reasons  []string `json:"reasons"`
		}
		if err := json.Unmarshal([]byte(outs[n]), &got); err != nil {
			t.Fatalf("output line %d: %v", n+1, err)
		}
		v := moderation.Check(in.Text, in.Lang)
		if got.Verdict != string(v.Decision) || got.Redacted != v.Redacted || strings.Join(got.Reasons, ",") != strings.Join(v.Codes(), ",") {
			t.Errorf("line %d: command %+v, library %+v", n+1, got, v)
		}
		n++
	}
	if n != len(outs) || n < 400 {
		t.Fatalf("%d inputs, %d outputs", n, len(outs))
	}
}

func TestModerateCommandBadFlag(t *testing.T) {
	if _, stderr, code := moderate(t, "", "-nope"); code != 2 || !strings.Contains(stderr, "-nope") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
