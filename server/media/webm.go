package media

import (
	"encoding/binary"
	"math"
	"time"
)

// Matroska/WebM element ids (with their length marker bits, as written).
const (
	ebmlHeader    = 0x1A45DFA3
	ebmlDocType   = 0x4282
	mkvSegment    = 0x18538067
	mkvInfo       = 0x1549A966
	mkvScale      = 0x2AD7B1 // TimecodeScale, ns per timecode unit
	mkvDuration   = 0x4489   // float, in timecode units
	mkvTracks     = 0x1654AE6B
	mkvTrackEntry = 0xAE
	mkvTrackType  = 0x83 // 1 video, 2 audio
	mkvCodecID    = 0x86
	mkvCluster    = 0x1F43B675
	mkvTimecode   = 0xE7 // of a cluster
	mkvBlockGroup = 0xA0
	mkvBlock      = 0xA1
	mkvSimpleBlk  = 0xA3
)

func isWebM(b []byte) bool {
	return len(b) >= 4 && binary.BigEndian.Uint32(b) == ebmlHeader
}

// readVint reads an EBML variable-length integer. With keepMarker it is an
// element id (the length marker stays part of the value); otherwise a size,
// where all value bits set means "unknown". n is 0 if b is too short or the
// first byte is zero.
func readVint(b []byte, keepMarker bool) (v uint64, n int, unknown bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false
	}
	n = 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > 8 || len(b) < n {
		return 0, 0, false
	}
	first := b[0]
	if !keepMarker {
		first &= 0xFF >> n
	}
	v = uint64(first)
	allOnes := first == 0xFF>>n
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
		allOnes = allOnes && b[i] == 0xFF
	}
	return v, n, !keepMarker && allOnes
}

// element is one EBML element: its id, where its data starts and its
// size (-1 if unknown).
type element struct {
	id    uint64
	data  int
	size  int
	known bool
}

// readElement reads the header of the element at pos of b.
func readElement(b []byte, pos int) (element, bool) {
	id, n, _ := readVint(b[pos:], true)
	if n == 0 || n > 4 {
		return element{}, false
	}
	size, m, unknown := readVint(b[pos+n:], false)
	if m == 0 {
		return element{}, false
	}
	e := element{id: id, data: pos + n + m, known: !unknown}
	if !unknown {
		if size > uint64(len(b)-e.data) {
			return element{}, false // claims more than the file holds
		}
		e.size = int(size)
	}
	return e, true
}

func readUint(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// webmDuration walks a WebM file, checks that it is audio the app can use
// and returns its duration (see the package doc for how).
func webmDuration(b []byte) (time.Duration, error) {
	hdr, ok := readElement(b, 0)
	if !ok || hdr.id != ebmlHeader || !hdr.known {
		return 0, broken()
	}
	docType := ""
	for pos := hdr.data; pos < hdr.data+hdr.size; {
		e, ok := readElement(b[:hdr.data+hdr.size], pos)
		if !ok || !e.known {
			return 0, broken()
		}
		if e.id == ebmlDocType {
			docType = string(b[e.data : e.data+e.size])
		}
		pos = e.data + e.size
	}
	if docType != "webm" && docType != "matroska" {
		return 0, wrongType(Voice)
	}

	var (
		scale              uint64 = 1_000_000
		infoDur            float64
		cluster, last      uint64
		blocks             int
		tracks, audio, vid bool
		segment            bool
	)
	// Masters are walked into in place: their children simply follow. That
	// handles MediaRecorder's Segment and Cluster of unknown size.
	for pos := hdr.data + hdr.size; pos < len(b); {
		e, ok := readElement(b, pos)
		if !ok {
			return 0, broken()
		}
		if !e.known && e.id != mkvSegment && e.id != mkvCluster {
			return 0, broken()
		}
		data := b[e.data : e.data+e.size]
		switch e.id {
		case mkvSegment:
			segment = true
			pos = e.data
			continue
		case mkvCluster, mkvBlockGroup:
			pos = e.data
			continue
		case mkvInfo:
			var err error
			if scale, infoDur, err = webmInfo(data); err != nil {
				return 0, err
			}
		case mkvTracks:
			tracks = true
			a, v, err := webmTracks(data)
			if err != nil {
				return 0, err
			}
			audio, vid = audio || a, vid || v
		case mkvTimecode:
			cluster = readUint(data)
		case mkvSimpleBlk, mkvBlock:
			_, n, _ := readVint(data, false)
			if n == 0 || len(data) < n+2 {
				return 0, broken()
			}
			rel := int16(binary.BigEndian.Uint16(data[n:]))
			tc := cluster
			if rel > 0 {
				tc += uint64(rel)
			}
			last = max(last, tc)
			blocks++
		}
		pos = e.data + e.size
	}
	switch {
	case !segment || !tracks:
		return 0, broken()
	case !audio || vid:
		return 0, wrongType(Voice)
	case blocks == 0:
		return 0, invalid("answer.file_empty")
	}
	ns := max(infoDur, float64(last)) * float64(scale)
	if ns >= math.MaxInt64 || math.IsNaN(ns) {
		return math.MaxInt64, nil
	}
	return time.Duration(ns), nil
}

// webmInfo reads the timecode scale and the duration (0 if absent).
func webmInfo(b []byte) (scale uint64, dur float64, err error) {
	scale = 1_000_000
	for pos := 0; pos < len(b); {
		e, ok := readElement(b, pos)
		if !ok || !e.known {
			return 0, 0, broken()
		}
		d := b[e.data : e.data+e.size]
		switch e.id {
		case mkvScale:
			if s := readUint(d); s > 0 && len(d) <= 8 {
				scale = s
			}
		case mkvDuration:
			switch len(d) {
			case 4:
				dur = float64(math.Float32frombits(binary.BigEndian.Uint32(d)))
			case 8:
				dur = math.Float64frombits(binary.BigEndian.Uint64(d))
			default:
				return 0, 0, broken()
			}
			if dur < 0 || math.IsNaN(dur) {
				return 0, 0, broken()
			}
		}
		pos = e.data + e.size
	}
	return scale, dur, nil
}

// webmTracks reports whether the tracks hold an Opus or Vorbis audio track
// and whether they hold a video track.
func webmTracks(b []byte) (audio, video bool, err error) {
	for pos := 0; pos < len(b); {
		e, ok := readElement(b, pos)
		if !ok || !e.known {
			return false, false, broken()
		}
		if e.id == mkvTrackEntry {
			var typ uint64
			codec := ""
			entry := b[e.data : e.data+e.size]
			for p := 0; p < len(entry); {
				f, ok := readElement(entry, p)
				if !ok || !f.known {
					return false, false, broken()
				}
				switch f.id {
				case mkvTrackType:
					typ = readUint(entry[f.data : f.data+f.size])
				case mkvCodecID:
					codec = string(entry[f.data : f.data+f.size])
				}
				p = f.data + f.size
			}
			switch {
			case typ == 2 && (codec == "A_OPUS" || codec == "A_VORBIS"):
				audio = true
			case typ == 1 || (len(codec) > 2 && codec[:2] == "V_"):
				video = true
			}
		}
		pos = e.data + e.size
	}
	return audio, video, nil
}
