package proactor_test

import (
	"context"
	"crypto/tls"
	"io"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
	"github.com/triaged/triaged/proactor/internal/streamtest"
)

// TestStartTLSServerOverTransport runs the start_tls server check on emu
// for TLS 1.3 and 1.2, with and without fault hooks and periodic pauses:
// Fixed mode must complete every time.
func TestStartTLSServerOverTransport(t *testing.T) {
	t.Parallel()
	cert, err := streamtest.TestCert()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		version uint16
		faults  bool
		pause   time.Duration
	}{
		{"tls13", tls.VersionTLS13, false, 0}, {"tls12", tls.VersionTLS12, false, 0},
		{"tls13-faults-pauses", tls.VersionTLS13, true, 300 * time.Microsecond},
		{"tls12-faults-pauses", tls.VersionTLS12, true, 300 * time.Microsecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := emu.Faults{}
			if tc.faults {
				f = emu.DefaultFaults(int64(tc.version))
			}
			dial := func(ctx context.Context, addr string) (proactor.Port, error) { return emu.Dial(ctx, addr, f) }
			st, err := streamtest.StartTLSServer(context.Background(), dial, streamtest.TLSOptions{
				Version: tc.version, Cert: cert, Payload: 100 << 10, PauseEvery: tc.pause,
			})
			if err != nil {
				t.Fatalf("%v (stats %+v)", err, st)
			}
			if tc.pause > 0 && st.Pauses < 2 {
				t.Fatalf("only %d pauses injected", st.Pauses)
			}
		})
	}
}

// TestUpgradeHandsOverReadAhead checks the gh-142352 mechanism: bytes the
// old protocol received but did not consume come out of the Conn first,
// followed by the rest of the stream.
func TestUpgradeHandsOverReadAhead(t *testing.T) {
	t.Parallel()
	l := startLoop(t)
	c := newCollector()
	tr, peer := pair(t, l, c, proactor.Config{}, emu.Faults{})
	if _, err := peer.Write([]byte("HELLOhandshake")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, l, "greeting", func() bool { return len(c.got()) == 14 })
	var conn *proactor.Conn
	_ = l.Call(func() { conn = proactor.Upgrade(tr, []byte(c.got()[5:])) })
	if _, err := peer.Write([]byte("-rest")); err != nil {
		t.Fatal(err)
	}
	_ = peer.CloseWrite()
	got, err := io.ReadAll(conn)
	if err != nil || string(got) != "handshake-rest" {
		t.Fatalf("Conn read %q (%v), want the read-ahead then the rest", got, err)
	}
	_ = conn.Close()
	waitFor(t, l, "close", func() bool { return tr.Stats().Closed })
}
