package report

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParseMaxBytes(t *testing.T) {
	t.Parallel()
	in := readSample(t, "gotest.json")
	for _, f := range []Format{FormatGoTest, FormatAuto} {
		_, err := Parse(strings.NewReader(in), f, Options{MaxBytes: 1000})
		var pe *ParseError
		if !errors.Is(err, ErrInputTooLarge) || !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want a *ParseError wrapping ErrInputTooLarge", f, err)
		}
	}
	for _, name := range []string{"surefire-rerun.xml", "regrtest-flaky-rerun.txt"} {
		in := readSample(t, name)
		if _, err := Parse(strings.NewReader(in), FormatAuto, Options{MaxBytes: 2000}); !errors.Is(err, ErrInputTooLarge) {
			t.Errorf("%s: error %v, want ErrInputTooLarge", name, err)
		}
		// Exactly at the limit is allowed.
		if _, err := Parse(strings.NewReader(in), FormatAuto, Options{MaxBytes: int64(len(in))}); err != nil {
			t.Errorf("%s at its own size: %v", name, err)
		}
	}
	native := `{"results":[{"test":"a","outcome":"pass"}]}`
	if _, err := Parse(strings.NewReader(native), FormatJSON, Options{MaxBytes: 20}); !errors.Is(err, ErrInputTooLarge) {
		t.Errorf("native: error %v, want ErrInputTooLarge", err)
	}
}

// failingReader returns its error after the data, like a dropped upload.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestParseReadErrorsAreWrapped(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection reset")
	inputs := map[Format]string{
		FormatJUnit:    `<testsuite><testcase name="a.b"/>`,
		FormatGoTest:   `{"Action":"run","Package":"p","Test":"T"}` + "\n",
		FormatRegrtest: "test_a (m.C.test_a) ... ok\n",
		FormatJSON:     `{"results":[`,
	}
	for f, in := range inputs {
		_, err := Parse(&failingReader{data: in, err: cause}, f, Options{})
		var pe *ParseError
		if !errors.Is(err, cause) || !errors.As(err, &pe) {
			t.Errorf("%s: error %v, want a *ParseError wrapping the read error", f, err)
		}
	}
}

func TestParseAutoUnknown(t *testing.T) {
	t.Parallel()
	_, err := Parse(strings.NewReader("make: *** [all] Error 2\n"), FormatAuto, Options{})
	var pe *ParseError
	if !errors.Is(err, ErrUnknownFormat) || !errors.As(err, &pe) {
		t.Fatalf("error %v, want ErrUnknownFormat", err)
	}
	if _, err := Parse(strings.NewReader(""), "yaml", Options{}); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("bad format name: %v", err)
	}
}

func TestParseTruncatedInputs(t *testing.T) {
	t.Parallel()
	// Every prefix of a real report either parses or fails with a position;
	// none panics or returns a bare error.
	for _, name := range []string{"surefire-flaky.xml", "gotest.json", "regrtest-flaky-rerun.txt"} {
		in := readSample(t, name)
		for n := 0; n < len(in); n += 97 {
			_, err := Parse(io.LimitReader(strings.NewReader(in), int64(n)), FormatAuto, Options{})
			var pe *ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Errorf("%s[:%d]: %T %v is not a *ParseError", name, n, err, err)
			}
		}
	}
}
