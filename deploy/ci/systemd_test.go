package ci

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unitFile is a parsed systemd unit: section -> key -> values (a key may
// repeat).
type unitFile map[string]map[string][]string

func parseUnit(t *testing.T, path string) unitFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			if u[section] == nil {
				u[section] = map[string][]string{}
			}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" || strings.HasSuffix(line, "\\") {
				t.Fatalf("%s:%d: not a key=value line in a section: %q", filepath.Base(path), n, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

func (u unitFile) get(section, key string) string {
	v := u[section][key]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

var units = []string{"buurtstem.service", "buurtstem-backup.service", "buurtstem-backup.timer"}

// TestSystemdUnits parses the units and checks the hardening the README
// promises, then runs systemd-analyze verify on them (with ExecStart
// pointing at a binary built like the image's, since verify checks that it
// exists). verify exits 0 even for an unknown key, so any output fails.
func TestSystemdUnits(t *testing.T) {
	dir := filepath.Join("..", "systemd")
	u := parseUnit(t, filepath.Join(dir, "buurtstem.service"))
	want := map[string]string{
		"DynamicUser": "yes", "StateDirectory": "buurtstem", "StateDirectoryMode": "0700",
		"ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
		"NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
		"ExecStart": "/usr/local/bin/buurtstem", "KillSignal": "SIGTERM", "Restart": "on-failure",
		"MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native",
	}
	for k, v := range want {
		if _, ok := u["Service"][k]; !ok || u.get("Service", k) != v {
			t.Errorf("buurtstem.service: %s=%q, want %q", k, u.get("Service", k), v)
		}
	}
	if !strings.Contains(u.get("Service", "Environment"), "BUURTSTEM_DATA_DIR=/var/lib/buurtstem") {
		t.Error("the data directory must be the StateDirectory, /var/lib/buurtstem")
	}
	b := parseUnit(t, filepath.Join(dir, "buurtstem-backup.service"))
	if !strings.Contains(b.get("Service", "ExecStart"), "buurtstem backup") ||
		!strings.Contains(b.get("Service", "ExecStartPre"), "stop buurtstem.service") ||
		!strings.Contains(b.get("Service", "ExecStopPost"), "start buurtstem.service") {
		t.Error("the backup must stop the server, back up, and start it again even after a failure (ExecStopPost)")
	}
	if b.get("Service", "User") != "buurtstem" || b.get("Service", "StateDirectory") != "buurtstem" {
		t.Error("the backup must run as the server's dynamic user on its state directory")
	}
	if parseUnit(t, filepath.Join(dir, "buurtstem-backup.timer")).get("Timer", "OnCalendar") == "" {
		t.Error("the timer has no schedule")
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatalf("systemd-analyze is not installed (apt-get install systemd): the units were only parsed")
	}
	tmp := t.TempDir()
	bin := imageBinary(t)
	var paths []string
	for _, name := range units {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out := strings.ReplaceAll(string(src), "/usr/local/bin/buurtstem", bin)
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cmd := exec.Command(analyze, append([]string{"verify", "--man=no"}, paths...)...)
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	t.Logf("systemd-analyze verify: %d units, no findings", len(paths))
}
