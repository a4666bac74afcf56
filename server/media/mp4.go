package media

import (
	"encoding/binary"
	"math"
	"time"
)

func isMP4(b []byte) bool {
	return len(b) >= 12 && string(b[4:8]) == "ftyp"
}

// audioBrands are ftyp brands under which audio-only files are written:
// iTunes audio, the MP4 versions, the ISO base media versions Safari's
// MediaRecorder writes, and DASH segments.
var audioBrands = map[string]bool{
	"M4A ": true, "M4B ": true, "mp41": true, "mp42": true, "isom": true, "dash": true,
	"iso2": true, "iso3": true, "iso4": true, "iso5": true, "iso6": true, "iso7": true, "iso8": true, "iso9": true,
}

// eachBox calls fn for every box in b, checking that each fits. A size of 0
// means "to the end", allowed for the last box only by construction.
func eachBox(b []byte, fn func(typ string, body []byte) error) error {
	for pos := 0; pos < len(b); {
		if len(b)-pos < 8 {
			return broken()
		}
		size := uint64(binary.BigEndian.Uint32(b[pos:]))
		typ := string(b[pos+4 : pos+8])
		head := 8
		switch size {
		case 0:
			size = uint64(len(b) - pos)
		case 1:
			if len(b)-pos < 16 {
				return broken()
			}
			size, head = binary.BigEndian.Uint64(b[pos+8:]), 16
		}
		if size < uint64(head) || size > uint64(len(b)-pos) {
			return broken()
		}
		if err := fn(typ, b[pos+head:pos+int(size)]); err != nil {
			return err
		}
		pos += int(size)
	}
	return nil
}

// mp4Track is what a trak box says about one track.
type mp4Track struct {
	id        uint32
	timescale uint32
	duration  uint64
	handler   string
}

