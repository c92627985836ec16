//go:build windows

package iocp_test

import (
	"testing"

	"github.com/triaged/triaged/proactor/internal/streamtest"
)

// BenchmarkReceive compares a Fixed-mode iocp transport with io.Copy over
// a Go net.Conn (which uses the runtime's own completion port) in one run.
func BenchmarkReceive(b *testing.B) {
	streamtest.BenchReceive(b, "iocp", dial)
}
