// Package config reads buurtstem's settings from flags and environment
// variables into one typed struct, validated once at start. A bad value
// stops the program with a message that names the setting and what it
// accepts. The table of settings is also the source of `-help` and of the
// README's configuration table (a test keeps the two in step).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config holds every setting of a running server.
type Config struct {
	Listen          string
	DataDir         string
	MongoDBURI      string
	Database        string
	BaseURL         *url.URL
	AllowedOrigins  []string
	LogLevel        slog.Level
	LogFormat       string
	Demo            bool
	SessionIdle     time.Duration
	SessionMax      time.Duration
	MediaRetention  time.Duration
	ShutdownTimeout time.Duration
	MaxBodyBytes    int
	StoreTimeout    time.Duration
	StoreListen     string
	DebugListen     string
	MaxConnections  int
	Bus             string
	TranslateURL    string
	TranslateKey    string
}

// SharedBus reports whether live-session events go through the store, so
// that several instances can serve one session: "store", or "auto" when
// this instance uses MongoDB or shares its embedded store.
func (c *Config) SharedBus() bool {
	return c.Bus == "store" || (c.Bus == "auto" && (c.MongoDBURI != "" || c.StoreListen != ""))
}

// Secure reports whether the public URL is https, which turns on Secure and
// __Host- cookies and HSTS.
func (c *Config) Secure() bool { return c.BaseURL.Scheme == "https" }

// Setting describes one configuration value.
type Setting struct {
	Flag    string
	Env     string
	Default string
	Allowed string // what the setting accepts, for messages and docs
	Help    string
	parse   func(c *Config, v string) error
}

