package fault_test

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
	"time"

	"github.com/triaged/triaged/stress/detect/fault"
)

func TestApply(t *testing.T) {
	t.Parallel()
	src := []byte("0123456789")
	tests := []struct {
		name string
		ops  []fault.Op
		want string
	}{
		{"none", nil, "0123456789"},
		{"drop", []fault.Op{{Kind: fault.Drop, Off: 2, N: 3}}, "0156789"},
		{"drop to end", []fault.Op{{Kind: fault.Drop, Off: 8, N: 5}}, "01234567"},
		{"duplicate", []fault.Op{{Kind: fault.Duplicate, Off: 2, N: 3}}, "0123423456789"},
		{"swap", []fault.Op{{Kind: fault.Swap, Off: 1, N: 2, N2: 3}}, "0345126789"},
		{"flip", []fault.Op{{Kind: fault.Flip, Off: 0, Mask: 0x01}}, "1123456789"},
		{"splice", []fault.Op{{Kind: fault.Splice, Off: 4, Data: []byte("ab")}}, "0123ab456789"},
		{"cut", []fault.Op{{Kind: fault.Cut, Off: 6}}, "012345"},
		{"append", []fault.Op{{Kind: fault.Append, Data: []byte("xy")}}, "0123456789xy"},
		{"cut then append", []fault.Op{{Kind: fault.Append, Data: []byte("!")}, {Kind: fault.Cut, Off: 3}}, "012!"},
		{"several, unsorted", []fault.Op{
			{Kind: fault.Flip, Off: 9, Mask: 0x02},
			{Kind: fault.Drop, Off: 0, N: 1},
			{Kind: fault.Duplicate, Off: 4, N: 1},
		}, "123445678;"},
	}
	for _, tt := range tests {
		if got := string(fault.Apply(src, tt.ops...)); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		// The streaming reader gives the same bytes whatever the read
		// sizes of the source and of the caller.
		r := fault.NewReader(iotest.OneByteReader(bytes.NewReader(src)), tt.ops...)
		got, err := io.ReadAll(iotest.OneByteReader(r))
		if err != nil || string(got) != tt.want {
			t.Errorf("%s, one byte at a time: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestStall(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	r := fault.NewReader(bytes.NewReader([]byte("abcdef")), fault.Op{Kind: fault.Stall, Off: 4, Release: release})
	buf := make([]byte, 10)
	n, err := io.ReadFull(r, buf[:4])
	if n != 4 || err != nil {
		t.Fatalf("before the stall: %d, %v", n, err)
	}
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	select {
	case s := <-got:
		t.Fatalf("read %q through a stall", s)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if s := <-got; s != "ef" {
		t.Errorf("after release: %q", s)
	}
}
