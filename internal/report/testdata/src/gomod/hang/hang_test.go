package hang

import (
	"testing"
	"time"
)

func TestQuick(t *testing.T) {}

func TestHang(t *testing.T) {
	t.Log("waiting for a Future that never completes")
	time.Sleep(time.Minute)
}
