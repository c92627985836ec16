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