// Settings lists every setting in the order the README shows them.
var Settings = []Setting{
	{"listen", "BUURTSTEM_LISTEN", ":8080", "host:port", "Address the HTTP server listens on.",
		func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return err
			}
			c.Listen = v
			return nil
		}},
	{"data-dir", "BUURTSTEM_DATA_DIR", "./data", "a directory path", "Directory of the embedded store (created with mode 0700). Unused with MONGODB_URI.",
		func(c *Config, v string) error {
			if v == "" {
				return errors.New("empty")
			}
			c.DataDir = v
			return nil
		}},
	{"mongodb-uri", "MONGODB_URI", "", "a mongodb:// or mongodb+srv:// URI", "Use this MongoDB instead of the embedded store.",
		func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "mongodb://") && !strings.HasPrefix(v, "mongodb+srv://") {
				return errors.New("not a MongoDB URI")
			}
			c.MongoDBURI = v
			return nil
		}},
	{"database", "BUURTSTEM_DATABASE", "buurtstem", "letters, digits, _ and -", "Database name.",
		func(c *Config, v string) error {
			if v == "" || strings.ContainsAny(v, `/\. "$`) || len(v) > 60 {
				return errors.New("not a database name")
			}
			c.Database = v
			return nil
		}},
	{"base-url", "BUURTSTEM_BASE_URL", "http://localhost:8080", "an http:// or https:// URL", "Public address residents and staff use; join links and QR codes point here.",
		func(c *Config, v string) error {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return errors.New("not an absolute http(s) URL")
			}
			u.Path = strings.TrimSuffix(u.Path, "/")
			c.BaseURL = u
			return nil
		}},
	{"allowed-origins", "BUURTSTEM_ALLOWED_ORIGINS", "", "comma-separated origins such as https://example.org", "Extra origins allowed to post forms and open live connections; the base URL's origin is always allowed.",
		func(c *Config, v string) error {
			c.AllowedOrigins = nil
			for _, o := range strings.Split(v, ",") {
				o = strings.TrimSpace(o)
				if o == "" {
					continue
				}
				u, err := url.Parse(o)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
					return fmt.Errorf("%q is not an origin", o)
				}
				c.AllowedOrigins = append(c.AllowedOrigins, u.Scheme+"://"+u.Host)
			}
			return nil
		}},
	{"log-level", "BUURTSTEM_LOG_LEVEL", "info", "debug, info, warn, error", "Least important log messages to write.",
		func(c *Config, v string) error {
			switch v {
			case "debug":
				c.LogLevel = slog.LevelDebug
			case "info":
				c.LogLevel = slog.LevelInfo
			case "warn":
				c.LogLevel = slog.LevelWarn
			case "error":
				c.LogLevel = slog.LevelError
			default:
				return errors.New("unknown level")
			}
			return nil
		}},
	{"log-format", "BUURTSTEM_LOG_FORMAT", "json", "json, text", "Log line format.",
		func(c *Config, v string) error {
			if v != "json" && v != "text" {
				return errors.New("unknown format")
			}
			c.LogFormat = v
			return nil
		}},
	{"demo", "BUURTSTEM_DEMO", "false", boolAllowed, "Create a demo municipality with staff accounts whose passwords are printed at start.",
		func(c *Config, v string) (err error) {
			c.Demo, err = strconv.ParseBool(v)
			return err
		}},
	{"session-idle", "BUURTSTEM_SESSION_IDLE", "2h", "a duration from 5m to 24h", "A staff login ends after this long without activity.",
		durationIn(5*time.Minute, 24*time.Hour, func(c *Config) *time.Duration { return &c.SessionIdle })},
	{"session-max", "BUURTSTEM_SESSION_MAX", "12h", "a duration from 1h to 720h", "A staff login ends this long after it started, active or not.",
		durationIn(time.Hour, 720*time.Hour, func(c *Config) *time.Duration { return &c.SessionMax })},
	{"media-retention", "BUURTSTEM_MEDIA_RETENTION", "8760h", "a duration from 24h to 8760h", "Voice notes and photos are deleted this long after they were given, unless their organisation sets its own period (default 12 months).",
		durationIn(24*time.Hour, 8760*time.Hour, func(c *Config) *time.Duration { return &c.MediaRetention })},
	{"shutdown-timeout", "BUURTSTEM_SHUTDOWN_TIMEOUT", "10s", "a duration from 1s to 60s", "Longest wait for open requests and live connections at shutdown.",
		durationIn(time.Second, time.Minute, func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{"max-body", "BUURTSTEM_MAX_BODY_MB", "16", "a whole number from 1 to 256", "Largest request body in megabytes (voice notes and photos).",
		func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 256 {
				return errors.New("out of range")
			}
			c.MaxBodyBytes = n << 20
			return nil
		}},
	{"max-connections", "BUURTSTEM_MAX_CONNECTIONS", "15000", "a whole number from 10 to 1000000", "Most live (WebSocket) connections this instance holds; more get 503 and retry. Each needs a file descriptor.",
		func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 10 || n > 1_000_000 {
				return errors.New("out of range")
			}
			c.MaxConnections = n
			return nil
		}},
	{"bus", "BUURTSTEM_BUS", "auto", "auto, memory, store", "How live-session events reach the instances: memory (this instance alone), store (several instances sharing the store), auto (store when MONGODB_URI or BUURTSTEM_STORE_LISTEN is set).",
		func(c *Config, v string) error {
			if v != "auto" && v != "memory" && v != "store" {
				return errors.New("unknown bus")
			}
			c.Bus = v
			return nil
		}},
	{"store-timeout", "BUURTSTEM_STORE_TIMEOUT", "5s", "a duration from 100ms to 60s", "How long a request waits for an unreachable store before it answers 503.",
		durationIn(100*time.Millisecond, time.Minute, func(c *Config) *time.Duration { return &c.StoreTimeout })},
	{"store-listen", "BUURTSTEM_STORE_LISTEN", "", "empty or a loopback host:port", "Also serve the embedded store on this loopback address, so a second buurtstem process can share it via MONGODB_URI.",
		func(c *Config, v string) error {
			if err := loopback(v); err != nil {
				return fmt.Errorf("%w: the embedded store has no authentication", err)
			}
			c.StoreListen = v
			return nil
		}},
	{"debug-listen", "BUURTSTEM_DEBUG_LISTEN", "", "empty or a loopback host:port", "Serve Go's profiler (/debug/pprof/) on this loopback address, for an operator chasing a memory or CPU problem. Off when empty.",
		func(c *Config, v string) error {
			if err := loopback(v); err != nil {
				return fmt.Errorf("%w: profiles show the server's memory", err)
			}
			c.DebugListen = v
			return nil
		}},
	{"translate-url", "BUURTSTEM_TRANSLATE_URL", "", "empty or an http:// or https:// URL", "A LibreTranslate-compatible service that translates residents' written answers for reviewers, on request, beside the original. Off when empty; the texts go to this service.",
		func(c *Config, v string) error {
			if v != "" {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return errors.New("not an absolute http(s) URL")
				}
			}
			c.TranslateURL = v
			return nil
		}},
	{"translate-key", "BUURTSTEM_TRANSLATE_KEY", "", "empty or the service's API key", "API key of the translation service, if it needs one. Prefer the environment variable: a flag shows in the process list.",
		func(c *Config, v string) error {
			c.TranslateKey = v
			return nil
		}},
}

