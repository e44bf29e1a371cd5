-- Accounts and access (PDPA): users with their role, areas and agency; browser sessions; API
-- tokens; failed logins (for throttling, kept here so that a restart does not reset them); and the
-- audit log of every view of unmasked personal data. No secret is stored: passwords as argon2 PHC
-- strings, session and API tokens as SHA-256 hex digests. Times are whole seconds, so that their
-- text sorts in time order. Users are disabled, never deleted, so the log keeps who they were.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL
        CHECK (role IN ('admin', 'analyst', 'area_manager', 'surveyor', 'agency_officer')),
    agency        TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- The areas a user is scoped to (provinces or districts of an area manager, subdistricts or
-- villages of a surveyor). No foreign key: a village exists in `areas` only once data names it.
CREATE TABLE user_areas (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    PRIMARY KEY (user_id, area_code)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_failures (
    user_name TEXT NOT NULL,
    ip        TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (user_name, ip, at);
CREATE INDEX login_failures_at ON login_failures (at);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    user_id       INTEGER NOT NULL,
    user_name     TEXT NOT NULL,
    action        TEXT NOT NULL,
    round         TEXT,
    household_ids TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
