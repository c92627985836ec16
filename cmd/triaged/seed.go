package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/store"
)

// runSeed fills an empty database with a synthetic, realistic history, for
// benchmarks and demos of the dashboard.
func runSeed(ctx context.Context, io stdio, args []string) error {
	var f dbFlags
	o := store.SeedOptions{Now: time.Now(), Sign: func(text string) store.SignatureRow { return signStored(text, nil) }}
	fs := config.NewFlagSet("seed", "triaged seed [--results 5000000] [--tests 2000] [--signatures 500] [--runners 30] [--days 90] [--database-url URL]", io.err)
	f.register(fs, io.getenv)
	fs.IntVar(&o.Results, "results", 5_000_000, "about how many results to write")
	fs.IntVar(&o.Tests, "tests", 2000, "number of tests")
	fs.IntVar(&o.Signatures, "signatures", 500, "number of failure signatures")
	fs.IntVar(&o.Runners, "runners", 30, "number of runners")
	fs.IntVar(&o.Days, "days", 90, "days of history, ending now")
	fs.StringVar(&o.Repo, "repo", "python/cpython", "repository the results belong to")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed: the same seed gives the same dataset")
	if err := config.Parse(fs, args, io.getenv); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return config.Usagef("seed takes no arguments, got %q", fs.Args())
	case o.Results < 1 || o.Tests < 1 || o.Signatures < 1 || o.Runners < 1 || o.Days < 1:
		return config.Usagef("--results, --tests, --signatures, --runners and --days must be positive")
	}
	log := slog.New(slog.NewTextHandler(io.err, nil))
	db, err := openDatabase(ctx, f, log)
	if err != nil {
		return err
	}
	defer db.close()
	if sum, err := db.store.Summarize(ctx); err != nil {
		return err
	} else if sum.Results > 0 || sum.Runners > 0 {
		return config.Usagef("database %s already holds %d results and %d runners; seed an empty database", db.where, sum.Results, sum.Runners)
	}
	start := time.Now()
	st, err := db.store.Seed(ctx, o, func(step string) {
		log.Info("seed", "step", step, "elapsed", time.Since(start).Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "seeded %s: %d results (%d failures) on %d revisions in %d batches, %d rollups, %d revision rollups in %s\n",
		db.where, st.Results, st.Failures, st.Revisions, st.Batches, st.Rollups, st.RevisionRollups, time.Since(start).Round(time.Second))
	return nil
}
