package config

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaults(t *testing.T) {
	c, err := Parse(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":8080" || c.DataDir != "./data" || c.MongoDBURI != "" || c.Demo ||
		c.LogLevel != slog.LevelInfo || c.SessionIdle != 2*time.Hour || c.ShutdownTimeout != 10*time.Second ||
		c.MaxBodyBytes != 16<<20 || c.Secure() {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if got := c.Origins(); len(got) != 1 || got[0] != "http://localhost:8080" {
		t.Fatalf("origins: %v", got)
	}
}

func TestFlagBeatsEnv(t *testing.T) {
	c, err := Parse([]string{"-listen", ":9000", "-demo"}, env(map[string]string{
		"BUURTSTEM_LISTEN": ":7000", "BUURTSTEM_LOG_LEVEL": "debug", "BUURTSTEM_BASE_URL": "https://buurt.example.org/",
		"BUURTSTEM_ALLOWED_ORIGINS": "https://a.example.org, http://b.example.org:8080",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":9000" || !c.Demo || c.LogLevel != slog.LevelDebug || !c.Secure() {
		t.Fatalf("got %+v", c)
	}
	if got := strings.Join(c.Origins(), " "); got != "https://buurt.example.org https://a.example.org http://b.example.org:8080" {
		t.Fatalf("origins: %s", got)
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	for _, tc := range []struct {
		env, value, want string
	}{
		{"BUURTSTEM_LOG_LEVEL", "loud", "debug, info, warn, error"},
		{"BUURTSTEM_LISTEN", "8080", "host:port"},
		{"MONGODB_URI", "postgres://x", "mongodb://"},
		{"BUURTSTEM_BASE_URL", "localhost:8080", "http"},
		{"BUURTSTEM_SESSION_IDLE", "1s", "5m to 24h"},
		{"BUURTSTEM_SESSION_IDLE", "20h", "5m to 24h"}, // longer than the 12h maximum
		{"BUURTSTEM_DEMO", "maybe", "true, false"},
		{"BUURTSTEM_MAX_BODY_MB", "0", "1 to 256"},
		{"BUURTSTEM_STORE_LISTEN", "0.0.0.0:27017", "loopback"},
		{"BUURTSTEM_DEBUG_LISTEN", "192.0.2.1:6060", "loopback"},
		{"BUURTSTEM_ALLOWED_ORIGINS", "example.org", "origins"},
		{"BUURTSTEM_DATABASE", "a/b", "letters"},
	} {
		_, err := Parse(nil, env(map[string]string{tc.env: tc.value}), io.Discard)
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%s=%q: want *Error, got %v", tc.env, tc.value, err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, tc.env) || !strings.Contains(msg, tc.want) {
			t.Errorf("%s=%q: message %q lacks the setting or %q", tc.env, tc.value, msg, tc.want)
		}
	}
}

func TestUnknownFlagAndArgument(t *testing.T) {
	if _, err := Parse([]string{"-nope"}, env(nil), io.Discard); err == nil {
		t.Error("unknown flag accepted")
	}
	if _, err := Parse([]string{"serve"}, env(nil), io.Discard); err == nil {
		t.Error("stray argument accepted")
	}
}

// TestREADMEDocumentsEverySetting keeps the configuration table honest.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings {
		if !strings.Contains(string(b), "`"+s.Env+"`") || !strings.Contains(string(b), "`-"+s.Flag+"`") {
			t.Errorf("README.md does not document %s / -%s", s.Env, s.Flag)
		}
	}
}
