package ci

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile" // the Caddyfile adapter
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/standard"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

func loadCompose(t *testing.T) *types.Project {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	// No variables from the environment: the defaults in the file must
	// make a working topology.
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: filepath.Join(dir, "compose.yaml")}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName("buurtstem", true) })
	if err != nil {
		t.Fatalf("compose.yaml does not load: %v", err)
	}
	return p
}

// TestComposeTopology loads compose.yaml with the compose specification's
// library (as docker compose does, schema checks included) and checks the
// topology: three replica-set members initialised by a one-shot service,
// two buurtstem instances on the set with the shared bus, a proxy in
// front, health checks everywhere.
func TestComposeTopology(t *testing.T) {
	p := loadCompose(t)
	var mongos, instances []types.ServiceConfig
	var proxy, initSvc *types.ServiceConfig
	for _, s := range p.Services {
		switch {
		case strings.HasPrefix(s.Image, "mongo:") && slices.Contains(s.Command, "--replSet"):
			mongos = append(mongos, s)
		case strings.HasPrefix(s.Image, "mongo:"):
			initSvc = &s
		case s.Build != nil:
			instances = append(instances, s)
		case strings.HasPrefix(s.Image, "caddy:"):
			proxy = &s
		default:
			t.Errorf("unexpected service %s (%s)", s.Name, s.Image)
		}
	}
	if len(mongos) != 3 {
		t.Fatalf("%d replica-set members, want 3", len(mongos))
	}
	var members []string
	for _, m := range mongos {
		i := slices.Index(m.Command, "--replSet")
		if m.Command[i+1] != "rs0" {
			t.Errorf("%s: replica set %q", m.Name, m.Command[i+1])
		}
		if m.HealthCheck == nil || len(m.HealthCheck.Test) == 0 {
			t.Errorf("%s has no health check", m.Name)
		}
		if len(m.Volumes) != 1 || m.Volumes[0].Target != "/data/db" || m.Volumes[0].Type != "volume" {
			t.Errorf("%s: data must live in a named volume at /data/db", m.Name)
		}
		if len(m.Ports) > 0 {
			t.Errorf("%s publishes a port: MongoDB has no authentication here", m.Name)
		}
		members = append(members, m.Name+":27017")
	}

	// The init service waits for healthy members and runs a script that
	// names exactly these members.
	if initSvc == nil {
		t.Fatal("no service initialises the replica set")
	}
	for _, m := range mongos {
		if initSvc.DependsOn[m.Name].Condition != types.ServiceConditionHealthy {
			t.Errorf("mongo-init must wait for %s to be healthy", m.Name)
		}
	}
	script := ""
	for _, v := range initSvc.Volumes {
		if slices.Contains(initSvc.Command, v.Target) {
			b, err := os.ReadFile(v.Source)
			if err != nil {
				t.Fatalf("init script: %v", err)
			}
			script = string(b)
		}
	}
	for _, m := range members {
		if !strings.Contains(script, `"`+m+`"`) {
			t.Errorf("init script does not add %s", m)
		}
	}
	if !strings.Contains(script, "rs.initiate") || !strings.Contains(script, `_id: "rs0"`) {
		t.Error("init script does not initiate rs0")
	}

	// Two instances on the replica set, sharing live sessions.
	if len(instances) != 2 {
		t.Fatalf("%d buurtstem instances, want 2", len(instances))
	}
	for _, s := range instances {
		uri := deref(s.Environment["MONGODB_URI"])
		for _, m := range members {
			if !strings.Contains(uri, m) {
				t.Errorf("%s: MONGODB_URI %q lacks %s", s.Name, uri, m)
			}
		}
		if !strings.Contains(uri, "replicaSet=rs0") {
			t.Errorf("%s: MONGODB_URI %q does not name the replica set", s.Name, uri)
		}
		if deref(s.Environment["BUURTSTEM_BUS"]) != "store" {
			t.Errorf("%s: BUURTSTEM_BUS must be store", s.Name)
		}
		if s.DependsOn["mongo-init"].Condition != types.ServiceConditionCompletedSuccessfully {
			t.Errorf("%s must start after the replica set is initialised", s.Name)
		}
		if s.HealthCheck == nil || !slices.Contains(s.HealthCheck.Test, "healthcheck") {
			t.Errorf("%s: health check must run buurtstem healthcheck", s.Name)
		}
		if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
			t.Errorf("%s: Dockerfile: %v", s.Name, err)
		}
		if s.Build.Args["VERSION"] == nil {
			t.Errorf("%s: no VERSION build argument", s.Name)
		}
		if s.StopGracePeriod == nil {
			t.Errorf("%s: no stop_grace_period for the drain", s.Name)
		}
		if !s.ReadOnly || !slices.Contains(s.CapDrop, "ALL") {
			t.Errorf("%s: must run read-only without capabilities", s.Name)
		}
		if len(s.Ports) > 0 {
			t.Errorf("%s publishes a port: only the proxy should", s.Name)
		}
	}

	// The proxy: published, in front of both instances, healthy.
	if proxy == nil {
		t.Fatal("no reverse proxy")
	}
	if len(proxy.Ports) != 1 || proxy.Ports[0].Target != 80 {
		t.Errorf("proxy ports %+v", proxy.Ports)
	}
	if proxy.HealthCheck == nil {
		t.Error("proxy has no health check")
	}
	upstreams := deref(proxy.Environment["BUURTSTEM_UPSTREAMS"])
	for _, s := range instances {
		if !strings.Contains(upstreams, s.Name+":8080") {
			t.Errorf("proxy upstreams %q lack %s", upstreams, s.Name)
		}
		if proxy.DependsOn[s.Name].Condition != types.ServiceConditionHealthy {
			t.Errorf("proxy must wait for %s", s.Name)
		}
	}
	if !p.Networks["db"].Internal {
		t.Error("the database network must be internal")
	}
	t.Logf("compose: %d services: 3 mongo members + init, %d instances, proxy %s", len(p.Services), len(instances), proxy.Image)
}

