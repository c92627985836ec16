package config

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestParseEnvironmentFallback(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "token")
	os.WriteFile(secret, []byte("from-file\n"), 0o600)
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantAddr  string
		wantToken string
		wantDrain time.Duration
		wantErr   bool
	}{
		{name: "defaults", wantAddr: "127.0.0.1:8080", wantDrain: time.Second},
		{name: "environment", env: map[string]string{"TRIAGED_ADDR": ":9", "TRIAGED_DRAIN_TIMEOUT": "3s"}, wantAddr: ":9", wantDrain: 3 * time.Second},
		{name: "flag wins", args: []string{"--addr", ":7"}, env: map[string]string{"TRIAGED_ADDR": ":9"}, wantAddr: ":7", wantDrain: time.Second},
		{name: "secret from file", env: map[string]string{"TRIAGED_ADMIN_TOKEN_FILE": secret}, wantAddr: "127.0.0.1:8080", wantToken: "from-file", wantDrain: time.Second},
		{name: "secret value beats file", env: map[string]string{"TRIAGED_ADMIN_TOKEN": "direct", "TRIAGED_ADMIN_TOKEN_FILE": secret}, wantAddr: "127.0.0.1:8080", wantToken: "direct", wantDrain: time.Second},
		{name: "missing secret file", env: map[string]string{"TRIAGED_ADMIN_TOKEN_FILE": "/nonexistent"}, wantErr: true},
		{name: "bad environment value", env: map[string]string{"TRIAGED_DRAIN_TIMEOUT": "soon"}, wantErr: true},
		{name: "unknown flag", args: []string{"--nope"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := NewFlagSet("t", "t", io.Discard)
			addr := fs.String("addr", "127.0.0.1:8080", "")
			token := fs.String("admin-token", "", "")
			drain := fs.Duration("drain-timeout", time.Second, "")
			err := Parse(fs, tt.args, func(k string) string { return tt.env[k] }, "admin-token")
			if tt.wantErr {
				var ue *UsageError
				if !errors.As(err, &ue) {
					t.Fatalf("got %v, want a UsageError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *addr != tt.wantAddr || *token != tt.wantToken || *drain != tt.wantDrain {
				t.Errorf("got addr %q token %q drain %v, want %q %q %v", *addr, *token, *drain, tt.wantAddr, tt.wantToken, tt.wantDrain)
			}
		})
	}
}

func TestParseHelp(t *testing.T) {
	t.Parallel()
	fs := NewFlagSet("t", "t", io.Discard)
	if err := Parse(fs, []string{"--help"}, func(string) string { return "" }); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("got %v, want flag.ErrHelp", err)
	}
}

func TestEnvName(t *testing.T) {
	t.Parallel()
	if got := EnvName("github-webhook-secret"); got != "TRIAGED_GITHUB_WEBHOOK_SECRET" {
		t.Errorf("got %q", got)
	}
}
