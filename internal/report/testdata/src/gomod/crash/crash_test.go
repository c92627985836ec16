package crash

import "testing"

func TestBefore(t *testing.T) {}

func TestPanic(t *testing.T) {
	var m map[string]int
	m["x"] = 1
}

func TestNeverRuns(t *testing.T) {}
