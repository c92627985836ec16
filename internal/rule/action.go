package rule

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/quarantine"
)

// ActionKind is what a rule does with the failures it matches.
type ActionKind string

// The actions.
const (
	// ActionGroup puts them into a named group, shown as one thing with
	// its own rate, owner and issue link, across signatures and tests.
	ActionGroup ActionKind = "group"
	// ActionInfra classes them infra: the machine, not the test.
	ActionInfra ActionKind = "infra"
	// ActionQuarantine quarantines them, on the quarantine's terms.
	ActionQuarantine ActionKind = "quarantine"
)

// Action is a rule's action: a kind, and the group's name or the
// quarantine's terms.
type Action struct {
	Kind  ActionKind `json:"kind"`
	Group string     `json:"group,omitempty"`
	quarantine.Terms
}

// UnmarshalJSON reads an action as an object, or as a string for short:
// "infra", "group:NAME".
func (a *Action) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		kind, group, _ := strings.Cut(s, ":")
		*a = Action{Kind: ActionKind(kind), Group: group}
		return nil
	}
	type plain Action
	var p plain
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("action: %w", err)
	}
	*a = Action(p)
	return nil
}

// MarshalJSON writes the action as an object with only its kind's fields.
func (a Action) MarshalJSON() ([]byte, error) {
	m := map[string]any{"kind": a.Kind}
	switch a.Kind {
	case ActionGroup:
		m["group"] = a.Group
	case ActionQuarantine:
		m["owner"], m["reason"], m["expires_at"] = a.Owner, a.Reason, a.ExpiresAt
	}
	return json.Marshal(m)
}

// namePattern is what a rule's or a group's name may be: a short label a
// page, a URL and a log line can carry.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _.:+-]{0,99}$`)

// CheckName reports whether s can name a rule or a group.
func CheckName(what, s string) error {
	if !namePattern.MatchString(s) || strings.HasSuffix(s, " ") {
		return owner.Invalidf("%s %q: want 1-100 letters, digits, spaces or _.:+- starting with a letter or digit", what, s)
	}
	return nil
}

// Check validates the action at now (a quarantine's expiry is at most
// maxAhead away) and returns it cleaned. Errors wrap owner.ErrInvalid, or
// are a *quarantine.MissingError.
func (a Action) Check(now time.Time, maxAhead time.Duration) (Action, error) {
	switch a.Kind {
	case ActionGroup:
		a.Group = strings.TrimSpace(a.Group)
		if a.Group == "" {
			return a, &quarantine.MissingError{Field: "action.group"}
		}
		a.Terms = quarantine.Terms{}
		return a, CheckName("group", a.Group)
	case ActionInfra:
		a.Group, a.Terms = "", quarantine.Terms{}
		return a, nil
	case ActionQuarantine:
		a.Group = ""
		t, err := a.Terms.Check(now, maxAhead)
		if m, ok := err.(*quarantine.MissingError); ok {
			return a, &quarantine.MissingError{Field: "action." + m.Field}
		}
		a.Terms = t
		return a, err
	case "":
		return a, &quarantine.MissingError{Field: "action"}
	}
	return a, owner.Invalidf("action %q: want group (with a group name), infra or quarantine (with owner, reason and expires_at)", a.Kind)
}

// Rule is one version of a named rule.
type Rule struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	Expr    string `json:"expr"`
	Action  Action `json:"action"`
	// Author saved this version at CreatedAt, saying Why.
	Author    string    `json:"author"`
	Why       string    `json:"why"`
	CreatedAt time.Time `json:"created_at"`
}

// Compiled is a rule with its parsed expression.
type Compiled struct {
	Rule
	Expr *Expr
}

// Compile parses the rule's expression.
func (r Rule) Compile() (Compiled, error) {
	e, err := Parse(r.Expr)
	if err != nil {
		return Compiled{}, fmt.Errorf("rule %q v%d: %w", r.Name, r.Version, err)
	}
	return Compiled{Rule: r, Expr: e}, nil
}

// InfraRule returns the name of the first rule (by id) among rules whose
// id is in matched and whose action classes failures infra, or "".
func InfraRule(rules []Rule, matched []int64) string {
	name, best := "", int64(0)
	for _, r := range rules {
		if r.Action.Kind != ActionInfra {
			continue
		}
		for _, id := range matched {
			if r.ID == id && (best == 0 || id < best) {
				name, best = r.Name, id
			}
		}
	}
	return name
}

// ErrInvalid marks a name or an action that cannot be accepted
// (owner.ErrInvalid, which every act concept shares).
var ErrInvalid = owner.ErrInvalid
