package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/triaged/triaged/internal/bisect"
	"github.com/triaged/triaged/internal/pgtest"
	"github.com/triaged/triaged/internal/repo"
)

// TestAdvanceBisectionOnceAcrossReplicas: replicas advancing one
// bisection at once start its next step once.
func TestAdvanceBisectionOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := pgtest.NewStore(t)
	if _, _, err := st.SaveRepo(ctx, repo.Repo{Repo: "o/r", CloneURL: "https://h/o/r.git", Build: []string{}, TestCommand: []string{}}); err != nil {
		t.Fatal(err)
	}
	req, err := bisect.Request{Repo: "o/r", Good: "aaaaaaa", Bad: "bbbbbbb", Command: []string{"./t.sh"}}.Validate()
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.CreateBisection(ctx, req, "tester")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.BisectionByID(ctx, id)
	if err != nil || len(b.Steps) != 1 || b.Steps[0].Role != bisect.BadEnd || b.Steps[0].Verdict != bisect.Pending {
		t.Fatalf("after create: %+v, %v", b, err)
	}
	// The bad end ran: 5 failures in 12 runs, and its runner listed the
	// history.
	var history []string
	for i := range 7 {
		history = append(history, fmt.Sprintf("%040x", 0xb0+i))
	}
	pool := st.Pool()
	if _, err := pool.Exec(ctx, `UPDATE campaigns SET state = 'done', runs = 12, failures = 5, tested_revision = $2 WHERE id = $1`,
		b.Steps[0].CampaignID, history[6]); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE bisections SET history = $2, history_base = $3 WHERE id = $1`, id, history, fmt.Sprintf("%040x", 0xa0)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	decisions := make([]bisect.Decision, 8)
	for i := range decisions {
		wg.Go(func() {
			d, err := st.AdvanceBisection(ctx, id)
			if err != nil {
				t.Error(err)
			}
			decisions[i] = d
		})
	}
	wg.Wait()
	runs := 0
	for _, d := range decisions {
		if d.Action == bisect.Run {
			runs++
		}
	}
	b, _ = st.BisectionByID(ctx, id)
	if runs != 1 || len(b.Steps) != 2 || b.Steps[1].Role != bisect.GoodEnd || b.Steps[1].Needed != bisect.Needed(5, 12) {
		t.Errorf("%d replicas started a step; steps %+v", runs, b.Steps)
	}
	var campaigns int
	pool.QueryRow(ctx, `SELECT count(*) FROM campaigns`).Scan(&campaigns)
	if campaigns != 2 {
		t.Errorf("%d campaigns, want 2", campaigns)
	}
}
