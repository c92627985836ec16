package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignatureCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// The same bug seen on two hosts: other paths, line numbers, addresses.
	a := filepath.Join(dir, "a.txt")
	os.WriteFile(a, []byte("Traceback (most recent call last):\n  File \"/home/bb/cpython/Lib/test/test_x.py\", line 12, in test_y\n    f()\nValueError: bad object at 0x7f3a2c\n"), 0o600)
	b := filepath.Join(dir, "b.txt")
	os.WriteFile(b, []byte("Traceback (most recent call last):\n  File \"C:\\\\buildarea\\\\Lib\\\\test\\\\test_x.py\", line 14, in test_y\n    f()\nValueError: bad object at 0x55d0e1\n"), 0o600)

	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"signature", "--json", a, b}, stdio{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	var lines []map[string]any
	dec := json.NewDecoder(&out)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(lines))
	}
	for _, key := range []string{"file", "signature", "title", "algorithm"} {
		if _, ok := lines[0][key]; !ok {
			t.Errorf("output lacks %q: %v", key, lines[0])
		}
	}
	if lines[0]["signature"] != lines[1]["signature"] {
		t.Errorf("same bug on two hosts signed differently: %v vs %v", lines[0], lines[1])
	}

	out.Reset()
	if err := run(context.Background(), []string{"signature"}, stdio{in: strings.NewReader("panic: boom\n"), out: &out, err: &errb, getenv: func(string) string { return "" }}); err != nil || !strings.Contains(out.String(), "  -  ") {
		t.Errorf("stdin: err %v, output %q", err, out.String())
	}
	err = run(context.Background(), []string{"signature", filepath.Join(dir, "missing")}, stdio{out: &out, err: &errb, getenv: func(string) string { return "" }})
	if code := exitCode(err, &errb); code != exitUsage {
		t.Errorf("missing file: exit %d, want %d", code, exitUsage)
	}
}

// realGoFailure is real output: TestLookupContextCancel from `go test -json
// net` (Go 1.26.8) on a machine without DNS, as internal/report extracts
// one test's failure text (its output without === framing lines).
const realGoFailure = `    lookup_test.go:907: starting concurrent LookupIPAddr
    lookup_test.go:930: testHookLookupIP performing lookup
    lookup_test.go:913: lookup google.com on 10.255.255.53:53: no such host
--- FAIL: TestLookupContextCancel (0.00s)
`

func TestSignatureExplain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "lookup.txt")
	if err := os.WriteFile(file, []byte("2024-05-01T10:00:00.1234567Z "+realGoFailure), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(string) string { return "" }

	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"signature", "--explain", file}, stdio{out: &out, err: &errb, getenv: env}); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	text := out.String()
	for _, want := range []string{
		"format go-env",
		"title: lookup <HOST>: no such host",
		`log prefix removed: "2024-05-01T10:00:00.1234567Z"`,
		`masked host "google.com on 10.255.255.53:53" as <HOST>`,
		"starting concurrent LookupIPAddr  (not a key line)",
		"--- FAIL: TestLookupContextCancel (0.00s)  (noise)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("--explain output lacks %q:\n%s", want, text)
		}
	}

	out.Reset()
	if err := run(context.Background(), []string{"signature", "--explain", "--json", file}, stdio{out: &out, err: &errb, getenv: env}); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	var line struct {
		File        string `json:"file"`
		Signature   string `json:"signature"`
		Title       string `json:"title"`
		Algorithm   int    `json:"algorithm"`
		Explanation struct {
			Format string `json:"format"`
			Lines  []struct {
				Line    int    `json:"line"`
				Dropped string `json:"dropped"`
			} `json:"lines"`
		} `json:"explanation"`
	}
	if err := json.Unmarshal(out.Bytes(), &line); err != nil {
		t.Fatalf("decode %q: %v", out.String(), err)
	}
	if line.File != file || line.Signature == "" || line.Algorithm == 0 || line.Explanation.Format != "go-env" {
		t.Errorf("got %+v, want the file, its signature and a go-env explanation", line)
	}
	if got, want := len(line.Explanation.Lines), 5; got != want {
		t.Errorf("explained %d lines, want %d (four and the empty one after the last newline)", got, want)
	}
}
