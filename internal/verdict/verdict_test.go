package verdict

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// hist builds a history from revisions newest first, each "P/F" passes and
// failures, e.g. hist("0/1", "3/0"): the newest revision failed once, the
// one before passed three times.
func hist(cells ...string) History {
	h := History{FlakySignatures: map[int64]bool{}}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range cells {
		var p, f int
		fmt.Sscanf(c, "%d/%d", &p, &f)
		h.Revisions = append(h.Revisions, Revision{Revision: rev(i), FirstSeen: t0.Add(-time.Duration(i) * time.Hour),
			Runs: p + f, Passes: p, Failures: f})
	}
	return h
}

// rev names the i-th newest revision.
func rev(i int) string { return fmt.Sprintf("%07x", 0xabc0000+i) }

// flakyOn adds signatures to the history's flaky ones.
func flakyOn(h History, sigs ...int64) History {
	for _, s := range sigs {
		h.FlakySignatures[s] = true
	}
	return h
}

func TestClassify(t *testing.T) {
	t.Parallel()
	const sigA, sigB = 1, 2
	marked := hist("0/1", "2/0")
	marked.Marked = true
	marked.FlakySignatures[sigA] = true
	for _, tc := range []struct {
		name      string
		failure   Failure
		history   History
		want      Class
		wantSince string
	}{
		{"consistent failure, first revision", Failure{Revision: rev(0), Signature: sigA}, hist("0/1"), New, ""},
		{"consistent failure on 2 revisions", Failure{Revision: rev(0), Signature: sigA}, hist("0/3", "0/2"), Broken, rev(1)},
		{"consistent failure on 5 revisions", Failure{Revision: rev(0), Signature: sigA}, hist("0/1", "0/1", "0/2", "0/1", "0/1", "4/0"), Broken, rev(4)},
		{"pass then fail", Failure{Revision: rev(0), Signature: sigA}, hist("0/1", "5/0"), New, ""},
		{"fail, pass, fail: same signature", Failure{Revision: rev(0), Signature: sigA}, hist("0/1", "3/0", "0/1"), New, ""},
		{"fail, pass, fail: another signature", Failure{Revision: rev(0), Signature: sigB}, hist("0/1", "3/0", "0/1"), New, ""},
		{"pass and fail on this revision", Failure{Revision: rev(0), Signature: sigA}, hist("3/1"), Flaky, ""},
		{"flaky before, failing the same way", Failure{Revision: rev(0), Signature: sigA}, flakyOn(hist("0/1", "5/2"), sigA), Known, ""},
		{"flaky before, failing another way", Failure{Revision: rev(0), Signature: sigB}, flakyOn(hist("0/1", "5/2"), sigA), New, ""},
		{"flaky before, and now failing on 3 revisions", Failure{Revision: rev(0), Signature: sigB}, flakyOn(hist("0/1", "0/1", "0/1", "9/1"), sigA), New, ""},
		{"campaign at 7/200 on an earlier revision", Failure{Revision: rev(0), Signature: sigA}, flakyOn(hist("0/1", "193/7"), sigA), Known, ""},
		{"campaign at 0/200 on an earlier revision", Failure{Revision: rev(0), Signature: sigA}, hist("0/1", "200/0"), New, ""},
		{"campaign at 200/200 on an earlier revision", Failure{Revision: rev(0), Signature: sigA}, hist("0/1", "0/200"), Broken, rev(1)},
		{"an admin's mark", Failure{Revision: rev(0), Signature: sigA}, marked, Known, ""},
		{"an admin's mark, another signature", Failure{Revision: rev(0), Signature: sigB}, marked, New, ""},
		{"infrastructure batch", Failure{Revision: rev(0), Signature: sigA, Infra: true}, hist("0/1", "0/1"), Infra, ""},
		{"an older revision retested", Failure{Revision: rev(1), Signature: sigA}, hist("0/1", "0/1"), New, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := Classify(tc.failure, tc.history)
			if v.Class != tc.want || v.Since != tc.wantSince || v.Why == "" {
				t.Errorf("Classify = %+v, want class %s since %q", v, tc.want, tc.wantSince)
			}
			if (v.Class == Flaky || v.Class == Known) && tc.history.evidence() == "" {
				t.Errorf("called %s without flaky evidence", v.Class)
			}
		})
	}
}

// TestSameTestTwoOSes judges one failing test against its history on each
// runner OS: the store keeps one History per OS, so a flake on Windows does
// not make the Linux failure known, nor the reverse.
func TestSameTestTwoOSes(t *testing.T) {
	t.Parallel()
	windows := flakyOn(hist("0/1", "9/1"), 7)
	linux := hist("0/1", "0/1")
	f := Failure{Revision: rev(0), Signature: 7}
	if got := Classify(f, windows).Class; got != Known {
		t.Errorf("on Windows: %s, want known", got)
	}
	if got := Classify(f, linux).Class; got != Broken {
		t.Errorf("on Linux: %s, want broken", got)
	}
}

func TestOfTest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		history History
		want    Class
	}{
		{"no runs", hist(), Stable},
		{"only passes", hist("3/0", "2/0"), Stable},
		{"failed once, on its latest revision", hist("0/1", "2/0"), New},
		{"failing on its last 3 revisions", hist("0/1", "0/2", "0/1", "1/0"), Broken},
		{"both on one revision, long ago", hist("4/0", "3/0", "2/1"), Flaky},
		{"fixed after failing", hist("3/0", "0/1", "0/1"), Stable},
	} {
		if got := OfTest(tc.history); got.Class != tc.want || !strings.Contains(got.Why, " ") {
			t.Errorf("%s: OfTest = %+v, want %s", tc.name, got, tc.want)
		}
	}
}

func TestWorse(t *testing.T) {
	t.Parallel()
	order := []Class{Stable, Infra, Flaky, Known, Broken, New}
	for i := range order {
		for j := range order {
			if got := order[i].Worse(order[j]); got != (i > j) {
				t.Errorf("%s.Worse(%s) = %v", order[i], order[j], got)
			}
		}
	}
	for _, c := range order {
		if c.FailsStatus() != (c == New || c == Broken) {
			t.Errorf("%s.FailsStatus() = %v", c, c.FailsStatus())
		}
	}
}
