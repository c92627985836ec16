package view

import (
	"strconv"
	"strings"
	"time"
)

// Table is a page of a list as rows of text, for CSV exports: the JSON
// twins of the lists write the same page as a header and records, and
// follow Next to the following page.
type Table interface {
	Header() []string
	Records() [][]string
	Next() string
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

func tstamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Header names the columns of the test list's CSV.
func (l TestList) Header() []string {
	return []string{"id", "repo", "name", "class", "runs", "failures", "rate", "ci95_low", "ci95_high", "impact",
		"last_failure_at", "last_failure_signature", "last_failure_title", "last_failure_revision", "last_failure_branch",
		"last_failure_builder", "last_failure_os", "last_failure_url"}
}

// Records are the page's tests.
func (l TestList) Records() [][]string {
	out := make([][]string, 0, len(l.Tests))
	for _, t := range l.Tests {
		rec := []string{itoa(t.ID), t.Repo, t.Name, string(t.Class), strconv.Itoa(t.Rate.Runs), strconv.Itoa(t.Rate.Failures),
			ftoa(t.Rate.Rate), ftoa(t.Rate.Low), ftoa(t.Rate.High), ftoa(t.Impact)}
		if lf := t.LastFailure; lf != nil {
			rec = append(rec, tstamp(lf.At), itoa(lf.SignatureID), lf.Title, lf.Revision, lf.Branch, lf.Builder, lf.RunnerOS, lf.URL)
		} else {
			rec = append(rec, "", "", "", "", "", "", "", "")
		}
		out = append(out, rec)
	}
	return out
}

// Next is the cursor of the following page.
func (l TestList) Next() string { return l.NextCursor }

// Header names the columns of the signature list's CSV.
func (l SignatureList) Header() []string {
	return []string{"id", "title", "failures", "tests", "first_seen", "last_seen", "last_failure_at", "last_failure_test",
		"last_failure_revision", "last_failure_branch", "last_failure_builder", "last_failure_os", "last_failure_url"}
}

// Records are the page's signatures.
func (l SignatureList) Records() [][]string {
	out := make([][]string, 0, len(l.Signatures))
	for _, s := range l.Signatures {
		rec := []string{itoa(s.ID), s.Title, itoa(s.Failures), itoa(s.Tests), tstamp(s.FirstSeen), tstamp(s.LastSeen)}
		if lf := s.Last; lf != nil {
			rec = append(rec, tstamp(lf.At), lf.Test, lf.Revision, lf.Branch, lf.Builder, lf.RunnerOS, lf.URL)
		} else {
			rec = append(rec, "", "", "", "", "", "", "")
		}
		out = append(out, rec)
	}
	return out
}

// Next is the cursor of the following page.
func (l SignatureList) Next() string { return l.NextCursor }

// Header names the columns of the campaign list's CSV.
func (l CampaignList) Header() []string {
	return []string{"id", "name", "state", "kind", "repo", "revision", "branch", "labels", "created_by", "created_at",
		"duration_seconds", "planned", "runs", "failures", "repro_rate", "ci95_low", "ci95_high"}
}

// Records are the page's campaigns.
func (l CampaignList) Records() [][]string {
	out := make([][]string, 0, len(l.Campaigns))
	for _, c := range l.Campaigns {
		out = append(out, []string{itoa(c.ID), c.Name, string(c.State), string(c.Kind), c.Repo, c.Revision, c.Branch,
			strings.Join(c.Labels, " "), c.CreatedBy, tstamp(c.CreatedAt), ftoa(c.DurationSeconds), strconv.Itoa(c.Planned),
			strconv.Itoa(c.Runs), strconv.Itoa(c.Failures), ftoa(c.ReproRate), ftoa(c.Low), ftoa(c.High)})
	}
	return out
}

// Next is the cursor of the following page.
func (l CampaignList) Next() string { return l.NextCursor }

// Header names the columns of the builder list's CSV.
func (l BuilderList) Header() []string {
	return []string{"name", "runner_os", "last_seen", "batches", "infra_batches", "results", "failures", "skips",
		"failure_rate", "infra_rate", "last_repo", "last_revision", "last_branch", "last_url", "worst_tests"}
}

// Records are the page's builders.
func (l BuilderList) Records() [][]string {
	out := make([][]string, 0, len(l.Builders))
	for _, b := range l.Builders {
		var worst []string
		for _, t := range b.Worst {
			worst = append(worst, t.Key)
		}
		out = append(out, []string{b.Name, b.RunnerOS, tstamp(b.LastSeen), strconv.Itoa(b.Batches), strconv.Itoa(b.InfraBatches),
			strconv.Itoa(b.Results), strconv.Itoa(b.Failures), strconv.Itoa(b.Skips), ftoa(b.FailureRate.Rate), ftoa(b.InfraRate.Rate),
			b.LastRepo, b.LastRevision, b.LastBranch, b.LastURL, strings.Join(worst, " ")})
	}
	return out
}

// Next is the cursor of the following page.
func (l BuilderList) Next() string { return l.NextCursor }

// Header names the columns of a builder's batches in CSV.
func (b Builder) Header() []string {
	return []string{"batch", "created_at", "repo", "revision", "branch", "runner_os", "results", "failures", "skips", "infra", "url"}
}

// Records are the page's batches.
func (b Builder) Records() [][]string {
	out := make([][]string, 0, len(b.Batches))
	for _, x := range b.Batches {
		out = append(out, []string{x.ID, tstamp(x.CreatedAt), x.Repo, x.Revision, x.Branch, x.RunnerOS, strconv.Itoa(x.Results),
			strconv.Itoa(x.Failures), strconv.Itoa(x.Skips), strconv.FormatBool(x.Infra), x.URL})
	}
	return out
}

// Next is the cursor of the following page.
func (b Builder) Next() string { return b.NextCursor }

// Header names the columns of the revision list's CSV.
func (l RevisionList) Header() []string {
	return []string{"repo", "revision", "branches", "first_seen", "author", "message", "status", "tests", "new", "broken", "flaky", "known", "infra"}
}

// Records are the page's revisions.
func (l RevisionList) Records() [][]string {
	out := make([][]string, 0, len(l.Revisions))
	for _, r := range l.Revisions {
		msg, _, _ := strings.Cut(r.Message, "\n")
		out = append(out, []string{r.Repo, r.Revision, strings.Join(r.Branches, " "), tstamp(r.FirstSeen), r.Author, msg, r.Status,
			strconv.Itoa(r.Tests), strconv.Itoa(r.New), strconv.Itoa(r.Broken), strconv.Itoa(r.Flaky), strconv.Itoa(r.Known), strconv.Itoa(r.Infra)})
	}
	return out
}

// Next is the cursor of the following page.
func (l RevisionList) Next() string { return l.NextCursor }

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }
