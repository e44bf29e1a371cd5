-- The value chain's households (issue 11): a household that sells what it grows or makes to an
-- enterprise, with the village it lived in when the link was imported, so that the chain is
-- read inside a reader's areas without a join to a round.
CREATE TABLE enterprise_suppliers (
    enterprise_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    household_id  TEXT NOT NULL,
    village_code  TEXT NOT NULL,
    what          TEXT NOT NULL,
    PRIMARY KEY (enterprise_id, household_id, what)
);
CREATE INDEX enterprise_suppliers_household ON enterprise_suppliers (household_id);

-- The workers a match run left unplaced, with the reason (no position within reach, no skill
-- match, positions full, household already placed), listed on the run's page inside the
-- reader's areas.
CREATE TABLE match_unplaced (
    id           INTEGER PRIMARY KEY,
    run_id       BIGINT NOT NULL REFERENCES match_runs (id) ON DELETE CASCADE,
    household_id TEXT NOT NULL,
    member_no    BIGINT NOT NULL,
    village_code TEXT NOT NULL,
    hardship     BIGINT NOT NULL CHECK (hardship IN (0, 1)),
    reason       TEXT NOT NULL CHECK (reason IN ('no_position_in_reach', 'no_skill_match',
                                                 'positions_full', 'household_placed'))
);
CREATE INDEX match_unplaced_run ON match_unplaced (run_id, reason, village_code);
