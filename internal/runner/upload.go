package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/triaged/triaged/ingest"
	"github.com/triaged/triaged/internal/report"
)

// uploadBatchSize is how many spooled iterations go up in one request.
const uploadBatchSize = 50

// flushJob uploads a job's spooled iterations until none is left, retrying
// through outages with backoff. The batch id names the iterations it holds,
// and the server stores an iteration once, so a retry after a lost answer
// (or a restart) never double-counts. It returns whether the server asked
// to stop the job.
func (a *Agent) flushJob(ctx context.Context, c *client, job int64) (stop bool, err error) {
	b := backoff{min: 500 * time.Millisecond, max: 30 * time.Second}
	for {
		files, err := a.state.spooledFiles(job)
		if err != nil {
			return stop, err
		}
		if len(files) == 0 {
			// The directory stays: the job may still be spooling into it.
			return stop, nil
		}
		files = files[:min(len(files), uploadBatchSize)]
		body, err := batchBody(files)
		if err != nil {
			return stop, err
		}
		first, last := iterName(files[0]), iterName(files[len(files)-1])
		path := fmt.Sprintf("/api/v1/jobs/%d/results?batch=%s-%s-%d", job, first, last, len(files))
		var answer ingest.Answer
		_, err = c.do(ctx, "POST", path, body, &answer)
		var ae *apiError
		switch {
		case err == nil:
			b.reset()
			removeAll(files)
			stop = stop || answer.Stop
			a.metrics.uploaded.Add(int64(len(files)))
		case errors.As(err, &ae) && (ae.Status == http.StatusConflict || ae.Status == http.StatusNotFound):
			// The lease was lost (the job was requeued to another runner, who
			// re-runs these iterations) or the job is gone: nothing to keep.
			a.log.Warn("dropping spooled results of a job this runner no longer holds", "job", job, "iterations", len(files), "reason", ae.Detail)
			removeAll(files)
		case unknownToken(err):
			// The server forgot this runner; the spool waits for it to
			// register again.
			return stop, err
		case errors.As(err, &ae) && ae.Status < 500 && ae.Status != http.StatusTooManyRequests:
			a.log.Error("server refused spooled results; kept aside", "job", job, "dir", filepath.Join(a.state.dir, "rejected"), "reason", ae.Detail)
			a.state.reject(files, ae.Detail)
		default:
			if ctx.Err() != nil {
				return stop, ctx.Err()
			}
			wait := b.next(err)
			a.log.Warn("upload failed; results stay spooled", "job", job, "retry_in", wait.Round(time.Millisecond), "err", err)
			if err := sleep(ctx, wait); err != nil {
				return stop, err
			}
		}
	}
}

// batchBody joins spooled iterations into one native document. Each file
// is read back with the native parser, so a damaged spool file is found
// here, before the server sees it.
func batchBody(files []string) ([]byte, error) {
	var all []report.Result
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read spool: %w", err)
		}
		if data = bytes.TrimSpace(data); bytes.HasPrefix(data, []byte("[")) {
			// Spooled by a runner before 0.2, which wrote the bare array.
			data = append(append([]byte(`{"results":`), data...), '}')
		}
		rs, err := report.Parse(bytes.NewReader(data), report.FormatJSON, report.Options{})
		if err != nil {
			return nil, fmt.Errorf("spool file %s is damaged: %w", f, err)
		}
		all = append(all, rs...)
	}
	return report.EncodeNative(all)
}

func iterName(path string) string {
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "iter-"), ".json"))
	return strconv.Itoa(n)
}

func removeAll(files []string) {
	for _, f := range files {
		os.Remove(f)
	}
}
