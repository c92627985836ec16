// Package streamtest is the shared stream suite of the proactor backends: a
// plain net.Conn peer sends and checks a seeded byte pattern while a
// transport under a seeded pause/resume/swap schedule receives it, so the
// same assertions run on emu (everywhere) and iocp (Windows, Wine in CI).
package streamtest

// PatternByte is the byte at stream offset off of the stream named by seed.
// Neighbouring offsets differ, so loss, duplication and reordering all show.
func PatternByte(seed uint64, off int64) byte {
	z := uint64(off) + seed*0x9e3779b97f4a7c15
	z = (z ^ z>>31) * 0xbf58476d1ce4e5b9
	return byte(z >> 56)
}

// Fill writes the pattern for [off, off+len(b)) into b.
func Fill(seed uint64, off int64, b []byte) {
	for i := range b {
		b[i] = PatternByte(seed, off+int64(i))
	}
}

// FirstMismatch returns the first index where b differs from the pattern
// starting at off, or -1.
func FirstMismatch(seed uint64, off int64, b []byte) int {
	for i := range b {
		if b[i] != PatternByte(seed, off+int64(i)) {
			return i
		}
	}
	return -1
}
