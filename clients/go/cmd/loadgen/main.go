// Command loadgen measures a buurtstem server under live-session load: it
// joins N residents to one session, has the intermediary switch prompts,
// lets residents submit answers, and prints connections, join errors,
// delivery latency of prompt switches and results updates, acknowledged
// submissions per second with their latency, and server memory per
// connection. In the same run it measures a bare gorilla/websocket
// broadcast loop on this machine and prints buurtstem's fan-out cost as a
// ratio to it.
//
// Without -base it builds and starts its own server (demo mode, a fresh
// embedded store) so that one command gives reproducible figures:
//
//	go run ./clients/go/cmd/loadgen -residents 1000
//
// The server and the load generator run in separate processes: a process
// may hold at most 20,000 open files here.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/server/live/protocol"
)

type options struct {
	base        string
	email       string
	password    string
	orgID       string
	nbID        string
	residents   int
	switches    int
	joinConc    int
	submitRate  int
	submitFor   time.Duration
	baseline    bool
	baselineMax int
	restart     bool
	resultsRate int
	resultsFor  time.Duration
	debug       string // the server's profiler address (debug-listen)
	profileDir  string // where CPU profiles of one phase go
	profileOf   string // that phase: switches or submissions
}

func main() {
	var o options
	flag.StringVar(&o.base, "base", "", "server address; empty builds and starts a demo server")
	flag.StringVar(&o.email, "email", "buurtwerker@voorbeeldstad.example", "intermediary login (with -base)")
	flag.StringVar(&o.password, "password", "", "intermediary password (with -base)")
	flag.StringVar(&o.debug, "debug", "", "the server's debug-listen address (with -base), to measure memory after a forced GC")
	flag.StringVar(&o.orgID, "org", "demo-voorbeeldstad", "organisation id")
	flag.StringVar(&o.nbID, "neighbourhood", "demo-buurt-lindenplein", "neighbourhood id")
	flag.IntVar(&o.residents, "residents", 1000, "residents to connect")
	flag.IntVar(&o.switches, "switches", 10, "prompt switches to time")
	flag.IntVar(&o.joinConc, "join-concurrency", 200, "joins in flight at once")
	flag.IntVar(&o.submitRate, "submit-rate", 2000, "submissions per second, all residents together")
	flag.DurationVar(&o.submitFor, "submit-for", 5*time.Second, "how long to submit")
	flag.IntVar(&o.resultsRate, "results-rate", 200, "answers per second, all residents together, while results are timed at a room's pace (0: skip)")
	flag.DurationVar(&o.resultsFor, "results-for", 5*time.Second, "how long to time results at a room's pace")
	flag.BoolVar(&o.baseline, "baseline", true, "also measure a bare gorilla/websocket broadcast")
	flag.IntVar(&o.baselineMax, "baseline-max", 9000, "most connections for the baseline (it holds both ends in this process)")
	flag.StringVar(&o.profileDir, "profile-dir", "", "write CPU profiles of the server and of the load generator during one phase (-profile-phase) to this directory")
	flag.StringVar(&o.profileOf, "profile-phase", "switches", "the phase -profile-dir profiles: switches or submissions")
	flag.BoolVar(&o.restart, "restart", true, "kill the server (SIGKILL), restart it and time the resynchronisation (only without -base)")
	flag.Parse()
	// Thousands of simulated phones make a large heap whose collections
	// would compete with the server for the same two cores and show up in
	// its figures: the load generator collects less often unless GOGC says
	// otherwise. The server it starts keeps Go's defaults (see start).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	var srv *server
	if o.base == "" {
		var err error
		if srv, err = startServer(&o); err != nil {
			return err
		}
		defer srv.stop()
	}
	fmt.Printf("buurtstem load run: %d residents, %d prompt switches, %d submissions/s for %v\n",
		o.residents, o.switches, o.submitRate, o.submitFor)

	staff := apiclient.New(o.base)
	if _, err := staff.Login(ctx, o.email, o.password); err != nil {
		return fmt.Errorf("intermediary login: %w", err)
	}
	prompts := make([]apiclient.Prompt, max(o.switches, 1))
	for i := range prompts {
		prompts[i] = apiclient.Prompt{Kind: "faces", Text: map[string]string{"nl": fmt.Sprintf("Vraag %d", i+1)}}
	}
	s, err := staff.CreateSession(ctx, o.orgID, apiclient.SessionInput{Title: "Load run", NeighbourhoodID: o.nbID,
		Languages: []string{"nl"}, Moderation: "post", Prompts: prompts})
	if err != nil {
		return err
	}
	if s, err = staff.SessionAction(ctx, o.orgID, s.ID, "open"); err != nil {
		return err
	}
	im, err := live.Dial(ctx, live.Options{Base: o.base, Session: s.ID, Role: "intermediary", Jar: staff.Jar()})
	if err != nil {
		return err
	}
	go drain(im)

	// One resident first, so that what the first join sets up once (the
	// room, caches) is not counted per connection.
	rs := make([]*res, o.residents)
	if rs[0], err = join(ctx, o.base, s.Code); err != nil {
		return fmt.Errorf("first join: %w", err)
	}
	memBefore, _ := serverRSS(o.base)
	liveBefore, _ := serverLive(&o)

	// Joins.
	var joinErrs atomic.Int64
	var firstErr atomic.Value
	sem := make(chan struct{}, o.joinConc)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range rs[1:] {
		i++
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r, err := join(ctx, o.base, s.Code)
			if err != nil {
				joinErrs.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				return
			}
			rs[i] = r
		}()
	}
	wg.Wait()
	joinTime := time.Since(t0)
	var conns []*res
	for _, r := range rs {
		if r != nil {
			conns = append(conns, r)
		}
	}
	fmt.Printf("joins: %d connected, %d errors, in %v (%.0f joins/s)\n", len(conns), joinErrs.Load(),
		joinTime.Round(time.Millisecond), float64(len(conns)-1)/joinTime.Seconds())
	if e := firstErr.Load(); e != nil {
		fmt.Printf("  first join error: %v\n", e)
	}
	if len(conns) == 0 {
		return errors.New("no resident connected")
	}

	// Idle means idle: fasthttp keeps the workers that served the joins
	// for 10 s (their stacks and buffers), then lets them go.
	time.Sleep(11 * time.Second)
	if memAfter, err := serverRSS(o.base); err == nil && memBefore > 0 {
		fmt.Printf("server memory (RSS): %.1f MB before, %.1f MB with %d idle connections: %.1f KB per connection\n",
			float64(memBefore)/1e6, float64(memAfter)/1e6, len(conns), float64(memAfter-memBefore)/float64(max(len(conns)-1, 1))/1024)
	}
	if liveAfter, err := serverLive(&o); err == nil && liveBefore > 0 {
		how := "after a forced GC"
		if o.debug == "" {
			how = "garbage included: pass -debug for a forced GC"
		}
		fmt.Printf("server memory (Go heap + stacks in use, %s): %.1f KB per idle connection\n",
			how, float64(liveAfter-liveBefore)/float64(max(len(conns)-1, 1))/1024)
	}

	// Prompt switches.
	stopProfiles, err := startProfiles(&o, "switches", 2+o.switches)
	if err != nil {
		return err
	}
	var switchLat []time.Duration
	for i := 0; i < o.switches; i++ {
		for _, r := range conns {
			r.expect(i)
		}
		start := time.Now()
		if err := im.Control(ctx, fmt.Sprint("sw", i), protocol.ControlData{Action: "goto", Index: i}); err != nil {
			return err
		}
		missed := 0
		for _, r := range conns {
			select {
			case at := <-r.gotState:
				switchLat = append(switchLat, at.Sub(start))
			case <-time.After(10 * time.Second):
				missed++
			}
		}
		if missed > 0 {
			fmt.Printf("  switch %d: %d residents did not receive it within 10 s\n", i, missed)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := stopProfiles(); err != nil {
		return err
	}
	fmt.Printf("prompt switch delivery to %d residents (%d switches): %s\n", len(conns), o.switches, summary(switchLat))

	// Results at a room's pace: every resident changes an answer now and
	// then (resultsRate a second in all, enough for 10 updates a second),
	// and the coalesced results reach everyone.
	promptID := s.Prompts[max(o.switches, 1)-1].ID
	if o.resultsRate > 0 {
		ph := submitPhase(ctx, conns, promptID, "r", o.resultsRate, o.resultsFor)
		fmt.Printf("results while residents answer at %d/s for %v: %d updates delivered: %s (acks: %d, p99 %s, %d failed)\n",
			o.resultsRate, o.resultsFor, len(ph.results), summary(ph.results), len(ph.ackLat),
			percentile(ph.ackLat, .99).Round(100*time.Microsecond), ph.failed)
	}

	// Submissions at the stress rate, results streaming meanwhile.
	stopProfiles, err = startProfiles(&o, "submissions", 1+int(o.submitFor.Seconds()))
	if err != nil {
		return err
	}
	ph := submitPhase(ctx, conns, promptID, "s", o.submitRate, o.submitFor)
	if err := stopProfiles(); err != nil {
		return err
	}
	// The window is submitFor: residents start spread over one interval
	// and the last acknowledgements arrive after it.
	fmt.Printf("submissions: offered %d/s for %v; %d acknowledged (%.0f/s over the window), %d failed; phase took %v; ack latency %s\n",
		o.submitRate, o.submitFor, len(ph.ackLat), float64(len(ph.ackLat))/o.submitFor.Seconds(), ph.failed,
		ph.elapsed.Round(time.Millisecond), summary(ph.ackLat))
	fmt.Printf("results updates delivered during those submissions (%d): %s\n", len(ph.results), summary(ph.results))

	if srv != nil && o.restart {
		if err := restartPhase(ctx, &o, srv, s, conns); err != nil {
			return err
		}
	}
	for _, r := range conns {
		r.conn.Close()
	}
	im.Close()

	if o.baseline {
		n := min(len(conns), o.baselineMax)
		bl, err := bareBroadcast(n, o.switches)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		fmt.Printf("bare gorilla/websocket broadcast of 200 bytes to %d connections (%d rounds), delivery per client: %s\n",
			n, max(o.switches, 1), summary(bl))
		if len(switchLat) > 0 && len(bl) > 0 {
			fmt.Printf("fan-out cost ratio (buurtstem prompt switch / bare broadcast): p50 %.1fx, p99 %.1fx\n",
				ratio(switchLat, bl, 0.50), ratio(switchLat, bl, 0.99))
		}
	}
	return nil
}

// phase is what one submission phase measured.
type phase struct {
	ackLat  []time.Duration // acknowledged submissions
	failed  int64
	elapsed time.Duration
	results []time.Duration // results updates received meanwhile
}

// submitPhase has every resident submit faces answers to promptID, rate a
// second in all, for dur, while recording the results updates they
// receive. Submission ids start with tag, so phases never repeat an id.
func submitPhase(ctx context.Context, conns []*res, promptID, tag string, rate int, dur time.Duration) phase {
	for _, r := range conns {
		r.mu.Lock()
		r.results = r.results[:0]
		r.mu.Unlock()
		r.resultsOn.Store(true)
	}
	perConn := float64(rate) / float64(len(conns))
	interval := time.Duration(float64(time.Second) / perConn)
	var failed atomic.Int64
	var latMu sync.Mutex
	var ph phase
	var wg sync.WaitGroup
	deadline := time.Now().Add(dur)
	t1 := time.Now()
	for i, r := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the first submissions over one interval.
			time.Sleep(time.Duration(float64(interval) * float64(i) / float64(len(conns))))
			for n := 0; time.Now().Before(deadline); n++ {
				st := time.Now()
				_, err := r.conn.Submit(ctx, fmt.Sprintf("%s%d-%d", tag, i, n), protocol.SubmitData{PromptID: promptID,
					Answer: protocol.AnswerData{Face: 1 + n%5}})
				d := time.Since(st)
				if err != nil {
					failed.Add(1)
				} else {
					latMu.Lock()
					ph.ackLat = append(ph.ackLat, d)
					latMu.Unlock()
				}
				if sleep := interval - d; sleep > 0 {
					time.Sleep(sleep)
				}
			}
		}()
	}
	wg.Wait()
	ph.elapsed = time.Since(t1)
	ph.failed = failed.Load()
	time.Sleep(300 * time.Millisecond)
	for _, r := range conns {
		r.resultsOn.Store(false)
		r.mu.Lock()
		ph.results = append(ph.results, r.results...)
		r.mu.Unlock()
	}
	return ph
}

