package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// emit turns a testcase into results. Surefire's flakyFailure/flakyError
// elements are earlier failed attempts of a test that finally passed, and
// rerunFailure/rerunError later failed attempts of one that kept failing, so
// each becomes its own result with its Attempt number.
func (p *juParser) emit(cs *juCase) error {
	if cs.id == "" {
		// regrtest writes an empty <testcase/> for a test whose subtests
		// failed; there is nothing to attribute it to.
		return nil
	}
	main := Result{Test: cs.id, Outcome: Pass, Duration: cs.dur}
	var texts []string
	var before, after []*juVerdict
	for _, v := range cs.verdicts {
		switch v.kind {
		case "failure":
			main.Outcome = worse(main.Outcome, Fail)
			texts = append(texts, v.text())
		case "error":
			main.Outcome = worse(main.Outcome, Error)
			texts = append(texts, v.text())
		case "skipped":
			if main.Outcome == Pass {
				main.Outcome = Skip
			}
		case "outcome":
			// regrtest marks an unexpected success this way; unittest counts
			// it as a failure.
			if strings.TrimSpace(v.body.String()) == regrtestUnexpectedSuccess {
				main.Outcome = worse(main.Outcome, Fail)
				texts = append(texts, "unexpected success")
			}
		case "flakyFailure", "flakyError":
			before = append(before, v)
		case "rerunFailure", "rerunError":
			after = append(after, v)
		}
	}
	main.FailureText = capString(strings.Join(texts, "\n\n"), p.c.opts.MaxFailureText)
	main.Output = joinOutput(cs.stdout, cs.stderr)
	attempt := 0
	for _, v := range before {
		if err := p.c.add(v.result(cs.id, attempt), cs.line, cs.off); err != nil {
			return err
		}
		attempt++
	}
	main.Attempt = attempt
	if err := p.c.add(main, cs.line, cs.off); err != nil {
		return err
	}
	for _, v := range after {
		attempt++
		if err := p.c.add(v.result(cs.id, attempt), cs.line, cs.off); err != nil {
			return err
		}
	}
	return nil
}

func (v *juVerdict) result(id string, attempt int) Result {
	o := Fail
	if strings.HasSuffix(v.kind, "Error") {
		o = Error
	}
	return Result{Test: id, Outcome: o, FailureText: v.text(), Output: joinOutput(v.stdout, v.stderr), Attempt: attempt}
}

// text combines a verdict's message, type and body. The body is usually the
// full traceback and already contains the message; when it does not, the
// message goes first so the text still says what failed.
func (v *juVerdict) text() string {
	body := strings.TrimSpace(v.body.String())
	msg := strings.TrimSpace(v.message)
	switch {
	case body == "" && msg == "":
		return v.typ
	case body == "":
		if v.typ != "" && !strings.HasPrefix(msg, v.typ) {
			return v.typ + ": " + msg
		}
		return msg
	case msg != "" && msg != "Failed" && !strings.Contains(body, msg):
		// gotestsum's message is always "Failed", which adds nothing.
		return msg + "\n" + body
	}
	return body
}

func joinOutput(stdout, stderr *cappedText) string {
	var parts []string
	for _, t := range []*cappedText{stdout, stderr} {
		if t != nil {
			if s := strings.TrimRight(t.String(), "\n"); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, "\n")
}

// charsetReader lets reports declare ISO-8859-1 (older Ant and Surefire
// versions did); encoding/xml reads only UTF-8 itself.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii":
		return &latin1Reader{r: input}, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q (use UTF-8)", charset)
}

// latin1Reader converts ISO-8859-1 bytes to UTF-8.
type latin1Reader struct {
	r   io.Reader
	buf []byte
	out []byte
	pos int
}

func (l *latin1Reader) Read(p []byte) (int, error) {
	if l.pos == len(l.out) {
		if l.buf == nil {
			l.buf = make([]byte, 4096)
		}
		n, err := l.r.Read(l.buf)
		l.out, l.pos = l.out[:0], 0
		for _, b := range l.buf[:n] {
			l.out = utf8.AppendRune(l.out, rune(b))
		}
		if n == 0 {
			return 0, err
		}
	}
	n := copy(p, l.out[l.pos:])
	l.pos += n
	return n, nil
}
