package view

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/triaged/triaged/internal/campaign"
	"github.com/triaged/triaged/internal/store"
	"github.com/triaged/triaged/internal/vcs"
	"github.com/triaged/triaged/internal/verdict"
)

// List names a list that takes filters; each takes its own set of them.
type List string

// The lists.
const (
	ListTests      List = "tests"
	ListSignatures List = "signatures"
	ListCampaigns  List = "campaigns"
	ListBuilders   List = "builders"
	ListBuilder    List = "builder" // one builder's batches
	ListRevisions  List = "revisions"
	ListOverview   List = "overview"
)

// Paging bounds: a page holds DefaultLimit rows unless limit says
// otherwise, at most MaxLimit.
const (
	DefaultLimit = 50
	MaxLimit     = 500
	maxQ         = 200
	// windowDays is the default window of the lists with figures: the
	// overview's, today and the 13 days before.
	windowDays = 14
	// staleMark is how many results may arrive after a list's first page
	// before its cursor is refused: later pages take those results away,
	// and that must stay cheap.
	staleMark = 200_000
)

// filterParams are the query parameters that narrow lists.
var filterParams = []string{"q", "repo", "branch", "builder", "os", "class", "state", "since", "until", "sort"}

// listParams are the filters each list takes.
var listParams = map[List][]string{
	ListTests:      {"q", "repo", "branch", "builder", "os", "class", "since", "until", "sort"},
	ListSignatures: {"q", "repo", "branch", "builder", "os", "since", "until", "sort"},
	ListCampaigns:  {"q", "repo", "branch", "builder", "os", "state", "since", "until"},
	ListBuilders:   {"q", "repo", "branch", "os", "since", "until"},
	ListBuilder:    {"repo", "branch", "os", "since", "until"},
	ListRevisions:  {"repo", "branch", "since", "until"},
	ListOverview:   {"repo", "branch", "builder", "os"},
}

// listSorts are the orders a list offers, its default first.
var listSorts = map[List][]string{
	ListTests:      {store.SortFailures, store.SortRate, store.SortImpact, store.SortName},
	ListSignatures: {store.SortFailures, store.SortNew},
}

// AllBranches is the branch filter that counts every branch.
const AllBranches = "*"

// Filter is what a list is narrowed to, as the URL says it, checked.
// Pages keep it in their links and forms, so a filtered view can be
// shared.
type Filter struct {
	List    List
	Q       string
	Repo    string
	Branch  string // a branch, AllBranches, or "" for the list's default
	Builder string
	OS      string
	Class   verdict.Class
	State   campaign.State
	// Since and Until are the instants given (zero: not given); a date
	// given as until means the end of that day. SinceText and UntilText
	// are as typed.
	Since, Until         time.Time
	SinceText, UntilText string
	Sort                 string // "" for the list's default
	Limit                int    // 0 for DefaultLimit
	Cursor               string
}

// FilterError is a filter or cursor the URL got wrong: pages and the API
// answer it with 400 and its message, which says what to fix.
type FilterError struct {
	Param, Msg string
}

func (e *FilterError) Error() string { return e.Param + ": " + e.Msg }

func badParam(param, format string, args ...any) error {
	return &FilterError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// ParseFilter reads and checks the filters of list from a URL's query.
// Filters the list does not take, a parameter given twice and page
// numbers are refused, so a mistyped URL never silently shows everything.
func ParseFilter(list List, q url.Values) (Filter, error) {
	f := Filter{List: list}
	for _, p := range []string{"page", "offset"} {
		if q.Has(p) {
			return f, badParam(p, "lists are paged by cursor: follow next_cursor (or the page's next link), with limit= for the page size")
		}
	}
	allowed := listParams[list]
	one := func(p string) (string, error) {
		vs := q[p]
		switch {
		case len(vs) == 0, len(vs) == 1 && strings.TrimSpace(vs[0]) == "":
			// A form's empty field filters nothing.
			return "", nil
		case len(vs) > 1:
			return "", badParam(p, "give it once")
		case !slices.Contains(allowed, p):
			return "", badParam(p, "/%s cannot be filtered by %s; it takes %s", list, p, strings.Join(allowed, ", "))
		}
		return strings.TrimSpace(vs[0]), nil
	}
	for _, p := range filterParams {
		v, err := one(p)
		if err != nil {
			return f, err
		}
		if v == "" {
			continue
		}
		if err := f.set(p, v); err != nil {
			return f, err
		}
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return f, badParam("since", "%s is not before until %s", f.SinceText, f.UntilText)
	}
	for _, p := range []string{"limit", "cursor"} {
		if len(q[p]) > 1 {
			return f, badParam(p, "give it once")
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			return f, badParam("limit", "want a number of rows from 1 to %d, got %q", MaxLimit, s)
		}
		f.Limit = n
	}
	if list == ListOverview && (q.Has("limit") || q.Has("cursor")) {
		return f, badParam("cursor", "the overview is not paged; its lists link to /tests and /signatures, which are")
	}
	f.Cursor = q.Get("cursor")
	return f, nil
}

// set checks one filter's value and stores it.
func (f *Filter) set(p, v string) error {
	switch p {
	case "q":
		if len(v) > maxQ || strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
			return badParam(p, "want at most %d printable characters of a name", maxQ)
		}
		f.Q = v
	case "repo":
		if err := vcs.CheckRepo(v); err != nil {
			return &FilterError{Param: p, Msg: err.Error()}
		}
		f.Repo = v
	case "branch":
		v = strings.TrimPrefix(v, "refs/heads/")
		if v != AllBranches {
			if err := vcs.CheckBranch(v); err != nil {
				return &FilterError{Param: p, Msg: err.Error() + ", or * for every branch"}
			}
		}
		f.Branch = v
	case "builder":
		if err := vcs.CheckBuilder(v); err != nil {
			return &FilterError{Param: p, Msg: err.Error()}
		}
		f.Builder = v
	case "os":
		v = strings.ToLower(v)
		if err := vcs.CheckOS(v); err != nil {
			return &FilterError{Param: p, Msg: err.Error()}
		}
		f.OS = v
	case "class":
		c := verdict.Class(v)
		if c != verdict.Flaky && c != verdict.Broken && c != verdict.New && c != verdict.Stable {
			return badParam(p, "want flaky, broken, new or stable (a test's verdict), got %q", v)
		}
		f.Class = c
	case "state":
		s := campaign.State(v)
		if !slices.Contains([]campaign.State{campaign.Queued, campaign.Running, campaign.Done, campaign.Cancelled, campaign.Failed}, s) {
			return badParam(p, "want queued, running, done, cancelled or failed, got %q", v)
		}
		f.State = s
	case "since", "until":
		t, err := parseTime(v, p == "until")
		if err != nil {
			return badParam(p, "want a time in RFC 3339 (2026-01-02T15:04:05Z) or a date (2026-01-02), got %q", v)
		}
		if p == "since" {
			f.Since, f.SinceText = t, v
		} else {
			f.Until, f.UntilText = t, v
		}
	case "sort":
		sorts := listSorts[f.List]
		if !slices.Contains(sorts, v) {
			return badParam(p, "want one of %s, got %q", strings.Join(sorts, ", "), v)
		}
		f.Sort = v
	}
	return nil
}

