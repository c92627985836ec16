package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/triaged/triaged/internal/config"
)

func runMigrate(ctx context.Context, io stdio, args []string) error {
	var f dbFlags
	fs := config.NewFlagSet("migrate", "triaged migrate [--database-url URL] [--data-dir DIR]", io.err)
	f.register(fs, io.getenv)
	if err := config.Parse(fs, args, io.getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return config.Usagef("migrate takes no arguments, got %q", fs.Args())
	}
	log := slog.New(slog.NewTextHandler(io.err, nil))
	db, err := openDatabase(ctx, f, log)
	if err != nil {
		return err
	}
	defer db.close()
	st, err := db.store.Schema(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "database %s is at schema version %d\n", db.where, st.Current)
	return nil
}
