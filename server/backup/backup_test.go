package backup_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/clients/apiclient"
	"github.com/buurtstem/buurtstem/clients/go/live"
	"github.com/buurtstem/buurtstem/i18n"
	"github.com/buurtstem/buurtstem/server/app"
	"github.com/buurtstem/buurtstem/server/backup"
	"github.com/buurtstem/buurtstem/server/config"
	"github.com/buurtstem/buurtstem/server/demo"
	"github.com/buurtstem/buurtstem/server/live/protocol"
	"github.com/buurtstem/buurtstem/server/metrics"
	"github.com/buurtstem/buurtstem/server/store"
	"github.com/buurtstem/buurtstem/server/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// serve runs the real server on st at a loopback port and returns its URL
// and a function that shuts it down, as at SIGTERM.
func serve(t *testing.T, st *store.Store) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Parse(nil, func(k string) string {
		if k == "BUURTSTEM_BASE_URL" {
			return base
		}
		return ""
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := app.New(app.Deps{Config: cfg, Store: st, Catalog: catalog, Metrics: metrics.New(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Fiber().Listener(ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
		})
	}
	t.Cleanup(stop)
	return base, stop
}

// emptyStore opens a second, empty database on the test engine.
func emptyStore(t *testing.T, suffix string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{URI: storetest.URI(t), Database: storetest.DatabaseName(t) + suffix,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DropDatabase(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = st.DropDatabase(ctx)
		_ = st.Close(ctx)
	})
	return st
}

// contents reads every collection of a store: documents sorted by their
// bytes, and index specifications.
func contents(t *testing.T, st *store.Store) map[string][][]byte {
	t.Helper()
	ctx := context.Background()
	sn, err := st.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close(ctx)
	cols, err := sn.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][]byte{}
	for _, c := range cols {
		docs := [][]byte{}
		if err := sn.Documents(ctx, c, func(d []byte) error { docs = append(docs, bytes.Clone(d)); return nil }); err != nil {
			t.Fatal(err)
		}
		sort.Slice(docs, func(i, j int) bool { return bytes.Compare(docs[i], docs[j]) < 0 })
		specs, err := sn.Indexes(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		out[c] = docs
		out[c+" (indexes)"] = specs
	}
	return out
}

// fill runs a live session on the real server: demo organisation and
// staff, a session with two prompts, residents who join and answer over
// WebSockets. It returns the session and the number of answers
// acknowledged.
func fill(t *testing.T, st *store.Store) (*apiclient.LiveSession, int, demo.Account, *photo) {
	t.Helper()
	ctx := context.Background()
	accs, err := demo.Seed(ctx, st, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	base, stop := serve(t, st)
	// A backup is made of a store nobody writes to (the command refuses a
	// running server's data directory): stop the server before returning,
	// so that nothing it does in the background changes the source while
	// the test compares it with the restored copy.
	defer stop()
	staff := apiclient.New(base)
	im := accs[2]
	if _, err := staff.Login(ctx, im.Email, im.Password); err != nil {
		t.Fatal(err)
	}
	s, err := staff.CreateSession(ctx, demo.OrgID, apiclient.SessionInput{
		Title: "Back-up", NeighbourhoodID: demo.BuurtAID, Languages: []string{"nl", "ar"},
		Prompts: []apiclient.Prompt{
			{Kind: "faces", Text: map[string]string{"nl": "Hoe is het om hier te wonen?", "ar": "كيف الحياة هنا؟"}},
			{Kind: "faces", Text: map[string]string{"nl": "Hoe veilig voelt u zich?", "ar": "ما مدى شعورك بالأمان؟"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, err = staff.SessionAction(ctx, demo.OrgID, s.ID, "open"); err != nil {
		t.Fatal(err)
	}
	ph := uploadPhoto(t, base, s.Code, s.ID)
	acked := 0
	for p := range s.Prompts {
		if _, err := staff.MoveSession(ctx, demo.OrgID, s.ID, p); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			jar, _ := cookiejar.New(nil)
			if _, err := live.Join(ctx, base, s.Code, jar); err != nil {
				t.Fatal(err)
			}
			c, err := live.Dial(ctx, live.Options{Base: base, Session: s.ID, Jar: jar})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Submit(ctx, fmt.Sprintf("p%d-r%d", p, i), protocol.SubmitData{PromptID: s.Prompts[p].ID,
				Answer: protocol.AnswerData{Face: 1 + i%5}}); err != nil {
				t.Fatal(err)
			}
			acked++
			c.Close()
		}
	}
	return s, acked, im, ph
}

// TestRoundTrip fills a store through the real server (organisation,
// neighbourhoods, staff with password hashes, a live session, residents'
// answers over WebSockets), backs it up, restores it into an empty store
// and compares every document and index byte for byte; then the restored
// store serves the same session to the same staff login.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t)
	s, acked, im, ph := fill(t, src)

	settle(t, src)
	var archive bytes.Buffer
	m, err := backup.Write(ctx, src, &archive)
	if err != nil {
		t.Fatal(err)
	}
	if m.Documents() == 0 || m.Format != backup.Format {
		t.Fatalf("manifest %+v", m)
	}
	byName := map[string]backup.Collection{}
	for _, c := range m.Collections {
		byName[c.Name] = c
	}
	var chunkBytes int64
	for _, c := range m.Collections {
		if strings.HasSuffix(c.Name, ".chunks") {
			chunkBytes += c.Bytes
		}
	}
	if chunkBytes < int64(len(ph.served)) {
		t.Fatalf("GridFS chunks in the archive hold %d bytes, the photo alone has %d", chunkBytes, len(ph.served))
	}
	if byName["contributions"].Documents != int64(acked) {
		t.Fatalf("archive has %d contributions, %d were acknowledged", byName["contributions"].Documents, acked)
	}

	dst := emptyStore(t, "_r")
	rm, err := backup.Restore(ctx, dst, bytes.NewReader(archive.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want, got := contents(t, src), contents(t, dst)
	if len(got) != len(want) {
		t.Fatalf("restored collections %d, want %d", len(got), len(want))
	}
	compared := 0
	for name, wd := range want {
		gd, ok := got[name]
		if !ok {
			t.Fatalf("%s missing after restore", name)
		}
		if len(gd) != len(wd) {
			t.Fatalf("%s: %d after restore, want %d", name, len(gd), len(wd))
		}
		for i := range wd {
			if !bytes.Equal(gd[i], wd[i]) {
				t.Fatalf("%s: item %d differs after restore", name, i)
			}
			compared++
		}
	}
	t.Logf("%d collections, %d documents and index specifications compared byte for byte; archive %d bytes, consistency %s",
		len(rm.Collections), compared, archive.Len(), rm.Consistency)

	// The restored store works: the intermediary logs in with the same
	// password, and the projector of the session sees every answer.
	base, _ := serve(t, dst)
	if _, err := apiclient.New(base).Login(ctx, im.Email, im.Password); err != nil {
		t.Fatalf("login on the restored store: %v", err)
	}
	// The resident's photo plays back from the restored store, byte for
	// byte, with the same participant cookie (its signing secret is data
	// too).
	if got := getMedia(t, base, ph); !bytes.Equal(got, ph.served) {
		t.Fatalf("photo after restore: %d bytes, differ from the %d served before", len(got), len(ph.served))
	}
	proj, err := live.Dial(ctx, live.Options{Base: base, Session: s.ID, Role: "projector", Key: s.ProjectorKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer proj.Close()
	snap, err := proj.NextSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	answered := 0
	for _, r := range snap.Results {
		answered += r.Answered
	}
	if answered != acked {
		t.Fatalf("restored session shows %d answers, %d were acknowledged", answered, acked)
	}
}

// TestRestoreRefusesNonEmptyStore: restoring into a store with data
// changes nothing and says why.
func TestRestoreRefusesNonEmptyStore(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t)
	if _, err := demo.Seed(ctx, src, io.Discard); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if _, err := backup.Write(ctx, src, &archive); err != nil {
		t.Fatal(err)
	}
	before := contents(t, src)
	_, err := backup.Restore(ctx, src, bytes.NewReader(archive.Bytes()))
	if !errors.Is(err, backup.ErrNotEmpty) {
		t.Fatalf("restore into the source itself: want ErrNotEmpty, got %v", err)
	}
	t.Logf("refused: %v", err)
	after := contents(t, src)
	for name, docs := range before {
		if len(after[name]) != len(docs) {
			t.Fatalf("%s changed by a refused restore: %d -> %d", name, len(docs), len(after[name]))
		}
	}
}

// TestDamagedArchiveChangesNothing: a flipped byte, a cut-off archive and
// a file that is no archive are all refused before anything is written.
func TestDamagedArchiveChangesNothing(t *testing.T) {
	ctx := context.Background()
	src := storetest.New(t)
	if _, err := demo.Seed(ctx, src, io.Discard); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if _, err := backup.Write(ctx, src, &archive); err != nil {
		t.Fatal(err)
	}
	good := archive.Bytes()
	if _, err := backup.Verify(bytes.NewReader(good)); err != nil {
		t.Fatalf("good archive: %v", err)
	}
	dst := emptyStore(t, "_d")
	cases := map[string][]byte{
		"cut short":  good[:len(good)*2/3],
		"not gzip":   []byte("dit is geen back-up"),
		"empty file": {},
	}
	// A changed document: rewrite the archive with one byte of one
	// document flipped, compressed again, so only the checksum sees it.
	cases["changed document"] = flipInside(t, good)
	for name, b := range cases {
		_, err := backup.Restore(ctx, dst, bytes.NewReader(b))
		if !errors.Is(err, backup.ErrDamaged) {
			t.Errorf("%s: want ErrDamaged, got %v", name, err)
			continue
		}
		t.Logf("%s: %v", name, err)
		if col, n, err := dst.NonEmpty(ctx); err != nil || col != "" {
			t.Fatalf("%s: store written to (%s holds %d, %v)", name, col, n, err)
		}
	}
}

// flipInside returns the archive with one byte of the first non-empty data
// part changed, compressed again: tar and gzip are intact, only the
// manifest's checksum can tell.
func flipInside(t *testing.T, archive []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	tw := tar.NewWriter(zw)
	flipped := false
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if !flipped && strings.HasPrefix(h.Name, "data/") && len(b) > 40 {
			b[len(b)-3] ^= 0x01 // inside the last value of the last document
			flipped = true
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if !flipped {
		t.Fatal("no data part to change")
	}
	_ = tw.Close()
	_ = zw.Close()
	return out.Bytes()
}

// photo is a resident's upload as the server serves it back.
type photo struct {
	id     string
	jar    http.CookieJar
	served []byte
}

// uploadPhoto joins as a resident and uploads a photo of noise (so that it
// compresses badly and spans several GridFS chunks) through the real
// endpoint, then plays it back.
func uploadPhoto(t *testing.T, base, code, sessionID string) *photo {
	t.Helper()
	ctx := context.Background()
	jar, _ := cookiejar.New(nil)
	if _, err := live.Join(ctx, base, code, jar); err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, 800, 600))
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rnd.UintN(256))
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Jar: jar, Timeout: 60 * time.Second}
	resp, err := hc.Post(base+"/live/"+sessionID+"/media?kind=photo", "image/png", &buf)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("photo upload: %d %s", resp.StatusCode, body)
	}
	var up struct {
		MediaID string `json:"media_id"`
	}
	if err := json.Unmarshal(body, &up); err != nil {
		t.Fatal(err)
	}
	ph := &photo{id: up.MediaID, jar: jar}
	ph.served = getMedia(t, base, ph)
	if len(ph.served) < 300<<10 {
		t.Fatalf("photo of %d bytes: too small to span several chunks", len(ph.served))
	}
	return ph
}

func getMedia(t *testing.T, base string, ph *photo) []byte {
	t.Helper()
	hc := &http.Client{Jar: ph.jar, Timeout: 30 * time.Second}
	resp, err := hc.Get(base + "/media/" + ph.id)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /media/%s: %d %s", ph.id, resp.StatusCode, b)
	}
	return b
}

// settle waits until nothing changes the store any more. app.Server's
// Shutdown cancels the recorder of residents' "my input" lists
// (participant_inputs) without waiting for it, so a write of it may land
// just after the server stopped; the comparison needs a source at rest.
func settle(t *testing.T, st *store.Store) {
	t.Helper()
	prev := contents(t, st)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		cur := contents(t, st)
		if sameContents(prev, cur) {
			return
		}
		prev = cur
	}
	t.Fatal("the source store kept changing after its server stopped")
}

func sameContents(a, b map[string][][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, da := range a {
		db := b[k]
		if len(da) != len(db) {
			return false
		}
		for i := range da {
			if !bytes.Equal(da[i], db[i]) {
				return false
			}
		}
	}
	return true
}
