// Package localpg runs a private PostgreSQL cluster for triaged's embedded
// default: when no database URL is given, the server initialises a cluster in
// its data directory with the PostgreSQL server binaries installed on the
// host, runs it as a child process listening only on a Unix socket, and stops
// it on exit.
//
// PostgreSQL refuses to run as root. When triaged runs as root, as it often
// does in CI containers, the cluster runs as an unprivileged system user
// (postgres by default) and its files belong to that user.
package localpg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNoBinaries means no PostgreSQL server binaries were found on the host.
var ErrNoBinaries = errors.New("no PostgreSQL server binaries (initdb, postgres) found")

// installHint tells a user how to get out of ErrNoBinaries.
const installHint = "install the PostgreSQL server (Debian/Ubuntu: apt-get install postgresql; " +
	"Fedora: dnf install postgresql-server; macOS: brew install postgresql), " +
	"or point --database-url (TRIAGED_DATABASE_URL) at a running server"

// FindBinaries returns the directory holding initdb and postgres. It tries, in
// order: dir if not empty, `pg_config --bindir`, the Debian and RHEL layouts
// (newest version first), Homebrew, and PATH.
func FindBinaries(dir string) (string, error) {
	if dir != "" {
		if hasServer(dir) {
			return dir, nil
		}
		return "", fmt.Errorf("%w in %s: %s", ErrNoBinaries, dir, installHint)
	}
	var candidates []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	for _, pattern := range []string{
		"/usr/lib/postgresql/*/bin",
		"/usr/pgsql-*/bin",
		"/opt/homebrew/opt/postgresql@*/bin",
		"/usr/local/opt/postgresql@*/bin",
	} {
		candidates = append(candidates, newestFirst(pattern)...)
	}
	candidates = append(candidates, "/opt/homebrew/bin", "/usr/local/pgsql/bin", "/usr/local/bin")
	if p, err := exec.LookPath("initdb"); err == nil {
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, c := range candidates {
		if hasServer(c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w: %s", ErrNoBinaries, installHint)
}

func hasServer(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// newestFirst expands a glob whose single wildcard stands for a version and
// sorts the matches by that version, highest first.
func newestFirst(pattern string) []string {
	matches, _ := filepath.Glob(pattern)
	version := func(p string) float64 {
		for _, part := range strings.Split(p, string(filepath.Separator)) {
			part = strings.TrimPrefix(strings.TrimPrefix(part, "pgsql-"), "postgresql@")
			if v, err := strconv.ParseFloat(part, 64); err == nil {
				return v
			}
		}
		return 0
	}
	sort.SliceStable(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
	return matches
}
