//go:build !unix

package localpg

import (
	"context"
	"errors"
	"log/slog"
)

// Port is the port number in the cluster's socket name.
const Port = 5432

// Database is the database triaged uses inside the cluster.
const Database = "triaged"

// Options configure a private cluster.
type Options struct {
	Dir, BinDir, User string
	Fast              bool
	Log               *slog.Logger
}

// Cluster is a running private PostgreSQL server.
type Cluster struct{}

// Start reports that the embedded cluster needs a Unix host: on Windows,
// triaged runs as a runner, and the server points --database-url at a server.
func Start(context.Context, Options) (*Cluster, error) {
	return nil, errors.New("the embedded PostgreSQL cluster is not supported on this OS: pass --database-url (TRIAGED_DATABASE_URL)")
}

// URL is never reached: Start always fails here.
func (c *Cluster) URL(string) string { return "" }

// Exited is never reached: Start always fails here.
func (c *Cluster) Exited() <-chan struct{} { return nil }

// Stop is never reached: Start always fails here.
func (c *Cluster) Stop() error { return nil }
