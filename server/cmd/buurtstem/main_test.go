package main

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
)

// TestAcknowledgedWritesSurviveKill9 writes through the API from several
// clients at once, kills the server with SIGKILL in the middle of the burst,
// restarts it on the same data directory and checks that every write the
// server acknowledged is there.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	p := run(t, data)
	if p.password == "" {
		t.Fatal("first start printed no admin password")
	}
	c := apiclient.New(p.url)
	if _, err := c.Login(ctx, "admin@buurtstem.local", p.password); err != nil {
		t.Fatal(err)
	}
	const newPassword = "durability test password"
	if err := c.ChangePassword(ctx, p.password, newPassword); err != nil {
		t.Fatal(err)
	}
	org, err := c.CreateOrg(ctx, "Gemeente Duurzaam")
	if err != nil {
		t.Fatal(err)
	}

	// Four writers create districts until the server dies. Each records the
	// names the server acknowledged with 201.
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				name := fmt.Sprintf("Wijk %d-%d", w, i)
				_, err := c.CreateNeighbourhood(ctx, org.ID, apiclient.Neighbourhood{Level: "district", Name: name})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked = append(acked, name)
				mu.Unlock()
			}
		}()
	}
	// Let the burst run, then kill in the middle of it.
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 40 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.signal(t, syscall.SIGKILL)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d writes acknowledged before the kill", len(acked))
	}

	p2 := run(t, data)
	if p2.password != "" {
		t.Error("restart created a new admin: the first one was lost")
	}
	c2 := apiclient.New(p2.url)
	if _, err := c2.Login(ctx, "admin@buurtstem.local", newPassword); err != nil {
		t.Fatalf("login after restart (password change lost?): %v", err)
	}
	got, err := c2.Neighbourhoods(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]int{}
	for _, n := range got {
		have[n.Name]++
	}
	for _, name := range acked {
		if have[name] != 1 {
			t.Errorf("acknowledged write %q: found %d times after kill -9", name, have[name])
		}
	}
	t.Logf("%d acknowledged writes before SIGKILL, all %d present after restart (%d stored in total)", len(acked), len(acked), len(got))
}

// TestGracefulShutdown: SIGTERM stops the server within the shutdown
// timeout with exit status 0 and releases the data directory.
func TestGracefulShutdown(t *testing.T) {
	data := t.TempDir()
	p := run(t, data, "-shutdown-timeout", "10s")
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
		}
	case <-time.After(12 * time.Second):
		t.Fatal("server did not stop within 10 s of SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	// The data directory is free again: a new process can start on it.
	run(t, data)
}

// TestBadSettingStopsWithMessage: an invalid setting exits with status 2
// and a message naming it.
func TestBadSettingStopsWithMessage(t *testing.T) {
	cmd := exec.Command(binary(t), "-log-level", "loud")
	out, err := cmd.CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("want exit status 2, got %v", err)
	}
	if !strings.Contains(string(out), "BUURTSTEM_LOG_LEVEL") || !strings.Contains(string(out), "debug, info, warn, error") {
		t.Fatalf("message does not name the setting and allowed values: %s", out)
	}
}
