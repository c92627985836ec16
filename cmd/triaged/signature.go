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

// signatureLine is one line of `triaged signature` output.
type signatureLine struct {
	File string `json:"file"`
	signature.Signature
}

func runSignature(_ context.Context, io stdio, args []string) error {
	fs := config.NewFlagSet("signature", "triaged signature [--json] [FILE…]   (stdin when no file)", io.err)
	asJSON := fs.Bool("json", false, "print one JSON object a line: file, signature, title, algorithm, normalized")
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
		sig := signature.Compute(text)
		if *asJSON {
			if err := enc.Encode(signatureLine{File: name, Signature: sig}); err != nil {
				return err
			}
			continue
		}
		fmt.Fprintf(io.out, "%s  %s  %s\n", sig.Hash, name, sig.Title)
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
