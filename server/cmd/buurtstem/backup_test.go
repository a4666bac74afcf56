package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

// TestBackupAndRestoreCommands runs the real binary: a server with a live
// session and answers; "buurtstem backup" refuses its data directory while
// it runs and explains why; after SIGTERM it writes the archive; "restore"
// loads it into a new data directory and refuses to do so twice; a server
// on the restored directory accepts the same login and shows every answer.
func TestBackupAndRestoreCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	p := run(t, data, "-demo")
	email := demo.Accounts[2].Email
	pw := demoPassword(t, p, email)
	s := openSession(t, ctx, demoStaff(t, ctx, p, p.url), facesSession("Back-up"), 0)
	const residents = 8
	for i := range residents {
		_, c := joinResident(t, ctx, p.url, s)
		if _, err := c.Submit(ctx, fmt.Sprintf("r%d", i), protocol.SubmitData{PromptID: s.Prompts[0].ID,
			Answer: protocol.AnswerData{Face: 1 + i%5}}); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}

	archive := filepath.Join(t.TempDir(), "buurtstem.tar.gz")
	code, out := command(t, "backup", "-data-dir", data, archive)
	if code != 1 || !strings.Contains(out, "in use by another buurtstem process") || !strings.Contains(out, "Stop it first") {
		t.Fatalf("backup of a running server's directory: status %d, %s", code, out)
	}
	if _, err := os.Stat(archive); !os.IsNotExist(err) {
		t.Fatalf("a refused backup left a file: %v", err)
	}

	p.signal(t, syscall.SIGTERM)
	code, out = command(t, "backup", "-data-dir", data, archive)
	if code != 0 {
		t.Fatalf("backup: status %d, %s", code, out)
	}
	t.Logf("backup: %s", strings.TrimSpace(out))
	fi, err := os.Stat(archive)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("archive mode %v, want 0600: it holds password hashes and residents' input", fi.Mode().Perm())
	}
	if code, out := command(t, "backup", "-data-dir", data, archive); code != 1 || !strings.Contains(out, "exists already") {
		t.Fatalf("backup over an existing file: status %d, %s", code, out)
	}
	if code, out := command(t, "backup", "-data-dir", filepath.Join(data, "typo"), archive+"2"); code != 1 || !strings.Contains(out, "no embedded store") {
		t.Fatalf("backup of a directory without a store: status %d, %s", code, out)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	code, out = command(t, "restore", "-data-dir", restored, archive)
	if code != 0 {
		t.Fatalf("restore: status %d, %s", code, out)
	}
	t.Logf("restore: %s", strings.TrimSpace(out))
	if code, out := command(t, "restore", "-data-dir", restored, archive); code != 1 || !strings.Contains(out, "not empty") {
		t.Fatalf("second restore into the same directory: status %d, %s", code, out)
	}
	if code, out := command(t, "restore", "-data-dir", restored); code != 2 || !strings.Contains(out, "archive file") {
		t.Fatalf("restore without a file: status %d, %s", code, out)
	}

	p2 := run(t, restored)
	if p2.password != "" {
		t.Error("the restored server created a new admin: the staff were not restored")
	}
	if _, err := apiclient.New(p2.url).Login(ctx, email, pw); err != nil {
		t.Fatalf("login on the restored server: %v", err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	snap := projectorSnapshot(t, wctx, p2.url, s)
	if len(snap.Results) != 1 || snap.Results[0].Answered != residents {
		t.Fatalf("restored session results %+v, want %d answers", snap.Results, residents)
	}
}
