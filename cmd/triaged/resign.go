package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/signature"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/stress"
)

// runResign re-signs stored failures after the signature algorithm changed.
// The old signatures stay, each pointing at its successor, so the history of
// what was grouped how is kept.
func runResign(ctx context.Context, io stdio, args []string) error {
	var f dbFlags
	fs := config.NewFlagSet("resign", "triaged resign [--database-url URL] [--batch N]", io.err)
	f.register(fs, io.getenv)
	batch := fs.Int("batch", 1000, "results per transaction")
	if err := config.Parse(fs, args, io.getenv); err != nil {
		return err
	}
	if *batch < 1 || *batch > 100_000 {
		return config.Usagef("--batch: want 1 to 100000, got %d", *batch)
	}
	log := slog.New(slog.NewTextHandler(io.err, nil))
	db, err := openDatabase(ctx, f, log)
	if err != nil {
		return err
	}
	defer db.close()
	total, err := db.store.PendingResign(ctx, signature.Version)
	if err != nil {
		return err
	}
	progress := stress.NewCounter(io.err, total, "failures re-signed")
	done := 0
	for ctx.Err() == nil {
		n, err := db.store.ResignBatch(ctx, signature.Version, *batch, signStored)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		done += n
		for range n {
			progress.Add(false)
		}
	}
	progress.Done()
	fmt.Fprintf(io.out, "re-signed %d failures with signature algorithm %d\n", done, signature.Version)
	return nil
}

// signStored signs a stored failure the way ingest signs a new one.
func signStored(text string, detector []byte) store.SignatureRow {
	sig := stress.Sign(text, detector)
	return store.SignatureRow{Algorithm: sig.Algorithm, Hash: sig.Hash, Title: sig.Title, Normalized: sig.Normalized}
}