// res is one connected resident.
type res struct {
	conn      *live.Conn
	jar       *cookiejar.Jar
	lastID    string
	want      atomic.Int64
	gotState  chan time.Time
	resultsOn atomic.Bool
	mu        sync.Mutex
	results   []time.Duration
}

func (r *res) expect(i int) { r.want.Store(int64(i)) }

func join(ctx context.Context, base, code string) (*res, error) {
	jar, _ := cookiejar.New(nil)
	j, err := live.Join(ctx, base, code, jar)
	if err != nil {
		return nil, err
	}
	r := &res{jar: jar, gotState: make(chan time.Time, 4)}
	r.want.Store(-2)
	// Events are handled on the connection's read goroutine, timed as soon
	// as they are decoded, without a second goroutine per simulated phone.
	c, err := live.Dial(ctx, live.Options{Base: base, Session: j.SessionID, Jar: jar, OnEvent: r.event})
	if err != nil {
		return nil, err
	}
	r.conn = c
	return r, nil
}

// event records the arrival of the events the run measures.
func (r *res) event(env protocol.Envelope) {
	now := time.Now()
	switch env.Type {
	case protocol.TypeState:
		// Only the field the measurement needs: decoding whole prompts in
		// 10,000 simulated phones on the server's own two cores would
		// measure the load generator, not the server.
		if cur, ok := intField(env.Data, `"current":`); ok && int64(cur) == r.want.Load() {
			select {
			case r.gotState <- now:
			default:
			}
		}
	case protocol.TypeResults:
		if !r.resultsOn.Load() {
			return
		}
		if sent, ok := intField(env.Data, `"sent_at":`); ok && sent > 0 {
			r.mu.Lock()
			r.results = append(r.results, now.Sub(time.UnixMilli(int64(sent))))
			r.mu.Unlock()
		}
	}
}

