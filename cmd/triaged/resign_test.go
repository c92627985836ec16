package main

import (
	"context"
	"testing"
	"time"

	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/signature"
	"github.com/triaged/triaged/internal/store"
)

func TestResignCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	text := "Traceback (most recent call last):\n  File \"x.py\", line 3, in test_y\nAssertionError: 1 != 2\n"
	b := store.Batch{ID: "b", Repo: "o/r", Revision: "r1", Builder: "ci", Results: []store.ResultRow{
		{Test: "t.y", Outcome: "fail", FailureText: text, Signature: &store.SignatureRow{Algorithm: signature.Version - 1, Hash: "legacy", Title: "old", Normalized: "old"}},
	}}
	if _, _, err := st.IngestBatch(ctx, b, func(store.Stored) (any, error) { return map[string]int{}, nil }); err != nil {
		t.Fatal(err)
	}
	p := start(t, nil, "resign", "--database-url", url)
	if code := p.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("resign: exit %d\n%s", code, p.stderr)
	}
	var alg int
	var hash string
	st.Pool().QueryRow(ctx, `SELECT s.algorithm, s.hash FROM results r JOIN signatures s ON s.id = r.signature_id`).Scan(&alg, &hash)
	if want := signature.Compute(text); alg != signature.Version || hash != want.Hash {
		t.Errorf("after resign: algorithm %d hash %s, want %d %s", alg, hash, signature.Version, want.Hash)
	}
	if n, _ := st.PendingResign(ctx, signature.Version); n != 0 {
		t.Errorf("%d failures left to re-sign", n)
	}
}
