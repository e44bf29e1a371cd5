-- What the provincial policy meeting plans and follows (issue 12). Partner universities acting as
-- Area Managers, with the areas each manages; model areas (a district, subdistrict or village
-- chosen to show the way) with the activities of their roadmap and the households and
-- enterprises each activity concerns; policy meetings with the agencies present and their
-- action items, which are followed like referral cases (a state, a version read before a
-- change, a history of events) and may name the cases they are about.
CREATE TABLE partners (
    code    TEXT PRIMARY KEY,
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT ''
);
CREATE TABLE partner_areas (
    partner   TEXT NOT NULL REFERENCES partners (code) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    PRIMARY KEY (partner, area_code)
);
CREATE TABLE model_areas (
    area_code  TEXT PRIMARY KEY,
    partner    TEXT REFERENCES partners (code),
    chosen_on  TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE roadmap_activities (
    id            BIGSERIAL PRIMARY KEY,
    area_code     TEXT NOT NULL REFERENCES model_areas (area_code) ON DELETE CASCADE,
    heading       TEXT NOT NULL CHECK (heading IN ('community_process', 'marketing',
                                                   'basic_improvements', 'processing', 'tourism')),
    title         TEXT NOT NULL,
    lead_agency   TEXT NOT NULL REFERENCES agencies (code),
    budget_satang BIGINT NOT NULL CHECK (budget_satang >= 0),
    starts_on     TEXT,
    ends_on       TEXT,
    state         TEXT NOT NULL CHECK (state IN ('planned', 'under_way', 'done', 'dropped')),
    updated_at    BIGINT NOT NULL
);
CREATE INDEX roadmap_activities_area ON roadmap_activities (area_code);
CREATE TABLE activity_households (
    activity_id  BIGINT NOT NULL REFERENCES roadmap_activities (id) ON DELETE CASCADE,
    household_id TEXT NOT NULL,
    PRIMARY KEY (activity_id, household_id)
);
CREATE TABLE activity_enterprises (
    activity_id   BIGINT NOT NULL REFERENCES roadmap_activities (id) ON DELETE CASCADE,
    enterprise_id TEXT NOT NULL,
    PRIMARY KEY (activity_id, enterprise_id)
);
CREATE TABLE meetings (
    id         BIGSERIAL PRIMARY KEY,
    province   TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    title      TEXT NOT NULL,
    decisions  TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX meetings_province ON meetings (province, held_on);
CREATE TABLE meeting_agencies (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    agency     TEXT NOT NULL REFERENCES agencies (code),
    PRIMARY KEY (meeting_id, agency)
);
CREATE TABLE action_items (
    id         BIGSERIAL PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    what       TEXT NOT NULL,
    agency     TEXT NOT NULL REFERENCES agencies (code),
    area_code  TEXT NOT NULL,
    due_on     TEXT,
    state      TEXT NOT NULL CHECK (state IN ('planned', 'under_way', 'done', 'dropped')),
    version    BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL
);
CREATE INDEX action_items_meeting ON action_items (meeting_id);
CREATE INDEX action_items_agency ON action_items (agency, state);
CREATE TABLE action_item_cases (
    item_id BIGINT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (item_id, case_id)
);
CREATE TABLE action_item_events (
    id        BIGSERIAL PRIMARY KEY,
    item_id   BIGINT NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    at        BIGINT NOT NULL,
    by_name   TEXT NOT NULL,
    state     TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX action_item_events_item ON action_item_events (item_id, at);
-- The files of the policy-meeting reports made by the report job: kept by job, downloaded by
-- whoever queued the job (or an admin).
CREATE TABLE report_files (
    job_id     BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    content    BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
