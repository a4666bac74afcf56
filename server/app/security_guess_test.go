package app_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/i18n"
)

// TestGuessFloodCannotLockOutResidents: an attacker floods the server with
// wrong join codes and wrong receipt codes from fresh devices (no cookie,
// all from the same address as everyone else) and keeps flooding. While it
// does:
//
//   - a new device that scans the session's QR code (the join link holds
//     the session id) joins at once, and so does the API join with it;
//   - a resident who joined before (participant cookie) still joins with
//     the typed code and opens their receipt;
//   - a guesser with a cookie of its own is stopped after its own 5 wrong
//     guesses, without costing that resident anything;
//   - a fresh device that types the right code is refused, with the
//     translated advice to scan the QR code: the price of limiting guesses
//     without addresses, stated here rather than hidden.
func TestGuessFloodCannotLockOutResidents(t *testing.T) {
	e := start(t)
	_, s := e.liveSession("post")
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	tooMany := html.EscapeString(catalog.Localizer("nl").T("guess.too_many"))
	u, err := url.Parse(s.JoinURL)
	if err != nil || !strings.HasPrefix(u.Path, "/j/"+s.Code+".") {
		t.Fatalf("join link %q does not carry the session id", s.JoinURL)
	}
	qrPath := u.Path

	// A resident who joined before, with a receipt.
	ret, _ := e.joined(t, s.Code, "nl")
	rp := ret.postJSON("/api/v1/receipt", "{}")
	var rc struct{ Code, QR string }
	if err := json.Unmarshal([]byte(rp.body), &rc); err != nil || rp.status != http.StatusCreated {
		t.Fatalf("receipt: %d %s", rp.status, rp.body)
	}

	// The flood: fresh devices, wrong codes, until refused, then on and on.
	flood := &http.Client{Timeout: 10 * time.Second}
	wrong := func(i int) int {
		var req *http.Request
		if i%2 == 0 {
			req, _ = http.NewRequest(http.MethodPost, e.url+"/api/v1/join", strings.NewReader(fmt.Sprintf(`{"code":"%06d"}`, 999999-i)))
			req.Header.Set("Content-Type", "application/json")
		} else {
			req, _ = http.NewRequest(http.MethodGet, e.url+"/r/"+wrongReceipt(i), nil)
		}
		resp, err := flood.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var joinsRefused, receiptsRefused bool
	accepted := 0
	for i := 0; i < 2000 && !(joinsRefused && receiptsRefused); i++ {
		switch wrong(i) {
		case http.StatusTooManyRequests:
			if i%2 == 0 {
				joinsRefused = true
			} else {
				receiptsRefused = true
			}
		default:
			accepted++
		}
	}
	if !joinsRefused || !receiptsRefused {
		t.Fatalf("2,000 wrong codes from fresh devices were not all limited (joins %v, receipts %v)", joinsRefused, receiptsRefused)
	}
	stop := make(chan struct{})
	var flooded atomic.Int64
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i += 4 {
				select {
				case <-stop:
					return
				default:
				}
				wrong(10000 + i)
				flooded.Add(1)
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	time.Sleep(200 * time.Millisecond)

	// A new device scanning the QR code joins: not refused, and not
	// queued behind the flood. The bound only catches a join that waits
	// for the flood to end (it runs until this test stops it); how fast
	// joins are is the load generator's to measure, not a timed test's.
	const bound = 10 * time.Second
	began := time.Now()
	fresh := e.browser()
	if p := fresh.get(qrPath + "?lang=nl"); p.status != http.StatusSeeOther || p.location != "/s/"+s.ID {
		t.Fatalf("a new device scanning the QR code during the flood: %d %q %.300s", p.status, p.location, p.body)
	}
	qrTook := time.Since(began)
	if qrTook > bound {
		t.Errorf("the QR join took %v during the flood, over %v", qrTook, bound)
	}
	if p := e.browser().postJSON("/api/v1/join", `{"code":"`+s.Code+"."+s.ID+`"}`); p.status != http.StatusOK {
		t.Errorf("API join with the QR code's link during the flood: %d %s", p.status, p.body)
	}
	// A wrong session id in the link does not open a door: it is a typed
	// code then, refused like one.
	if p := e.browser().postJSON("/api/v1/join", `{"code":"`+s.Code+`.00000000000000000000000000000000"}`); p.status != http.StatusTooManyRequests {
		t.Errorf("a link with a wrong session id during the flood: %d, want 429 like a typed code", p.status)
	}

	// The resident who joined before: typed code and receipt still work.
	if p := ret.postJSON("/api/v1/join", `{"code":"`+s.Code+`"}`); p.status != http.StatusOK {
		t.Errorf("a resident who joined before, typing the code during the flood: %d %s", p.status, p.body)
	}
	if p := ret.get("/r/" + rc.Code); p.status != http.StatusOK {
		t.Errorf("a resident who joined before, opening their receipt during the flood: %d", p.status)
	}

	// A new phone scanning the receipt's QR code (a signed link) opens it;
	// the same link with a wrong tag is a guess like a typed code, and a
	// fresh device typing the code is refused.
	signed := strings.TrimSuffix(rc.QR, "/qr.svg")
	if !strings.HasPrefix(signed, "/r/") || !strings.Contains(signed, ".") {
		t.Fatalf("receipt QR %q is not of a signed link", rc.QR)
	}
	if p := e.browser().get(rc.QR); p.status != http.StatusOK || !strings.Contains(p.body, "<svg") {
		t.Errorf("the receipt's QR image by its signed link during the flood: %d", p.status)
	}
	if p := e.browser().get(signed); p.status != http.StatusOK {
		t.Errorf("a new phone scanning the receipt's QR code during the flood: %d", p.status)
	}
	if p := e.browser().get(signed[:len(signed)-1] + "x"); p.status != http.StatusTooManyRequests {
		t.Errorf("a receipt link with a wrong tag during the flood: %d, want 429 like a typed code", p.status)
	}
	if p := e.browser().get("/r/" + rc.Code); p.status != http.StatusTooManyRequests || !strings.Contains(p.body, tooMany) {
		t.Errorf("a fresh device typing a receipt code during the flood: %d, want 429 with %q", p.status, tooMany)
	}

	// A guesser with a cookie of its own: 5 wrong guesses, then refused;
	// the resident is not affected.
	guesser := e.browser()
	if p := guesser.get(qrPath + "?lang=nl"); p.status != http.StatusSeeOther {
		t.Fatalf("the guesser's QR join: %d", p.status)
	}
	own := 0
	for i := range 50 {
		if guesser.postJSON("/api/v1/join", fmt.Sprintf(`{"code":"%06d"}`, 100000+i)).status == http.StatusTooManyRequests {
			break
		}
		own++
	}
	if own != 5 {
		t.Errorf("a device with a cookie made %d wrong guesses before refusal, want 5", own)
	}
	if p := ret.postJSON("/api/v1/join", `{"code":"`+s.Code+`"}`); p.status != http.StatusOK {
		t.Errorf("the guesser's refusals locked out another resident: %d", p.status)
	}

	// A fresh device typing the right code during the flood is refused,
	// told what to do instead.
	p := e.browser().get("/j/" + s.Code + "?lang=nl")
	if p.status != http.StatusTooManyRequests || !strings.Contains(p.body, tooMany) {
		t.Errorf("a fresh device typing the code during the flood: %d, want 429 with %q", p.status, tooMany)
	}
	t.Logf("fresh devices: %d wrong codes accepted before refusal; then %d more sent during the checks; "+
		"QR join took %v; returning residents and QR scans unaffected; a cookie holder's own budget: %d",
		accepted, flooded.Load(), qrTook.Round(time.Millisecond), own)
}

// wrongReceipt is a well-formed receipt code that was never handed out.
func wrongReceipt(i int) string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	code := []byte("ZZZZZZZZZZ")
	for k := 9; k >= 4 && i > 0; k, i = k-1, i/len(alphabet) {
		code[k] = alphabet[i%len(alphabet)]
	}
	return string(code[:5]) + "-" + string(code[5:])
}
