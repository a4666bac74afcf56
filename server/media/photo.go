package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"

	"github.com/disintegration/imaging"
	"golang.org/x/image/webp"
)

// photoQuality of the stored JPEG: small files, no visible loss at 1600 px.
const photoQuality = 85

type decoder struct {
	config func([]byte) (image.Config, error)
	decode func([]byte) (image.Image, error)
}

func photoDecoder(b []byte) (decoder, bool) {
	r := func(b []byte) *bytes.Reader { return bytes.NewReader(b) }
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return decoder{func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(r(b)) },
			func(b []byte) (image.Image, error) { return jpeg.Decode(r(b)) }}, true
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return decoder{func(b []byte) (image.Config, error) { return png.DecodeConfig(r(b)) },
			func(b []byte) (image.Image, error) { return png.Decode(r(b)) }}, true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return decoder{func(b []byte) (image.Config, error) { return webp.DecodeConfig(r(b)) },
			func(b []byte) (image.Image, error) { return webp.Decode(r(b)) }}, true
	}
	return decoder{}, false
}

// cleanPhoto turns an uploaded photo into a fresh JPEG of its pixels only;
// see the package doc.
func cleanPhoto(b []byte, l Limits) (File, error) {
	dec, ok := photoDecoder(b)
	if !ok {
		return File{}, wrongType(Photo)
	}
	// The header alone, before any pixel memory is taken.
	cfg, err := dec.config(b)
	if err != nil {
		return File{}, broken()
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return File{}, broken()
	}
	if uint64(cfg.Width)*uint64(cfg.Height) > uint64(l.PhotoPixels) {
		return File{}, invalid("answer.file_too_many_pixels")
	}
	img, err := dec.decode(b)
	if err != nil {
		return File{}, broken()
	}
	// Scale first and turn afterwards: turning a 40-megapixel photo would
	// copy every pixel, turning the scaled one costs almost nothing.
	var small *image.NRGBA
	if bounds := img.Bounds(); bounds.Dx() > l.PhotoLongSide || bounds.Dy() > l.PhotoLongSide {
		small = imaging.Fit(img, l.PhotoLongSide, l.PhotoLongSide, imaging.Lanczos)
	} else {
		small = imaging.Clone(img)
	}
	small = orient(small, jpegOrientation(b))
	if !small.Opaque() {
		bg := imaging.New(small.Bounds().Dx(), small.Bounds().Dy(), color.White)
		small = imaging.Overlay(bg, small, image.Point{}, 1)
	}
	// Opaque now, so its non-premultiplied pixels are also premultiplied
	// RGBA: the JPEG encoder's fast path for *image.RGBA avoids an
	// allocation per pixel that the generic path makes.
	rgba := &image.RGBA{Pix: small.Pix, Stride: small.Stride, Rect: small.Rect}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, rgba, &jpeg.Options{Quality: photoQuality}); err != nil {
		return File{}, err
	}
	return File{Data: out.Bytes(), ContentType: TypeJPEG,
		Width: small.Bounds().Dx(), Height: small.Bounds().Dy()}, nil
}

// orient applies an EXIF orientation (1–8) so the photo stands upright.
func orient(img *image.NRGBA, o int) *image.NRGBA {
	switch o {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img) // the camera was turned right: turn back
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}

// jpegOrientation returns the EXIF orientation of a JPEG, or 1 (upright)
// if it has none or the EXIF block cannot be read. It reads only the
// segments before the image data and the first directory of the EXIF
// block, where cameras write the orientation.
func jpegOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	for pos := 2; pos+4 <= len(b); {
		if b[pos] != 0xFF {
			return 1
		}
		marker := b[pos+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0xFF {
			pos++ // markers without a length, and fill bytes
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // image data or the end
			return 1
		}
		n := int(binary.BigEndian.Uint16(b[pos+2:]))
		if n < 2 || pos+2+n > len(b) {
			return 1
		}
		seg := b[pos+4 : pos+2+n]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		pos += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of IFD0 of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := uint64(bo.Uint32(t[4:]))
	if ifd+2 > uint64(len(t)) {
		return 1
	}
	n := int(bo.Uint16(t[ifd:]))
	for i := range n {
		e := ifd + 2 + uint64(i)*12
		if e+12 > uint64(len(t)) || e > math.MaxInt {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 {
			if o := int(bo.Uint16(t[e+8:])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}
