-- Scores of a round under one methodology (id + version), and the figures aggregated from them.
-- A run is replaced whole when the round is scored again; importing into a round drops its runs,
-- so results never mix data or methodologies.
CREATE TABLE score_runs (
    round               TEXT NOT NULL REFERENCES rounds (label),
    methodology_id      TEXT NOT NULL,
    methodology_version TEXT NOT NULL,
    methodology_hash    TEXT NOT NULL,
    computed_at         TEXT NOT NULL,
    households          INTEGER NOT NULL,
    PRIMARY KEY (round, methodology_id, methodology_version)
);

CREATE TABLE scores (
    round               TEXT NOT NULL,
    methodology_id      TEXT NOT NULL,
    methodology_version TEXT NOT NULL,
    household_id        TEXT NOT NULL,
    village_code        TEXT NOT NULL,
    deprivations        INTEGER NOT NULL,
    c_num               INTEGER NOT NULL,
    c_den               INTEGER NOT NULL,
    score               REAL NOT NULL,
    mpi_poor            INTEGER NOT NULL,
    target_poor         INTEGER NOT NULL,
    cap_human               REAL NOT NULL,
    cap_physical            REAL NOT NULL,
    cap_financial           REAL NOT NULL,
    cap_natural             REAL NOT NULL,
    cap_social              REAL NOT NULL,
    criteria_met        INTEGER NOT NULL,
    grp                 TEXT NOT NULL,
    rule_index          INTEGER NOT NULL,
    income_pc           REAL NOT NULL,
    n_members           INTEGER NOT NULL,
    capable_workers     INTEGER NOT NULL,
    head_sex            TEXT,
    PRIMARY KEY (round, methodology_id, methodology_version, household_id),
    FOREIGN KEY (round, methodology_id, methodology_version)
        REFERENCES score_runs (round, methodology_id, methodology_version) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX scores_village ON scores (round, methodology_id, methodology_version, village_code);

CREATE TABLE aggregates (
    round               TEXT NOT NULL,
    methodology_id      TEXT NOT NULL,
    methodology_version TEXT NOT NULL,
    unit                TEXT NOT NULL,
    breakdown           TEXT NOT NULL,
    key                 TEXT NOT NULL,
    figures             TEXT NOT NULL,
    PRIMARY KEY (round, methodology_id, methodology_version, unit, breakdown, key),
    FOREIGN KEY (round, methodology_id, methodology_version)
        REFERENCES score_runs (round, methodology_id, methodology_version) ON DELETE CASCADE
) WITHOUT ROWID;
