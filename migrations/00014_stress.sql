-- What a failing test printed apart from its failure text: JUnit
-- system-out/err, or the tail of a stress iteration's output beside the
-- failing test's own text. The signature page shows it with the example
-- failure. Capped like the text (--max-failure-text); NULL when none.

-- +goose Up
ALTER TABLE failure_texts ADD COLUMN output text;
-- ... and kept with a signature's example when its month is dropped.
ALTER TABLE signature_examples ADD COLUMN output text;

-- +goose Down
ALTER TABLE signature_examples DROP COLUMN output;
ALTER TABLE failure_texts DROP COLUMN output;
