package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/triaged/triaged/internal/config"
	"github.com/triaged/triaged/internal/signature"
)

// maxSignatureInput bounds what `triaged signature` reads of one file; the
// signature only looks at the tail that identifies the failure anyway.
const maxSignatureInput = 64 << 20

// signatureLine is one line of `triaged signature` output. Its fields
// file, signature, title, algorithm and normalized are a stable surface;
// explanation is there only with --explain.
type signatureLine struct {
	File string `json:"file"`
	signature.Signature
	Explanation *signature.Explanation `json:"explanation,omitempty"`
}

func runSignature(_ context.Context, io stdio, args []string) error {
	fs := config.NewFlagSet("signature", "triaged signature [--json] [--explain] [FILE…]   (stdin when no file)", io.err)
	asJSON := fs.Bool("json", false, "print one JSON object a line: file, signature, title, algorithm, normalized")
	explain := fs.Bool("explain", false, "show, line by line, what was kept, what was masked and why, and what was dropped and why")
	if err := config.Parse(fs, args, io.getenv); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	enc := json.NewEncoder(io.out)
	enc.SetEscapeHTML(false)
	for _, name := range files {
		text, err := readInput(name, io.in)
		if err != nil {
			return config.Usagef("%v", err)
		}
		line := signatureLine{File: name}
		if *explain {
			ex := signature.Explain(text)
			line.Signature, line.Explanation = ex.Signature, &ex
		} else {
			line.Signature = signature.Compute(text)
		}
		switch {
		case *asJSON:
			if err := enc.Encode(line); err != nil {
				return err
			}
		case *explain:
			if err := writeExplanation(io.out, name, line.Explanation); err != nil {
				return err
			}
		default:
			fmt.Fprintf(io.out, "%s  %s  %s\n", line.Hash, name, line.Title)
		}
	}
	return nil
}

func readInput(name string, stdin io.Reader) (string, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSignatureInput))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", name, err)
	}
	return string(b), nil
}
