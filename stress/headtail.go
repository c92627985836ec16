package stress

import (
	"fmt"
	"sync"
)

// headTail keeps the first and last max/2 bytes written to it, so a command
// that prints gigabytes cannot exhaust memory and the summary at the end
// survives.
type headTail struct {
	mu      sync.Mutex
	max     int
	head    []byte
	tail    []byte // ring, used once head is full
	start   int    // oldest byte of tail when it is full
	dropped int64
}

func (h *headTail) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(p)
	half := h.max / 2
	if room := half - len(h.head); room > 0 {
		k := min(room, len(p))
		h.head = append(h.head, p[:k]...)
		p = p[k:]
	}
	for len(p) > 0 {
		if len(h.tail) < half {
			k := min(half-len(h.tail), len(p))
			h.tail = append(h.tail, p[:k]...)
			p = p[k:]
			continue
		}
		k := min(half-h.start, len(p))
		copy(h.tail[h.start:], p[:k])
		h.dropped += int64(k)
		h.start = (h.start + k) % half
		p = p[k:]
	}
	return n, nil
}

// Bytes returns what was kept, with a marker where bytes were dropped.
func (h *headTail) Bytes() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := append([]byte(nil), h.head...)
	if h.dropped > 0 {
		out = fmt.Appendf(out, "\n… [%d bytes of output cut]\n", h.dropped)
	}
	out = append(out, h.tail[h.start:]...)
	return append(out, h.tail[:h.start]...)
}
