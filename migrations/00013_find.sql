-- Finding things (issue #16): where a batch came from (its branch and CI
-- job), which revisions were seen on which branch, the daily rollups split
-- by branch so lists can be narrowed to one, what the classifier said of
-- each commit as a whole, who started a campaign, and the indexes that let
-- a person search 100k test names and page through every list by key.

-- +goose Up

-- Substring search on test names and signature titles (ILIKE '%…%')
-- through trigram indexes rather than a scan. pg_trgm ships with
-- PostgreSQL and is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX tests_name_trgm ON tests USING gin (name gin_trgm_ops);
-- The test list in name order, across repos, by key.
CREATE INDEX tests_by_name ON tests (name, id);
CREATE INDEX signatures_title_trgm ON signatures USING gin (title gin_trgm_ops);

-- Where a batch came from: the branch it was built on ('' when neither the
-- upload nor a webhook said) and the CI job or log that produced it (http
-- or https, checked where it enters). failures, skips and infra are the
-- batch's own figures, for the builder pages.
ALTER TABLE upload_batches
    ADD COLUMN branch   text    NOT NULL DEFAULT '',
    ADD COLUMN url      text    NOT NULL DEFAULT '',
    ADD COLUMN failures integer NOT NULL DEFAULT 0,
    ADD COLUMN skips    integer NOT NULL DEFAULT 0,
    ADD COLUMN infra    boolean NOT NULL DEFAULT false;
UPDATE upload_batches SET
    failures = coalesce((response->>'failed')::int, 0) + coalesce((response->>'errors')::int, 0),
    skips = coalesce((response->>'skipped')::int, 0),
    infra = coalesce((response->>'infra')::boolean, false)
WHERE response ? 'tests';
-- A builder's history, newest first, and the builders themselves (a skip
-- scan of this index lists them).
CREATE INDEX upload_batches_builder ON upload_batches (builder, created_at DESC);
-- A commit's batches, for its page.
CREATE INDEX upload_batches_revision ON upload_batches (repo, revision);

-- The branches each revision was seen on, from uploads and webhooks: what
-- /revisions lists per repo and branch, newest first. A revision on
-- several branches has a row for each; '' is "no branch named". Writers
-- insert with DO NOTHING, which locks no existing row, so uploaders of one
-- commit never queue here.
CREATE TABLE revision_branches (
    repo       text        NOT NULL,
    branch     text        NOT NULL,
    revision   text        NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repo, branch, revision)
);
CREATE INDEX revision_branches_recent ON revision_branches (branch, first_seen DESC, repo, revision);
CREATE INDEX revision_branches_revision ON revision_branches (repo, revision);
INSERT INTO revision_branches (repo, branch, revision, first_seen)
SELECT repo, '', revision, min(created_at) FROM upload_batches
WHERE revision ~ '^[0-9a-fA-F]{7,64}$' GROUP BY repo, revision
UNION ALL
SELECT repo, branch, sha, received_at FROM revisions WHERE branch <> ''
ON CONFLICT DO NOTHING;

-- The daily rollups gain the branch of the batch, so the overview and the
-- lists can be narrowed to one branch without reading results. Rows from
-- before have no branch (''), as their uploads named none.
ALTER TABLE rollups ADD COLUMN branch text NOT NULL DEFAULT '';
ALTER TABLE rollup_deltas ADD COLUMN branch text NOT NULL DEFAULT '';
ALTER TABLE rollups DROP CONSTRAINT rollups_pkey, ADD PRIMARY KEY (day, test_id, signature_id, runner_os, branch);
DROP INDEX rollups_failing;
CREATE INDEX rollups_failing ON rollups (day, test_id) INCLUDE (signature_id, runner_os, branch, failures) WHERE failures > 0;
DROP INDEX rollups_test_day;
CREATE INDEX rollups_test_day ON rollups (test_id, day) INCLUDE (runner_os, branch, runs, failures);

-- A test's latest failures, for its page and the last failure of each row
-- of a list: failing results are few, so this index stays small.
CREATE INDEX results_test_failing ON results (test_id, created_at DESC) WHERE outcome IN ('fail', 'error');
-- ... and a builder's failures, batch by batch, for its worst tests.
CREATE INDEX results_batch_failing ON results (batch_id) INCLUDE (test_id) WHERE outcome IN ('fail', 'error');

-- What the classifier said of a commit as a whole when its status was last
-- recorded (in the same transaction as its status_outbox row): the state
-- of that status, the tests that ran, and its failing results by class.
CREATE TABLE revision_verdicts (
    repo       text        NOT NULL,
    revision   text        NOT NULL,
    status     text        NOT NULL DEFAULT '',
    tests      integer     NOT NULL DEFAULT 0,
    new        integer     NOT NULL DEFAULT 0,
    broken     integer     NOT NULL DEFAULT 0,
    flaky      integer     NOT NULL DEFAULT 0,
    known      integer     NOT NULL DEFAULT 0,
    infra      integer     NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repo, revision)
);

-- Who started a campaign (a token's or a session's principal, or "github
-- webhook") and the branch it stresses.
ALTER TABLE campaigns
    ADD COLUMN created_by text NOT NULL DEFAULT '',
    ADD COLUMN branch     text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE campaigns DROP COLUMN branch, DROP COLUMN created_by;
DROP TABLE revision_verdicts;
DROP INDEX results_batch_failing;
DROP INDEX results_test_failing;
DROP INDEX rollups_test_day;
DROP INDEX rollups_failing;
-- Rows that differ only by branch merge back into one.
CREATE TEMPORARY TABLE rollups_merged ON COMMIT DROP AS
SELECT day, test_id, signature_id, runner_os, sum(runs)::int AS runs, sum(failures)::int AS failures, sum(skips)::int AS skips
FROM rollups GROUP BY 1, 2, 3, 4;
TRUNCATE rollups;
ALTER TABLE rollup_deltas DROP COLUMN branch;
ALTER TABLE rollups DROP CONSTRAINT rollups_pkey, DROP COLUMN branch, ADD PRIMARY KEY (day, test_id, signature_id, runner_os);
INSERT INTO rollups (day, test_id, signature_id, runner_os, runs, failures, skips) SELECT * FROM rollups_merged;
CREATE INDEX rollups_failing ON rollups (day, test_id) INCLUDE (signature_id, runner_os, failures) WHERE failures > 0;
CREATE INDEX rollups_test_day ON rollups (test_id, day) INCLUDE (runs, failures);
DROP TABLE revision_branches;
DROP INDEX upload_batches_revision;
DROP INDEX upload_batches_builder;
ALTER TABLE upload_batches DROP COLUMN infra, DROP COLUMN skips, DROP COLUMN failures, DROP COLUMN url, DROP COLUMN branch;
DROP INDEX signatures_title_trgm;
DROP INDEX tests_by_name;
DROP INDEX tests_name_trgm;
