-- A password reset (issue 14): an admin makes a one-time code for a user and hands it over (never
-- by e-mail); the user sets a new password with it on the login page before it expires. Only
-- the code's SHA-256 digest is kept, one live code per user, spent on use.
CREATE TABLE password_resets (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
