-- Campaigns that test the commit they name (issue #20): registered
-- repositories that runners check out and build, the commit a job's runs
-- actually tested, and bisections that find the commit that made a test
-- flaky, each step a campaign at one revision.

-- +goose Up

-- A repository runners may check out: where to clone it from, the argv of
-- its build (none: no build) and of one test run ({test} and the other
-- placeholders of repo.Repo.CommandFor), and its tests' language.
CREATE TABLE repos (
    repo          text        PRIMARY KEY,
    clone_url     text        NOT NULL,
    build         text[]      NOT NULL DEFAULT '{}',
    build_timeout text        NOT NULL DEFAULT '',
    test_command  text[]      NOT NULL DEFAULT '{}',
    language      text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- The commit a job's runner checked out and ran at (git rev-parse HEAD),
-- and the campaign's: what its runs may be claimed to have tested.
-- untested_jobs counts a campaign's jobs that ran without a checkout
-- although it names a revision (its repo was not registered).
ALTER TABLE jobs ADD COLUMN tested_revision text NOT NULL DEFAULT '';
ALTER TABLE campaigns
    ADD COLUMN tested_revision text NOT NULL DEFAULT '',
    ADD COLUMN untested_jobs integer NOT NULL DEFAULT 0;

-- A bisection: the request, and what it found. history is the
-- first-parent history from good (history_base, its full id; excluded) to
-- bad (included), oldest first, as the runner that checked bad out listed
-- it; history_error says why it could not.
CREATE TABLE bisections (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo              text        NOT NULL,
    good              text        NOT NULL,
    bad               text        NOT NULL,
    command           text[]      NOT NULL,
    test              text        NOT NULL DEFAULT '',
    format            text        NOT NULL DEFAULT '',
    labels            text[]      NOT NULL DEFAULT '{}',
    max_runs_per_step integer     NOT NULL CHECK (max_runs_per_step > 0),
    parallel          integer     NOT NULL DEFAULT 1 CHECK (parallel > 0),
    state             text        NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    reason            text        NOT NULL DEFAULT '',
    first_bad         text,
    history           text[],
    history_base      text        NOT NULL DEFAULT '',
    history_error     text        NOT NULL DEFAULT '',
    created_by        text        NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz
);
CREATE INDEX bisections_running ON bisections (id) WHERE state = 'running';

-- A step of a bisection: a campaign at one revision. Its figures are the
-- campaign's; position is the revision's index in the history (-1 the
-- good end, -2 the bad end), needed the clean runs that make it good.
CREATE TABLE bisection_steps (
    bisection_id bigint  NOT NULL REFERENCES bisections ON DELETE CASCADE,
    seq          integer NOT NULL,
    role         text    NOT NULL CHECK (role IN ('bad-end', 'good-end', 'midpoint', 'confirm')),
    revision     text    NOT NULL,
    position     integer NOT NULL,
    needed       integer NOT NULL DEFAULT 0,
    campaign_id  bigint  NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    PRIMARY KEY (bisection_id, seq)
);
CREATE UNIQUE INDEX bisection_steps_campaign ON bisection_steps (campaign_id);

-- +goose Down
DROP TABLE bisection_steps;
DROP TABLE bisections;
ALTER TABLE campaigns DROP COLUMN untested_jobs, DROP COLUMN tested_revision;
ALTER TABLE jobs DROP COLUMN tested_revision;
DROP TABLE repos;
