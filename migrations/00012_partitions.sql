-- History that does not grow forever: results and failure_texts are
-- partitioned by month of created_at, so old months are dropped whole
-- (retention) and queries bounded in time read only the months they need.
-- The server creates partitions ahead and drops expired ones; a default
-- partition catches any row outside them, so an insert never fails.
--
-- The existing tables are moved over row for row: the new tables take the
-- old ones' columns (LIKE), every index is recreated from its definition,
-- and the id sequence and the trigger move with them. failure_texts gains
-- created_at, the time of its result, which it is partitioned by.

-- +goose Up
-- +goose StatementBegin
DO $$
DECLARE
    idx record;
    defs text[] := '{}';
    d text;
    m date;
    first_month date;
    last_month date := (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months')::date;
BEGIN
    ALTER TABLE results RENAME TO results_unpartitioned;
    ALTER TABLE failure_texts RENAME TO failure_texts_unpartitioned;
    DROP TRIGGER results_signature_revisions ON results_unpartitioned;
    -- Keep every secondary index's definition, and free its name.
    FOR idx IN
        SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'results_unpartitioned'::regclass AND NOT x.indisprimary
    LOOP
        defs := defs || replace(idx.def, ' ON public.results_unpartitioned ', ' ON public.results ');
        EXECUTE format('DROP INDEX %I', idx.name);
    END LOOP;
    ALTER TABLE results_unpartitioned RENAME CONSTRAINT results_pkey TO results_unpartitioned_pkey;
    ALTER TABLE failure_texts_unpartitioned RENAME CONSTRAINT failure_texts_pkey TO failure_texts_unpartitioned_pkey;

    CREATE TABLE results (LIKE results_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
        PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
    ALTER SEQUENCE results_id_seq OWNED BY results.id;
    CREATE TABLE failure_texts (LIKE failure_texts_unpartitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
        created_at timestamptz NOT NULL, PRIMARY KEY (result_id, created_at)) PARTITION BY RANGE (created_at);

    SELECT coalesce(date_trunc('month', min(created_at) AT TIME ZONE 'UTC'), date_trunc('month', now() AT TIME ZONE 'UTC'))::date
    INTO first_month FROM results_unpartitioned;
    m := first_month;
    WHILE m < last_month LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF results FOR VALUES FROM (%L) TO (%L)',
            'results_p' || to_char(m, 'YYYY_MM'), m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
        EXECUTE format('CREATE TABLE %I PARTITION OF failure_texts FOR VALUES FROM (%L) TO (%L)',
            'failure_texts_p' || to_char(m, 'YYYY_MM'), m::timestamp AT TIME ZONE 'UTC', (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
        m := (m + interval '1 month')::date;
    END LOOP;
    CREATE TABLE results_pdefault PARTITION OF results DEFAULT;
    CREATE TABLE failure_texts_pdefault PARTITION OF failure_texts DEFAULT;

    INSERT INTO results SELECT * FROM results_unpartitioned;
    INSERT INTO failure_texts (result_id, text, truncated, created_at)
    SELECT f.result_id, f.text, f.truncated, r.created_at
    FROM failure_texts_unpartitioned f JOIN results_unpartitioned r ON r.id = f.result_id;

    FOREACH d IN ARRAY defs LOOP
        EXECUTE d;
    END LOOP;
    CREATE TRIGGER results_signature_revisions AFTER INSERT ON results
        REFERENCING NEW TABLE AS new_results FOR EACH STATEMENT EXECUTE FUNCTION signature_revisions_add();
    DROP TABLE failure_texts_unpartitioned;
    DROP TABLE results_unpartitioned;
END $$;
-- +goose StatementEnd

-- A signature's newest example failure outlives the month it came in:
-- retention copies it here before dropping a month.
CREATE TABLE signature_examples (
    signature_id bigint      PRIMARY KEY,
    result_id    bigint      NOT NULL,
    test         text        NOT NULL,
    builder      text        NOT NULL,
    repo         text        NOT NULL,
    revision     text        NOT NULL,
    runner_os    text        NOT NULL,
    created_at   timestamptz NOT NULL,
    text         text        NOT NULL,
    truncated    integer     NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE signature_examples;
-- +goose StatementBegin
DO $$
DECLARE
    idx record;
    defs text[] := '{}';
    d text;
BEGIN
    ALTER TABLE results RENAME TO results_partitioned;
    ALTER TABLE failure_texts RENAME TO failure_texts_partitioned;
    DROP TRIGGER results_signature_revisions ON results_partitioned;
    FOR idx IN
        SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = 'results_partitioned'::regclass AND NOT x.indisprimary
    LOOP
        defs := defs || replace(replace(idx.def, ' ON ONLY public.results_partitioned ', ' ON public.results '),
                                ' ON public.results_partitioned ', ' ON public.results ');
        EXECUTE format('DROP INDEX %I', idx.name);
    END LOOP;
    ALTER TABLE results_partitioned RENAME CONSTRAINT results_pkey TO results_partitioned_pkey;
    ALTER TABLE failure_texts_partitioned RENAME CONSTRAINT failure_texts_pkey TO failure_texts_partitioned_pkey;
    CREATE TABLE results (LIKE results_partitioned INCLUDING DEFAULTS INCLUDING CONSTRAINTS, PRIMARY KEY (id));
    ALTER SEQUENCE results_id_seq OWNED BY results.id;
    CREATE TABLE failure_texts (result_id bigint PRIMARY KEY, text text NOT NULL, truncated integer NOT NULL DEFAULT 0);
    INSERT INTO results SELECT * FROM results_partitioned;
    INSERT INTO failure_texts (result_id, text, truncated) SELECT result_id, text, truncated FROM failure_texts_partitioned;
    FOREACH d IN ARRAY defs LOOP
        EXECUTE d;
    END LOOP;
    CREATE TRIGGER results_signature_revisions AFTER INSERT ON results
        REFERENCING NEW TABLE AS new_results FOR EACH STATEMENT EXECUTE FUNCTION signature_revisions_add();
    DROP TABLE failure_texts_partitioned;
    DROP TABLE results_partitioned;
END $$;
-- +goose StatementEnd
