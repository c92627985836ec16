package stress

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/triaged/triaged/proactor"
)

// freeze is how long the freeze tests (freeze_linux_test.go) stop the
// process running the iterations: longer than freezeLimit, the iteration
// limit they set, as a host starved of CPU can stop a process for longer
// than any limit.
const (
	freeze      = 6 * time.Second
	freezeLimit = 5 * time.Second
)

// frozenRecord is what the helper reports of each iteration.
type frozenRecord struct {
	Iteration int           `json:"iteration"`
	Failed    bool          `json:"failed"`
	Duration  time.Duration `json:"duration"`
	Text      string        `json:"text,omitempty"`
}

// TestFrozenCampaignHelper is the child process of the freeze tests; it
// runs only when they start it.
func TestFrozenCampaignHelper(t *testing.T) {
	backend := os.Getenv("TRIAGED_FREEZE_HELPER")
	if backend == "" {
		t.Skip("run by TestFrozenProcessIsNotATimeout")
	}
	c := scenario(t, "starttls-server", proactor.Fixed, 100, 1024)
	c.Backend, c.Timeout = backend, freezeLimit
	enc := json.NewEncoder(os.Stdout)
	os.Stdout.WriteString("ready\n")
	Run(t.Context(), Options{Iterations: 1 << 20, Budget: time.Second + freeze + 2*time.Second, OnRecord: func(r Record) {
		enc.Encode(frozenRecord{Iteration: r.Iteration, Failed: r.Failed(), Duration: r.Duration, Text: r.Results[0].FailureText})
	}}, c.Iteration())
}
