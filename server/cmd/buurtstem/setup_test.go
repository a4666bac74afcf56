package main

// The set-up every test of the binary shares: build it once, run it as a
// real process, log in as the demo intermediary, open a session, connect
// residents and the projector, kill the process. The tests themselves keep
// only what they check.

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// binary builds the real server once per test run.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bstbin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "buurtstem")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// command runs the binary with args and returns its exit status and
// output.
func command(t *testing.T, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(binary(t), args...).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// proc is a running server process.
type proc struct {
	cmd      *exec.Cmd
	url      string
	password string // first-start admin password, if printed
	lines    []string
	stderr   *strings.Builder
	done     chan error
}

var (
	listening = regexp.MustCompile(`listening on ([0-9.:]+)\)`)
	password  = regexp.MustCompile(`password: (\S+)`)
)

// run starts the binary on a free port with a data directory and waits
// until it listens.
func run(t *testing.T, dataDir string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"-listen", "127.0.0.1:0", "-data-dir", dataDir, "-log-format", "text"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: &strings.Builder{}, done: make(chan error, 1)}
	cmd.Stderr = &syncWriter{b: p.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	found := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			p.lines = append(p.lines, line)
			if m := password.FindStringSubmatch(line); m != nil {
				p.password = m[1]
			}
			if m := listening.FindStringSubmatch(line); m != nil {
				p.url = "http://" + m[1]
				close(found)
			}
		}
	}()
	select {
	case <-found:
	case err := <-p.done:
		t.Fatalf("server exited before listening: %v\n%s", err, p.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start\n%s", p.stderr)
	}
	return p
}

// signal sends sig to the process and waits until it has exited,
// returning how it exited.
func (p *proc) signal(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return <-p.done
}

type syncWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *syncWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(b)
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func demoPassword(t *testing.T, p *proc, email string) string {
	t.Helper()
	for _, l := range p.lines {
		if strings.Contains(l, email) {
			if m := password.FindStringSubmatch(l); m != nil {
				return m[1]
			}
		}
	}
	t.Fatalf("no demo password for %s in %q", email, p.lines)
	return ""
}

// demoStaff logs in at base (the server itself or a proxy in front of it)
// as the demo intermediary whose password p printed at its first start.
func demoStaff(t *testing.T, ctx context.Context, p *proc, base string) *apiclient.Client {
	t.Helper()
	staff := apiclient.New(base)
	email := demo.Accounts[2].Email
	if _, err := staff.Login(ctx, email, demoPassword(t, p, email)); err != nil {
		t.Fatal(err)
	}
	return staff
}

// facesSession is a session in the demo neighbourhood, in Dutch, with one
// faces prompt: every answer to it is stored, none held back by the
// moderation guard.
func facesSession(title string) apiclient.SessionInput {
	return apiclient.SessionInput{
		Title: title, NeighbourhoodID: demo.BuurtAID, Languages: []string{"nl"},
		Prompts: []apiclient.Prompt{{Kind: "faces", Text: map[string]string{"nl": "Hoe gaat het?"}}},
	}
}

// openSession creates the session in the demo organisation, opens it and,
// when current is not negative, moves to that prompt.
func openSession(t *testing.T, ctx context.Context, staff *apiclient.Client, in apiclient.SessionInput, current int) *apiclient.LiveSession {
	t.Helper()
	s, err := staff.CreateSession(ctx, demo.OrgID, in)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = staff.SessionAction(ctx, demo.OrgID, s.ID, "open"); err != nil {
		t.Fatal(err)
	}
	if current >= 0 {
		if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, current); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// joinResident joins the session at base with a device of its own (a
// cookie jar) and connects it live with room for many events.
func joinResident(t *testing.T, ctx context.Context, base string, s *apiclient.LiveSession) (*cookiejar.Jar, *live.Conn) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	j, err := live.Join(ctx, base, s.Code, jar)
	if err != nil {
		t.Fatal(err)
	}
	c, err := live.Dial(ctx, live.Options{Base: base, Session: j.SessionID, Jar: jar, Buffer: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return jar, c
}

// projectorSnapshot connects a projector to the session at base and
// returns the snapshot it gets first: the results as the server has them.
func projectorSnapshot(t *testing.T, ctx context.Context, base string, s *apiclient.LiveSession) protocol.SnapshotData {
	t.Helper()
	proj, err := live.Dial(ctx, live.Options{Base: base, Session: s.ID, Role: "projector", Key: s.ProjectorKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer proj.Close()
	snap, err := proj.NextSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// storedOnce opens the store in dataDir (the server has stopped) and checks
// that every acknowledged answer (client id → contribution id) of the
// session is stored exactly once; it returns how many the session holds.
func storedOnce(t *testing.T, dataDir, sessionID string, acked map[string]string) int {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: dataDir})
	if err != nil {
		t.Fatalf("the store does not open: %v", err)
	}
	defer st.Close(ctx)
	cs, err := st.ContributionsOf(ctx, sessionID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, c := range cs {
		stored[c.ID]++
	}
	for id, cid := range acked {
		if stored[cid] != 1 {
			t.Errorf("%s (acknowledged as %s) stored %d times", id, cid, stored[cid])
		}
	}
	return len(cs)
}
