package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestStressRunCommand(t *testing.T) {
	t.Parallel()
	small := []string{"--packets", "200", "--packet-size", "8192", "--pause-every", "5ms", "--json", "--failures-dir", "{tmp}"}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		check    func(t *testing.T, out map[string]any)
	}{
		{
			name: "legacy loses bytes and says where",
			// Until the first failure, so a lucky schedule cannot pass it.
			args:     append([]string{"stress", "run", "--scenario", "echo-pause", "--proactor", "legacy", "--iterations", "50", "--stop", "first-failure"}, small...),
			wantCode: exitFailures,
			check: func(t *testing.T, out map[string]any) {
				ff, _ := out["first_failure"].(map[string]any)
				if out["bytes_lost"].(float64) <= 0 || ff == nil || ff["kind"] != "lost-bytes" || ff["offset"] == nil {
					t.Errorf("got %v", out)
				}
				// A replay is told what it will and will not reproduce, and
				// the failing iteration's account is kept in a file.
				if note, _ := out["seed_note"].(string); !strings.Contains(note, "cannot pin") || out["failure_files"] != 1.0 {
					t.Errorf("seed_note %q, failure_files %v", note, out["failure_files"])
				}
			},
		},
		{
			name:     "fixed is clean",
			args:     append([]string{"stress", "run", "--scenario", "echo-pause", "--proactor", "fixed", "--iterations", "10"}, small...),
			wantCode: exitOK,
			check: func(t *testing.T, out map[string]any) {
				for _, k := range []string{"scenario", "iterations", "failures", "repro_rate", "ci95_low", "ci95_high", "elapsed_seconds",
					"proactor", "backend", "bytes_sent", "bytes_delivered", "bytes_lost", "duplicates", "reordered", "corrupt",
					"stalls", "premature_eofs", "timeouts", "first_failure"} {
					if _, ok := out[k]; !ok {
						t.Errorf("no %q in the JSON", k)
					}
				}
				if out["failures"] != 0.0 || out["first_failure"] != nil || out["bytes_sent"] != out["bytes_delivered"] {
					t.Errorf("got %v", out)
				}
			},
		},
		{name: "no scenario", args: []string{"stress", "run", "--proactor", "fixed"}, wantCode: exitUsage},
		{name: "no proactor mode", args: []string{"stress", "run", "--scenario", "echo-pause"}, wantCode: exitUsage},
		{name: "unknown scenario", args: []string{"stress", "run", "--scenario", "ping", "--proactor", "fixed"}, wantCode: exitUsage},
		{name: "zero packets", args: []string{"stress", "run", "--scenario", "echo-pause", "--proactor", "fixed", "--packet-size", "0", "--packets", "-5"}, wantCode: exitUsage},
		{name: "absurd size", args: []string{"stress", "run", "--scenario", "echo-pause", "--proactor", "fixed", "--packets", "1000000", "--packet-size", "4194304"}, wantCode: exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			args := slices.Clone(tt.args)
			if i := slices.Index(args, "{tmp}"); i >= 0 {
				args[i] = t.TempDir()
			}
			err := run(context.Background(), args, stdio{in: strings.NewReader(""), out: &out, err: &errb, getenv: func(string) string { return "" }})
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
