//go:build !windows

package iocp

import (
	"context"
	"errors"
	"fmt"

	"github.com/triaged/triaged/proactor"
)

// Supported reports whether this backend works on this system.
const Supported = false

// DialPort fails with errors.ErrUnsupported off Windows; it exists so
// callers can select a backend without build tags.
func DialPort(context.Context, string) (proactor.Port, error) {
	return nil, fmt.Errorf("iocp backend needs Windows: %w", errors.ErrUnsupported)
}
