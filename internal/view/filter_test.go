package view

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, list, query string
		// err is a substring of the refusal; "" means accepted.
		err string
	}{
		{"every filter of the tests", "tests", "q=lookup&repo=golang/go&branch=refs/heads/main&builder=gha/linux&os=Linux&class=flaky&since=2026-01-01&until=2026-01-02T10:00:00Z&sort=rate&limit=5", ""},
		{"every branch", "tests", "branch=*", ""},
		{"empty fields of a form", "campaigns", "q=&class=&repo=", ""},
		{"format is not a filter", "tests", "format=csv", ""},
		{"a filter the list lacks", "campaigns", "class=flaky", "cannot be filtered by class"},
		{"the overview is not paged", "overview", "limit=5", "not paged"},
		{"page numbers", "signatures", "page=2", "cursor"},
		{"offsets", "tests", "offset=50", "cursor"},
		{"a filter twice", "tests", "os=linux&os=windows", "once"},
		{"a bad repo", "tests", "repo=../etc", "repo"},
		{"a bad branch", "revisions", "branch=a..b", "branch"},
		{"a bad builder", "tests", "builder=a%20b", "builder"},
		{"a control character", "tests", "q=a%00b", "printable"},
		{"a long query", "tests", "q=" + strings.Repeat("x", 201), "200"},
		{"a class of failures, not tests", "tests", "class=known", "flaky, broken, new or stable"},
		{"a state", "campaigns", "state=lost", "queued"},
		{"a sort the list lacks", "signatures", "sort=rate", "failures, new"},
		{"a bad time", "tests", "since=last%20week", "RFC 3339"},
		{"an empty window", "tests", "since=2026-01-02&until=2026-01-01", "not before"},
		{"the same day", "tests", "since=2026-01-01&until=2026-01-01", ""},
		{"limit 0", "tests", "limit=0", "1 to 500"},
		{"limit 501", "tests", "limit=501", "1 to 500"},
	} {
		q, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseFilter(List(tc.list), q)
		var fe *FilterError
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.err != "" && (err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: got %v (%+v), want a FilterError saying %q", tc.name, err, f, tc.err)
		}
	}
	f, _ := ParseFilter(ListTests, url.Values{"branch": {"refs/heads/main"}, "os": {"Linux"}, "until": {"2026-01-02"}})
	if f.Branch != "main" || f.OS != "linux" || !f.Until.Equal(time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("normalized: %+v", f)
	}
}

func TestCursor(t *testing.T) {
	t.Parallel()
	now := time.Now()
	f := Filter{List: ListTests, Q: "lookup", Sort: "rate"}
	c := cursor{AsOf: now.UnixNano(), Mark: 42, Seg: 1, Key: "0.25", ID: 7}
	f.Cursor = c.encode(f)
	got, ok, err := decodeCursor(f, now)
	if err != nil || !ok || got.Mark != 42 || got.Key != "0.25" || got.ID != 7 || got.Seg != 1 {
		t.Fatalf("round trip: %+v %v %v", got, ok, err)
	}
	other := f
	other.OS = "linux"
	if _, _, err := decodeCursor(other, now); err == nil || !strings.Contains(err.Error(), "other filters") {
		t.Errorf("a cursor of other filters: %v", err)
	}
	for _, bad := range []string{"!", "e30", strings.Repeat("A", 5000), c.encode(Filter{List: ListSignatures})} {
		f.Cursor = bad
		if _, _, err := decodeCursor(f, now); !errors.As(err, new(*FilterError)) {
			t.Errorf("cursor %q: %v, want a FilterError", bad, err)
		}
	}
}

// FuzzCursor feeds anything to the cursor's decoder: it answers a
// FilterError or a cursor, never panics.
func FuzzCursor(f *testing.F) {
	now := time.Now()
	flt := Filter{List: ListTests}
	f.Add(cursor{AsOf: now.UnixNano(), Key: "1", ID: 3}.encode(flt))
	f.Add("e30")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		flt := flt
		flt.Cursor = s
		c, ok, err := decodeCursor(flt, now)
		if err != nil && !errors.As(err, new(*FilterError)) {
			t.Fatalf("%q: %v is not a FilterError", s, err)
		}
		if ok && (c.Seg < 0 || c.Seg > 1 || c.ID < 0 || c.Mark < 0) {
			t.Fatalf("%q: accepted %+v", s, c)
		}
	})
}
