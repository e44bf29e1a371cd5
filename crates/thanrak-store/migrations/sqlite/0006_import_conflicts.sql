-- Clashes that an import check found between a user's files and stored records that the user may
-- not see (a household outside its areas, or a national id its role sees masked). The check tells
-- the user only that a clash exists; this table keeps what was checked, for the admins (the audit
-- log names it too) and for throttling: a user who runs into too many clashes in a day is refused
-- further import checks until the day has passed, so the checks cannot serve as a lookup.
CREATE TABLE import_conflicts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    user_id      INTEGER NOT NULL,
    round        TEXT NOT NULL,
    column_name  TEXT NOT NULL,
    value        TEXT NOT NULL,
    household_id TEXT NOT NULL
);
CREATE INDEX import_conflicts_user ON import_conflicts (user_id, at);
