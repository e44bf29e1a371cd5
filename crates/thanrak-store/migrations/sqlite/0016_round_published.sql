-- A round is a draft until an admin publishes it after checking it (issue 14): pages open on
-- the latest published round, so that a small import does not become everyone's default.
-- Rounds loaded before this migration were everyone's already: they count as published.
ALTER TABLE rounds ADD COLUMN published_at BIGINT;
ALTER TABLE rounds ADD COLUMN published_by TEXT;
UPDATE rounds SET published_at = 0, published_by = '';
