package web

import (
	"net/url"
	"strings"

	"github.com/a-h/templ"

	"github.com/triaged/triaged/internal/view"
)

// listURL is path with the filter's query, and a cursor when given.
func listURL(path string, f view.Filter, cursor string) templ.SafeURL {
	q := f.Values()
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) == 0 {
		return templ.SafeURL(path)
	}
	return templ.SafeURL(path + "?" + q.Encode())
}

// withParams is the filter's query with some parameters set ("" removes
// one), on path: links from one list or sort to another with the same
// filters.
func withParams(path string, f view.Filter, kv ...string) templ.SafeURL {
	q := f.Values()
	q.Del("limit")
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return templ.SafeURL(path)
	}
	return templ.SafeURL(path + "?" + q.Encode())
}

// csvURL is the CSV export of a list with the page's filters.
func csvURL(apiPath string, f view.Filter) templ.SafeURL {
	q := f.Values()
	q.Del("limit")
	q.Set("format", "csv")
	return templ.SafeURL(apiPath + "?" + q.Encode())
}

// builderPath links to a builder's page; a builder's name may hold a '/'.
func builderPath(name string) templ.SafeURL {
	return templ.SafeURL("/builders/" + url.PathEscape(name))
}

// builderAPIPath is a builder's JSON twin.
func builderAPIPath(name string) string { return "/api/v1/builders/" + url.PathEscape(name) }

// ciURL is a CI job's address for a link. Uploads only store http and
// https addresses; templ.URL refuses anything else all the same.
func ciURL(u string) templ.SafeURL { return templ.URL(u) }

// branchName names a branch for people: uploads may leave it unnamed.
func branchName(b string) string {
	if b == "" {
		return "no branch named"
	}
	return b
}

// filterLabel is how the filter form labels a parameter.
var filterLabel = map[string]string{
	"q": "Name", "repo": "Repo", "branch": "Branch", "builder": "Builder", "os": "OS", "class": "Class",
	"state": "State", "since": "Since", "until": "Until", "sort": "Sort",
}

// filterHint is the placeholder of a filter's field.
func filterHint(list view.List, p, defaultBranch string) string {
	switch p {
	case "q":
		return "part of a name"
	case "repo":
		return "owner/name"
	case "branch":
		if list == view.ListOverview || list == view.ListRevisions {
			return defaultBranch + " (* for all)"
		}
		return "every branch"
	case "builder":
		return "host or CI job"
	case "os":
		return "windows, linux…"
	case "since", "until":
		return "2026-01-02"
	}
	return ""
}

// filterValue is a filter's value as the form shows it.
func filterValue(f view.Filter, p string) string {
	return f.Values().Get(p)
}

// windowText says which days a list's figures count.
func windowText(since, until string) string {
	return "figures from " + since + " to " + until
}

// choices are the options of a select filter.
func choices(list view.List, p string) []string {
	switch p {
	case "class":
		return []string{"", "flaky", "broken", "new", "stable"}
	case "state":
		return []string{"", "queued", "running", "done", "cancelled", "failed"}
	case "sort":
		return view.Sorts(list)
	}
	return nil
}

func choiceLabel(p, c string) string {
	if c == "" {
		return "any"
	}
	if p == "sort" {
		return "by " + c
	}
	return c
}

// testParts splits a test id after its separators (".", "/", "::", ":"),
// keeping them: the places a long id may wrap.
func testParts(name string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(name); i++ {
		switch {
		case strings.HasPrefix(name[i:], "::") && i+2 < len(name):
			parts = append(parts, name[start:i+2])
			start = i + 2
			i++
		case (name[i] == '.' || name[i] == '/' || name[i] == ':' || name[i] == '\\') && i+1 < len(name):
			parts = append(parts, name[start:i+1])
			start = i + 1
		}
	}
	return append(parts, name[start:])
}

// inputType is the type of a filter's text field.
func inputType(p string) string {
	if p == "q" {
		return "search"
	}
	return "text"
}

// osNames names a comma-separated list of runner OSes, the unnamed one
// included.
func osNames(list string) string {
	parts := strings.Split(list, ", ")
	for i, p := range parts {
		parts[i] = osName(p)
	}
	return strings.Join(parts, ", ")
}

// branchQuery is the query of the list of a repo's revisions on branch.
func branchQuery(repo, branch string) string {
	if branch == "" {
		branch = view.AllBranches
	}
	return url.Values{"repo": {repo}, "branch": {branch}}.Encode()
}