// parseTime reads an RFC 3339 time or a date; a date as the end of a
// range means the end of that day.
func parseTime(s string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, err
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// sort returns the filter's sort, or the list's default.
func (f Filter) sort() string {
	if f.Sort != "" {
		return f.Sort
	}
	if s := listSorts[f.List]; len(s) > 0 {
		return s[0]
	}
	return ""
}

// limit returns the page size.
func (f Filter) limit() int {
	if f.Limit > 0 {
		return f.Limit
	}
	return DefaultLimit
}

// Values returns the filter as query parameters, without the cursor: for
// links to other pages, sorts or lists with the same filters.
func (f Filter) Values() url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", f.Q)
	set("repo", f.Repo)
	set("branch", f.Branch)
	set("builder", f.Builder)
	set("os", f.OS)
	set("class", string(f.Class))
	set("state", string(f.State))
	set("since", f.SinceText)
	set("until", f.UntilText)
	set("sort", f.Sort)
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	return q
}

// Given reports whether any filter is set, beyond the sort.
func (f Filter) Given() bool {
	q := f.Values()
	q.Del("sort")
	q.Del("limit")
	return len(q) > 0
}

// ran reports whether a filter narrows what ran (where, on what, when),
// so that only things that ran under it in the window are listed.
func (f Filter) ran() bool {
	return f.Builder != "" || f.OS != "" || (f.Branch != "" && f.Branch != AllBranches) || !f.Since.IsZero() || !f.Until.IsZero()
}

// branches turns the branch filter into the branches whose batches count:
// nil for every branch; the default branch counts the batches that named
// none, which most CI uploads from it are.
func (v *Views) branches(branch string) []string {
	switch branch {
	case "", AllBranches:
		return nil
	case v.DefaultBranch:
		return []string{branch, ""}
	}
	return []string{branch}
}

// window resolves the days a list counts: the filter's since and until,
// by default the windowDays up to asOf.
func window(f Filter, asOf time.Time) (since, until time.Time) {
	until, since = f.Until, f.Since
	if until.IsZero() {
		until = asOf
	}
	if since.IsZero() {
		since = day(until.Add(-time.Nanosecond)).AddDate(0, 0, -(windowDays - 1))
	}
	return since, until
}

// day is the UTC day of t.
func day(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

// storeFilter is the store's form of f over its window as of asOf, with
// results up to mark.
func (v *Views) storeFilter(f Filter, asOf time.Time, mark int64) (store.ListFilter, error) {
	since, until := window(f, asOf)
	if !since.Before(until) {
		return store.ListFilter{}, badParam("since", "the window from %s to %s is empty", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	return store.ListFilter{
		Q: f.Q, Repo: f.Repo, Branches: v.branches(f.Branch), Builder: f.Builder, OS: f.OS, Class: string(f.Class),
		From: day(since), To: day(until.Add(-time.Nanosecond)), Since: since, Until: until,
		Ran: f.ran(), Mark: mark, Today: day(asOf), HalfLife: impactHalf,
	}, nil
}

// Sorts returns the orders list offers, its default first.
func Sorts(list List) []string { return listSorts[list] }

// Params returns the filters list takes.
func Params(list List) []string { return listParams[list] }
