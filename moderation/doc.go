// Package moderation will hold the pure moderation library: personal-data
// redaction, abuse and spam checks per language, verdicts with reasons.
// TODO(#6): nothing is implemented yet; the folder exists so the layout of
// DESIGN.md is visible from the start.
package moderation
