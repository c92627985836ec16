// Package detect finds data loss in byte streams. A sender writes a framed,
// deterministic stream made by a Generator; a Receiver fed whatever the
// transport under test delivers reports every lost, duplicated, reordered,
// corrupted, misdelivered or late byte, and stalls, with the stream offset
// and the received position that explain it. It is cheap enough to leave on
// in every stress run.
//
// # Stream format
//
// A stream is a run of frames: a 44-byte header (magic "TRGF", version,
// flags, stream id, payload length, sequence, stream offset of the payload,
// total stream length, header CRC32C, all little-endian), the payload, and
// the payload's CRC32C. Every frame has the same size except the last, which
// carries FlagLast. Payload bytes are a pure function of (seed, stream,
// offset), so any byte can be checked on its own. Offsets are wire offsets:
// positions in the byte stream the sender wrote, headers included, so a lost
// read buffer of n bytes is a lost range of n bytes.
//
// # Findings
//
// Each Anomaly has a Kind, the sent-stream Offset and Length it concerns,
// the received Position (bytes fed before it; for lost bytes, before the
// first byte after the gap) and the Phase label set with SetPhase when that
// byte arrived. A scenario maps Position to the read operation of its
// transport trace. Lost bytes stay provisional until the report: a range
// that arrives later is reported as reordered instead.
//
// After a mismatch the receiver buffers bytes until the next valid frame
// header, which says where the stream resumed; it then places the bytes in
// between one by one, and looks up runs that fit neither side (a short
// reordered chunk, the bytes between two close gaps) in the stream nearby.
// A read buffer that vanished from the middle of the stream is thus one
// lost-bytes anomaly with the exact first missing offset and count,
// whatever the alignment of the buffer to the frames.
//
// Where the bytes on both sides of a boundary happen to coincide (for random
// payload, about one boundary in 256), more than one account fits the data.
// The receiver then puts the boundary as late as the data allows, except
// that a valid frame header beginning inside the header it was reading wins
// (headers are accepted whole).
//
// # Known limitations
//
//   - Placing bytes needs a valid header after the damage, and a run of at
//     least 32 bytes to look up anything that fits neither side of it,
//     within two frames and 64 KiB. Shorter or farther runs are reported
//     as corrupt (with a lost or duplicate range beside them). Up to four
//     frames are buffered waiting for a header; older bytes are given up
//     as corrupt.
//   - When bytes coincide at the boundaries of a swap or a splice (see
//     above), a few extra bytes may be reported as duplicate and lost.
//   - Without Config.Total and Config.FrameSize the geometry is learnt from
//     the first valid header, and bytes before it cannot be checked.
//     Scenarios know the geometry and should pass it.
//   - Headers do not depend on the seed: a frame of the same stream id and
//     geometry but another seed is reported as corrupt, not misdelivered.
//     Misdelivered frames are passed over without checking their payload.
//   - Bytes past the declared end wait for CloseEOF to be classified (they
//     may be a duplicate of the tail); before it they count as pending.
//   - Stalls are detected at the granularity of Check calls.
package detect
