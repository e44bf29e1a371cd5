-- Long work run in the background by the server's worker (imports, scoring): what to do (`kind`
-- and its `params` as JSON), who asked, where it stands and how it ended. A job is `queued`, then
-- `running` once a worker claims it, then `done` (with its `result` as JSON) or `failed` (with an
-- `error`, and a `result` when the failure has details, such as the problems of refused files).
-- A server that starts marks the jobs still `running` as failed: their process was stopped, and
-- each job writes its data in one transaction, so nothing of them was kept.
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    params          TEXT NOT NULL,
    created_by      INTEGER NOT NULL,
    created_by_name TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'queued'
        CHECK (state IN ('queued', 'running', 'done', 'failed')),
    progress_done   INTEGER NOT NULL DEFAULT 0,
    progress_total  INTEGER NOT NULL DEFAULT 0,
    stage           TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT,
    error           TEXT,
    result          TEXT
);
CREATE INDEX jobs_state ON jobs (state, id);
CREATE INDEX jobs_created_by ON jobs (created_by, id);
