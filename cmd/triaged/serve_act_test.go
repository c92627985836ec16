package main

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/issue"
)

func TestActFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args    []string
		posting bool
		wantErr bool
	}{
		{nil, false, false},
		{[]string{"--github-issues", "python/cpython,golang/go=golang/flakes"}, true, false},
		{[]string{"--github-issues", "python/cpython"}, false, true},
		{[]string{"--github-issues", "nope"}, true, true},
		{[]string{"--github-issue-recur", "shout"}, true, true},
		{[]string{"--github-issue-min-runs", "0"}, true, true},
		{[]string{"--quarantine-max", "9000h"}, true, true},
	} {
		var a actFlags
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		a.register(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		err := a.finish(tt.posting)
		var usage *config.UsageError
		if (err != nil) != tt.wantErr || err != nil && !errors.As(err, &usage) {
			t.Errorf("%q (token %v): %v, want a usage error %v", tt.args, tt.posting, err, tt.wantErr)
		}
		if tt.args != nil && !tt.wantErr && len(a.issues.Routes) == 2 && a.issues.Routes[1] != (issue.Route{Repo: "golang/go", Tracker: "golang/flakes"}) {
			t.Errorf("routes: %+v", a.issues.Routes)
		}
	}
}
