package auth

import (
	"sync"
	"time"

	"github.com/triaged/triaged/internal/store"
)

// cacheTTL bounds how long a revoked token or a disabled runner may still be
// accepted by a replica; in exchange, runners and uploaders that call many
// times a second cost no database round trip per request.
const cacheTTL = 5 * time.Second

// cacheMax bounds the cache; it is cleared when full rather than tracking
// recency, since entries expire within seconds anyway.
const cacheMax = 10_000

// cache remembers recently accepted tokens by hash. gen counts forgets, so
// that a lookup that began before a revocation cannot put its stale answer
// back after the forget.
type cache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
	gen     uint64
}

type cacheEntry struct {
	p       store.Principal
	expires time.Time
}

// get returns the cached principal of hash, if any, and the generation to
// hand put after looking it up in the store.
func (c *cache) get(hash []byte) (store.Principal, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[string(hash)]
	if !ok || time.Now().After(e.expires) {
		return store.Principal{}, c.gen, false
	}
	return e.p, c.gen, true
}

// put caches p unless the cache was cleared since get returned gen.
func (c *cache) put(hash []byte, p store.Principal, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= cacheMax {
		c.entries = make(map[string]cacheEntry)
	}
	c.entries[string(hash)] = cacheEntry{p: p, expires: time.Now().Add(cacheTTL)}
}

// forget drops every cached entry, so a revocation or a disabled runner
// takes effect at once on this replica.
func (c *cache) forget() {
	c.mu.Lock()
	c.entries = nil
	c.gen++
	c.mu.Unlock()
}
