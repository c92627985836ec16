package streamtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"time"

	"github.com/triaged/triaged/proactor"
)

// TestCert returns a fresh self-signed certificate for localhost.
func TestCert() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// TLSOptions describe one start_tls server run.
type TLSOptions struct {
	Config  proactor.Config
	Version uint16
	Cert    tls.Certificate
	Payload int // bytes the peer sends over TLS
	// PauseEvery injects a pause, and a resume 100µs later, this often
	// during the whole run; zero injects none beyond the upgrade's own.
	PauseEvery time.Duration
	Timeout    time.Duration
}

// greeter consumes exactly the greeting and upgrades on the same loop turn,
// handing whatever followed it in the same read to the TLS layer.
type greeter struct {
	greeting string
	got      []byte
	t        *proactor.Transport
	upgraded chan *proactor.Conn
}

func (g *greeter) ConnectionMade(t *proactor.Transport) { g.t = t }
func (g *greeter) EOFReceived() bool                    { return false }
func (g *greeter) ConnectionLost(error)                 {}

func (g *greeter) DataReceived(b []byte) {
	g.got = append(g.got, b...)
	if len(g.got) < len(g.greeting) {
		return
	}
	g.t.SetPhase("upgrade")
	c := proactor.Upgrade(g.t, g.got[len(g.greeting):])
	g.t.SetPhase("tls")
	g.upgraded <- c
}

// StartTLSServer is CPython's test_start_tls_server_1 in miniature: the
// transport under test reads a plaintext greeting, upgrades while the
// peer's ClientHello may share its read, serves TLS over a proactor.Conn,
// checks the payload and answers "ACK". It returns the transport's stats.
func StartTLSServer(ctx context.Context, dial Dialer, opt TLSOptions) (proactor.Stats, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return proactor.Stats{}, err
	}
	defer ln.Close()
	port, err := dial(ctx, ln.Addr().String())
	if err != nil {
		return proactor.Stats{}, err
	}
	peer, err := ln.Accept()
	if err != nil {
		_ = port.Close()
		return proactor.Stats{}, err
	}
	defer peer.Close()
	deadline := time.Now().Add(opt.Timeout)
	_ = peer.SetDeadline(deadline)

	loop := proactor.NewLoop()
	loopDone := make(chan struct{})
	go func() { _ = loop.Run(context.Background()); close(loopDone) }()
	defer func() { loop.Close(); <-loopDone }()
	g := &greeter{greeting: "PLAIN", upgraded: make(chan *proactor.Conn, 1)}
	tr, err := proactor.NewTransport(loop, port, g, opt.Config)
	if err != nil {
		return proactor.Stats{}, err
	}
	stopPauses := injectPauses(loop, tr, opt.PauseEvery)
	defer stopPauses()

	payload := make([]byte, opt.Payload)
	Fill(7, 0, payload)
	peerErr := make(chan error, 1)
	go func() { peerErr <- tlsPeer(peer, opt.Version, payload) }()

	var c *proactor.Conn
	select {
	case c = <-g.upgraded:
	case <-time.After(opt.Timeout):
		return tr.Stats(), errors.New("no greeting: plaintext never arrived")
	}
	sc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{opt.Cert}})
	_ = sc.SetDeadline(deadline)
	got := make([]byte, len(payload))
	_, err = io.ReadFull(sc, got)
	switch {
	case err != nil:
		err = fmt.Errorf("server read over TLS: %w", err)
	case !bytes.Equal(got, payload):
		err = errors.New("payload corrupted over TLS")
	case sc.ConnectionState().Version != opt.Version:
		err = fmt.Errorf("negotiated TLS %x, want %x", sc.ConnectionState().Version, opt.Version)
	default:
		if _, err = sc.Write([]byte("ACK")); err == nil {
			err = <-peerErr
		}
	}
	_ = sc.Close()
	if err != nil {
		return tr.Stats(), err
	}
	for !tr.Stats().Closed && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	return tr.Stats(), tr.Stats().Check()
}

func tlsPeer(peer net.Conn, version uint16, payload []byte) error {
	if _, err := peer.Write([]byte("PLAIN")); err != nil {
		return err
	}
	cc := tls.Client(peer, &tls.Config{InsecureSkipVerify: true, MinVersion: version, MaxVersion: version})
	if _, err := cc.Write(payload); err != nil {
		return fmt.Errorf("peer: %w", err)
	}
	ack := make([]byte, 3)
	if _, err := io.ReadFull(cc, ack); err != nil {
		return fmt.Errorf("peer waiting for ACK: %w", err)
	}
	if string(ack) != "ACK" {
		return fmt.Errorf("peer got %q, want ACK", ack)
	}
	return nil
}

// injectPauses pauses the transport every d and resumes it 100µs later,
// like the scenarios' periodic injection point. The returned func stops it.
func injectPauses(loop *proactor.Loop, tr *proactor.Transport, d time.Duration) func() {
	if d <= 0 {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				_ = loop.CallSoon(func() {
					tr.PauseReading()
					loop.CallLater(100*time.Microsecond, tr.ResumeReading)
				})
			}
		}
	}()
	return func() { close(stop); <-done }
}
