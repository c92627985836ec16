package calc

import (
	"fmt"
	"testing"
)

func TestPass(t *testing.T) {
	t.Log("all good")
}

func TestFail(t *testing.T) {
	t.Errorf("got %d, want %d", 2, 3)
}

func TestSkip(t *testing.T) {
	t.Skip("needs Windows")
}

func TestSub(t *testing.T) {
	for _, n := range []int{1, 2, 3} {
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			if n == 2 {
				t.Fatalf("bad n %d", n)
			}
		})
	}
	t.Run("nested", func(t *testing.T) {
		t.Run("deep", func(t *testing.T) {})
	})
}

func TestParallel(t *testing.T) {
	for _, name := range []string{"a", "b"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fmt.Println("output from", name)
		})
	}
}
