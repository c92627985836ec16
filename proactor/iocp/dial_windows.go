//go:build windows

package iocp

import (
	"context"

	"github.com/triaged/triaged/proactor"
)

// Supported reports whether this backend works on this system.
const Supported = true

// DialPort is Dial returning the proactor.Port interface, so callers can
// select a backend without build tags.
func DialPort(ctx context.Context, addr string) (proactor.Port, error) {
	p, err := Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	return p, nil
}
