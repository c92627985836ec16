-- Acting on what triaged finds: owners and issue links, an audit trail,
-- quarantines, match rules (versioned, applied at ingest and to history),
-- named groups, and GitHub issues filed per signature through an outbox
-- keyed so that one signature never gets two issues.

-- +goose Up

-- Who answers for a test, a signature or a group.
CREATE TABLE owners (
    subject    text        NOT NULL CHECK (subject IN ('test', 'signature', 'group')),
    subject_id bigint      NOT NULL,
    owner      text        NOT NULL CHECK (length(owner) BETWEEN 1 AND 100),
    updated_by text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, subject_id)
);
CREATE INDEX owners_owner ON owners (lower(owner));

-- Links to issues in any tracker. A GitHub issue's repo and number are
-- kept apart, with its state as last read.
CREATE TABLE links (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject          text        NOT NULL CHECK (subject IN ('test', 'signature', 'group')),
    subject_id       bigint      NOT NULL,
    url              text        NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    github_repo      text        NOT NULL DEFAULT '',
    github_number    integer     NOT NULL DEFAULT 0,
    state            text        NOT NULL DEFAULT '' CHECK (state IN ('', 'open', 'closed')),
    state_checked_at timestamptz,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    removed_at       timestamptz
);
CREATE UNIQUE INDEX links_subject ON links (subject, subject_id, url) WHERE removed_at IS NULL;
CREATE INDEX links_github ON links (state_checked_at NULLS FIRST) WHERE removed_at IS NULL AND github_number > 0;

