package report

import (
	"encoding/json"
	"testing"
)

func TestOutcomeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, o := range []Outcome{Pass, Fail, Error, Skip} {
		got, err := ParseOutcome(o.String())
		if err != nil || got != o {
			t.Errorf("ParseOutcome(%q) = %v, %v; want %v", o.String(), got, err, o)
		}
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		var back Outcome
		if err := json.Unmarshal(b, &back); err != nil || back != o {
			t.Errorf("JSON round trip of %v via %s = %v, %v", o, b, back, err)
		}
	}
}

func TestOutcomeInvalid(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "PASS", "passed", "failure", "skipped", " pass"} {
		if o, err := ParseOutcome(name); err == nil {
			t.Errorf("ParseOutcome(%q) = %v, want error", name, o)
		}
	}
	if _, err := json.Marshal(Outcome(0)); err == nil {
		t.Error("marshalling the zero Outcome succeeded, want error")
	}
	if s := Outcome(9).String(); s != "Outcome(9)" {
		t.Errorf("Outcome(9).String() = %q", s)
	}
}

func TestOutcomeFailedAndWorse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b, want Outcome
	}{
		{Pass, Fail, Fail}, {Fail, Error, Error}, {Error, Fail, Error}, {Skip, Pass, Pass}, {0, Skip, Skip},
	}
	for _, tt := range tests {
		if got := worse(tt.a, tt.b); got != tt.want {
			t.Errorf("worse(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	if Pass.Failed() || Skip.Failed() || !Fail.Failed() || !Error.Failed() {
		t.Error("Failed() must be true exactly for fail and error")
	}
}
