package store

import "time"

// WithClock returns a store on the same connections whose clock is now:
// quarantine expiry, issue timing and what is "in force" read it, so
// tests can move time. Rows still get the database's own timestamps
// where nothing is decided by them.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// Now is the store's clock: time.Now unless WithClock set another.
func (s *Store) Now() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}
