-- Referral cases (issue 10): a household's need referred to an agency, its state in the workflow
-- of thanrak-core's `case` module, and a version that every change raises (a change made on an
-- older version is refused, so two people changing one case at once lose nothing). A household
-- has at most one open case per need and agency. Every change is an event.
CREATE TABLE cases (
    id           BIGSERIAL PRIMARY KEY,
    round        TEXT NOT NULL,
    household_id TEXT NOT NULL,
    village_code TEXT NOT NULL,
    need         TEXT NOT NULL,
    agency       TEXT NOT NULL REFERENCES agencies (code),
    state        TEXT NOT NULL CHECK (state IN ('proposed', 'sent', 'accepted', 'in_progress',
                                                'resolved', 'declined', 'cancelled')),
    priority     BIGINT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    due_on       TEXT,
    created_by   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX cases_open_once ON cases (household_id, need, agency)
    WHERE state NOT IN ('resolved', 'declined', 'cancelled');
CREATE INDEX cases_agency ON cases (agency, id);
CREATE INDEX cases_village ON cases (village_code, id);
CREATE TABLE case_events (
    id         BIGSERIAL PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    at         BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    user_name  TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events (case_id, id);