// intField reads a number field of an event (key is `"name":`). It is a
// byte search, not a decoder: encoding/json with reflection cost more than
// the server's whole write per resident. The key cannot be matched inside a
// string value, where JSON escapes the quote before the colon; the events
// read this way have the field once, at the top level.
func intField(data []byte, key string) (int, bool) {
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return 0, false
	}
	rest := data[i+len(key):]
	end := 0
	for end < len(rest) && (rest[end] == '-' || rest[end] >= '0' && rest[end] <= '9') {
		end++
	}
	n, err := strconv.Atoi(string(rest[:end]))
	return n, err == nil
}

func drain(c *live.Conn) {
	for range c.Events() {
	}
}

// serverRSS reads the server's resident memory from /metrics.
func serverRSS(base string) (int64, error) {
	m, err := serverMetrics(base, "process_resident_memory_bytes")
	return m["process_resident_memory_bytes"], err
}

// serverLive reads the server's heap and stack in use: live memory,
// without the garbage collector's headroom that RSS also counts. With the
// server's profiler address it first forces a collection (a heap profile
// with gc=1), so that garbage not yet collected is not counted.
func serverLive(o *options) (int64, error) {
	if o.debug != "" {
		resp, err := http.Get("http://" + o.debug + "/debug/pprof/heap?gc=1")
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	m, err := serverMetrics(o.base, "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes")
	return m["go_memstats_heap_inuse_bytes"] + m["go_memstats_stack_inuse_bytes"], err
}

// startProfiles starts CPU profiles of the load generator and, through its
// profiler address, of the server, to see where a phase's time goes on
// each side, if -profile-phase names this phase. The returned function ends both and writes them to
// o.profileDir (loadgen.pprof, server.pprof). Without -profile-dir it does
// nothing.
func startProfiles(o *options, phase string, secs int) (func() error, error) {
	if o.profileDir == "" || o.profileOf != phase {
		return func() error { return nil }, nil
	}
	if o.debug == "" {
		return nil, errors.New("-profile-dir needs the server's profiler address (-debug)")
	}
	if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
		return nil, err
	}
	own, err := os.Create(filepath.Join(o.profileDir, "loadgen.pprof"))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(own); err != nil {
		own.Close()
		return nil, err
	}
	// The server's profile runs for a fixed time, secs: about the phase's.
	srvDone := make(chan error, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", o.debug, secs))
		if err != nil {
			srvDone <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(filepath.Join(o.profileDir, "server.pprof"))
		if err != nil {
			srvDone <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		srvDone <- err
	}()
	return func() error {
		pprof.StopCPUProfile()
		if err := own.Close(); err != nil {
			return err
		}
		return <-srvDone
	}, nil
}

func serverMetrics(base string, names ...string) (map[string]int64, error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		for _, n := range names {
			if v, ok := strings.CutPrefix(sc.Text(), n+" "); ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, err
				}
				out[n] = int64(f)
			}
		}
	}
	if len(out) != len(names) {
		return nil, fmt.Errorf("metrics lack some of %v", names)
	}
	return out, nil
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func summary(d []time.Duration) string {
	if len(d) == 0 {
		return "no samples"
	}
	r := func(x time.Duration) string { return x.Round(100 * time.Microsecond).String() }
	return fmt.Sprintf("p50 %s, p95 %s, p99 %s, max %s (n=%d)",
		r(percentile(d, .5)), r(percentile(d, .95)), r(percentile(d, .99)), r(percentile(d, 1)), len(d))
}

