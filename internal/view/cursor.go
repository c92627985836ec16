package view

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/triaged/triaged/internal/store"
)

// cursor is where the next page of a list starts, and what the first page
// was read as of: the time its default window and impact were reckoned
// from, and the newest result it counted. It travels as base64url JSON:
// opaque to clients, and checked field by field when it comes back, so a
// cursor that is not one a list gave is a 400, never a 500.
type cursor struct {
	V    int    `json:"v"`
	Hash string `json:"h"` // of the list and its filters: a cursor is for one query
	AsOf int64  `json:"a"` // Unix nanoseconds
	Mark int64  `json:"w"`
	Seg  int    `json:"s,omitempty"`
	Key  string `json:"k,omitempty"`
	ID   int64  `json:"i,omitempty"`
	Tie  string `json:"t,omitempty"`
}

const cursorVersion = 1

// badCursor is the error for any cursor that does not check out.
func badCursor(why string) error {
	return badParam("cursor", "%s; follow next_cursor as the list gave it, or start again without a cursor", why)
}

// filterHash identifies a list and its filters (the sort included, the
// page size and cursor not).
func filterHash(f Filter) string {
	q := f.Values()
	q.Del("limit")
	q.Set("sort", f.sort())
	h := sha256.Sum256([]byte(string(f.List) + "\x00" + q.Encode()))
	return hex.EncodeToString(h[:8])
}

// encode makes c the next_cursor of a page of f's list.
func (c cursor) encode(f Filter) string {
	c.V, c.Hash = cursorVersion, filterHash(f)
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads f's cursor; ok is false without one. now bounds the
// time it claims.
func decodeCursor(f Filter, now time.Time) (c cursor, ok bool, err error) {
	if f.Cursor == "" {
		return c, false, nil
	}
	if len(f.Cursor) > 4096 {
		return c, false, badCursor("too long")
	}
	raw, err := base64.RawURLEncoding.DecodeString(f.Cursor)
	if err != nil {
		return c, false, badCursor("not a cursor")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil || dec.More() {
		return c, false, badCursor("not a cursor")
	}
	switch {
	case c.V != cursorVersion:
		return c, false, badCursor("from another version of triaged")
	case c.Hash != filterHash(f):
		return c, false, badCursor("it belongs to other filters or another sort")
	case c.AsOf < 946684800e9 || c.AsOf > now.Add(time.Hour).UnixNano():
		return c, false, badCursor("its time is out of range")
	case c.Mark < 0 || c.ID < 0 || c.Seg < 0 || c.Seg > 1 || len(c.Key) > 1000 || len(c.Tie) > 1000:
		return c, false, badCursor("a field is out of range")
	}
	return c, true, nil
}

// asOf is the time the cursor's first page was read.
func (c cursor) asOf() time.Time { return time.Unix(0, c.AsOf).UTC() }

// numericKey checks a key that must be a number (or empty, for rows
// without figures).
func numericKey(k string) error {
	if k == "" {
		return nil
	}
	x, err := strconv.ParseFloat(k, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) || len(k) > 60 {
		return badCursor("its key is not a number")
	}
	return nil
}

// listKey is the store's form of the cursor's position.
func (c cursor) listKey() *store.ListKey {
	return &store.ListKey{Seg: c.Seg, Key: c.Key, ID: c.ID, Tie: c.Tie}
}

// firstPage returns the time and result mark a list is read as of: the
// cursor's, or now and the newest result for a first page. A cursor whose
// first page is more than staleMark results old is refused: later pages
// take away what arrived since, and that must stay cheap.
func (v *Views) firstPage(ctxMark func() (int64, error), c cursor, ok bool) (time.Time, int64, error) {
	mark, err := ctxMark()
	if err != nil {
		return time.Time{}, 0, err
	}
	if !ok {
		return v.now().UTC(), mark, nil
	}
	switch {
	case c.Mark > mark:
		return time.Time{}, 0, badCursor("it counts results this server does not have")
	case mark-c.Mark > staleMark:
		return time.Time{}, 0, badCursor("the list has changed too much since its first page")
	}
	return c.asOf(), c.Mark, nil
}
