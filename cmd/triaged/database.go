package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/triaged/triaged/internal/localpg"
	"github.com/triaged/triaged/internal/store"
)

// dbFlags choose the database: an external server by URL, or the embedded
// cluster in the data directory.
type dbFlags struct {
	url     string
	dataDir string
	pgBin   string
	pgUser  string
}

func (f *dbFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.url, "database-url", "", "PostgreSQL URL (postgres://user:pass@host:5432/db); empty: the embedded cluster in --data-dir")
	fs.StringVar(&f.dataDir, "data-dir", defaultDataDir(getenv), "where triaged keeps its state, including the embedded PostgreSQL cluster")
	fs.StringVar(&f.pgBin, "pg-bin", "", "directory of the PostgreSQL server binaries for the embedded cluster (default: found automatically)")
	fs.StringVar(&f.pgUser, "pg-user", "postgres", "system user the embedded cluster runs as when triaged runs as root")
}

// database is an open, migrated store and what it takes to close it.
type database struct {
	store   *store.Store
	cluster *localpg.Cluster // nil for an external server
	where   string           // for people: "embedded (/var/lib/triaged)" or "db.example:5432/triaged"
}

// openDatabase connects to the configured database, starting the embedded
// cluster first when no URL is given, and applies migrations.
func openDatabase(ctx context.Context, f dbFlags, log *slog.Logger) (*database, error) {
	db := &database{where: describeURL(f.url)}
	dsn := f.url
	if dsn == "" {
		c, err := localpg.Start(ctx, localpg.Options{Dir: f.dataDir, BinDir: f.pgBin, User: f.pgUser, Log: log})
		if err != nil {
			return nil, fmt.Errorf("embedded database: %w", err)
		}
		db.cluster, db.where, dsn = c, "embedded ("+f.dataDir+")", c.URL(localpg.Database)
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		db.close()
		return nil, err
	}
	db.store = st
	if _, err := st.Migrate(ctx, log); err != nil {
		db.close()
		return nil, err
	}
	return db, nil
}

// close releases the pool, then stops the embedded cluster if there is one.
func (db *database) close() {
	if db.store != nil {
		db.store.Close()
	}
	if db.cluster != nil {
		db.cluster.Stop()
	}
}

// describeURL names a database server without its password.
func describeURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" {
		return "external"
	}
	return u.Host + u.Path
}
