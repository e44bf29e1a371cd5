-- Needs (methodology §5) are computed when a round is scored and stored with the scores, as bits
-- in the order of the methodology file's [[need]] tables, so that a target list filtered by a need
-- is filtered, ordered, counted and paged in SQL. NULL: scored before needs were stored.
ALTER TABLE scores ADD COLUMN needs BIGINT;

-- The methodology file a run was scored with, so that pages and the API use that file's labels,
-- needs and groups. NULL for runs stored before this migration (scored again, they get it).
ALTER TABLE score_runs ADD COLUMN methodology_text TEXT;
