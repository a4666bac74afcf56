package media_test

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buurtstem/buurtstem/server/apperr"
	"github.com/buurtstem/buurtstem/server/media"
	"github.com/buurtstem/buurtstem/server/media/mediatest"
)

var update = flag.Bool("update", false, "write the fixture files in testdata")

// msgOf returns the message id of a refusal, or "" for success.
func msgOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	e, ok := apperr.As(err)
	if !ok || !errors.Is(err, apperr.ErrInvalid) || e.Field != "file" {
		t.Fatalf("not a translated refusal of the file: %v", err)
	}
	return e.MsgID
}

func TestRecordings(t *testing.T) {
	l := media.DefaultLimits
	webm := mediatest.WebM(5*time.Second, mediatest.WebMOptions{})
	mp4 := mediatest.MP4(5*time.Second, mediatest.MP4Options{})
	html := []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)
	for _, tc := range []struct {
		name     string
		kind     media.Kind
		declared string
		data     []byte
		msg      string
		dur      time.Duration // expected, if accepted
	}{
		{"webm from MediaRecorder", media.Voice, "audio/webm;codecs=opus", webm, "", 5 * time.Second},
		{"webm labelled video/webm", media.Voice, "video/webm", webm, "", 5 * time.Second},
		{"matroska doctype", media.Voice, "audio/webm", mediatest.WebM(2*time.Second, mediatest.WebMOptions{DocType: "matroska"}), "", 2 * time.Second},
		{"vorbis", media.Voice, "audio/webm", mediatest.WebM(2*time.Second, mediatest.WebMOptions{Codec: "A_VORBIS"}), "", 2 * time.Second},
		{"webm with info duration", media.Voice, "audio/webm", mediatest.WebM(3*time.Second, mediatest.WebMOptions{InfoDuration: 3 * time.Second}), "", 3 * time.Second},
		{"mp4", media.Voice, "audio/mp4", mp4, "", 5 * time.Second},
		{"fragmented mp4 (Safari)", media.Voice, "audio/mp4", mediatest.MP4(5*time.Second, mediatest.MP4Options{Fragmented: true}), "", 5 * time.Second},
		{"mp4 brand iso5", media.Voice, "audio/mp4", mediatest.MP4(time.Second, mediatest.MP4Options{Brand: "iso5"}), "", time.Second},
		{"prompt recording of 2 minutes", media.Prompt, "audio/webm", mediatest.WebM(2*time.Minute, mediatest.WebMOptions{}), "", 2 * time.Minute},

		{"zero bytes", media.Voice, "audio/webm", nil, "answer.file_empty", 0},
		{"html as audio", media.Voice, "audio/webm", html, "answer.file_not_audio", 0},
		{"svg as audio", media.Voice, "audio/mp4", svg, "answer.file_not_audio", 0},
		{"webm bytes declared as photo", media.Photo, "image/jpeg", webm, "answer.file_not_photo", 0},
		{"declared text/html", media.Voice, "text/html", webm, "answer.file_not_audio", 0},
		{"no content type", media.Voice, "", webm, "answer.file_not_audio", 0},
		{"webm with a video track", media.Voice, "audio/webm", mediatest.WebM(time.Second, mediatest.WebMOptions{Video: true}), "answer.file_not_audio", 0},
		{"webm with a video codec only", media.Voice, "audio/webm", mediatest.WebM(time.Second, mediatest.WebMOptions{Codec: "V_VP8"}), "answer.file_not_audio", 0},
		{"webm of another doctype", media.Voice, "audio/webm", mediatest.WebM(time.Second, mediatest.WebMOptions{DocType: "html"}), "answer.file_not_audio", 0},
		{"mp4 video", media.Voice, "audio/mp4", mediatest.MP4(time.Second, mediatest.MP4Options{Handler: "vide"}), "answer.file_not_audio", 0},
		{"mp4 of a non-audio brand", media.Voice, "audio/mp4", mediatest.MP4(time.Second, mediatest.MP4Options{Brand: "qt  "}), "answer.file_not_audio", 0},
		{"webm truncated", media.Voice, "audio/webm", webm[:len(webm)*2/3+1], "answer.file_broken", 0},
		{"webm header only", media.Voice, "audio/webm", webm[:30], "answer.file_broken", 0},
		{"webm without any sound", media.Voice, "audio/webm", mediatest.WebM(0, mediatest.WebMOptions{}), "answer.file_empty", 0},
		{"mp4 truncated", media.Voice, "audio/mp4", mp4[:len(mp4)-10], "answer.file_broken", 0},
		{"mp4 ftyp only", media.Voice, "audio/mp4", mp4[:28], "answer.file_broken", 0},
		{"voice note of 61 s", media.Voice, "audio/webm", mediatest.WebM(61*time.Second, mediatest.WebMOptions{}), "answer.file_too_long", 0},
		{"webm whose info says 2 s but runs 70 s", media.Voice, "audio/webm", mediatest.WebM(70*time.Second, mediatest.WebMOptions{InfoDuration: 2 * time.Second}), "answer.file_too_long", 0},
		{"mp4 of 61 s", media.Voice, "audio/mp4", mediatest.MP4(61*time.Second, mediatest.MP4Options{}), "answer.file_too_long", 0},
		{"fragmented mp4 of 61 s", media.Voice, "audio/mp4", mediatest.MP4(61*time.Second, mediatest.MP4Options{Fragmented: true}), "answer.file_too_long", 0},
		{"prompt recording of 4 minutes", media.Prompt, "audio/webm", mediatest.WebM(4*time.Minute, mediatest.WebMOptions{}), "answer.file_too_long", 0},
		{"over 2 MB", media.Voice, "audio/webm", append(bytes.Clone(webm), make([]byte, 2<<20)...), "answer.file_too_large", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := media.Check(tc.kind, tc.declared, tc.data, l)
			if got := msgOf(t, err); got != tc.msg {
				t.Fatalf("got %q, want %q", got, tc.msg)
			}
			if tc.msg != "" {
				return
			}
			// 20 ms packets: the last one starts 20 ms before the end.
			if f.Duration < tc.dur-40*time.Millisecond || f.Duration > tc.dur {
				t.Errorf("duration %v, want about %v", f.Duration, tc.dur)
			}
			if !bytes.Equal(f.Data, tc.data) {
				t.Error("a recording is stored as it came")
			}
			if want := "audio/" + map[bool]string{true: "webm", false: "mp4"}[bytes.HasPrefix(tc.data, []byte{0x1A, 0x45})]; f.ContentType != want {
				t.Errorf("content type %q, want %q", f.ContentType, want)
			}
		})
	}
}

