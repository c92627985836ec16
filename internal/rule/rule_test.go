package rule

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
)

var lookup = Fields{
	Repo: "golang/go", Branch: "master", Test: "net.TestLookupHost", Builder: "linux-amd64-longtest", OS: "linux",
	Text:      "lookup golang.org on 127.0.0.53:53: no such host\n--- FAIL: TestLookupHost",
	Signature: []string{"ab12cd34", "lookup <HOST>: no such host"},
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want bool
	}{
		{`test ~ "^net\.TestLookup" && text ~ "no such host"`, true},
		{`test ~ "^net\.TestDial" && text ~ "no such host"`, false},
		{`test ~ "^net\.TestDial" || text ~ "no such host"`, true},
		{`repo == "golang/go"`, true},
		{`repo != "golang/go"`, false},
		{`!(repo == "golang/go")`, false},
		{`!repo == "golang/go"`, false},
		{`os == "windows" || os == "linux" && branch == "master"`, true},
		{`(os == "windows" || os == "linux") && branch == "release"`, false},
		{`signature == "ab12cd34"`, true},
		{`signature ~ "no such host"`, true},
		{`signature != "ab12cd34"`, false},
		{`signature != "ffff"`, true},
		{`builder ~ "longtest$"`, true},
		{"text ~ `\\d+\\.\\d+\\.\\d+\\.\\d+:53`", true},
		{`text ~ "(?i)NO SUCH HOST"`, true},
		{`text ~ "FAIL: TestLookupHost\n?"`, true},
		{`test == "net.TestLookupHost" && !(text ~ "timeout")`, true},
		{`branch == ""`, false},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Errorf("Parse(%s): %v", tt.expr, err)
			continue
		}
		if got := e.Match(lookup); got != tt.want {
			t.Errorf("%s: Match = %v, want %v", tt.expr, got, tt.want)
		}
		// Writing it back and parsing again gives the same answers.
		again, err := Parse(e.Canonical())
		if err != nil {
			t.Errorf("%s: canonical %s does not parse: %v", tt.expr, e.Canonical(), err)
			continue
		}
		if again.Canonical() != e.Canonical() || again.Match(lookup) != tt.want {
			t.Errorf("%s: canonical form %s reads back as %s", tt.expr, e.Canonical(), again.Canonical())
		}
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr    string
		wantCol int
	}{
		{``, 1},
		{`   `, 1},
		{`test`, 5},
		{`test ~`, 7},
		{`test = "x"`, 6},
		{`test ~ "x" & os == "y"`, 12},
		{`test ~ "x" os == "y"`, 12},
		{`tset ~ "x"`, 1},
		{`test ~ "x`, 8},
		{`test ~ "(unclosed"`, 8},
		{`test ~ "a" && (os == "b"`, 25},
		{`test ~ "a")`, 11},
		{`"a" == test`, 1},
		{`test ~ 'x'`, 8},
		{`()`, 2},
		{`test == "ü" && ös == "x"`, 16},
		{`text ~ "(?<=x)y"`, 8},
		{`test ~ "x\`, 10},
		{`test ~ "a" ||`, 14},
		{`!`, 2},
	}
	for _, tt := range tests {
		_, err := Parse(tt.expr)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q) = %v, want an *Error", tt.expr, err)
			continue
		}
		if pe.Column != tt.wantCol || pe.Msg == "" {
			t.Errorf("Parse(%q): %v, want column %d", tt.expr, err, tt.wantCol)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	deep := ""
	for range MaxDepth + 1 {
		deep += "("
	}
	deep += `os == "x"`
	for range MaxDepth + 1 {
		deep += ")"
	}
	if _, err := Parse(deep); err == nil {
		t.Errorf("nesting %d deep was accepted", MaxDepth+1)
	}
	long := `text ~ "` + string(make([]byte, MaxLen)) + `"`
	if _, err := Parse(long); err == nil {
		t.Errorf("an expression of %d bytes was accepted", len(long))
	}
	if _, err := Parse("os == \"\xff\""); err == nil {
		t.Errorf("invalid UTF-8 was accepted")
	}
}

func TestEvalUnknown(t *testing.T) {
	t.Parallel()
	noText := lookup.Without(Text)
	tests := []struct {
		expr string
		want Result
	}{
		{`test ~ "^net\.TestLookup" && text ~ "no such host"`, Unknown},
		{`test ~ "^net\.TestDial" && text ~ "no such host"`, False},
		{`test ~ "^net\.TestLookup" || text ~ "no such host"`, True},
		{`!(text ~ "x")`, Unknown},
		{`os == "linux"`, True},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Eval(noText); got != tt.want {
			t.Errorf("%s without the text: %v, want %v", tt.expr, got, tt.want)
		}
		if got, full := e.Eval(lookup), e.Match(lookup); (got == True) != full || got == Unknown {
			t.Errorf("%s with every field: Eval %v, Match %v", tt.expr, got, full)
		}
	}
	e, _ := Parse(`test ~ "x" && !(os == "y")`)
	if e.Uses(Text) || !e.Uses(OS) || !e.Uses(Test) {
		t.Errorf("Uses: wrong fields for %s", e)
	}
}

func TestActionCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	in := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	tests := []struct {
		name        string
		action      Action
		wantMissing string
		wantInvalid bool
	}{
		{"group", Action{Kind: ActionGroup, Group: "dns flakes"}, "", false},
		{"group without a name", Action{Kind: ActionGroup}, "action.group", false},
		{"group with a bad name", Action{Kind: ActionGroup, Group: "<b>"}, "", true},
		{"infra", Action{Kind: ActionInfra}, "", false},
		{"quarantine", Action{Kind: ActionQuarantine, Terms: quarantine.Terms{Owner: "octocat", Reason: "DNS in CI", ExpiresAt: in(24 * time.Hour)}}, "", false},
		{"quarantine without expiry", Action{Kind: ActionQuarantine, Terms: quarantine.Terms{Owner: "octocat", Reason: "DNS"}}, "action.expires_at", false},
		{"quarantine for a year", Action{Kind: ActionQuarantine, Terms: quarantine.Terms{Owner: "o", Reason: "r", ExpiresAt: in(365 * 24 * time.Hour)}}, "", true},
		{"nothing", Action{}, "action", false},
		{"unknown kind", Action{Kind: "delete"}, "", true},
	}
	for _, tt := range tests {
		_, err := tt.action.Check(now, quarantine.DefaultMaxAhead)
		var missing *quarantine.MissingError
		switch {
		case tt.wantMissing != "":
			if !errors.As(err, &missing) || missing.Field != tt.wantMissing {
				t.Errorf("%s: %v, want %s missing", tt.name, err, tt.wantMissing)
			}
		case tt.wantInvalid != errors.Is(err, owner.ErrInvalid) || !tt.wantInvalid && err != nil:
			t.Errorf("%s: %v, want invalid=%v", tt.name, err, tt.wantInvalid)
		}
	}
}

func TestActionJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want Action
	}{
		{`"infra"`, Action{Kind: ActionInfra}},
		{`"group:dns"`, Action{Kind: ActionGroup, Group: "dns"}},
		{`{"kind":"group","group":"dns"}`, Action{Kind: ActionGroup, Group: "dns"}},
		{`{"kind":"quarantine","owner":"o","reason":"r"}`, Action{Kind: ActionQuarantine, Terms: quarantine.Terms{Owner: "o", Reason: "r"}}},
	} {
		var a Action
		if err := a.UnmarshalJSON([]byte(tt.in)); err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, a); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
	var a Action
	if err := a.UnmarshalJSON([]byte(`{"kind":"infra","colour":"red"}`)); err == nil {
		t.Errorf("an unknown field in an action was accepted")
	}
}
