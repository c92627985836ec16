-- The first schema of triaged: who runs tests (runners, tokens), what they are
-- asked to run (campaigns, jobs), what came back (tests, results,
-- failure_texts, signatures, upload_batches), what pages read (rollups,
-- revision_rollups) and what goes out to GitHub (status_outbox).

-- +goose Up

-- Tokens created by admins. Only a SHA-256 of each token is stored.
CREATE TABLE tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('admin', 'upload', 'register')),
    hash         bytea       NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE runners (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    os         text        NOT NULL,
    arch       text        NOT NULL,
    labels     text[]      NOT NULL DEFAULT '{}',
    version    text        NOT NULL DEFAULT '',
    token_hash bytea       NOT NULL UNIQUE,
    disabled   boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz
);

-- A campaign is a request to stress one thing on runners with some labels.
CREATE TABLE campaigns (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('scenario', 'exec')),
    scenario    text        NOT NULL DEFAULT '',
    proactor    text        NOT NULL DEFAULT '',
    backend     text        NOT NULL DEFAULT '',
    params      jsonb       NOT NULL DEFAULT '{}',
    command     text[]      NOT NULL DEFAULT '{}',
    format      text        NOT NULL DEFAULT '',
    labels      text[]      NOT NULL DEFAULT '{}',
    iterations  integer     NOT NULL CHECK (iterations > 0),
    parallel    integer     NOT NULL DEFAULT 1 CHECK (parallel > 0),
    stop_rule   text        NOT NULL DEFAULT 'count'
                            CHECK (stop_rule IN ('count', 'first-failure', 'confident')),
    -- For "confident": stop once the 95% upper bound (no failures) or the
    -- interval half-width (failures) is at most this rate.
    stop_target double precision NOT NULL DEFAULT 0.01 CHECK (stop_target > 0 AND stop_target < 1),
    -- each_runner: every matching runner runs all iterations (compare hosts);
    -- otherwise the iterations are split among whichever runners lease them.
    each_runner boolean     NOT NULL DEFAULT false,
    repo        text        NOT NULL DEFAULT '',
    revision    text        NOT NULL DEFAULT '',
    state       text        NOT NULL DEFAULT 'queued'
                            CHECK (state IN ('queued', 'running', 'done', 'cancelled', 'failed')),
    reason      text        NOT NULL DEFAULT '',
    -- planned: iterations over all jobs (iterations × runners for each_runner).
    planned     integer     NOT NULL DEFAULT 0,
    runs        integer     NOT NULL DEFAULT 0,
    failures    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz
);
CREATE INDEX campaigns_recent ON campaigns (created_at DESC);
CREATE INDEX campaigns_active ON campaigns (id) WHERE state IN ('queued', 'running');
CREATE INDEX campaigns_revision ON campaigns (repo, revision);

