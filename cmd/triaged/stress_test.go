package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestStressExecCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		check    func(t *testing.T, out map[string]any)
	}{
		{
			name:     "flaky command",
			args:     []string{"stress", "exec", "--iterations", "6", "--parallel", "2", "--json", "--", "sh", "-c", `[ $((TRIAGED_ITERATION % 2)) -eq 0 ]`},
			wantCode: exitFailures,
			check: func(t *testing.T, out map[string]any) {
				if out["iterations"] != 6.0 || out["failures"] != 3.0 || out["repro_rate"] != 0.5 {
					t.Errorf("got %v", out)
				}
				for _, k := range []string{"command", "ci95_low", "ci95_high", "elapsed_seconds", "tests"} {
					if _, ok := out[k]; !ok {
						t.Errorf("no %q in %v", k, out)
					}
				}
			},
		},
		{
			name:     "clean command",
			args:     []string{"stress", "exec", "--iterations", "3", "--json", "--", "true"},
			wantCode: exitOK,
			check: func(t *testing.T, out map[string]any) {
				if out["failures"] != 0.0 || out["zero_failure_upper"] == nil {
					t.Errorf("got %v", out)
				}
			},
		},
		{name: "missing command", args: []string{"stress", "exec", "--", "no-such-command-xyz"}, wantCode: exitUsage},
		{name: "no command", args: []string{"stress", "exec"}, wantCode: exitUsage},
		{name: "zero iterations", args: []string{"stress", "exec", "--iterations", "0", "--", "true"}, wantCode: exitUsage},
		{name: "bad format", args: []string{"stress", "exec", "--format", "xml", "--", "true"}, wantCode: exitUsage},
		{name: "bare junit format", args: []string{"stress", "exec", "--format", "junit", "--", "true"}, wantCode: exitUsage},
		{name: "unknown subcommand", args: []string{"stress", "hammer"}, wantCode: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, stdio{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
			if code := exitCode(err, &errb); code != tt.wantCode {
				t.Fatalf("exit %d, want %d (err %v; stderr %s)", code, tt.wantCode, err, errb.String())
			}
			if tt.check != nil {
				var m map[string]any
				if err := json.Unmarshal(out.Bytes(), &m); err != nil {
					t.Fatalf("stdout is not one JSON object: %v\n%s", err, out.String())
				}
				tt.check(t, m)
			}
		})
	}
}
