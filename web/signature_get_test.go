package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/triaged/triaged/internal/app"
	"github.com/triaged/triaged/internal/store"
)

// TestSignatureExampleShowsOutput: the example failure comes with what the
// run printed besides its failure text, escaped.
func TestSignatureExampleShowsOutput(t *testing.T) {
	t.Parallel()
	f := newFixture(t, app.Config{})
	r := result("test.test_x.T.test_printed", "fail", "Traceback (most recent call last):\nKeyError: 'printed'")
	r.Output = "setting up\n<b>the real context</b>\n"
	f.ingest(t, store.Batch{ID: "with-output", Repo: repo, Revision: f.revs[5], Builder: "linux-1", RunnerOS: "linux",
		RunnerID: ptr(f.runners["linux-1"]), Results: []store.ResultRow{r}})
	var id int64
	if err := f.st.Pool().QueryRow(context.Background(), `SELECT id FROM signatures WHERE title LIKE 'KeyError%'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	_, page := get(t, f.srv.URL+"/signatures/"+itoa(id))
	if !strings.Contains(page, "What the run printed besides") || !strings.Contains(page, "&lt;b&gt;the real context&lt;/b&gt;") {
		t.Errorf("the signature page does not show the example's output, escaped")
	}
	var v struct{ Example struct{ Output string } }
	getJSON(t, f.srv.URL+"/api/v1/signatures/"+itoa(id), &v)
	if v.Example.Output != r.Output {
		t.Errorf("JSON example output %q, want %q", v.Example.Output, r.Output)
	}
}
