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
	if err := owner.checkPrivate(dir); err != nil {
		return "", err
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
	if err := owner.checkClusterDir(root); err != nil {
		return "", err
	}
	if owner == nil {
		return root, nil
	}
	if err := owner.canReach(root); err != nil {
		return "", err
	}
	return root, nil
}

// checkPrivate refuses a data directory that another local user could
// change, as ssh refuses such a directory for its keys: whoever can rename
// entries in the data directory, or in any directory above it, can put a
// cluster of their own in place of ours. The directory must belong to root,
// this process's user or the cluster's, and not be writable by group or
// others; each directory above it must belong to one of those users too
// and may be writable by others only with the sticky bit (as /tmp), which
// keeps others from renaming what they do not own. Symbolic links are
// checked along the path as written and the path they lead to.
func (a *account) checkPrivate(dir string) error {
	paths := [][]string{ancestors(dir)}
	if real, err := filepath.EvalSymlinks(dir); err == nil && real != dir {
		paths = append(paths, ancestors(real))
	}
	for _, path := range paths {
		for i, d := range path {
			if err := a.checkDir(d, i == 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkDir applies checkPrivate's rule to one directory: the data directory
// itself, or one above it.
func (a *account) checkDir(d string, isData bool) error {
	fi, err := os.Stat(d)
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	writable := fi.Mode().Perm()&0o022 != 0
	switch {
	case !a.trusted(st.Uid):
		return fmt.Errorf("%s belongs to uid %d, another user, who could replace the embedded database: "+
			"use a --data-dir whose directories all belong to you or root", d, st.Uid)
	case isData && writable:
		return fmt.Errorf("%s is writable by its group or others (mode %04o), who could replace the embedded database: "+
			"chmod go-w %s, or choose another --data-dir", d, fi.Mode().Perm(), d)
	case writable && fi.Mode()&os.ModeSticky == 0:
		return fmt.Errorf("%s is writable by its group or others (mode %04o) without the sticky bit, so they could replace "+
			"the embedded database below it: chmod go-w %s (or +t), or choose another --data-dir", d, fi.Mode().Perm(), d)
	}
	return nil
}

// checkClusterDir refuses a cluster directory (<data-dir>/postgres) that does
// not belong to the cluster's user or that its group or others may write
// to. (PostgreSQL itself checks the data directory below it.)
func (a *account) checkClusterDir(root string) error {
	fi, err := os.Lstat(root)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	name, uid := "this user", uint32(os.Geteuid())
	if a != nil {
		name, uid = a.name, a.uid
	}
	switch {
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory: remove it, or choose another --data-dir", root)
	case st.Uid != uid:
		return fmt.Errorf("%s belongs to uid %d, but the embedded cluster runs as %s (uid %d): "+
			"chown -R %d %s, or choose another --data-dir", root, st.Uid, name, uid, uid, root)
	case fi.Mode().Perm()&0o022 != 0:
		return fmt.Errorf("%s is writable by its group or others (mode %04o), who could replace the embedded database: "+
			"chmod go-w %s, or choose another --data-dir", root, fi.Mode().Perm(), root)
	}
	return nil
}

// trusted reports whether a directory owned by uid may hold the cluster:
// root's, our own, or the cluster user's, who owns the cluster anyway.
func (a *account) trusted(uid uint32) bool {
	return uid == 0 || uid == uint32(os.Geteuid()) || a != nil && uid == a.uid
}

// ancestors returns dir and every directory above it, dir first.
func ancestors(dir string) []string {
	list := []string{dir}
	for d := dir; d != filepath.Dir(d); {
		d = filepath.Dir(d)
		list = append(list, d)
	}
	return list
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
