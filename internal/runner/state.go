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

// signIn gives c the runner's token: the saved one while the server knows
// it, else a new registration.
func (a *Agent) signIn(ctx context.Context, c *client) error {
	token, fresh, err := a.register(ctx)
	if err != nil {
		return err
	}
	c.setToken(token)
	if fresh && a.cfg.Registered != nil {
		a.cfg.Registered()
	}
	return nil
}

// register returns the runner's token, registering with the server the
// first time and whenever the server no longer knows the saved token (its
// database was reset, restored or swapped); fresh says it registered now.
// The spool stays either way: the server decides what of it to store.
func (a *Agent) register(ctx context.Context) (token string, fresh bool, err error) {
	token, err = a.state.token()
	if err != nil {
		return "", false, fmt.Errorf("read runner token: %w", err)
	}
	if token != "" {
		known, err := a.known(ctx, token)
		switch {
		case err != nil:
			return "", false, err
		case known:
			return token, false, nil
		case a.cfg.RegistrationToken == "" && a.cfg.NewRegistrationToken == nil:
			return "", false, fmt.Errorf("%w: %s does not know this runner's token (was its database reset, restored or swapped?); "+
				"start the runner again with --registration-token to register anew (its spool in %s is kept)", ErrConfig, a.cfg.Server, a.state.dir)
		}
		a.log.Warn("the server does not know this runner's token (its database was reset, restored or swapped); registering again, keeping the spool")
	}
	regToken := a.cfg.RegistrationToken
	if regToken == "" && a.cfg.NewRegistrationToken != nil {
		if regToken, err = a.cfg.NewRegistrationToken(ctx); err != nil {
			return "", false, fmt.Errorf("registration token: %w", err)
		}
	}
	if regToken == "" {
		return "", false, fmt.Errorf("%w: this runner is not registered yet; pass --registration-token (or TRIAGED_REGISTRATION_TOKEN)", ErrConfig)
	}
	c := &client{base: a.cfg.Server, token: regToken, http: a.http}
	var reg protocol.Registered
	req := protocol.RegisterRequest{Name: a.cfg.Name, OS: runtime.GOOS, Arch: runtime.GOARCH, Labels: a.cfg.Labels, Version: a.cfg.Version}
	b := backoff{min: time.Second, max: time.Minute}
	for {
		_, err := c.do(ctx, "POST", "/api/v1/runners/register", req, &reg)
		if err == nil {
			break
		}
		if !retryable(err) {
			return "", false, fmt.Errorf("%w: register: %v", ErrConfig, err)
		}
		a.log.Warn("register: server unreachable, retrying", "err", err)
		if err := sleep(ctx, b.next(err)); err != nil {
			return "", false, err
		}
	}
	if err := a.state.saveToken(reg.Token); err != nil {
		return "", false, fmt.Errorf("save runner token: %w", err)
	}
	a.log.Info("registered", "id", reg.ID, "name", a.cfg.Name)
	return reg.Token, true, nil
}

// known asks the server whether it knows token, with a heartbeat (which
// also marks the runner seen), retrying while the server is unreachable.
func (a *Agent) known(ctx context.Context, token string) (bool, error) {
	c := &client{base: a.cfg.Server, token: token, http: a.http}
	b := backoff{min: time.Second, max: time.Minute}
	for {
		_, err := c.do(ctx, "POST", "/api/v1/runners/heartbeat", struct{}{}, nil)
		switch {
		case err == nil:
			return true, nil
		case unknownToken(err):
			return false, nil
		case !retryable(err):
			return false, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		a.log.Warn("server unreachable, retrying", "err", err)
		if err := sleep(ctx, b.next(err)); err != nil {
			return false, err
		}
	}
}