// mp4Duration walks an MP4 file, checks that it is audio and returns its
// duration (see the package doc for how).
func mp4Duration(b []byte) (time.Duration, error) {
	var (
		brandOK       bool
		moov, mdat    bool
		movieScale    uint32
		movieDur      uint64
		tracks        []mp4Track
		trexDur       = map[uint32]uint32{}
		fragEnd       = map[uint32]uint64{}
		first         = true
		errNotAudio   = wrongType(Voice)
		durationKnown = func(d uint64, v1 bool) bool {
			return d != math.MaxUint32 || v1 // all ones: unknown (version 0)
		}
	)
	err := eachBox(b, func(typ string, body []byte) error {
		if first {
			first = false
			if typ != "ftyp" || len(body) < 8 {
				return errNotAudio
			}
			for i := 0; i+4 <= len(body); i += 4 {
				if i != 4 && audioBrands[string(body[i:i+4])] { // body[4:8] is the minor version
					brandOK = true
				}
			}
			if !brandOK {
				return errNotAudio
			}
			return nil
		}
		switch typ {
		case "mdat":
			mdat = true
		case "moov":
			moov = true
			return eachBox(body, func(typ string, body []byte) error {
				switch typ {
				case "mvhd":
					ts, d, v1, err := fullTimes(body)
					if err != nil {
						return err
					}
					if durationKnown(d, v1) {
						movieScale, movieDur = ts, d
					}
				case "trak":
					t, err := mp4Trak(body)
					if err != nil {
						return err
					}
					tracks = append(tracks, t)
				case "mvex":
					return eachBox(body, func(typ string, body []byte) error {
						if typ == "trex" {
							if len(body) < 16 {
								return broken()
							}
							trexDur[binary.BigEndian.Uint32(body[4:])] = binary.BigEndian.Uint32(body[12:])
						}
						return nil
					})
				}
				return nil
			})
		case "moof":
			mdat = true // a fragment carries samples of its own
			return eachBox(body, func(typ string, body []byte) error {
				if typ != "traf" {
					return nil
				}
				return mp4Traf(body, trexDur, fragEnd)
			})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if !moov {
		return 0, broken()
	}
	sound := false
	var longest float64
	if movieScale > 0 {
		longest = float64(movieDur) / float64(movieScale)
	}
	for _, t := range tracks {
		switch t.handler {
		case "vide":
			return 0, errNotAudio
		case "soun":
			sound = true
		}
		if t.timescale == 0 {
			continue
		}
		longest = max(longest, float64(t.duration)/float64(t.timescale), float64(fragEnd[t.id])/float64(t.timescale))
	}
	if !sound {
		return 0, errNotAudio
	}
	if !mdat {
		return 0, invalid("answer.file_empty")
	}
	ns := longest * float64(time.Second)
	if ns >= math.MaxInt64 {
		return math.MaxInt64, nil
	}
	return time.Duration(ns), nil
}

// fullTimes reads timescale and duration of an mvhd or mdhd box, which
// share their first fields.
func fullTimes(b []byte) (timescale uint32, duration uint64, v1 bool, err error) {
	if len(b) < 4 {
		return 0, 0, false, broken()
	}
	if b[0] == 1 {
		if len(b) < 32 {
			return 0, 0, false, broken()
		}
		return binary.BigEndian.Uint32(b[20:]), binary.BigEndian.Uint64(b[24:]), true, nil
	}
	if len(b) < 20 {
		return 0, 0, false, broken()
	}
	return binary.BigEndian.Uint32(b[12:]), uint64(binary.BigEndian.Uint32(b[16:])), false, nil
}

func mp4Trak(b []byte) (mp4Track, error) {
	var t mp4Track
	err := eachBox(b, func(typ string, body []byte) error {
		switch typ {
		case "tkhd":
			off := 12
			if len(body) > 0 && body[0] == 1 {
				off = 20
			}
			if len(body) < off+4 {
				return broken()
			}
			t.id = binary.BigEndian.Uint32(body[off:])
		case "mdia":
			return eachBox(body, func(typ string, body []byte) error {
				switch typ {
				case "mdhd":
					ts, d, v1, err := fullTimes(body)
					if err != nil {
						return err
					}
					t.timescale = ts
					if d != math.MaxUint32 || v1 {
						t.duration = d
					}
				case "hdlr":
					if len(body) < 12 {
						return broken()
					}
					t.handler = string(body[8:12])
				}
				return nil
			})
		}
		return nil
	})
	return t, err
}

// mp4Traf adds one track fragment to end (track id → end of its last
// sample, in the track's timescale).
func mp4Traf(b []byte, trexDur map[uint32]uint32, end map[uint32]uint64) error {
	var (
		id       uint32
		haveID   bool
		defDur   uint32
		base     uint64
		haveBase bool
		total    uint64
	)
	err := eachBox(b, func(typ string, body []byte) error {
		switch typ {
		case "tfhd":
			if len(body) < 8 {
				return broken()
			}
			flags := binary.BigEndian.Uint32(body) & 0xFFFFFF
			id, haveID = binary.BigEndian.Uint32(body[4:]), true
			defDur = trexDur[id]
			off := 8
			if flags&0x1 != 0 {
				off += 8
			}
			if flags&0x2 != 0 {
				off += 4
			}
			if flags&0x8 != 0 {
				if len(body) < off+4 {
					return broken()
				}
				defDur = binary.BigEndian.Uint32(body[off:])
			}
		case "tfdt":
			if len(body) < 8 {
				return broken()
			}
			if body[0] == 1 {
				if len(body) < 12 {
					return broken()
				}
				base = binary.BigEndian.Uint64(body[4:])
			} else {
				base = uint64(binary.BigEndian.Uint32(body[4:]))
			}
			haveBase = true
		case "trun":
			if len(body) < 8 {
				return broken()
			}
			flags := binary.BigEndian.Uint32(body) & 0xFFFFFF
			n := uint64(binary.BigEndian.Uint32(body[4:]))
			off := 8
			if flags&0x1 != 0 {
				off += 4
			}
			if flags&0x4 != 0 {
				off += 4
			}
			entry := 0
			for _, f := range []uint32{0x100, 0x200, 0x400, 0x800} {
				if flags&f != 0 {
					entry += 4
				}
			}
			if off > len(body) || n*uint64(entry) > uint64(len(body)-off) {
				return broken()
			}
			if flags&0x100 == 0 {
				total = satAdd(total, n*uint64(defDur))
				return nil
			}
			for i := uint64(0); i < n; i++ {
				total = satAdd(total, uint64(binary.BigEndian.Uint32(body[off+int(i)*entry:])))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !haveID {
		return broken()
	}
	if !haveBase {
		base = end[id] // fragments follow each other
	}
	end[id] = max(end[id], satAdd(base, total))
	return nil
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}
