package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/triaged/triaged/internal/report"
	"github.com/triaged/triaged/stress"
)

// spoolDir holds one job's finished iterations until the server has them.
func (s *state) spoolDir(job int64) string {
	return filepath.Join(s.dir, "spool", "job-"+strconv.FormatInt(job, 10))
}

// spool writes a finished iteration to disk before anything else happens
// to it, so neither a crash nor an outage can lose it.
func (s *state) spool(job int64, r stress.Record) error {
	dir := s.spoolDir(job)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	results := slices.Clone(r.Results)
	for i := range results {
		results[i].Iteration, results[i].Seed = r.Iteration, r.Seed
	}
	data, err := report.EncodeNative(results)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(dir, fmt.Sprintf("iter-%09d.json", r.Iteration)), data, 0o600); err != nil {
		return fmt.Errorf("spool iteration %d of job %d: %w", r.Iteration, job, err)
	}
	return nil
}

// spooled lists the jobs with spooled iterations, oldest job first.
func (s *state) spooledJobs() ([]int64, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "spool"))
	if err != nil {
		return nil, err
	}
	var jobs []int64
	for _, e := range entries {
		if id, err := strconv.ParseInt(strings.TrimPrefix(e.Name(), "job-"), 10, 64); err == nil && e.IsDir() {
			jobs = append(jobs, id)
		}
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i] < jobs[j] })
	return jobs, nil
}

// spooledFiles lists a job's spooled iterations in order.
func (s *state) spooledFiles(job int64) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(s.spoolDir(job), "iter-*.json"))
	sort.Strings(files)
	return files, err
}

// reject moves files the server refused as malformed aside, with the reason,
// so a person can look at them; they are never silently dropped.
func (s *state) reject(files []string, reason string) {
	dir := filepath.Join(s.dir, "rejected", time.Now().UTC().Format("20060102T150405"))
	os.MkdirAll(dir, 0o700)
	for _, f := range files {
		os.Rename(f, filepath.Join(dir, filepath.Base(filepath.Dir(f))+"-"+filepath.Base(f)))
	}
	os.WriteFile(filepath.Join(dir, "REASON"), []byte(reason+"\n"), 0o600)
}
