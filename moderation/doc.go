// Package moderation checks what residents write before it is shown on a
// projector or reaches the municipality: personal data is redacted in
// place, insults are masked word by word, threats, hate against groups,
// doxxing and named private persons are held for a person, and strong
// criticism passes unchanged. Verdicts carry stable reason codes and the
// ids of translated explanations.
//
// The package is pure: no I/O, no Fiber, no store. A Checker (built once,
// shared) checks single texts; a Guard (one per live session, clock passed
// in) remembers enough to catch floods and near-duplicates. The lexicons
// are plain text files embedded from lexicon/; README.md describes their
// format, the categories, the corpus scores and the known weak spots.
package moderation
