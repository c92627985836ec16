-- Verdicts people can trust (one classifier, off the upload's hot path),
-- and idempotency per uploading principal.
--
-- revision_rollups become the classifier's facts: runs, passes and failures
-- count only results that ran outside infrastructure batches; skips and
-- infrastructure results are counted beside them. The daily rollups stop
-- counting skips as runs. Uploads no longer compute a commit's status under
-- a lock: they append to status_dirty, and a worker recomputes the status
-- (and the verdict of each test it touches, kept in test_verdicts) from
-- committed data.

-- +goose Up

ALTER TABLE results ADD COLUMN infra boolean NOT NULL DEFAULT false;
UPDATE results r SET infra = true FROM upload_batches b
WHERE b.id = r.batch_id AND coalesce((b.response->>'infra')::boolean, false);

ALTER TABLE revision_rollups
    ADD COLUMN skips integer NOT NULL DEFAULT 0,
    ADD COLUMN infra integer NOT NULL DEFAULT 0;
UPDATE revision_rollups SET skips = runs - passes - failures, runs = passes + failures;
UPDATE revision_rollups rr
SET infra = x.n, runs = rr.runs - x.n, passes = rr.passes - x.p, failures = rr.failures - x.f
FROM (SELECT repo, revision, test_id, runner_os, count(*)::int AS n,
             count(*) FILTER (WHERE outcome = 'pass')::int AS p,
             count(*) FILTER (WHERE outcome IN ('fail', 'error'))::int AS f
      FROM results WHERE infra AND outcome <> 'skip' GROUP BY 1, 2, 3, 4) x
WHERE rr.repo = x.repo AND rr.revision = x.revision AND rr.test_id = x.test_id AND rr.runner_os = x.runner_os;

-- Revisions where a test both passed and failed: flaky evidence, read by
-- the classifier and the lists without scanning every revision.
CREATE INDEX revision_rollups_flaky ON revision_rollups (test_id, last_seen DESC) WHERE passes > 0 AND failures > 0;

ALTER TABLE rollups ADD COLUMN skips integer NOT NULL DEFAULT 0;
UPDATE rollups g SET skips = x.n, runs = g.runs - x.n
FROM (SELECT (created_at AT TIME ZONE 'UTC')::date AS day, test_id, coalesce(signature_id, 0) AS signature_id, runner_os,
             count(*)::int AS n
      FROM results WHERE outcome = 'skip' GROUP BY 1, 2, 3, 4) x
WHERE g.day = x.day AND g.test_id = x.test_id AND g.signature_id = x.signature_id AND g.runner_os = x.runner_os;

-- Failures per signature and revision that came in infrastructure batches:
-- kept (the signature of an outage is worth seeing) but never flaky history.
ALTER TABLE signature_revisions ADD COLUMN infra integer NOT NULL DEFAULT 0;
UPDATE signature_revisions sr SET infra = x.n
FROM (SELECT signature_id, repo, revision, test_id, runner_os, count(*)::int AS n
      FROM results WHERE infra AND signature_id IS NOT NULL AND outcome IN ('fail', 'error') GROUP BY 1, 2, 3, 4, 5) x
WHERE sr.signature_id = x.signature_id AND sr.repo = x.repo AND sr.revision = x.revision
  AND sr.test_id = x.test_id AND sr.runner_os = x.runner_os;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION signature_revisions_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO signature_revisions AS sr (signature_id, repo, revision, test_id, runner_os, failures, infra, first_seen, last_seen)
    SELECT signature_id, repo, revision, test_id, runner_os, count(*), count(*) FILTER (WHERE infra), min(created_at), max(created_at)
    FROM new_results
    WHERE signature_id IS NOT NULL AND outcome IN ('fail', 'error')
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (signature_id, repo, revision, test_id, runner_os) DO UPDATE
    SET failures = sr.failures + excluded.failures,
        infra = sr.infra + excluded.infra,
        first_seen = least(sr.first_seen, excluded.first_seen),
        last_seen = greatest(sr.last_seen, excluded.last_seen);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Commits (and ended campaigns) whose status must be recomputed. Uploads
-- only append, so they never wait for one another here; the worker deletes
-- what it has recomputed.
CREATE TABLE status_dirty (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo        text        NOT NULL,
    revision    text        NOT NULL,
    campaign_id bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_dirty_key ON status_dirty (repo, revision, id);

-- What the one classifier says of each test on each runner OS, as of the
-- last commit that changed it: what the lists filter and sort by.
CREATE TABLE test_verdicts (
    test_id        bigint      NOT NULL,
    runner_os      text        NOT NULL,
    class          text        NOT NULL CHECK (class IN ('flaky', 'broken', 'new', 'stable')),
    since_revision text        NOT NULL DEFAULT '',
    why            text        NOT NULL DEFAULT '',
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (test_id, runner_os)
);
CREATE INDEX test_verdicts_class ON test_verdicts (class, updated_at DESC);

-- An admin's word that a failure of a test is a known flake: flaky evidence
-- for the test, with that signature in its flaky history.
CREATE TABLE flaky_marks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    test_id      bigint      NOT NULL REFERENCES tests,
    signature_id bigint      NOT NULL REFERENCES signatures,
    reason       text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    removed_at   timestamptz,
    UNIQUE (test_id, signature_id)
);

-- The test a campaign stresses, when it stresses one: its runs see it as
-- TRIAGED_TEST, and statuses name it.
ALTER TABLE campaigns ADD COLUMN test text NOT NULL DEFAULT '';

-- A batch id is the uploader's: the same id from two principals is two
-- batches, and the same id from one principal with other content is a
-- conflict, not a retry.
ALTER TABLE upload_batches
    ADD COLUMN principal   text  NOT NULL DEFAULT '',
    ADD COLUMN runner_os   text  NOT NULL DEFAULT '',
    ADD COLUMN fingerprint bytea;

-- +goose Down
ALTER TABLE upload_batches DROP COLUMN fingerprint, DROP COLUMN runner_os, DROP COLUMN principal;
ALTER TABLE campaigns DROP COLUMN test;
DROP TABLE flaky_marks;
DROP TABLE test_verdicts;
DROP TABLE status_dirty;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION signature_revisions_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO signature_revisions AS sr (signature_id, repo, revision, test_id, runner_os, failures, first_seen, last_seen)
    SELECT signature_id, repo, revision, test_id, runner_os, count(*), min(created_at), max(created_at)
    FROM new_results
    WHERE signature_id IS NOT NULL AND outcome IN ('fail', 'error')
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (signature_id, repo, revision, test_id, runner_os) DO UPDATE
    SET failures = sr.failures + excluded.failures,
        first_seen = least(sr.first_seen, excluded.first_seen),
        last_seen = greatest(sr.last_seen, excluded.last_seen);
    RETURN NULL;
END $$;
-- +goose StatementEnd
ALTER TABLE signature_revisions DROP COLUMN infra;
UPDATE rollups SET runs = runs + skips;
ALTER TABLE rollups DROP COLUMN skips;
DROP INDEX revision_rollups_flaky;
UPDATE revision_rollups SET runs = runs + skips + infra;
ALTER TABLE revision_rollups DROP COLUMN infra, DROP COLUMN skips;
ALTER TABLE results DROP COLUMN infra;
