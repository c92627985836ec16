package signature

import "strings"

// Explanation says how Compute signed a text, line by line, so that a
// person can see why two failures did or did not group.
type Explanation struct {
	Signature Signature `json:"signature"`
	// Format is the format that picked the key lines ("python", "go-test",
	// "rust-panic", …, or "log" when none matched).
	Format string `json:"format"`
	// Lines covers every line of the text, in order; a run of lines left
	// out of the window is one entry.
	Lines []LineNote `json:"lines"`
	// Derived are key lines that no single line of the text gave, such as
	// the type an exception chain surfaced as.
	Derived []KeyLine `json:"derived,omitempty"`
}

// LineNote is what became of one line of the text, or of a run of lines.
type LineNote struct {
	// Line is the 1-based line number in the text.
	Line int `json:"line"`
	// Count is the number of lines in a run left out, when more than one.
	Count int `json:"count,omitempty"`
	// Text is the line as given, clipped to MaxTitle bytes.
	Text string `json:"text,omitempty"`
	// Prefix is the log prefix (timestamp, CI tag) that was removed.
	Prefix string `json:"prefix,omitempty"`
	// Kept are the key lines made from this line.
	Kept []KeyLine `json:"kept,omitempty"`
	// Dropped says why the line is not part of the signature: "outside
	// the window", "blank", "doubled line break", "markup" (a markdown
	// fence, a <details> tag), "log prefix only", "noise" (runner
	// chatter), "duplicate" or "not a key line".
	Dropped string `json:"dropped,omitempty"`
}

// KeyLine is one line of the hashed text and what masking did to it.
type KeyLine struct {
	Normalized string `json:"normalized"`
	Masks      []Mask `json:"masks,omitempty"`
	// Note says what else was left out of the line's hashed form.
	Note string `json:"note,omitempty"`
	// Duplicate is set when the line equals the key line before it and
	// was therefore not hashed again.
	Duplicate bool `json:"duplicate,omitempty"`
}

// explainer collects an Explanation while Compute's steps run.
type explainer struct {
	notes   []LineNote
	win     []int // window line index -> index in notes
	derived []KeyLine
}

// Explain signs text as Compute does and says, line by line, what was
// kept, what was masked and why, and what was dropped and why.
func Explain(text string) Explanation {
	if strings.TrimSpace(text) == "" {
		return Explanation{Signature: Compute(text), Format: "empty"}
	}
	ex := &explainer{}
	var k key
	k.ex = ex
	k.lines = window(text, ex)
	k.cut = cutLine(text, k.lines)
	k.detect()
	ex.finish(k.lines)
	return Explanation{Signature: k.sign(), Format: k.kind, Lines: ex.notes, Derived: ex.derived}
}

// start numbers the lines of the window; skipped bytes at offset at of
// the original text were left out of its middle.
func (ex *explainer) start(orig string, raw []string, skipped, at int) {
	headLines := len(raw)
	gap := 0
	if skipped > 0 {
		headLines = strings.Count(orig[:at], "\n") + 1
		gap = strings.Count(orig[at:at+skipped+1], "\n") - 1
	}
	for i, l := range raw {
		n := i + 1
		if i >= headLines {
			n += gap
		}
		if i == headLines && gap > 0 {
			ex.notes = append(ex.notes, LineNote{Line: headLines + 1, Count: gap, Dropped: "outside the window"})
		}
		ex.win = append(ex.win, len(ex.notes))
		ex.notes = append(ex.notes, LineNote{Line: n, Text: clip(strings.ToValidUTF8(l, "\uFFFD"), MaxTitle)})
	}
}

// dropMiddle records that window lines [a, b) were left out.
func (ex *explainer) dropMiddle(a, b int) {
	for i := a; i < b; i++ {
		ex.notes[ex.win[i]].Dropped = "outside the window"
	}
	ex.win = append(ex.win[:a], ex.win[b:]...)
}

// dropOdd records that the odd lines of a window of n lines, the blank
// lines a doubled paste put there, were left out.
func (ex *explainer) dropOdd(n int) {
	keep := ex.win[:0]
	for i, w := range ex.win[:n] {
		if i%2 == 0 {
			keep = append(keep, w)
		} else {
			ex.notes[w].Dropped = "doubled line break"
		}
	}
	ex.win = keep
}

// markup records that window line i was issue-tracker markup.
func (ex *explainer) markup(i int) {
	ex.notes[ex.win[i]].Dropped = "markup"
}

func (ex *explainer) prefix(i int, p string) {
	ex.notes[ex.win[i]].Prefix = strings.ToValidUTF8(strings.TrimSpace(p), "\uFFFD")
}

// keyLine records a key line made from window line src (-1: derived).
func (ex *explainer) keyLine(src int, l string, masks []Mask, note string, dup bool) {
	kl := KeyLine{Normalized: strings.ToValidUTF8(l, "\uFFFD"), Masks: masks, Note: note, Duplicate: dup}
	for i := range kl.Masks {
		kl.Masks[i].Text = strings.ToValidUTF8(kl.Masks[i].Text, "\uFFFD")
	}
	if src < 0 || src >= len(ex.win) {
		ex.derived = append(ex.derived, kl)
		return
	}
	n := &ex.notes[ex.win[src]]
	n.Kept = append(n.Kept, kl)
}

// finish says why each line that gave no key line was dropped.
func (ex *explainer) finish(lines []string) {
	for i, l := range lines {
		n := &ex.notes[ex.win[i]]
		t := strings.TrimSpace(l)
		switch {
		case n.Dropped != "":
		case len(n.Kept) > 0:
			if allDuplicate(n.Kept) {
				n.Dropped = "duplicate"
			}
		case t == "" && n.Prefix != "":
			n.Dropped = "log prefix only"
		case t == "":
			n.Dropped = "blank"
		case noiseLine(t):
			n.Dropped = "noise"
		default:
			n.Dropped = "not a key line"
		}
	}
}

func allDuplicate(kl []KeyLine) bool {
	for _, k := range kl {
		if !k.Duplicate {
			return false
		}
	}
	return true
}
