package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/localpg"
	"github.com/triaged/triaged/internal/store"
)

// Exit codes, part of triaged's stable command-line surface.
const (
	exitOK       = 0 // ran and nothing failed
	exitFailures = 1 // ran and found failures
	exitUsage    = 2 // bad usage or configuration
	exitInternal = 3 // internal or environment error
)

// errFailuresFound makes a command exit 1 after it has reported its findings.
var errFailuresFound = errors.New("failures found")

// exitCode maps a command's error to the process exit code and prints a
// one-line reason for anything but success or found failures.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFailuresFound):
		return exitFailures
	}
	fmt.Fprintln(stderr, "triaged:", oneLine(err))
	var usage *config.UsageError
	var cfg *store.ConfigError
	switch {
	case errors.As(err, &usage), errors.As(err, &cfg),
		errors.Is(err, localpg.ErrNoBinaries), errors.Is(err, store.ErrSchemaTooNew), errors.Is(err, errConfig):
		return exitUsage
	}
	return exitInternal
}

// errConfig marks configuration problems found outside flag parsing, such as
// an unusable data directory.
var errConfig = errors.New("configuration")

// oneLine folds a multi-line error (initdb output, a log tail) onto one line,
// so scripts can rely on a single reason line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", " | ")), " ")
}
