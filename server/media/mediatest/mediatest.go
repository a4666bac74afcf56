// Package mediatest builds small media files for tests, byte by byte, so
// that every fixture is documented by the code that makes it: WebM/Opus
// recordings as Chrome's MediaRecorder writes them (Segment and Clusters of
// unknown size, no duration in Info), MP4 recordings plain and fragmented
// (as Safari writes them), and JPEG photos with an EXIF block holding a GPS
// position, a camera name and an orientation.
//
// `go test ./server/media -run TestFixtureFiles -update` writes examples to
// server/media/testdata for people and other tools (the resident client's
// browser tests may upload them); the test checks that the files there are
// what these builders make.
//
// testdata/photo.webp is blue-purple-pink.lossy.webp from golang.org/x/image
// (BSD licence, The Go Authors): Go has no WebP encoder.
package mediatest

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"time"
)

//go:embed testdata/photo.webp
var webpPhoto []byte

// WebP returns a small lossy WebP photo.
func WebP() []byte { return bytes.Clone(webpPhoto) }

// ebml encodes an element: id as written, size as an 8-byte vint (or
// unknown), data.
func ebml(id uint64, data []byte) []byte {
	return ebmlSized(id, data, false)
}

func ebmlSized(id uint64, data []byte, unknown bool) []byte {
	var b []byte
	for shift := 24; shift >= 0; shift -= 8 {
		if c := byte(id >> shift); c != 0 || len(b) > 0 || shift == 0 {
			b = append(b, c)
		}
	}
	size := make([]byte, 8)
	if unknown {
		binary.BigEndian.PutUint64(size, 0x01FFFFFFFFFFFFFF)
	} else {
		binary.BigEndian.PutUint64(size, uint64(len(data))|0x0100000000000000)
	}
	return append(append(b, size...), data...)
}

