package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/runner"
	"github.com/triaged/triaged/internal/store"
)

// localRunner runs a runner agent inside `triaged serve`, registered with
// the server like any other, so a fresh install can stress something at
// once. Its state lives in <data-dir>/local-runner. Whenever it must
// register (the first start, or a database that no longer knows its token:
// reset, restored or swapped), it mints a one-time registration token
// straight in the store and revokes it once registered.
type localRunner struct {
	agent *runner.Agent
	st    *store.Store

	mu     sync.Mutex
	minted []int64 // registration tokens not yet revoked
}

// newLocalRunner prepares the agent for a server listening on addr.
func newLocalRunner(st *store.Store, dataDir string, addr net.Addr, log *slog.Logger) (*localRunner, error) {
	host, _ := os.Hostname()
	lr := &localRunner{st: st}
	port := addr.(*net.TCPAddr).Port
	a, err := runner.New(runner.Config{
		Server: fmt.Sprintf("http://127.0.0.1:%d", port), Name: "local-" + host, Labels: []string{"local"},
		StateDir: filepath.Join(dataDir, "local-runner"), NewRegistrationToken: lr.mint, Version: buildVersion(),
		Registered: lr.revoke, Log: log.With("component", "local-runner"),
	})
	if err != nil {
		return nil, fmt.Errorf("local runner: %w", err)
	}
	lr.agent = a
	return lr, nil
}

// mint creates a one-time registration token for the agent.
func (lr *localRunner) mint(ctx context.Context) (string, error) {
	token, hash := auth.NewToken()
	t, err := lr.st.CreateToken(ctx, "local runner registration", auth.Register, hash)
	if err != nil {
		return "", fmt.Errorf("local runner: %w", err)
	}
	lr.mu.Lock()
	lr.minted = append(lr.minted, t.ID)
	lr.mu.Unlock()
	return token, nil
}

// revoke revokes the registration tokens minted so far: used, or no
// longer needed.
func (lr *localRunner) revoke() {
	lr.mu.Lock()
	ids := lr.minted
	lr.minted = nil
	lr.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, id := range ids {
		lr.st.RevokeToken(ctx, id)
	}
}

// run works until ctx ends.
func (lr *localRunner) run(ctx context.Context) error {
	defer lr.revoke() // in case it never registered
	return lr.agent.Run(ctx)
}