// TestCaddyfile adapts the proxy's Caddyfile with Caddy's own adapter and
// validates the result (modules provisioned, nothing started), then checks
// what the WebSockets and health checks need.
func TestCaddyfile(t *testing.T) {
	p := loadCompose(t)
	proxy := p.Services["proxy"]
	var file string
	for _, v := range proxy.Volumes {
		if v.Target == "/etc/caddy/Caddyfile" {
			file = v.Source
		}
	}
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("Caddyfile: %v", err)
	}
	for k, v := range proxy.Environment {
		t.Setenv(k, deref(v))
	}
	// Validation provisions the active health checker, which starts
	// probing at once: keep those probes on this machine (closed loopback
	// ports) instead of resolving the compose host names. TestComposeTopology
	// checks that the real value names both instances.
	t.Setenv("BUURTSTEM_UPSTREAMS", "127.0.0.1:9 127.0.0.1:10")
	adapter := caddyconfig.GetAdapter("caddyfile")
	cfgJSON, warnings, err := adapter.Adapt(body, map[string]any{"filename": file})
	if err != nil {
		t.Fatalf("Caddyfile does not adapt: %v", err)
	}
	for _, w := range warnings {
		t.Errorf("Caddyfile warning: %s", w.String())
	}
	var cfg caddy.Config
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		t.Fatal(err)
	}
	if err := caddy.Validate(&cfg); err != nil {
		t.Fatalf("Caddy refuses the config: %v", err)
	}
	s := string(cfgJSON)
	for _, want := range []string{`"health_checks"`, `"uri":"/readyz"`, `"dial":"127.0.0.1:9"`, `"dial":"127.0.0.1:10"`,
		`"try_duration":5000000000`, `"stream_close_delay"`, `"flush_interval":-1`} {
		if !strings.Contains(s, want) {
			t.Errorf("adapted config lacks %s", want)
		}
	}
	if strings.Contains(s, `"logs"`) {
		t.Error("an access log would hold residents' IP addresses")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
