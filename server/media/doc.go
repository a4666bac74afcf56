// Package media checks the files residents and staff upload — voice notes,
// photos and prompt recordings — before anything is stored. It is pure: no
// I/O, no Fiber, no store, so it can be fuzzed and reused.
//
// The contract with the resident client (#5) is implemented as agreed.
// Details it left open, decided here:
//
//   - Upload errors: a file over its kind's limit (voice 2 MB, photo 8 MB)
//     is 400 with code "invalid", field "file" and a message naming the
//     limit; a body over the server's -max-body is 413 with code
//     "too_large". A bad ?kind is 400 field "kind"; no participant cookie
//     401 ("join.required"); a session not open yet or closed is 409 with
//     field "session". Every message is translated (Accept-Language or the
//     language cookie).
//   - Accepted Content-Types: audio/webm (also video/webm, which some
//     browsers give audio-only recordings) and audio/mp4, parameters such
//     as ";codecs=opus" allowed; image/jpeg, image/png, image/webp. Photos
//     are stored as image/jpeg whatever came in.
//   - Uploads are accepted while the session is open or running.
//   - The submit's caption ("text") is optional and, if given, goes through
//     moderation like any written answer.
//   - Assisted answers (an intermediary's "assist") cannot carry a media id:
//     a file belongs to the participant who uploaded it.
//   - GET /media/{id} and the prompt audio honour a single Range header.
//
// # What is checked
//
// Every check reads the bytes, never the name or the declared type alone:
// the declared Content-Type must be one the kind accepts, and the bytes must
// start with the magic of one of its formats. HTML, SVG or anything else in
// disguise fails there.
//
// Voice notes and prompt recordings:
//
//   - audio/webm: an EBML header whose DocType is "webm" or "matroska", then
//     a Segment with at least one audio track whose codec is Opus or Vorbis
//     and no video track. Every element is walked; an element that claims
//     more bytes than the file holds means a truncated file. The duration is
//     the larger of the Info Duration (if any) and the timecode of the last
//     block (cluster timecode plus the block's relative timecode), both
//     scaled by the TimecodeScale. MediaRecorder writes no Info Duration and
//     clusters of unknown size, so in practice the last block's timecode is
//     what counts; a file with neither is bounded by its size alone.
//   - audio/mp4: an ISO-BMFF file starting with an "ftyp" box whose major or
//     compatible brands include an audio-capable brand (M4A, M4B, mp41,
//     mp42, isom, iso2…iso9, dash), then a "moov" with at least one sound
//     track (hdlr "soun") and no video track. The duration is the largest
//     of mvhd, every mdhd and, for fragmented files (Safari's
//     MediaRecorder), the end of the last fragment (tfdt plus the trun
//     sample durations, or tfhd/trex defaults). Box sizes are checked
//     against the file as for WebM.
//
// Photos: JPEG, PNG or WebP by magic bytes. The dimensions are read with
// image.DecodeConfig before decoding, so a decompression bomb (a small file
// that claims a huge image) is refused before any pixel memory is taken.
// The photo is then decoded, scaled down so that its long side is at most
// Limits.PhotoLongSide, turned upright according to its EXIF orientation,
// flattened onto white if it has transparency, and encoded again as a
// baseline JPEG. Nothing of the original file but its pixels survives: EXIF
// (GPS position, camera, time), XMP, IPTC, ICC profiles and comments are all
// gone.
//
// Errors are *apperr.Error values of kind apperr.ErrInvalid, with the field
// "file" and a message id of the i18n catalogue ("answer.file_*"), so every
// refusal reaches the person as a translated sentence.
package media
