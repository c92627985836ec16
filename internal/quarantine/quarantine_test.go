package quarantine

import (
	"errors"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	tests := []struct {
		name        string
		terms       Terms
		wantMissing string
		wantInvalid bool
	}{
		{"complete", Terms{Owner: "octocat", Reason: "DNS in CI", ExpiresAt: at(30 * 24 * time.Hour)}, "", false},
		{"no owner", Terms{Reason: "r", ExpiresAt: at(time.Hour)}, "owner", false},
		{"blank reason", Terms{Owner: "o", Reason: "  ", ExpiresAt: at(time.Hour)}, "reason", false},
		{"no expiry", Terms{Owner: "o", Reason: "r"}, "expires_at", false},
		{"past expiry", Terms{Owner: "o", Reason: "r", ExpiresAt: at(-time.Minute)}, "", true},
		{"91 days", Terms{Owner: "o", Reason: "r", ExpiresAt: at(91 * 24 * time.Hour)}, "", true},
		{"90 days", Terms{Owner: "o", Reason: "r", ExpiresAt: at(90 * 24 * time.Hour)}, "", false},
		{"owner on two lines", Terms{Owner: "a\nb", Reason: "r", ExpiresAt: at(time.Hour)}, "", true},
	}
	for _, tt := range tests {
		_, err := tt.terms.Check(now, DefaultMaxAhead)
		var missing *MissingError
		switch {
		case tt.wantMissing != "":
			if !errors.As(err, &missing) || missing.Field != tt.wantMissing {
				t.Errorf("%s: %v, want %s missing", tt.name, err, tt.wantMissing)
			}
		case tt.wantInvalid:
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: %v, want invalid", tt.name, err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

func TestCovering(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	ended := now.Add(-time.Hour)
	qs := []Quarantine{
		{ID: 1, Repo: "a/b", TestID: 7, ExpiresAt: now.Add(48 * time.Hour)},
		{ID: 2, Repo: "a/b", SignatureID: 9, ExpiresAt: now.Add(72 * time.Hour)},
		{ID: 3, RuleID: 4, ExpiresAt: now.Add(24 * time.Hour)},
		{ID: 4, Repo: "a/b", TestID: 8, ExpiresAt: now.Add(24 * time.Hour), EndedAt: &ended},
		{ID: 5, Repo: "c/d", TestID: 7, ExpiresAt: now.Add(96 * time.Hour)},
	}
	for _, tt := range []struct {
		name      string
		test, sig int64
		rules     []int64
		want      int64
		at        time.Time
	}{
		{"test", 7, 1, nil, 1, now},
		{"test and signature: the longer", 7, 9, nil, 2, now},
		{"rule", 1, 1, []int64{4}, 3, now},
		{"ended", 8, 1, nil, 0, now},
		{"expired by now", 7, 1, nil, 0, now.Add(49 * time.Hour)},
		{"other repo's test", 6, 1, nil, 0, now},
	} {
		got := Covering(qs, "a/b", tt.test, tt.sig, tt.rules, tt.at)
		if (got == nil) != (tt.want == 0) || got != nil && got.ID != tt.want {
			t.Errorf("%s: Covering = %+v, want #%d", tt.name, got, tt.want)
		}
	}
}
