package detect

import (
	"encoding/binary"
	"hash/crc32"
	"math/bits"
)

// Payload bytes are a pure function of (seed, stream, offset). Byte j of the
// payload of frame k is base[j] XOR byte j%8 of word(k), where base is a
// pseudo-random run shared by the frames of a stream and word(k) a
// pseudo-random word per frame. Both come from a counter-based mixer keyed
// by seed and stream.
//
// This shape is what makes the detector cheap enough to leave on: checking
// a payload is two loads and an XOR per eight bytes, and because CRC32C is
// affine, the CRC of any frame's payload is CRC(base) XOR one precomputed
// term per set bit of word(k), so neither side runs a CRC over the payload.

const golden uint64 = 0x9E3779B97F4A7C15

func mix(z uint64) uint64 {
	z = (z ^ z>>32) * 0xD6E8FEB86659FD93
	z = (z ^ z>>32) * 0xD6E8FEB86659FD93
	return z ^ z>>32
}

func streamKey(seed uint64, stream uint32) uint64 {
	return mix(seed ^ mix(uint64(stream)+0x632BE59BD9B4E019))
}

// pattern derives the payloads of one stream.
type pattern struct {
	key  uint64
	base []byte // eight bytes longer than the longest payload, for word loads
	sums map[int64]*sums
}

// sums are the CRC32C terms for payloads of one length.
type sums struct {
	base  uint32     // CRC32C of base[:n]
	basis [64]uint32 // change to the CRC when bit b of the frame word is set
}

func newPattern(key uint64, l *layout) *pattern {
	n := max(l.size, l.last) - Overhead
	p := &pattern{key: key, base: make([]byte, n+8), sums: map[int64]*sums{}}
	for i := 0; i+8 <= len(p.base); i += 8 {
		binary.LittleEndian.PutUint64(p.base[i:], mix(key+uint64(i/8)*golden))
	}
	return p
}

func (p *pattern) word(k int64) uint64 {
	return mix(p.key ^ (uint64(k)+1)*0xBF58476D1CE4E5B9)
}

// fill writes payload bytes j, j+1, ... of frame k to dst.
func (p *pattern) fill(dst []byte, k, j int64) {
	c := bits.RotateLeft64(p.word(k), -8*int(j&7))
	b := p.base[j : j+int64(len(dst))+8]
	i := 0
	for ; i+8 <= len(dst); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:i+8], binary.LittleEndian.Uint64(b[i:i+8])^c)
	}
	for ; i < len(dst); i++ {
		dst[i] = b[i] ^ byte(c>>(8*(i&7)))
	}
}

// match returns the length of the prefix of q that equals payload bytes j,
// j+1, ... of frame k.
func (p *pattern) match(q []byte, k, j int64) int {
	c := bits.RotateLeft64(p.word(k), -8*int(j&7))
	b := p.base[j : j+int64(len(q))+8]
	i := 0
	// Four words per round with one branch.
	for ; i+32 <= len(q); i += 32 {
		qq, bb := q[i:i+32], b[i:i+32] // one bounds check per round
		x := binary.LittleEndian.Uint64(qq[0:8]) ^ binary.LittleEndian.Uint64(bb[0:8]) ^ c
		x |= binary.LittleEndian.Uint64(qq[8:16]) ^ binary.LittleEndian.Uint64(bb[8:16]) ^ c
		x |= binary.LittleEndian.Uint64(qq[16:24]) ^ binary.LittleEndian.Uint64(bb[16:24]) ^ c
		x |= binary.LittleEndian.Uint64(qq[24:32]) ^ binary.LittleEndian.Uint64(bb[24:32]) ^ c
		if x != 0 {
			break
		}
	}
	for ; i+8 <= len(q); i += 8 {
		if x := binary.LittleEndian.Uint64(q[i:]) ^ binary.LittleEndian.Uint64(b[i:]) ^ c; x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for ; i < len(q); i++ {
		if q[i] != b[i]^byte(c>>(8*(i&7))) {
			return i
		}
	}
	return len(q)
}

// sum returns the CRC32C of the n-byte payload of frame k.
func (p *pattern) sum(k, n int64) uint32 {
	s := p.sums[n]
	if s == nil {
		s = p.newSums(n)
		p.sums[n] = s
	}
	crc := s.base
	for w := p.word(k); w != 0; w &= w - 1 {
		crc ^= s.basis[bits.TrailingZeros64(w)]
	}
	return crc
}

// newSums precomputes the CRC terms for payloads of n bytes. CRC32C is
// affine: crc(a^b) = crc(a)^crc(b)^crc(zeros), so the contribution of the
// frame word is linear in its bits.
func (p *pattern) newSums(n int64) *sums {
	s := &sums{base: crc32.Checksum(p.base[:n], castagnoli)}
	buf := make([]byte, n)
	zero := crc32.Checksum(buf, castagnoli)
	for b := range 64 {
		lane, bit := int64(b/8), byte(1)<<(b%8)
		for i := lane; i < n; i += 8 {
			buf[i] = bit
		}
		s.basis[b] = crc32.Checksum(buf, castagnoli) ^ zero
		for i := lane; i < n; i += 8 {
			buf[i] = 0
		}
	}
	return s
}
