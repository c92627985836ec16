package signature

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExplain(t *testing.T) {
	names, texts := loadReal(t, "go-net-no-dns.txt")
	var text string
	for i, n := range names {
		if n == "TestLookupCNAME" {
			text = "[   84s] " + texts[i]
		}
	}
	ex := Explain(text)
	if diff := cmp.Diff(Compute(text), ex.Signature); diff != "" {
		t.Fatalf("Explain signs differently from Compute (-Compute +Explain):\n%s", diff)
	}
	if ex.Format != "go-env" {
		t.Errorf("Format = %q, want go-env", ex.Format)
	}
	want := []struct {
		line    int
		dropped string
		kept    string
	}{
		{line: 1, kept: "error: lookup <HOST>: no such host"},
		{line: 2, dropped: "not a key line"},
		{line: 5, dropped: "noise"},
		{line: 6, dropped: "blank"},
	}
	for _, w := range want {
		n := ex.Lines[w.line-1]
		got := n.Dropped
		if len(n.Kept) > 0 {
			got = n.Kept[0].Normalized
		}
		if wantGot := w.dropped + w.kept; got != wantGot {
			t.Errorf("line %d (%q): got %q, want %q", w.line, n.Text, got, wantGot)
		}
	}
	if p := ex.Lines[0].Prefix; p != "[   84s]" {
		t.Errorf("line 1 prefix = %q, want the build-log tag", p)
	}
	var kinds []string
	for _, m := range ex.Lines[0].Kept[0].Masks {
		kinds = append(kinds, m.Kind)
	}
	if diff := cmp.Diff([]string{"host"}, kinds); diff != "" {
		t.Errorf("masks of line 1 (-want +got):\n%s", diff)
	}
}

func TestExplainWindow(t *testing.T) {
	tests := []struct {
		name, text string
	}{
		// More lines than the window keeps: the middle is one entry.
		{name: "many lines", text: strings.Repeat("x\n", 10000) + "ValueError: boom\n"},
		// More bytes than the window keeps.
		{name: "many bytes", text: strings.Repeat(strings.Repeat("y", 99)+"\n", 3000) + "ValueError: boom\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { testExplainWindow(t, tt.text) })
	}
}

func testExplainWindow(t *testing.T, text string) {
	ex := Explain(text)
	lines := 0
	for _, n := range ex.Lines {
		if n.Count > 1 {
			lines += n.Count
			continue
		}
		lines++
	}
	if want := strings.Count(text, "\n") + 1; lines != want {
		t.Errorf("explained %d lines, want %d", lines, want)
	}
	outside := 0
	for _, n := range ex.Lines {
		if n.Dropped == "outside the window" {
			outside++
		}
	}
	if outside == 0 {
		t.Errorf("no line reported outside the window")
	}
}

func TestExplainTruncatedAndDuplicate(t *testing.T) {
	text := "--- FAIL: TestDial (0.80s)\n    dial_test.go:213: dial tcp 127.0.0.1:24574: i/o timeout\n    dial_test.go:213: dial tcp 127.0.0.1:24574: i/o timeout\n"
	ex := Explain(text)
	if got := ex.Lines[1].Kept[0].Masks; len(got) != 1 || got[0].Kind != "address" || got[0].As != "<ADDR>" {
		t.Errorf("masks = %+v, want the address", got)
	}
	cut := Explain("FAILED tests/test_io.py::test_read - OSError: [Errno 5] Input/output err")
	if note := cut.Lines[0].Kept[0].Note; !strings.Contains(note, "cut off") {
		t.Errorf("a text cut mid-line: note %q, want it to say the last word was dropped", note)
	}
}
