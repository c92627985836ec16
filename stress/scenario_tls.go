package stress

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/stress/detect"
)

// ackMessage is what the TLS server answers once it has the whole stream,
// as in CPython's test_start_tls_server_1.
var ackMessage = []byte("ACK-OK")

// runStartTLS is CPython's test_start_tls_server_1 (serverUnderTest) or
// test_start_tls_client_1: the transport under test sends a plaintext
// stream, upgrades the same connection to TLS the way loop.start_tls does
// (pause, swap protocol, resume), and exchanges a second stream over TLS.
// The peer is a plain blocking connection that reads exactly the plaintext
// (no read-ahead) before its handshake.
func runStartTLS(ctx context.Context, c ScenarioConfig, seed int64, version uint16, serverUnderTest bool, o *Outcome, w *watchdog) {
	o.TLS = tls.VersionName(version)
	total := int64(c.Packets) * int64(c.PacketSize)
	useed := uint64(seed)
	plain, err1 := newReceiver(c, useed, streamFromProactor, total)
	secret, err2 := newReceiver(c, useed, streamToProactor, total)
	if err := errors.Join(err1, err2); err != nil {
		o.fail("detector: %v", err)
		return
	}
	secretDir := "to-proactor"
	if !serverUnderTest {
		secretDir = "from-proactor"
	}
	o.watch(plain, "from-proactor")
	o.watch(secret, secretDir)
	plainSink, secretSink := &sink{r: plain}, &sink{r: secret}
	secretSink.phase("tls")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		o.fail("listen: %v", err)
		return
	}
	defer ln.Close()
	cfg, err := tlsConfig(version)
	if err != nil {
		o.fail("%v", err)
		return
	}
	peerDone := make(chan error, 1)
	go func() {
		peerDone <- tlsPeer(ctx, ln, c, useed, total, !serverUnderTest, cfg, plainSink, secretSink, o)
	}()

	pre := &preTLS{}
	s, err := openSide(ctx, c, ln.Addr().String(), seed, pre)
	if err != nil {
		o.fail("%v", err)
		ln.Close() // the peer may still be waiting to accept
		<-peerDone
		return
	}
	defer s.close()
	o.setTransport(s.t)
	p := startPauser(s, c, seed)
	defer p.stop()
	// Once the watchdog stops the iteration, abort the transport: that
	// fails the writes waiting on it, and the Conn's deadline (below)
	// wakes its readers.
	stopWake := context.AfterFunc(ctx, func() { s.loop.CallSoon(s.t.Abort) })
	defer stopWake()
	w.watch(progressCheck(func() int64 { return s.moved() + plainSink.n.Load() + secretSink.n.Load() }, func(quiet time.Duration) *Finding {
		return &Finding{Kind: string(detect.KindStall), Phase: "during " + s.t.Trace().Phase(),
			Detail: fmt.Sprintf("no byte moved either way for %v of run time; the peer read %d of %d plaintext bytes, %d of %d bytes came over TLS; transport: %s",
				quiet, plainSink.n.Load(), total, secretSink.n.Load(), total, s.state())}
	}))

	err = func() error {
		g, _ := detect.NewGenerator(useed, streamFromProactor, total, frameSize)
		if err := s.send(ctx, g, c.PacketSize, false, o); err != nil {
			return fmt.Errorf("send plaintext: %w", err)
		}
		if err := s.drained(ctx); err != nil {
			return fmt.Errorf("send plaintext: %w", err)
		}
		// start_tls: pause, swap the protocol, resume. Bytes the plaintext
		// protocol received but did not consume go to the TLS layer.
		var conn *proactor.Conn
		if err := s.loop.Call(func() {
			s.t.SetPhase("upgrade")
			conn = proactor.Upgrade(s.t, pre.take())
		}); err != nil {
			return err
		}
		stopDeadline := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
		defer stopDeadline()
		var tc *tls.Conn
		if serverUnderTest {
			tc = tls.Server(conn, cfg.server)
		} else {
			tc = tls.Client(conn, cfg.client)
		}
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("TLS handshake: %w", err)
		}
		s.loop.Call(func() { s.t.SetPhase("tls") })
		if serverUnderTest {
			if _, err := io.CopyN(secretSink, tc, total); err != nil {
				return fmt.Errorf("receive over TLS after %d of %d bytes: %w", secretSink.n.Load(), total, err)
			}
			if _, err := tc.Write(ackMessage); err != nil {
				return fmt.Errorf("send ACK: %w", err)
			}
			return tc.Close()
		}
		answer := make([]byte, 1)
		if _, err := io.ReadFull(tc, answer); err != nil {
			return fmt.Errorf("read the server's 1-byte answer: %w", err)
		}
		g2, _ := detect.NewGenerator(useed, streamToProactor, total, frameSize)
		if _, err := io.CopyBuffer(tc, io.LimitReader(g2, total), make([]byte, c.PacketSize)); err != nil {
			return fmt.Errorf("send over TLS: %w", err)
		}
		o.sent(total)
		if _, err := io.Copy(io.Discard, tc); err != nil {
			return fmt.Errorf("wait for EOF: %w", err)
		}
		return nil
	}()
	perr := <-peerDone
	switch {
	case err == nil && perr == nil:
		// Both streams and the answer went through: a limit the watchdog
		// reached since does not undo that.
	case o.stopped(ctx, s.t.Trace().Phase(), errors.Join(err, perr)):
	case err != nil:
		o.fail("%v", err)
	case perr != nil:
		o.fail("peer: %v", perr)
	}
}

