package detect_test

import (
	"io"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/triaged/triaged/stress/detect"
	"github.com/triaged/triaged/stress/detect/fault"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// loopback returns both ends of a loopback TCP connection.
func loopback(t testing.TB) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	return client, server
}

// send writes packets of size bytes from g to c, as a scenario's peer does,
// then half-closes c. It returns when everything was written.
func send(c net.Conn, g *detect.Generator, size int) error {
	buf := make([]byte, size)
	for {
		n, err := g.Read(buf)
		if err == io.EOF {
			return c.(*net.TCPConn).CloseWrite()
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return err
		}
	}
}

// TestLoopbackTCP streams over a real loopback connection, clean and
// through a faulty reader that drops a read's worth of bytes.
func TestLoopbackTCP(t *testing.T) {
	const total, fs, packet = 8 << 20, 16<<10 + detect.Overhead, 16 << 10
	s := stream(t, 42, 7, total, fs)
	c := geometry{headers(t, s)}.split(s, 3_000_001, 3_040_001) // almost always 0
	tests := []struct {
		name string
		ops  []fault.Op
		want []finding
	}{
		{"clean", nil, nil},
		{"dropped read", []fault.Op{{Kind: fault.Drop, Off: 3_000_001, N: 40_000}},
			[]finding{{detect.KindLostBytes, 3_000_001 + c, 40_000, 3_000_001 + c}}},
		{"cut", []fault.Op{{Kind: fault.Cut, Off: 5_000_000}},
			[]finding{{detect.KindPrematureEOF, 5_000_000, total - 5_000_000, 5_000_000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server := loopback(t)
			defer client.Close()
			defer server.Close()
			g, err := detect.NewGenerator(42, 7, total, fs)
			if err != nil {
				t.Fatal(err)
			}
			sent := make(chan error, 1)
			go func() { sent <- send(client, g, packet) }()

			r := newReceiver(t, detect.Config{Seed: 42, Stream: 7})
			var src io.Reader = server
			if tt.ops != nil {
				src = fault.NewConn(server, tt.ops...)
			}
			if _, err := io.CopyBuffer(r, src, make([]byte, 64<<10)); err != nil {
				t.Fatal(err)
			}
			r.CloseEOF()
			server.Close() // a cut stream leaves the sender blocked otherwise
			if err := <-sent; err != nil && tt.ops == nil {
				t.Fatalf("send: %v", err)
			}
			rep := r.Report()
			if diff := cmp.Diff(tt.want, findings(rep)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if ok := tt.want == nil; rep.OK() != ok {
				t.Errorf("OK() = %v, want %v: %+v", rep.OK(), ok, rep)
			}
		})
	}
}
