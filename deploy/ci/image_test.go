package ci

import (
	"bufio"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// dockerfile is what the checks need from deploy/Dockerfile: its
// instructions with continuation lines joined, and the default values of
// its ARGs.
type dockerfile struct {
	instructions []string // "RUN ...", "FROM ...", one per instruction
	args         map[string]string
}

func readDockerfile(t *testing.T) *dockerfile {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := &dockerfile{args: map[string]string{}}
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || (line == "" && cur.Len() == 0) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		ins := strings.Join(strings.Fields(cur.String()), " ")
		cur.Reset()
		if ins == "" {
			continue
		}
		d.instructions = append(d.instructions, ins)
		if rest, ok := strings.CutPrefix(ins, "ARG "); ok {
			k, v, _ := strings.Cut(rest, "=")
			d.args[k] = v
		}
	}
	return d
}

// goBuild returns the environment and arguments of the Dockerfile's
// "go build" RUN instruction, with ARGs substituted.
func (d *dockerfile) goBuild(t *testing.T, args map[string]string) (env, argv []string) {
	t.Helper()
	for _, ins := range d.instructions {
		if !strings.HasPrefix(ins, "RUN ") || !strings.Contains(ins, " go build ") {
			continue
		}
		words := shellWords(strings.TrimPrefix(ins, "RUN "))
		for i, w := range words {
			w = os.Expand(w, func(k string) string {
				if v, ok := args[k]; ok {
					return v
				}
				return d.args[k]
			})
			switch {
			case strings.HasPrefix(w, "--mount="):
			case argv == nil && regexp.MustCompile(`^[A-Z_]+=`).MatchString(w):
				env = append(env, w)
			default:
				argv = append(argv, w)
			}
			_ = i
		}
		return env, argv
	}
	t.Fatal("no RUN ... go build in the Dockerfile")
	return nil, nil
}

// shellWords splits like sh for what the Dockerfile uses: spaces and
// double quotes.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	inQuote, started := false, false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote, started = !inQuote, true
		case r == ' ' && !inQuote:
			if started {
				out = append(out, cur.String())
				cur.Reset()
				started = false
			}
		default:
			cur.WriteRune(r)
			started = true
		}
	}
	if started {
		out = append(out, cur.String())
	}
	return out
}

func TestDockerfile(t *testing.T) {
	d := readDockerfile(t)
	var froms []string
	final := map[string]string{} // instruction -> text, of the last stage
	for _, ins := range d.instructions {
		kw, rest, _ := strings.Cut(ins, " ")
		if kw == "FROM" {
			froms = append(froms, rest)
			final = map[string]string{}
		}
		final[kw] = final[kw] + rest + "\n"
	}
	if len(froms) < 2 {
		t.Fatalf("want a multi-stage build, have FROM %v", froms)
	}
	if last := froms[len(froms)-1]; !strings.Contains(last, "distroless/static") && last != "scratch" {
		t.Errorf("final stage on %q: want a minimal base without libc or shell", last)
	}
	user := strings.TrimSpace(final["USER"])
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("final stage runs as %q: want a non-root user", user)
	}
	if !strings.Contains(final["HEALTHCHECK"], "buurtstem\", \"healthcheck") {
		t.Errorf("HEALTHCHECK %q must call buurtstem healthcheck (no curl in the image)", final["HEALTHCHECK"])
	}
	if _, ok := d.args["VERSION"]; !ok {
		t.Error("no VERSION build argument")
	}
	env, argv := d.goBuild(t, nil)
	if !containsAll(env, "CGO_ENABLED=0") || !containsAll(argv, "-trimpath") {
		t.Errorf("go build env %v args %v: want CGO_ENABLED=0 and -trimpath", env, argv)
	}
	if !strings.Contains(strings.Join(argv, " "), "server/version.Version=dev") {
		t.Errorf("go build %v does not set version.Version from the VERSION argument", argv)
	}
}

func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, l := range list {
			if l == w {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// imageBinary builds the server exactly as the Dockerfile's RUN line does
// (its environment and flags, VERSION=v0.0.0-ci), from the repository root.
func imageBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		env, argv := readDockerfile(t).goBuild(t, map[string]string{"VERSION": "v0.0.0-ci"})
		dir, err := os.MkdirTemp("", "bstimage")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "buurtstem")
		for i, a := range argv {
			if a == "-o" {
				argv[i+1] = binPath
			}
		}
		if argv[0] != "go" || argv[1] != "build" {
			buildErr = fmt.Errorf("unexpected build command %v", argv)
			return
		}
		cmd := exec.Command("go", argv[1:]...)
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("%v: %v\n%s", argv, err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// TestImageBinary builds the binary with the Dockerfile's flags and checks
// that it is static (it must run on distroless/static, which has no C
// library), carries the version, starts, answers /healthz and /readyz, and
// that "buurtstem healthcheck" — the image's HEALTHCHECK — agrees.
func TestImageBinary(t *testing.T) {
	bin := imageBinary(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary asks for a dynamic loader: not static")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v", libs)
	}
	f.Close()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := append(os.Environ(), "BUURTSTEM_LISTEN="+addr, "BUURTSTEM_DATA_DIR="+shortTempDir(t),
		"BUURTSTEM_LOG_LEVEL=error", "MONGODB_URI=", "BUURTSTEM_BASE_URL=http://"+addr)

	// Not running yet: the health check must fail.
	hc := exec.Command(bin, "healthcheck")
	hc.Env = env
	if err := hc.Run(); err == nil {
		t.Fatal("healthcheck succeeded with no server running")
	}

	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/healthz: %d", resp.StatusCode)
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the server did not answer /healthz: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		hc := exec.Command(bin, "healthcheck", path)
		hc.Env = env
		if out, err := hc.CombinedOutput(); err != nil {
			t.Errorf("buurtstem healthcheck %s: %v %s", path, err, out)
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `version="v0.0.0-ci"`) {
		t.Error("/metrics build info does not carry the VERSION build argument")
	}
	st, _ := os.Stat(bin)
	t.Logf("static binary of %.1f MB built with the Dockerfile's flags answers /healthz and /readyz", float64(st.Size())/(1<<20))
}

// shortTempDir returns a temporary directory with a short path: the
// embedded store's unix socket path must fit 107 bytes.
func shortTempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "bstci")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
