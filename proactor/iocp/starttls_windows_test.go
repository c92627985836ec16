//go:build windows

package iocp_test

import (
	"context"
	"crypto/tls"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/internal/streamtest"
)

// TestStartTLSModes runs the start_tls server check with periodic pauses
// on real overlapped I/O: Fixed must always succeed; Legacy, the positive
// control, must break the exchange (bad record MAC or a starved peer) in
// at least one run, and then with bytes lost to a cancelled read.
func TestStartTLSModes(t *testing.T) {
	t.Parallel()
	cert, err := streamtest.TestCert()
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []proactor.Mode{proactor.Fixed, proactor.Legacy} {
		// The timeout only ends a starved exchange. Fixed gets plenty: under
		// Wine on a loaded host a correct exchange can stall for seconds
		// without losing a byte. Legacy's starved peer costs a whole timeout.
		timeout := 20 * time.Second
		if mode == proactor.Legacy {
			timeout = 3 * time.Second
		}
		failures := 0
		for seed := int64(1); seed <= 6; seed++ {
			version := uint16(tls.VersionTLS13)
			if seed%2 == 0 {
				version = tls.VersionTLS12
			}
			st, err := streamtest.StartTLSServer(context.Background(), dial, streamtest.TLSOptions{
				Config: proactor.Config{Mode: mode, ReadSize: 4096}, Version: version, Cert: cert,
				Payload: 512 << 10, PauseEvery: 200 * time.Microsecond, Timeout: timeout,
			})
			if err == nil {
				continue
			}
			if mode == proactor.Fixed {
				t.Fatalf("fixed, seed %d: %v (stats %+v)", seed, err, st)
			}
			if st.BytesLostToCancel == 0 {
				// Starved by the host, not broken by a lost read: it proves
				// nothing either way.
				t.Logf("legacy, seed %d, timed out without losing bytes: %v", seed, err)
				continue
			}
			failures++
			t.Logf("legacy, seed %d: %v after losing %d bytes", seed, err, st.BytesLostToCancel)
			break // one failure proves the control fires; each costs a timeout
		}
		if mode == proactor.Legacy && failures == 0 {
			t.Fatal("legacy start_tls never failed: the positive control did not fire")
		}
		t.Logf("%s: %d start_tls failures", mode, failures)
	}
}