func ratio(a, b []time.Duration, p float64) float64 {
	return float64(percentile(a, p)) / float64(max(percentile(b, p), time.Microsecond))
}

// bareBroadcast measures the floor: a plain gorilla/websocket server that
// writes one 200-byte message to n connections, one goroutine per
// connection, as buurtstem does. It returns each client's delivery time of
// each broadcast: the same measure as the prompt switches, so the ratio
// compares like with like.
func bareBroadcast(n, rounds int) ([]time.Duration, error) {
	var mu sync.Mutex
	var serverConns []chan []byte
	up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		ch := make(chan []byte, 16)
		mu.Lock()
		serverConns = append(serverConns, ch)
		mu.Unlock()
		go func() {
			for b := range ch {
				_ = ws.WriteMessage(websocket.TextMessage, b)
			}
			ws.Close()
		}()
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	recv := make(chan time.Time, n*2)
	clients := make([]*websocket.Conn, 0, n)
	for range n {
		c, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+"/", nil)
		if err != nil {
			return nil, err
		}
		clients = append(clients, c)
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
				recv <- time.Now()
			}
		}()
	}
	for {
		mu.Lock()
		k := len(serverConns)
		mu.Unlock()
		if k == n {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	msg := []byte(strings.Repeat("x", 200))
	var out []time.Duration
	for range max(rounds, 1) {
		start := time.Now()
		mu.Lock()
		for _, ch := range serverConns {
			ch <- msg
		}
		mu.Unlock()
		for range n {
			out = append(out, (<-recv).Sub(start))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, c := range clients {
		c.Close()
	}
	mu.Lock()
	for _, ch := range serverConns {
		close(ch)
	}
	mu.Unlock()
	return out, nil
}

var (
	listeningRe = regexp.MustCompile(`listening on ([0-9.:]+)\)`)
	profilerRe  = regexp.MustCompile(`^profiler on http://([0-9.:]+)/debug/pprof/`)
	passwordRe  = regexp.MustCompile(`^\s*intermediary\s+(\S+)\s+password: (\S+)`)
)

// server is a buurtstem process started by the load generator.
type server struct {
	bin, dir string
	maxConns int
	cmd      *exec.Cmd
	done     chan struct{}
}

// startServer builds the server and starts it in demo mode on a fresh
// data directory; it fills o.base and the intermediary's login.
func startServer(o *options) (*server, error) {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		return nil, errors.New("run from inside the buurtstem module, or pass -base")
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	dir, err := os.MkdirTemp("", "bstload")
	if err != nil {
		return nil, err
	}
	srv := &server{bin: filepath.Join(dir, "buurtstem"), dir: dir, maxConns: o.residents + 100}
	build := exec.Command("go", "build", "-o", srv.bin, "./server/cmd/buurtstem")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build server: %v\n%s", err, out)
	}
	if err := srv.start(o); err != nil {
		srv.stop()
		return nil, err
	}
	return srv, nil
}

// start runs the binary on the server's data directory.
func (srv *server) start(o *options) error {
	cmd := exec.Command(srv.bin, "-demo", "-listen", "127.0.0.1:0", "-data-dir", filepath.Join(srv.dir, "data"),
		"-log-level", "error", "-debug-listen", "127.0.0.1:0", "-max-connections", strconv.Itoa(srv.maxConns))
	// The server runs with the Go defaults even when the load generator
	// itself is tuned (e.g. GOGC=400 to keep its own GC out of the
	// figures).
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOGC=") && !strings.HasPrefix(kv, "GOMEMLIMIT=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	srv.cmd, srv.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(srv.done) }()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if m := passwordRe.FindStringSubmatch(line); m != nil {
			o.email, o.password = m[1], m[2]
		}
		if m := profilerRe.FindStringSubmatch(line); m != nil {
			o.debug = m[1]
		}
		if m := listeningRe.FindStringSubmatch(line); m != nil {
			o.base = "http://" + m[1]
			go func() { _, _ = io.Copy(io.Discard, stdout) }()
			return nil
		}
	}
	return errors.New("server did not start")
}

