package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/config"
)

func parseGitHubFlags(t *testing.T, args []string, env map[string]string) (githubFlags, error) {
	t.Helper()
	var g githubFlags
	fs := config.NewFlagSet("serve", "test", io.Discard)
	g.register(fs)
	getenv := func(k string) string { return env[k] }
	if err := config.Parse(fs, args, getenv, githubSecrets...); err != nil {
		return g, err
	}
	return g, g.finish(getenv)
}

func TestGitHubFlags(t *testing.T) {
	t.Parallel()
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("ghs_from_file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g, err := parseGitHubFlags(t, []string{
		"--github-api-url", "https://ghe.example.com", "--public-url", "https://triaged.example/",
		"--github-webhook-secret", "s", "--github-verify-repos", "python/cpython, owner/app",
		"--github-verify-command", `["python3","-m","test","-m","{name}"]`, "--github-verify-format", "regrtest",
	}, map[string]string{"TRIAGED_GITHUB_TOKEN_FILE": tokenFile})
	if err != nil {
		t.Fatal(err)
	}
	if g.gh.Token != "ghs_from_file" || g.gh.TokenFile != tokenFile || !g.gh.Posting() {
		t.Errorf("token %q from %q: want the file's token, kept re-readable", g.gh.Token, g.gh.TokenFile)
	}
	if !slices.Equal(g.hook.Verify.Repos, []string{"python/cpython", "owner/app"}) || len(g.hook.Verify.Command) != 5 || g.gh.Context != "triaged" {
		t.Errorf("parsed %+v", g)
	}

	bad := []struct {
		args []string
		want string
	}{
		{[]string{"--github-api-url", "ftp://x"}, "--github-api-url"},
		{[]string{"--public-url", "triaged.example"}, "--public-url"},
		{[]string{"--github-verify-repos", "owner/app"}, "needs --github-webhook-secret"},
		{[]string{"--github-webhook-secret", "s", "--github-verify-repos", "cpython"}, "owner/name"},
		{[]string{"--github-verify-command", "pytest {test}", "--github-verify-format", "xml"}, "format"},
		{[]string{"--github-verify-command", `["unclosed"`}, "JSON array"},
		{[]string{"--github-webhook-max-bytes", "100"}, "--github-webhook-max-bytes"},
		{[]string{"--github-webhook-max-bytes", "30000000"}, "--github-webhook-max-bytes"},
	}
	for _, tt := range bad {
		_, err := parseGitHubFlags(t, tt.args, nil)
		var usage *config.UsageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want a usage error about %s", tt.args, err, tt.want)
		}
	}
}
