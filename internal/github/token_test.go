package github

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestTokenFileIsReadAgainWhenItChanges: an installation token refreshed in
// its file by a helper is picked up without a restart.
func TestTokenFileIsReadAgainWhenItChanges(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token")
	write := func(token string, mtime time.Time) {
		if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now().Add(-time.Hour)
	write("ghs_first", start)
	src := &tokenSource{token: "ghs_first", file: path}
	for _, want := range []struct {
		token string
		mtime time.Time
	}{{"ghs_first", start}, {"ghs_second", start.Add(time.Minute)}} {
		write(want.token, want.mtime)
		got, err := src.get()
		if err != nil || got != want.token {
			t.Errorf("got %q, %v; want %q", got, err, want.token)
		}
	}
	os.Remove(path)
	if _, err := src.get(); err == nil {
		t.Error("a vanished token file went unnoticed")
	}
}