// kill ends the process with SIGKILL, as a crash would.
func (srv *server) kill() {
	_ = srv.cmd.Process.Kill()
	<-srv.done
}

// stop ends the process gracefully and removes its data.
func (srv *server) stop() {
	if srv.cmd != nil {
		_ = srv.cmd.Process.Signal(os.Interrupt)
		select {
		case <-srv.done:
		case <-time.After(15 * time.Second):
			srv.kill()
		}
	}
	_ = os.RemoveAll(srv.dir)
}

// restartPhase kills the server with SIGKILL right after every resident has
// sent one more answer, starts it again on the same data directory and
// times how long all residents take to reconnect (with backoff and jitter)
// and receive their snapshot; then each resends its last answer and the
// projector must count every resident exactly once.
func restartPhase(ctx context.Context, o *options, srv *server, s *apiclient.LiveSession, conns []*res) error {
	promptID := s.Prompts[max(o.switches, 1)-1].ID
	for i, r := range conns {
		r.lastID = fmt.Sprintf("final-%d", i)
		_ = r.conn.Send(protocol.Envelope{Type: protocol.TypeSubmit, ID: r.lastID,
			Data: json.RawMessage(`{"prompt_id":"` + promptID + `","answer":{"face":3}}`)})
	}
	srv.kill()
	if err := srv.start(o); err != nil {
		return err
	}
	t0 := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int64
	var lat []time.Duration
	var mu sync.Mutex
	for _, r := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-r.conn.Done()
			epoch, seq := r.conn.Position()
			for attempt := 0; ; attempt++ {
				time.Sleep(live.DefaultBackoff.Wait(attempt))
				c, err := live.Dial(ctx, live.Options{Base: o.base, Session: s.ID, Jar: r.jar, Epoch: epoch, LastSeq: seq,
					OnEvent: func(protocol.Envelope) {}})
				if err != nil {
					if time.Since(t0) > time.Minute {
						failed.Add(1)
						return
					}
					continue
				}
				r.conn = c
				if _, err := c.Submit(ctx, r.lastID, protocol.SubmitData{PromptID: promptID, Answer: protocol.AnswerData{Face: 3}}); err != nil {
					failed.Add(1)
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
				return
			}
		}()
	}
	wg.Wait()
	fmt.Printf("restart (SIGKILL): %d residents reconnected, resynchronised and resent their last answer; %d failed; %s after the new server listened\n",
		len(lat), failed.Load(), summary(lat))
	proj, err := live.Dial(ctx, live.Options{Base: o.base, Session: s.ID, Role: "projector", Key: s.ProjectorKey()})
	if err != nil {
		return err
	}
	defer proj.Close()
	snap, err := proj.NextSnapshot(ctx)
	if err != nil {
		return err
	}
	for _, res := range snap.Results {
		if res.PromptID == promptID {
			fmt.Printf("after the restart the last prompt counts %d answers from %d residents (face 3: %d): %s\n",
				res.Answered, len(conns), res.Counts["3"], map[bool]string{true: "none lost, none twice", false: "MISMATCH"}[res.Answered == len(conns) && res.Counts["3"] == len(conns)])
		}
	}
	return nil
}
