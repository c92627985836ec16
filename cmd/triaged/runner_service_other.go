//go:build !windows

package main

import (
	"context"

	"github.com/triaged/triaged/internal/config"
)

// runRunnerService explains that services are a Windows matter; elsewhere
// the init system (systemd, launchd) runs `triaged runner` directly.
func runRunnerService(context.Context, stdio, []string) error {
	return config.Usagef("runner service is for Windows; on this OS run 'triaged runner' under your init system (e.g. a systemd unit)")
}
