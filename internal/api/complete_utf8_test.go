package api_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/campaign"
)

// TestCompleteCutsErrorsOnACharacter: a job's error text longer than 4000
// bytes was cut inside a UTF-8 character and refused by PostgreSQL with a
// 500 (issue #14, item 11). It is cut on a character boundary and stored.
func TestCompleteCutsErrorsOnACharacter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	r := register(t, e, "lin-1")
	createCampaign(t, e, campaign.Spec{Kind: campaign.KindScenario, Scenario: "echo-pause", Iterations: 5})
	job, ok := r.leaseJob(t)
	if !ok {
		t.Fatal("no job")
	}
	text := strings.Repeat("x", 3999) + strings.Repeat("é", 100)
	if code := r.complete(t, job, text); code != 200 {
		t.Fatalf("complete with a long UTF-8 error: %d, want 200", code)
	}
	var stored string
	if err := e.store.Pool().QueryRow(t.Context(), `SELECT last_error FROM jobs WHERE id = $1`, job.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) > 4000 || !utf8.ValidString(stored) || !strings.HasPrefix(text, stored) {
		t.Errorf("stored %d bytes, valid UTF-8 %v, a prefix of the text %v", len(stored), utf8.ValidString(stored), strings.HasPrefix(text, stored))
	}
}