-- A job is a campaign's share for one runner, handed out under a lease.
CREATE TABLE jobs (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id      bigint      NOT NULL REFERENCES campaigns ON DELETE CASCADE,
    first_iteration  integer     NOT NULL,
    iterations       integer     NOT NULL CHECK (iterations > 0),
    state            text        NOT NULL DEFAULT 'queued'
                                 CHECK (state IN ('queued', 'leased', 'done', 'cancelled', 'failed')),
    pinned_runner_id bigint      REFERENCES runners ON DELETE CASCADE,
    runner_id        bigint      REFERENCES runners ON DELETE SET NULL,
    lease_expires_at timestamptz,
    attempts         integer     NOT NULL DEFAULT 0,
    last_error       text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_queued ON jobs (id) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs (lease_expires_at) WHERE state = 'leased';
CREATE INDEX jobs_campaign ON jobs (campaign_id);
CREATE INDEX jobs_runner ON jobs (runner_id) WHERE state = 'leased';

CREATE TABLE tests (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo       text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (repo, name)
);

-- A signature groups failures with the same normalized text. A new algorithm
-- version re-signs old failures into new rows and points the old rows at
-- them, so the grouping history survives.
CREATE TABLE signatures (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    algorithm     integer     NOT NULL,
    hash          text        NOT NULL,
    title         text        NOT NULL,
    normalized    text        NOT NULL,
    -- Where the signature was first seen: a failure elsewhere than there is
    -- a known failure, not a new one.
    first_repo     text        NOT NULL DEFAULT '',
    first_revision text        NOT NULL DEFAULT '',
    first_seen    timestamptz NOT NULL DEFAULT now(),
    last_seen     timestamptz NOT NULL DEFAULT now(),
    superseded_by bigint      REFERENCES signatures,
    UNIQUE (algorithm, hash)
);
CREATE INDEX signatures_recent ON signatures (first_seen DESC);

-- An upload batch makes uploads idempotent: a retried batch id is answered
-- with the stored response and stores nothing.
CREATE TABLE upload_batches (
    id         text        PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
    repo       text        NOT NULL,
    revision   text        NOT NULL,
    builder    text        NOT NULL,
    runner_id  bigint      REFERENCES runners ON DELETE SET NULL,
    job_id     bigint      REFERENCES jobs ON DELETE SET NULL,
    results    integer     NOT NULL,
    response   jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per test execution. Append-only and written with COPY; pages read
-- the rollups below instead of scanning it.
CREATE TABLE results (
    id           bigint      PRIMARY KEY,
    batch_id     text        NOT NULL,
    test_id      bigint      NOT NULL REFERENCES tests,
    outcome      text        NOT NULL CHECK (outcome IN ('pass', 'fail', 'error', 'skip')),
    duration_us  bigint      NOT NULL DEFAULT 0,
    repo         text        NOT NULL,
    revision     text        NOT NULL,
    builder      text        NOT NULL,
    runner_id    bigint,
    runner_os    text        NOT NULL DEFAULT '',
    campaign_id  bigint,
    job_id       bigint,
    iteration    integer,
    signature_id bigint      REFERENCES signatures,
    detector     jsonb,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE results_id_seq OWNED BY results.id;
ALTER TABLE results ALTER COLUMN id SET DEFAULT nextval('results_id_seq');
CREATE INDEX results_revision ON results (repo, revision);
CREATE INDEX results_test ON results (test_id, created_at DESC);
CREATE INDEX results_signature ON results (signature_id, created_at DESC) WHERE signature_id IS NOT NULL;
CREATE INDEX results_campaign ON results (campaign_id, iteration) WHERE campaign_id IS NOT NULL;
CREATE INDEX results_batch ON results (batch_id);

-- The raw text of a failing result, capped in size by ingest.
CREATE TABLE failure_texts (
    result_id bigint  PRIMARY KEY,
    text      text    NOT NULL,
    truncated integer NOT NULL DEFAULT 0
);

-- Daily counts per test, signature (0 for results without one) and runner OS,
-- kept current in the same transaction as the insert.
CREATE TABLE rollups (
    day          date    NOT NULL,
    test_id      bigint  NOT NULL,
    signature_id bigint  NOT NULL DEFAULT 0,
    runner_os    text    NOT NULL,
    runs         integer NOT NULL DEFAULT 0,
    failures     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (day, test_id, signature_id, runner_os)
);
CREATE INDEX rollups_test ON rollups (test_id, day DESC);
CREATE INDEX rollups_signature ON rollups (signature_id, day DESC) WHERE signature_id <> 0;

-- Counts per revision, test and runner OS: what classification (flaky, new)
-- and the revision page need.
CREATE TABLE revision_rollups (
    repo       text        NOT NULL,
    revision   text        NOT NULL,
    test_id    bigint      NOT NULL,
    runner_os  text        NOT NULL,
    runs       integer     NOT NULL DEFAULT 0,
    passes     integer     NOT NULL DEFAULT 0,
    failures   integer     NOT NULL DEFAULT 0,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (repo, revision, test_id, runner_os)
);
CREATE INDEX revision_rollups_test ON revision_rollups (test_id, last_seen DESC);

-- GitHub commit statuses to post, written in the same transaction as the
-- results they describe, delivered by a worker.
CREATE TABLE status_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo            text        NOT NULL,
    revision        text        NOT NULL,
    context         text        NOT NULL,
    state           text        NOT NULL CHECK (state IN ('pending', 'success', 'failure', 'error')),
    description     text        NOT NULL CHECK (length(description) <= 140),
    target_url      text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text        NOT NULL DEFAULT '',
    delivered_at    timestamptz,
    dead            boolean     NOT NULL DEFAULT false
);
CREATE INDEX status_outbox_due ON status_outbox (next_attempt_at) WHERE delivered_at IS NULL AND NOT dead;
CREATE INDEX status_outbox_revision ON status_outbox (repo, revision, context, id DESC);

-- +goose Down
DROP TABLE status_outbox;
DROP TABLE revision_rollups;
DROP TABLE rollups;
DROP TABLE failure_texts;
DROP TABLE results;
DROP TABLE upload_batches;
DROP TABLE signatures;
DROP TABLE tests;
DROP TABLE jobs;
DROP TABLE campaigns;
DROP TABLE runners;
DROP TABLE tokens;