func uintBytes(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// WebMOptions vary a WebM recording.
type WebMOptions struct {
	// InfoDuration, if set, is written into the Segment Info (as ffmpeg
	// does; MediaRecorder does not).
	InfoDuration time.Duration
	// Codec defaults to A_OPUS.
	Codec string
	// Video adds a VP8 video track.
	Video bool
	// DocType defaults to "webm".
	DocType string
}

// opusSilence is one 20 ms Opus packet of silence (CELT, mono).
var opusSilence = []byte{0xF8, 0xFF, 0xFE}

// WebM returns an Opus recording of length d in 20 ms packets, one cluster
// per second, as MediaRecorder writes it.
func WebM(d time.Duration, o WebMOptions) []byte {
	if o.Codec == "" {
		o.Codec = "A_OPUS"
	}
	if o.DocType == "" {
		o.DocType = "webm"
	}
	header := ebml(0x1A45DFA3, cat(
		ebml(0x4286, []byte{1}),         // EBMLVersion
		ebml(0x4282, []byte(o.DocType)), // DocType
		ebml(0x4287, []byte{4}),         // DocTypeVersion
		ebml(0x4285, []byte{2}),         // DocTypeReadVersion
	))
	info := cat(ebml(0x2AD7B1, uintBytes(1_000_000)), ebml(0x4D80, []byte("mediatest")))
	if o.InfoDuration > 0 {
		f := make([]byte, 8)
		binary.BigEndian.PutUint64(f, math.Float64bits(float64(o.InfoDuration/time.Millisecond)))
		info = cat(info, ebml(0x4489, f))
	}
	opusHead := []byte("OpusHead\x01\x01\x38\x01\x80\xbb\x00\x00\x00\x00\x00")
	tracks := ebml(0xAE, cat(
		ebml(0xD7, []byte{1}),       // TrackNumber
		ebml(0x73C5, uintBytes(1)),  // TrackUID
		ebml(0x83, []byte{2}),       // TrackType: audio
		ebml(0x86, []byte(o.Codec)), // CodecID
		ebml(0x63A2, opusHead),      // CodecPrivate
		ebml(0xE1, cat(ebml(0xB5, uintBytes(math.Float64bits(48000))), ebml(0x9F, []byte{1}))),
	))
	if o.Video {
		tracks = cat(tracks, ebml(0xAE, cat(
			ebml(0xD7, []byte{2}), ebml(0x83, []byte{1}), ebml(0x86, []byte("V_VP8")),
		)))
	}
	seg := cat(ebml(0x1549A966, info), ebml(0x1654AE6B, tracks))
	packets := int(d / (20 * time.Millisecond))
	for c := 0; c*50 < packets; c++ {
		cluster := ebml(0xE7, uintBytes(uint64(c*1000)))
		for i := c * 50; i < min(packets, (c+1)*50); i++ {
			rel := make([]byte, 2)
			binary.BigEndian.PutUint16(rel, uint16((i-c*50)*20))
			cluster = cat(cluster, ebml(0xA3, cat([]byte{0x81}, rel, []byte{0x80}, opusSilence)))
		}
		seg = cat(seg, ebmlSized(0x1F43B675, cluster, true))
	}
	return cat(header, ebmlSized(0x18538067, seg, true))
}

func box(typ string, parts ...[]byte) []byte {
	body := cat(parts...)
	b := make([]byte, 8, 8+len(body))
	binary.BigEndian.PutUint32(b, uint32(8+len(body)))
	copy(b[4:], typ)
	return append(b, body...)
}

func u32(vs ...uint32) []byte {
	b := make([]byte, 4*len(vs))
	for i, v := range vs {
		binary.BigEndian.PutUint32(b[4*i:], v)
	}
	return b
}

// MP4Options vary an MP4 recording.
type MP4Options struct {
	// Fragmented writes the duration only in the fragments (mvhd and mdhd
	// say 0), as Safari's MediaRecorder does.
	Fragmented bool
	// Handler of the track; defaults to "soun".
	Handler string
	// Brand is the only brand (major and compatible); by default the
	// major brand is "M4A " and the compatible ones "isom" and "mp42".
	Brand string
}

// MP4 returns an AAC-labelled recording of length d. It has the structure
// the checker reads (ftyp, moov with mvhd and a track, samples); the sample
// bytes are not real AAC.
func MP4(d time.Duration, o MP4Options) []byte {
	if o.Handler == "" {
		o.Handler = "soun"
	}
	brands := []byte("M4A \x00\x00\x00\x00isommp42")
	if o.Brand != "" {
		brands = []byte(o.Brand + "\x00\x00\x00\x00" + o.Brand)
	}
	const rate = 48000
	ms := uint32(d / time.Millisecond)
	samples := uint32(d * rate / time.Second)
	movieDur, mediaDur := ms, samples
	if o.Fragmented {
		movieDur, mediaDur = 0, 0
	}
	ftyp := box("ftyp", brands)
	mvhd := box("mvhd", u32(0, 0, 0, 1000, movieDur), make([]byte, 80))
	tkhd := box("tkhd", u32(7, 0, 0, 1, 0, 0), make([]byte, 60))
	mdhd := box("mdhd", u32(0, 0, 0, rate, mediaDur), []byte{0x55, 0xC4, 0, 0})
	hdlr := box("hdlr", u32(0, 0), []byte(o.Handler), make([]byte, 12), []byte("mediatest\x00"))
	trak := box("trak", tkhd, box("mdia", mdhd, hdlr))
	if !o.Fragmented {
		return cat(ftyp, box("moov", mvhd, trak), box("mdat", make([]byte, 64)))
	}
	// AAC frames of 1024 samples, one fragment per second.
	out := cat(ftyp, box("moov", mvhd, trak, box("mvex", box("trex", u32(0, 1, 1, 1024, 0, 0)))))
	frames := samples / 1024
	for f, seq := uint32(0), uint32(1); f < frames; seq++ {
		n := min(frames-f, rate/1024)
		trun := u32(0x000300, n) // sample durations and sizes
		for range n {
			trun = append(trun, u32(1024, 4)...)
		}
		traf := box("traf", box("tfhd", u32(0x020000, 1)), box("tfdt", u32(0, f*1024)), box("trun", trun))
		out = cat(out, box("moof", box("mfhd", u32(0, seq)), traf), box("mdat", make([]byte, 4*n)))
		f += n
	}
	return out
}

// Secrets are byte strings the EXIF block of PhotoWithEXIF holds; none may
// survive cleaning.
var Secrets = []string{"Exif", "BuurtstemTestCam", "GPS-SECRET-52N4E"}

// Image returns a w×h image whose left half is red and right half blue, so
// a test can see which way up a photo came out.
func Image(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.NRGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.NRGBA{B: 220, A: 255}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// JPEG encodes an image without metadata.
func JPEG(img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PNG encodes an image.
func PNG(img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// PhotoWithEXIF returns a JPEG of Image(w, h) with an EXIF block (APP1)
// right after the start marker, as a phone writes it: the orientation, the
// camera make, and a GPS directory with latitude 52°22'12.34" N and the
// text GPS-SECRET-52N4E as its processing method; plus a JPEG comment.
func PhotoWithEXIF(w, h, orientation int) []byte {
	plain := JPEG(Image(w, h))
	bo := binary.BigEndian
	// TIFF header, IFD0 at 8 with three entries, then the GPS IFD and the
	// values that do not fit in an entry.
	const ifd0 = 8
	const ifd0Len = 2 + 3*12 + 4
	const makeOff = ifd0 + ifd0Len
	makeVal := []byte("BuurtstemTestCam\x00")
	gpsOff := makeOff + len(makeVal)
	const gpsLen = 2 + 3*12 + 4
	latOff := gpsOff + gpsLen
	methodOff := latOff + 24
	method := []byte("ASCII\x00\x00\x00GPS-SECRET-52N4E")

	t := make([]byte, methodOff+len(method))
	copy(t, "MM")
	bo.PutUint16(t[2:], 42)
	bo.PutUint32(t[4:], ifd0)
	entry := func(at int, tag, typ uint16, count, value uint32) {
		bo.PutUint16(t[at:], tag)
		bo.PutUint16(t[at+2:], typ)
		bo.PutUint32(t[at+4:], count)
		bo.PutUint32(t[at+8:], value)
	}
	bo.PutUint16(t[ifd0:], 3)
	entry(ifd0+2, 0x010F, 2, uint32(len(makeVal)), uint32(makeOff)) // Make
	entry(ifd0+14, 0x0112, 3, 1, uint32(orientation)<<16)           // Orientation (SHORT, left-justified)
	entry(ifd0+26, 0x8825, 4, 1, uint32(gpsOff))                    // GPS IFD pointer
	copy(t[makeOff:], makeVal)
	bo.PutUint16(t[gpsOff:], 3)
	entry(gpsOff+2, 0x0001, 2, 2, 'N'<<24)                              // GPSLatitudeRef
	entry(gpsOff+14, 0x0002, 5, 3, uint32(latOff))                      // GPSLatitude
	entry(gpsOff+26, 0x001B, 7, uint32(len(method)), uint32(methodOff)) // GPSProcessingMethod
	for i, v := range []uint32{52, 1, 22, 1, 1234, 100} {
		bo.PutUint32(t[latOff+4*i:], v)
	}
	copy(t[methodOff:], method)

	app1 := append([]byte("Exif\x00\x00"), t...)
	seg := func(marker byte, data []byte) []byte {
		s := []byte{0xFF, marker, 0, 0}
		bo.PutUint16(s[2:], uint16(len(data)+2))
		return append(s, data...)
	}
	return cat(plain[:2], seg(0xE1, app1), seg(0xFE, []byte("taken at GPS-SECRET-52N4E")), plain[2:])
}

// Bomb returns a PNG whose header claims w×h pixels (50,000 × 50,000 is
// 2.5 gigapixels, 10 GB decoded) in under a hundred bytes: a decompression
// bomb that must be refused from its header alone.
func Bomb(w, h uint32) []byte {
	b := PNG(image.NewGray(image.Rect(0, 0, 1, 1)))
	// IHDR starts at 8: length, "IHDR", width, height, 5 more bytes, CRC.
	ihdr := b[8 : 8+8+13+4]
	binary.BigEndian.PutUint32(ihdr[8:], w)
	binary.BigEndian.PutUint32(ihdr[12:], h)
	binary.BigEndian.PutUint32(ihdr[21:], crc32.ChecksumIEEE(ihdr[4:21]))
	return b
}
