package proactor_test

import (
	"context"
	"fmt"
	"net"

	"github.com/triaged/triaged/proactor"
	"github.com/triaged/triaged/proactor/emu"
)

// printer prints what it receives and stops its loop when the connection
// is lost.
type printer struct{ loop *proactor.Loop }

func (p printer) ConnectionMade(t *proactor.Transport) { fmt.Println("connected, mode", t.Mode()) }
func (p printer) DataReceived(b []byte)                { fmt.Printf("data %q\n", b) }
func (p printer) EOFReceived() bool                    { fmt.Println("eof"); return false }
func (p printer) ConnectionLost(err error)             { fmt.Println("lost", err); p.loop.Stop() }

// Example shows the shape of a scenario: a plain net.Conn peer, an emu
// port dialled to it, a transport on a loop, and the counters afterwards.
func Example() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte("hello"))
		c.Close()
	}()

	loop := proactor.NewLoop()
	port, err := emu.Dial(context.Background(), ln.Addr().String(), emu.Faults{})
	if err != nil {
		panic(err)
	}
	tr, err := proactor.NewTransport(loop, port, printer{loop}, proactor.Config{Mode: proactor.Fixed})
	if err != nil {
		panic(err)
	}
	_ = loop.Run(context.Background())

	s := tr.Stats()
	fmt.Println("delivered", s.BytesDelivered, "check", s.Check())
	// Output:
	// connected, mode fixed
	// data "hello"
	// eof
	// lost <nil>
	// delivered 5 check <nil>
}
