package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/campaign"
)

// TestNumbersAreRangeChecked sends every number that enters through JSON
// out of its range (issue #14, item 14: a detector offset of 1e308 made
// negative histogram bins on the campaign page): each is refused with 400
// saying which field, and nothing is stored.
func TestNumbersAreRangeChecked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ingest.Limits{})
	detector := func(d string) string {
		return `{"results":[{"test":"proactor.echo-pause.legacy","outcome":"fail","iteration":0,"failure_text":"lost","detector":` + d + `}]}`
	}
	uploads := map[string]string{
		"detector offset 1e308":     detector(`{"anomalies":[{"kind":"lost-bytes","offset":1e308,"length":4096}]}`),
		"detector offset negative":  detector(`{"anomalies":[{"kind":"lost-bytes","offset":-1,"length":4096}]}`),
		"detector offset near 2^63": detector(`{"anomalies":[{"kind":"lost-bytes","offset":9223372036854775000,"length":4096}]}`),
		"detector bytes_lost 1e300": detector(`{"bytes_lost":1e300}`),
		"iteration 99999999999":     `{"results":[{"test":"t","outcome":"pass","iteration":99999999999}]}`,
		"duration_seconds 1e308":    `{"results":[{"test":"t","outcome":"pass","duration_seconds":1e308}]}`,
		"duration_seconds negative": `{"results":[{"test":"t","outcome":"pass","duration_seconds":-1}]}`,
		"seed beyond int64":         `{"results":[{"test":"t","outcome":"pass","seed":1e30}]}`,
		"attempt beyond int":        `{"results":[{"test":"t","outcome":"pass","attempt":1e20}]}`,
	}
	for name, body := range uploads {
		if code, _ := upload(e, "repo=o/r&revision=abc1234&builder=b&batch="+strings.ReplaceAll(name, " ", "-"), "application/json", body); code != 400 {
			t.Errorf("upload with %s: %d, want 400", name, code)
		}
	}

	// The same detector from a runner, in a campaign's job.
	r := register(t, e, "lin-1")
	createCampaign(t, e, campaign.Spec{Kind: campaign.KindScenario, Scenario: "echo-pause", Iterations: 5})
	job, ok := r.leaseJob(t)
	if !ok {
		t.Fatal("no job")
	}
	if code := e.do("POST", fmt.Sprintf("/api/v1/jobs/%d/results?batch=b1", job.ID), r.token, "application/json",
		strings.NewReader(detector(`{"anomalies":[{"kind":"lost-bytes","offset":1e308,"length":4096}]}`)), nil); code != 400 {
		t.Errorf("job results with a detector offset of 1e308: %d, want 400", code)
	}

	spec := func(field string) string {
		return `{"kind":"scenario","scenario":"echo-pause","iterations":10,` + field + `}`
	}
	for _, body := range []string{
		`{"kind":"scenario","scenario":"echo-pause","iterations":99999999999}`,
		`{"kind":"scenario","scenario":"echo-pause","iterations":-1}`,
		`{"kind":"scenario","scenario":"echo-pause","iterations":1.5}`,
		`{"kind":"scenario","scenario":"echo-pause","iterations":1e308}`,
		spec(`"parallel":-1`),
		spec(`"parallel":100000`),
		spec(`"parallel":1e19`),
		spec(`"stop":"confident","stop_target":1e308`),
		spec(`"stop":"confident","stop_target":-0.5`),
		spec(`"stop":"confident","stop_target":1`),
		spec(`"params":{"packets":10000000000}`),
		spec(`"params":{"packets":-1}`),
		spec(`"params":{"packet_size":1e12}`),
		spec(`"params":{"packet_size":-4096}`),
		spec(`"params":{"seed":1e30}`),
		`{"kind":"exec","command":["true"],"iterations":10,"params":{"packets":5}}`,
	} {
		if code := e.do("POST", "/api/v1/campaigns", admin, "application/json", strings.NewReader(body), nil); code != 400 {
			t.Errorf("campaign %s: %d, want 400", body, code)
		}
	}

	for _, body := range []string{
		`{"signature_id":1e30,"reason":"x"}`,
		`{"signature_id":-1,"reason":"x"}`,
		`{"signature_id":0,"reason":"x"}`,
		`{"signature_id":1.5,"reason":"x"}`,
	} {
		if code := e.do("POST", "/api/v1/tests/1/flaky", admin, "application/json", strings.NewReader(body), nil); code != 400 {
			t.Errorf("flaky mark %s: %d, want 400", body, code)
		}
	}

	if n := e.count(`SELECT count(*) FROM results`); n != 0 {
		t.Errorf("%d results stored from refused uploads", n)
	}
	if n := e.count(`SELECT count(*) FROM campaigns`); n != 1 {
		t.Errorf("%d campaigns, want only the valid one", n)
	}
	if n := e.count(`SELECT count(*) FROM flaky_marks`); n != 0 {
		t.Errorf("%d flaky marks from refused requests", n)
	}
}
