package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/triaged/triaged/internal/auth"
	"github.com/triaged/triaged/internal/runner"
	"github.com/triaged/triaged/internal/store"
)

// localRunner runs a runner agent inside `triaged serve`, registered with
// the server like any other, so a fresh install can stress something at
// once. Its state lives in <data-dir>/local-runner.
type localRunner struct {
	agent  *runner.Agent
	revoke func()
}

// newLocalRunner prepares the agent for a server listening on addr. On the
// first start it mints a one-time registration token straight in the store,
// revoked once the agent has registered.
func newLocalRunner(ctx context.Context, st *store.Store, dataDir string, addr net.Addr, log *slog.Logger) (*localRunner, error) {
	stateDir := filepath.Join(dataDir, "local-runner")
	host, _ := os.Hostname()
	lr := &localRunner{revoke: func() {}}
	var regToken string
	if _, err := os.Stat(filepath.Join(stateDir, "token")); err != nil {
		token, hash := auth.NewToken()
		t, err := st.CreateToken(ctx, "local runner registration", auth.Register, hash)
		if err != nil {
			return nil, fmt.Errorf("local runner: %w", err)
		}
		regToken = token
		var once sync.Once
		lr.revoke = func() { once.Do(func() { st.RevokeToken(context.WithoutCancel(ctx), t.ID) }) }
	}
	port := addr.(*net.TCPAddr).Port
	a, err := runner.New(runner.Config{
		Server: fmt.Sprintf("http://127.0.0.1:%d", port), Name: "local-" + host, Labels: []string{"local"},
		StateDir: stateDir, RegistrationToken: regToken, Version: buildVersion(),
		Registered: func() { lr.revoke() }, Log: log.With("component", "local-runner"),
	})
	if err != nil {
		lr.revoke()
		return nil, fmt.Errorf("local runner: %w", err)
	}
	lr.agent = a
	return lr, nil
}

// run works until ctx ends.
func (lr *localRunner) run(ctx context.Context) error {
	defer lr.revoke() // in case it never registered
	return lr.agent.Run(ctx)
}
