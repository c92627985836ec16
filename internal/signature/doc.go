// Package signature turns a failure text into a signature: a short hash
// that is the same for every failure caused by the same bug, a one-line
// title for people, and the normalized text that was hashed.
//
// It is shared by ingest (every uploaded failure), "triaged stress exec"
// and "triaged signature". See README.md for the algorithm and for when to
// bump Version.
package signature