-- Every change people (or triaged itself) made: who, when, why. The
-- test's page shows the rows that name it or one of its signatures.
CREATE TABLE audit_log (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL,
    actor         text        NOT NULL,
    action        text        NOT NULL,
    repo          text        NOT NULL DEFAULT '',
    test_id       bigint,
    signature_id  bigint,
    group_id      bigint,
    rule_id       bigint,
    quarantine_id bigint,
    why           text        NOT NULL DEFAULT '',
    detail        text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_test ON audit_log (test_id, id DESC) WHERE test_id IS NOT NULL;
CREATE INDEX audit_log_signature ON audit_log (signature_id, id DESC) WHERE signature_id IS NOT NULL;
CREATE INDEX audit_log_rule ON audit_log (rule_id, id DESC) WHERE rule_id IS NOT NULL;
CREATE INDEX audit_log_group ON audit_log (group_id, id DESC) WHERE group_id IS NOT NULL;

-- A named group of failures, filled by rules.
CREATE TABLE groups (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Match rules: a name, and its versions. rules.version is the version in
-- force; older versions stay with their author and time.
CREATE TABLE rules (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    version    integer     NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE rule_versions (
    rule_id      bigint      NOT NULL REFERENCES rules,
    version      integer     NOT NULL,
    expr         text        NOT NULL CHECK (length(expr) BETWEEN 1 AND 4096),
    action       text        NOT NULL CHECK (action IN ('group', 'infra', 'quarantine')),
    group_id     bigint      REFERENCES groups,
    -- A quarantining version's terms; its quarantine is a quarantines row
    -- with the rule's id.
    q_owner      text        NOT NULL DEFAULT '',
    q_reason     text        NOT NULL DEFAULT '',
    q_expires_at timestamptz,
    author       text        NOT NULL,
    why          text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, version),
    CHECK ((action = 'group') = (group_id IS NOT NULL)),
    CHECK ((action = 'quarantine') = (q_expires_at IS NOT NULL))
);

-- The rule set's version: every save bumps it. Ingest matches uploads
-- against the rules of one epoch and stores them only if it is still the
-- epoch (under a shared advisory lock the save takes exclusively), so no
-- upload falls between ingest's matching and a new rule's application.
CREATE TABLE rule_epoch (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    epoch bigint  NOT NULL
);
INSERT INTO rule_epoch VALUES (true, 1);

-- Which failing results each rule matched, and with which version. The
-- result's coordinates are copied so groups and commits read this table
-- alone.
CREATE TABLE rule_matches (
    rule_id      bigint      NOT NULL,
    result_id    bigint      NOT NULL,
    version      integer     NOT NULL,
    repo         text        NOT NULL,
    revision     text        NOT NULL,
    test_id      bigint      NOT NULL,
    signature_id bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (rule_id, result_id)
);
CREATE INDEX rule_matches_result ON rule_matches (result_id);
CREATE INDEX rule_matches_revision ON rule_matches (repo, revision);
CREATE INDEX rule_matches_recent ON rule_matches (rule_id, created_at DESC);

-- Applying a saved rule version to the failures already in the window,
-- in the background, resumably: (cursor_at, cursor_id) is how far it got
-- in (created_at, id) order; upto_id bounds it to what was stored before
-- the save (later results were matched at ingest).
CREATE TABLE rule_applications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id     bigint      NOT NULL REFERENCES rules,
    version     integer     NOT NULL,
    since       timestamptz NOT NULL,
    upto_id     bigint      NOT NULL,
    cursor_at   timestamptz,
    cursor_id   bigint      NOT NULL DEFAULT 0,
    scanned     bigint      NOT NULL DEFAULT 0,
    matched     bigint      NOT NULL DEFAULT 0,
    state       text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'superseded')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX rule_applications_pending ON rule_applications (id) WHERE state = 'pending';

-- Quarantines: a test or a signature in a repo, or what a rule matches.
CREATE TABLE quarantines (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo         text        NOT NULL,
    test_id      bigint      REFERENCES tests,
    signature_id bigint      REFERENCES signatures,
    rule_id      bigint      REFERENCES rules,
    owner        text        NOT NULL CHECK (length(owner) BETWEEN 1 AND 100),
    reason       text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    expires_at   timestamptz NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    ended_by     text        NOT NULL DEFAULT '',
    end_reason   text        NOT NULL DEFAULT '',
    CHECK (num_nonnulls(test_id, signature_id, rule_id) = 1)
);
CREATE INDEX quarantines_test ON quarantines (test_id) WHERE ended_at IS NULL AND test_id IS NOT NULL;
CREATE INDEX quarantines_signature ON quarantines (signature_id) WHERE ended_at IS NULL AND signature_id IS NOT NULL;
CREATE INDEX quarantines_rule ON quarantines (rule_id) WHERE ended_at IS NULL AND rule_id IS NOT NULL;
CREATE INDEX quarantines_expiry ON quarantines (expires_at) WHERE ended_at IS NULL;

-- The branch an upload named, for rules that test it. IF NOT EXISTS: the
-- lists (issue #16) may add the same column.
-- upload_batches.branch came with 00013 (finding things).

-- The failing results of a time window, newest first or in (created_at,
-- id) order: what a rule's preview and its application scan. Every
-- failure has a signature; passes and skips are not in this index. The
-- fields a rule tests are included, so a preview reads the index alone.
CREATE INDEX results_failing ON results (created_at, id)
    INCLUDE (test_id, signature_id, repo, builder, runner_os, batch_id) WHERE signature_id IS NOT NULL;

-- Repos whose signatures get issues, added at run time by an admin (the
-- --github-issues flag names others).
CREATE TABLE issue_routes (
    repo       text        PRIMARY KEY,
    tracker    text        NOT NULL,
    added_by   text        NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now()
);

-- One GitHub issue per (tracker, signature): the row is written before
-- the issue is created, and the unique key makes every replica agree on
-- it. state: pending (to create), creating (an attempt started: look for
-- it on GitHub by its marker before creating again), open, closed, dead
-- (GitHub refused for good). want: what to do next to an open or closed
-- issue (close, recur, sync), with the comment to post.
CREATE TABLE signature_issues (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tracker            text        NOT NULL,
    repo               text        NOT NULL,
    signature_id       bigint      NOT NULL REFERENCES signatures,
    state              text        NOT NULL DEFAULT 'pending'
                                   CHECK (state IN ('pending', 'creating', 'open', 'closed', 'dead')),
    why                text        NOT NULL DEFAULT '',
    number             integer     NOT NULL DEFAULT 0,
    url                text        NOT NULL DEFAULT '',
    want               text        NOT NULL DEFAULT '' CHECK (want IN ('', 'close', 'recur', 'sync')),
    want_comment       text        NOT NULL DEFAULT '',
    attempts           integer     NOT NULL DEFAULT 0,
    last_error         text        NOT NULL DEFAULT '',
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    attempt_started_at timestamptz,
    opened_at          timestamptz,
    closed_at          timestamptz,
    closed_by          text        NOT NULL DEFAULT '',
    -- The newest failure the last action on the issue knew of: a failure
    -- after it (and after closed_at) is a recurrence.
    last_failure_at    timestamptz,
    synced_at          timestamptz,
    -- When the numbers were last looked at for closing or recurrence.
    checked_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tracker, signature_id)
);
CREATE INDEX signature_issues_due ON signature_issues (next_attempt_at)
    WHERE state IN ('pending', 'creating') OR want <> '';
CREATE INDEX signature_issues_signature ON signature_issues (signature_id);
CREATE INDEX signature_issues_check ON signature_issues (checked_at NULLS FIRST) WHERE state IN ('open', 'closed');

-- +goose Down
DROP TABLE signature_issues;
DROP TABLE issue_routes;
DROP INDEX results_failing;
DROP TABLE quarantines;
DROP TABLE rule_applications;
DROP TABLE rule_matches;
DROP TABLE rule_epoch;
DROP TABLE rule_versions;
DROP TABLE rules;
DROP TABLE groups;
DROP TABLE audit_log;
DROP TABLE links;
DROP TABLE owners;