func TestLimitsNamed(t *testing.T) {
	_, err := media.Check(media.Voice, "audio/webm", mediatest.WebM(61*time.Second, mediatest.WebMOptions{}), media.DefaultLimits)
	if e, _ := apperr.As(err); e == nil || e.Data["Max"] != 60 {
		t.Errorf("too long names the limit in seconds: %+v", e)
	}
	_, err = media.Check(media.Photo, "image/jpeg", make([]byte, 9<<20), media.DefaultLimits)
	if e, _ := apperr.As(err); e == nil || e.MsgID != "answer.file_too_large" || e.Data["Max"] != 8 {
		t.Errorf("too large names the limit in MB: %+v", e)
	}
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("stored photo is not a JPEG: %v", err)
	}
	return img
}

// isRed and isBlue tell the halves of mediatest.Image apart after JPEG.
func isRed(img image.Image, x, y int) bool {
	r, _, b, _ := img.At(x, y).RGBA()
	return r > 0x9000 && b < 0x5000
}

func isBlue(img image.Image, x, y int) bool {
	r, _, b, _ := img.At(x, y).RGBA()
	return b > 0x9000 && r < 0x5000
}

// TestPhotoStripsEXIF: a phone photo with GPS position, camera and comment
// comes out as a JPEG of its pixels only, turned upright.
func TestPhotoStripsEXIF(t *testing.T) {
	in := mediatest.PhotoWithEXIF(40, 20, 6)
	for _, s := range mediatest.Secrets {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("fixture lacks %q", s)
		}
	}
	if _, err := jpeg.Decode(bytes.NewReader(in)); err != nil {
		t.Fatalf("fixture is not a valid JPEG: %v", err)
	}
	f, err := media.Check(media.Photo, "image/jpeg", in, media.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range mediatest.Secrets {
		if bytes.Contains(f.Data, []byte(s)) {
			t.Errorf("stored photo still holds %q", s)
		}
	}
	// No application segment or comment at all.
	for i := 2; i+1 < len(f.Data) && !(f.Data[i] == 0xFF && f.Data[i+1] == 0xDA); {
		if f.Data[i] != 0xFF {
			t.Fatalf("bad marker at %d", i)
		}
		m := f.Data[i+1]
		if (m >= 0xE0 && m <= 0xEF) || m == 0xFE {
			t.Errorf("stored photo has segment FF%02X", m)
		}
		i += 2 + (int(f.Data[i+2])<<8 | int(f.Data[i+3]))
	}
	// Orientation 6: the camera was turned, the photo must stand upright:
	// 20 wide, 40 high, the left (red) half of the sensor on top.
	img := decode(t, f.Data)
	if b := img.Bounds(); b.Dx() != 20 || b.Dy() != 40 || f.Width != 20 || f.Height != 40 {
		t.Fatalf("size %v (%dx%d), want 20x40", b, f.Width, f.Height)
	}
	if !isRed(img, 10, 5) || !isBlue(img, 10, 35) {
		t.Errorf("photo not turned upright")
	}
	if f.ContentType != "image/jpeg" {
		t.Errorf("content type %q", f.ContentType)
	}
}

