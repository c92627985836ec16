// Package quarantine is the quarantine concept: an admin's word that
// failures of a test (or of a signature, or those a rule matches) in a
// repo must not fail commit statuses for a while. A quarantine always has
// an owner, a reason and an expiry at most MaxAhead away; it ends when it
// expires or is lifted. A quarantined failure keeps its class, is stored
// and shown, marked as quarantined; only the status stops counting it.
package quarantine

import (
	"fmt"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/owner"
	"github.com/triaged/triaged/internal/stats"
)

// DefaultMaxAhead is how far ahead an expiry may be by default: long
// enough to fix a flake, short enough that a quarantine cannot quietly
// become permanent.
const DefaultMaxAhead = 90 * 24 * time.Hour

// ExpiringSoon is how long before its expiry a quarantine is shown to its
// owner as expiring.
const ExpiringSoon = 7 * 24 * time.Hour

// Quarantine is one quarantine, in force or ended.
type Quarantine struct {
	ID   int64  `json:"id" db:"id"`
	Repo string `json:"repo" db:"repo"`
	// One of TestID, SignatureID and RuleID is set: what it covers. A
	// rule's quarantine covers the failures the rule matched, in any repo
	// (Repo is then empty).
	TestID      int64     `json:"test_id,omitempty" db:"test_id"`
	SignatureID int64     `json:"signature_id,omitempty" db:"signature_id"`
	RuleID      int64     `json:"rule_id,omitempty" db:"rule_id"`
	Owner       string    `json:"owner" db:"owner"`
	Reason      string    `json:"reason" db:"reason"`
	ExpiresAt   time.Time `json:"expires_at" db:"expires_at"`
	CreatedBy   string    `json:"created_by" db:"created_by"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
	// EndedAt is set once it was lifted or expired; EndedBy says who
	// ("triaged" for an expiry) and EndReason why.
	EndedAt   *time.Time `json:"ended_at,omitempty" db:"ended_at"`
	EndedBy   string     `json:"ended_by,omitempty" db:"ended_by"`
	EndReason string     `json:"end_reason,omitempty" db:"end_reason"`
	// Name is the test's id, the signature's title or the rule's name,
	// for people.
	Name string `json:"name" db:"name"`
}

// InForce reports whether the quarantine holds at now.
func (q Quarantine) InForce(now time.Time) bool { return q.EndedAt == nil && now.Before(q.ExpiresAt) }

// Expiring reports whether it is in force and ends within ExpiringSoon.
func (q Quarantine) Expiring(now time.Time) bool {
	return q.InForce(now) && q.ExpiresAt.Sub(now) <= ExpiringSoon
}

// Until is its expiry as a status line says it: 2026-12-31.
func (q Quarantine) Until() string { return q.ExpiresAt.UTC().Format(time.DateOnly) }

// Terms are what a person must give to quarantine something.
type Terms struct {
	Owner     string     `json:"owner"`
	Reason    string     `json:"reason"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// MissingError names a required field that was not given.
type MissingError struct{ Field string }

func (e *MissingError) Error() string {
	return fmt.Sprintf("%s is required: a quarantine needs an owner, a reason and an expiry (expires_at, RFC 3339)", e.Field)
}

// ErrInvalid marks terms that were given but cannot be accepted.
var ErrInvalid = owner.ErrInvalid

// Check validates terms at now, allowing an expiry at most maxAhead away,
// and returns them cleaned (trimmed, expiry in UTC). A missing field is a
// *MissingError naming it; anything else wraps ErrInvalid.
func (t Terms) Check(now time.Time, maxAhead time.Duration) (Terms, error) {
	t.Owner, t.Reason = strings.TrimSpace(t.Owner), strings.TrimSpace(t.Reason)
	switch {
	case t.Owner == "":
		return t, &MissingError{Field: "owner"}
	case t.Reason == "":
		return t, &MissingError{Field: "reason"}
	case t.ExpiresAt == nil || t.ExpiresAt.IsZero():
		return t, &MissingError{Field: "expires_at"}
	}
	if err := owner.Check(t.Owner); err != nil {
		return t, err
	}
	if err := owner.CheckText("reason", t.Reason, 1000); err != nil {
		return t, err
	}
	exp := t.ExpiresAt.UTC()
	switch {
	case !exp.After(now):
		return t, owner.Invalidf("expires_at %s is not in the future", exp.Format(time.RFC3339))
	case exp.Sub(now) > maxAhead:
		return t, owner.Invalidf("expires_at %s is more than %d days ahead; quarantines must end (at most %s)", exp.Format(time.RFC3339), int(maxAhead/(24*time.Hour)), now.Add(maxAhead).UTC().Format(time.RFC3339))
	}
	t.ExpiresAt = &exp
	return t, nil
}

// ReadyToRelease judges whether a quarantined test has passed enough runs
// since its last failure to be released: the test that closes issues
// (stats.Gone).
func ReadyToRelease(beforeFailures, beforeRuns, afterRuns int) stats.GoneCheck {
	return stats.Gone(beforeFailures, beforeRuns, afterRuns)
}

// Covering returns the quarantine in force at now that covers a failure
// of test testID with signature sigID in repo, matched by the rules
// ruleIDs: one on its test or its signature in its repo, or on one of
// those rules; of several, the one that lasts longest. nil when none
// does.
func Covering(qs []Quarantine, repo string, testID, sigID int64, ruleIDs []int64, now time.Time) *Quarantine {
	var best *Quarantine
	for i, q := range qs {
		covers := q.Repo == repo && (q.TestID != 0 && q.TestID == testID || q.SignatureID != 0 && q.SignatureID == sigID)
		for _, id := range ruleIDs {
			covers = covers || q.RuleID != 0 && q.RuleID == id
		}
		if covers && q.InForce(now) && (best == nil || q.ExpiresAt.After(best.ExpiresAt) || q.ExpiresAt.Equal(best.ExpiresAt) && q.ID < best.ID) {
			best = &qs[i]
		}
	}
	return best
}
