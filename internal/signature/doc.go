// Package signature turns a failure text into a signature: a short hash
// that is the same for every failure caused by the same bug, a one-line
// title for people, and the normalized text that was hashed. The hash
// keys on the failure's reason (the error, its type, where it was
// raised), not on the test that hit it.
//
// It is shared by ingest (every uploaded failure), "triaged stress exec"
// and "triaged signature"; Explain says why a text signed as it did. See
// README.md for the algorithm, what was measured, and when to bump
// Version.
package signature
