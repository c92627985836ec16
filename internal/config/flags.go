// Package config parses triaged's command-line flags once into plain structs.
//
// Every flag can also be set from the environment as TRIAGED_<FLAG> in upper
// snake case (--database-url reads TRIAGED_DATABASE_URL). Flags named as
// secrets can instead name a file through TRIAGED_<FLAG>_FILE, so tokens do
// not have to sit in a process's environment. A flag given on the command line
// wins over the environment.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
)

// UsageError is a problem with how triaged was invoked: a bad flag, a missing
// argument, an invalid value. The command exits 2 and prints it on one line.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// EnvName returns the environment variable that backs a flag.
func EnvName(flagName string) string {
	return "TRIAGED_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// NewFlagSet returns a flag set that reports errors instead of exiting and
// whose usage text lists the environment variable of every flag.
func NewFlagSet(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s\n\n", synopsis)
		fmt.Fprintln(out, "Flags (each also read from the environment variable shown):")
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				def = fmt.Sprintf(" (default %q)", f.DefValue)
			}
			fmt.Fprintf(out, "  --%s  [%s]%s\n      %s\n", f.Name, EnvName(f.Name), def, f.Usage)
		})
	}
	return fs
}

// Parse parses args into fs, then fills every flag not given on the command
// line from its environment variable. Flags listed in secrets may also be read
// from the file named by <ENV>_FILE. A help request returns flag.ErrHelp.
func Parse(fs *flag.FlagSet, args []string, getenv func(string) string, secrets ...string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{Err: err}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	isSecret := map[string]bool{}
	for _, s := range secrets {
		isSecret[s] = true
	}
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		env := EnvName(f.Name)
		v, ok := getenv(env), getenv(env) != ""
		if !ok && isSecret[f.Name] {
			if path := getenv(env + "_FILE"); path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", env, err))
					return
				}
				v, ok = strings.TrimSpace(string(b)), true
			}
		}
		if !ok {
			return
		}
		if err := f.Value.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", env, v, err))
		}
	})
	if len(errs) > 0 {
		return &UsageError{Err: errors.Join(errs...)}
	}
	return nil
}

// SplitList reads a list as flags, environment variables and form fields
// spell one: items separated by commas and/or spaces, empty items dropped.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}
