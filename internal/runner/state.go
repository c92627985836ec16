package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/protocol"
)

// state is what a runner keeps between starts, in its state directory: its
// token, and its spool of results not yet uploaded.
type state struct {
	dir string
}

func openState(dir string) (*state, error) {
	if err := os.MkdirAll(filepath.Join(dir, "spool"), 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", dir, err)
	}
	probe := filepath.Join(dir, ".write-check")
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		return nil, fmt.Errorf("state directory %s is not writable: %w", dir, err)
	}
	os.Remove(probe)
	return &state{dir: dir}, nil
}

func (s *state) tokenPath() string { return filepath.Join(s.dir, "token") }

func (s *state) token() (string, error) {
	b, err := os.ReadFile(s.tokenPath())
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return strings.TrimSpace(string(b)), err
}

func (s *state) saveToken(token string) error {
	return writeFileAtomic(s.tokenPath(), []byte(token+"\n"), 0o600)
}

// writeFileAtomic writes data so that a crash leaves either the old file or
// the whole new one, never a torn one.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// register returns the runner's token, registering with the server the
// first time and reusing the saved token afterwards.
func (a *Agent) register(ctx context.Context) (string, error) {
	token, err := a.state.token()
	if err != nil {
		return "", fmt.Errorf("read runner token: %w", err)
	}
	if token != "" {
		return token, nil
	}
	if a.cfg.RegistrationToken == "" {
		return "", fmt.Errorf("%w: this runner is not registered yet; pass --registration-token (or TRIAGED_REGISTRATION_TOKEN)", ErrConfig)
	}
	c := &client{base: a.cfg.Server, token: a.cfg.RegistrationToken, http: a.http}
	var reg protocol.Registered
	req := protocol.RegisterRequest{Name: a.cfg.Name, OS: runtime.GOOS, Arch: runtime.GOARCH, Labels: a.cfg.Labels, Version: a.cfg.Version}
	b := backoff{min: time.Second, max: time.Minute}
	for {
		_, err := c.do(ctx, "POST", "/api/v1/runners/register", req, &reg)
		if err == nil {
			break
		}
		if !retryable(err) {
			return "", fmt.Errorf("%w: register: %v", ErrConfig, err)
		}
		a.log.Warn("register: server unreachable, retrying", "err", err)
		if err := sleep(ctx, b.next(err)); err != nil {
			return "", err
		}
	}
	if err := a.state.saveToken(reg.Token); err != nil {
		return "", fmt.Errorf("save runner token: %w", err)
	}
	a.log.Info("registered", "id", reg.ID, "name", a.cfg.Name)
	return reg.Token, nil
}
