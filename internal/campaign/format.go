package campaign

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/triaged/triaged/internal/report"
)

// FormatAuto is the default format of an exec campaign: the output is
// sniffed.
const FormatAuto = report.FormatAuto

// Format says how an exec campaign's results are read: a report format
// parsed from the command's output, or a JUnit file the command writes.
type Format struct {
	Report report.Format
	// JUnitPath, when set, names the JUnit file the command writes,
	// relative to its working directory; "{iteration}" in it is replaced
	// by the iteration number.
	JUnitPath string
}

// ParseFormat reads a format as the CLI, the API and the form spell it:
// a report format name ("auto", "gotest", …), or junit=PATH.
func ParseFormat(s string) (Format, error) {
	if name, path, ok := strings.Cut(s, "="); ok {
		if name != "junit" || path == "" {
			return Format{}, fmt.Errorf("format %q: the only NAME=VALUE form is junit=PATH", s)
		}
		if filepath.IsAbs(path) || strings.Contains(filepath.ToSlash(path), "..") || strings.ContainsRune(path, 0) {
			return Format{}, fmt.Errorf("format %q: the JUnit path must be relative to the test's directory, without ..", s)
		}
		return Format{Report: report.FormatJUnit, JUnitPath: path}, nil
	}
	f, err := report.ParseFormat(s)
	switch {
	case err != nil:
		return Format{}, fmt.Errorf("format: %w; or junit=PATH for a JUnit file the command writes", err)
	case f == report.FormatJUnit:
		return Format{}, fmt.Errorf("format %q: say which file the command writes: junit=PATH", s)
	}
	return Format{Report: f}, nil
}

// String spells the format as ParseFormat reads it.
func (f Format) String() string {
	if f.JUnitPath != "" {
		return "junit=" + f.JUnitPath
	}
	return string(f.Report)
}

// FormatHelp lists the formats an exec campaign reads, for a flag's help:
// "auto, junit=PATH, json, gotest, …".
func FormatHelp() string {
	var names []string
	for _, fi := range report.Formats() {
		if fi.Format == report.FormatJUnit {
			names = append(names, "junit=PATH")
			continue
		}
		names = append(names, string(fi.Format))
	}
	return strings.Join(names, ", ")
}