func TestPhotoOrientations(t *testing.T) {
	// Where the red half ends up for each orientation of a 40x20 photo.
	for o, want := range map[int]struct {
		w, h       int
		redX, redY int
	}{
		1: {40, 20, 5, 10}, 2: {40, 20, 35, 10}, 3: {40, 20, 35, 10}, 4: {40, 20, 5, 10},
		5: {20, 40, 10, 5}, 6: {20, 40, 10, 5}, 7: {20, 40, 10, 35}, 8: {20, 40, 10, 35},
	} {
		f, err := media.Check(media.Photo, "image/jpeg", mediatest.PhotoWithEXIF(40, 20, o), media.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		img := decode(t, f.Data)
		if img.Bounds().Dx() != want.w || img.Bounds().Dy() != want.h || !isRed(img, want.redX, want.redY) {
			t.Errorf("orientation %d: %v, red at (%d,%d): %v", o, img.Bounds(), want.redX, want.redY, isRed(img, want.redX, want.redY))
		}
	}
}

func TestPhotos(t *testing.T) {
	l := media.DefaultLimits
	big := mediatest.JPEG(mediatest.Image(3200, 1000))
	f, err := media.Check(media.Photo, "image/jpeg", big, l)
	if err != nil {
		t.Fatal(err)
	}
	if f.Width != 1600 || f.Height != 500 {
		t.Errorf("scaled to %dx%d, want 1600x500", f.Width, f.Height)
	}
	img := decode(t, f.Data)
	if !isRed(img, 100, 250) || !isBlue(img, 1500, 250) {
		t.Error("scaled photo lost its picture")
	}

	// A PNG with transparency is flattened onto white.
	clear := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	f, err = media.Check(media.Photo, "image/png", mediatest.PNG(clear), l)
	if err != nil {
		t.Fatal(err)
	}
	if r, g, b, _ := decode(t, f.Data).At(4, 4).RGBA(); r < 0xF000 || g < 0xF000 || b < 0xF000 {
		t.Errorf("transparent pixel became %x %x %x, want white", r, g, b)
	}
	if f, err = media.Check(media.Photo, "image/webp", mediatest.WebP(), l); err != nil || f.ContentType != "image/jpeg" {
		t.Errorf("webp: %v %q", err, f.ContentType)
	}

	jpg := mediatest.JPEG(mediatest.Image(64, 64))
	for _, tc := range []struct {
		name, declared string
		data           []byte
		msg            string
	}{
		{"svg as image", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "answer.file_not_photo"},
		{"svg declared as svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), "answer.file_not_photo"},
		{"html as jpeg", "image/jpeg", []byte("<html><body>hi</body></html>"), "answer.file_not_photo"},
		{"gif", "image/jpeg", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "answer.file_not_photo"},
		{"zero bytes", "image/jpeg", []byte{}, "answer.file_empty"},
		{"truncated jpeg", "image/jpeg", jpg[:len(jpg)/2], "answer.file_broken"},
		{"truncated png", "image/png", mediatest.PNG(mediatest.Image(64, 64))[:60], "answer.file_broken"},
		{"jpeg header only", "image/jpeg", jpg[:3], "answer.file_broken"},
		{"audio as photo", "image/jpeg", mediatest.WebM(time.Second, mediatest.WebMOptions{}), "answer.file_not_photo"},
		{"photo declared as audio type", "audio/webm", jpg, "answer.file_not_photo"},
		{"decompression bomb", "image/png", bomb(t), "answer.file_too_many_pixels"},
		{"too large", "image/jpeg", append(bytes.Clone(jpg), make([]byte, 8<<20)...), "answer.file_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := media.Check(media.Photo, tc.declared, tc.data, l)
			if got := msgOf(t, err); got != tc.msg {
				t.Fatalf("got %q, want %q", got, tc.msg)
			}
		})
	}
}

func bomb(t *testing.T) []byte { return mediatest.Bomb(50000, 50000) }

func TestBombNotDecoded(t *testing.T) {
	var ms1, ms2 runtimeMem
	ms1.read()
	_, err := media.Check(media.Photo, "image/png", bomb(t), media.DefaultLimits)
	ms2.read()
	if msgOf(t, err) != "answer.file_too_many_pixels" {
		t.Fatal(err)
	}
	if grew := ms2.total - ms1.total; grew > 16<<20 {
		t.Errorf("checking the bomb allocated %d MB", grew>>20)
	}
}

// TestFixtureFiles keeps server/media/testdata equal to what the builders
// make (-update writes them), and checks each file as an upload would be.
func TestFixtureFiles(t *testing.T) {
	files := map[string]struct {
		data []byte
		kind media.Kind
		typ  string
	}{
		"voice-5s.webm":           {mediatest.WebM(5*time.Second, mediatest.WebMOptions{}), media.Voice, "audio/webm"},
		"voice-61s.webm":          {mediatest.WebM(61*time.Second, mediatest.WebMOptions{}), media.Voice, "audio/webm"},
		"voice-5s.m4a":            {mediatest.MP4(5*time.Second, mediatest.MP4Options{}), media.Voice, "audio/mp4"},
		"voice-5s-fragmented.m4a": {mediatest.MP4(5*time.Second, mediatest.MP4Options{Fragmented: true}), media.Voice, "audio/mp4"},
		"photo-exif-gps.jpg":      {mediatest.PhotoWithEXIF(40, 20, 6), media.Photo, "image/jpeg"},
		"photo.webp":              {mediatest.WebP(), media.Photo, "image/webp"},
		"bomb-50000x50000.png":    {bomb(t), media.Photo, "image/png"},
		"html-disguised-as.webm":  {[]byte("<!DOCTYPE html><script>alert(1)</script>"), media.Voice, "audio/webm"},
		"svg-disguised-as.png":    {[]byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), media.Photo, "image/png"},
	}
	for name, f := range files {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(got, f.data) {
			t.Errorf("%s differs from what mediatest makes (run with -update)", name)
		}
		_, err = media.Check(f.kind, f.typ, got, media.DefaultLimits)
		bad := strings.Contains(name, "61s") || strings.Contains(name, "bomb") || strings.Contains(name, "disguised")
		if (err != nil) != bad {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzCheck: no input may panic or take unbounded memory; whatever is
// accepted has a known content type.
func FuzzCheck(f *testing.F) {
	f.Add([]byte("voice"), mediatest.WebM(time.Second, mediatest.WebMOptions{InfoDuration: time.Second}))
	f.Add([]byte("voice"), mediatest.MP4(time.Second, mediatest.MP4Options{}))
	f.Add([]byte("voice"), mediatest.MP4(2*time.Second, mediatest.MP4Options{Fragmented: true}))
	f.Add([]byte("photo"), mediatest.PhotoWithEXIF(8, 8, 6))
	f.Add([]byte("photo"), mediatest.WebP())
	f.Fuzz(func(t *testing.T, kind, b []byte) {
		k := media.Photo
		types := []string{"image/jpeg", "image/png", "image/webp"}
		if string(kind) != "photo" {
			k, types = media.Voice, []string{"audio/webm", "audio/mp4"}
		}
		l := media.DefaultLimits
		l.PhotoPixels = 1 << 20 // keep fuzzing fast and small
		for _, typ := range types {
			out, err := media.Check(k, typ, b, l)
			if err == nil && out.ContentType == "" {
				t.Fatal("accepted without a content type")
			}
			if err != nil {
				if _, ok := apperr.As(err); !ok {
					t.Fatalf("untranslated error %v", err)
				}
			}
		}
	})
}

// BenchmarkCleanPhoto: a 12-megapixel phone photo (4000×3000) checked,
// scaled to 1600 px, turned and re-encoded.
func BenchmarkCleanPhoto(b *testing.B) {
	in := mediatest.JPEG(mediatest.Image(4000, 3000))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := media.Check(media.Photo, "image/jpeg", in, media.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckVoice: a 60-second WebM voice note walked for its duration.
func BenchmarkCheckVoice(b *testing.B) {
	in := mediatest.WebM(60*time.Second, mediatest.WebMOptions{})
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := media.Check(media.Voice, "audio/webm", in, media.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}