// tlsPeer is the plain side: it reads exactly the plaintext, then takes the
// other TLS role on the same connection.
func tlsPeer(ctx context.Context, ln net.Listener, c ScenarioConfig, seed uint64, total int64, peerIsServer bool,
	cfg *tlsConfigs, plainSink, secretSink *sink, o *Outcome) error {
	if d, ok := ctx.Deadline(); ok {
		ln.(*net.TCPListener).SetDeadline(d)
	}
	conn, err := ln.Accept()
	if err != nil {
		return err
	}
	defer conn.Close()
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	plainSink.phase("plaintext")
	if _, err := io.CopyN(plainSink, conn, total); err != nil {
		return fmt.Errorf("read plaintext after %d of %d bytes: %w", plainSink.n.Load(), total, err)
	}
	if peerIsServer {
		tc := tls.Server(conn, cfg.server)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("TLS handshake: %w", err)
		}
		if _, err := tc.Write([]byte{'!'}); err != nil {
			return err
		}
		if _, err := io.CopyN(secretSink, tc, total); err != nil {
			return fmt.Errorf("receive over TLS after %d of %d bytes: %w", secretSink.n.Load(), total, err)
		}
		secretSink.eof()
		return tc.Close()
	}
	tc := tls.Client(conn, cfg.client)
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	g, _ := detect.NewGenerator(seed, streamToProactor, total, frameSize)
	if _, err := io.CopyBuffer(tc, io.LimitReader(g, total), make([]byte, c.PacketSize)); err != nil {
		return fmt.Errorf("send over TLS: %w", err)
	}
	o.sent(total)
	ack := make([]byte, len(ackMessage))
	if _, err := io.ReadFull(tc, ack); err != nil {
		return fmt.Errorf("wait for ACK: %w", err)
	}
	if !bytes.Equal(ack, ackMessage) {
		return fmt.Errorf("ACK: got %q, want %q", ack, ackMessage)
	}
	_, err = io.Copy(io.Discard, tc)
	return err
}

// preTLS is the protocol before the upgrade: the peer sends nothing in
// plaintext, so whatever arrives is the start of its TLS handshake and must
// be handed to the TLS layer.
type preTLS struct {
	mu  sync.Mutex
	buf []byte
}

func (p *preTLS) ConnectionMade(*proactor.Transport) {}
func (p *preTLS) DataReceived(b []byte) {
	p.mu.Lock()
	p.buf = append(p.buf, b...)
	p.mu.Unlock()
}
func (p *preTLS) EOFReceived() bool    { return true }
func (p *preTLS) ConnectionLost(error) {}

func (p *preTLS) take() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buf
	p.buf = nil
	return b
}

// tlsVersion alternates TLS 1.3 and 1.2 with the seed (so by iteration,
// and a replay by seed gets the same one), so both handshakes meet the
// upgrade path.
func tlsVersion(seed int64) uint16 {
	if seed%2 == 0 {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}
