//go:build unix

package localpg

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// account is the system user the cluster runs as; nil means "as this
// process", which is the case unless triaged runs as root.
type account struct {
	name     string
	uid, gid uint32
	groups   map[uint32]bool
}

func clusterOwner(name string) (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if name == "" {
		name = "postgres"
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root, and the system user %q to run it as does not exist "+
			"(create it with `useradd --system %s`, choose another with --pg-user, or pass --database-url): %w", name, name, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	a := &account{name: name, uid: uint32(uid), gid: uint32(gid), groups: map[uint32]bool{uint32(gid): true}}
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil {
				a.groups[uint32(n)] = true
			}
		}
	}
	return a, nil
}

func (a *account) procAttr() *syscall.SysProcAttr {
	if a == nil {
		return &syscall.SysProcAttr{}
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: a.uid, Gid: a.gid}}
}

// chown gives path to the account; a no-op when running as oneself.
func (a *account) chown(path string) error {
	if a == nil {
		return nil
	}
	return os.Chown(path, int(a.uid), int(a.gid))
}

// prepareDirs creates dir and dir/postgres, checks that the cluster's user
// can use them, and returns dir/postgres.
func prepareDirs(dir string, owner *account) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data directory: %w", err)
	}
	mode := os.FileMode(0o700)
	if owner != nil {
		mode = 0o711 // the cluster's user must be able to pass through
	}
	if err := os.MkdirAll(dir, mode); err != nil {
		return "", fmt.Errorf("create data directory %s: %w", dir, err)
	}
	if f, err := os.CreateTemp(dir, ".write-check-"); err != nil {
		return "", fmt.Errorf("data directory %s is not writable by this user (%d): %w; choose another with --data-dir", dir, os.Geteuid(), err)
	} else {
		f.Close()
		os.Remove(f.Name())
	}
	root := filepath.Join(dir, "postgres")
	if err := os.Mkdir(root, 0o700); err != nil && !os.IsExist(err) {
		return "", fmt.Errorf("create %s: %w", root, err)
	} else if err == nil {
		if err := owner.chown(root); err != nil {
			return "", fmt.Errorf("hand %s to user %s: %w", root, owner.name, err)
		}
	}
	if owner == nil {
		return root, nil
	}
	if err := owner.canReach(root); err != nil {
		return "", err
	}
	fi, err := os.Stat(root)
	if err != nil {
		return "", err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != owner.uid {
		return "", fmt.Errorf("%s belongs to uid %d, but the embedded cluster runs as %s (uid %d): "+
			"chown -R %s %s, or choose another --data-dir", root, st.Uid, owner.name, owner.uid, owner.name, root)
	}
	return root, nil
}

// canReach reports whether the account may search every directory on the way
// to path, which PostgreSQL needs to open its data directory.
func (a *account) canReach(path string) error {
	for p := filepath.Dir(path); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if ok {
			m := fi.Mode().Perm()
			var can bool
			switch {
			case st.Uid == a.uid:
				can = m&0o100 != 0
			case a.groups[st.Gid]:
				can = m&0o010 != 0
			default:
				can = m&0o001 != 0
			}
			if !can {
				return fmt.Errorf("the embedded cluster runs as user %s, which cannot enter %s (mode %04o): "+
					"choose a --data-dir that user can reach (for example /var/lib/triaged), or pass --database-url", a.name, p, m)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// socketDir picks where the server's Unix socket goes: beside the data
// directory when the path fits in a socket address, else a short temporary
// directory.
func socketDir(root string, owner *account) (dir string, temporary bool, err error) {
	dir = filepath.Join(root, "run")
	if len(filepath.Join(dir, fmt.Sprintf(".s.PGSQL.%d.lock", Port))) < 100 {
		if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
			return "", false, fmt.Errorf("create socket directory: %w", err)
		}
		return dir, false, owner.chown(dir)
	}
	dir, err = os.MkdirTemp("", "triaged-pg-")
	if err != nil {
		return "", false, fmt.Errorf("create socket directory: %w", err)
	}
	return dir, true, owner.chown(dir)
}
