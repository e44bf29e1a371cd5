-- Field data (issue 13). The submissions of ODK Central and KoboToolbox loaded into a round: a
-- submission's key stays the same across its edits and its version (the instance id) does not,
-- so that importing a newer export loads only new submissions and replaces the edited ones.
CREATE TABLE field_submissions (
    round          TEXT NOT NULL,
    submission_key TEXT NOT NULL,
    tool           TEXT NOT NULL,
    version        TEXT NOT NULL,
    household_id   TEXT NOT NULL,
    submitted_at   TEXT NOT NULL,
    loaded_at      BIGINT NOT NULL,
    PRIMARY KEY (round, submission_key)
);
CREATE INDEX field_submissions_household ON field_submissions (round, household_id);

-- The history of a household's record: before a change replaces it (an edited submission, a
-- correction on the web, a merge of duplicates), the record as it was — the household row and
-- its members as the import format's cells — is kept as version N, with who changed it, when
-- and how. Versions are numbered from 1 per household and round; the number is the primary
-- key, so of two changes made at once from the same version the second fails.
CREATE TABLE household_versions (
    round        TEXT NOT NULL,
    household_id TEXT NOT NULL,
    version      BIGINT NOT NULL,
    saved_at     BIGINT NOT NULL,
    saved_by     TEXT NOT NULL,
    source       TEXT NOT NULL,
    record       TEXT NOT NULL,
    PRIMARY KEY (round, household_id, version)
);

-- Reviews of likely duplicates: a group of persons (by its key, which names the households it
-- spans) marked as not duplicates, or merged.
CREATE TABLE duplicate_reviews (
    group_key   TEXT PRIMARY KEY,
    decision    TEXT NOT NULL CHECK (decision IN ('not_duplicates', 'merged')),
    note        TEXT NOT NULL DEFAULT '',
    decided_by  TEXT NOT NULL,
    decided_at  BIGINT NOT NULL
);