// loopback accepts an empty value or a host:port on a loopback address:
// for listeners that have no authentication of their own.
func loopback(v string) error {
	if v == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(v)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return errors.New("only loopback addresses")
	}
	return nil
}

func durationIn(lo, hi time.Duration, field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < lo || d > hi {
			return errors.New("out of range")
		}
		*field(c) = d
		return nil
	}
}

// Error is an invalid setting. Its message names the setting, the value and
// what is allowed.
type Error struct {
	Setting Setting
	Value   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("invalid setting %s (flag -%s): %q; allowed: %s",
		e.Setting.Env, e.Setting.Flag, e.Value, e.Setting.Allowed)
}

// Parse reads settings from args (flags) and getenv (environment). A flag
// wins over the environment, the environment over the default. Output of
// -help goes to out.
func Parse(args []string, getenv func(string) string, out io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("buurtstem", flag.ContinueOnError)
	fs.SetOutput(out)
	values := make([]*string, len(Settings))
	for i, s := range Settings {
		def := s.Default
		if v, ok := lookup(getenv, s.Env); ok {
			def = v
		}
		values[i] = &def
		fs.Var(&flagValue{p: values[i], isBool: s.Allowed == boolAllowed}, s.Flag,
			fmt.Sprintf("%s (env %s; %s)", s.Help, s.Env, s.Allowed))
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q; run with -help to see the settings", fs.Arg(0))
	}
	c := &Config{}
	for i, s := range Settings {
		if err := s.parse(c, strings.TrimSpace(*values[i])); err != nil {
			return nil, &Error{Setting: s, Value: *values[i]}
		}
	}
	if c.SessionIdle > c.SessionMax {
		return nil, &Error{Setting: Settings[settingIndex("session-idle")], Value: c.SessionIdle.String() + " (longer than BUURTSTEM_SESSION_MAX)"}
	}
	return c, nil
}

// Origins returns every origin allowed to send state-changing requests and
// open live connections.
func (c *Config) Origins() []string {
	return append([]string{c.BaseURL.Scheme + "://" + c.BaseURL.Host}, c.AllowedOrigins...)
}

func lookup(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

func settingIndex(flag string) int {
	for i, s := range Settings {
		if s.Flag == flag {
			return i
		}
	}
	panic("config: unknown setting " + flag)
}

const boolAllowed = "true, false"

// flagValue keeps every flag a string until validation, so that flags and
// environment variables go through the same parser. Boolean settings may be
// given as a bare flag (-demo).
type flagValue struct {
	p      *string
	isBool bool
}

func (v *flagValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v *flagValue) Set(s string) error { *v.p = s; return nil }

func (v *flagValue) IsBoolFlag() bool { return v.isBool }
