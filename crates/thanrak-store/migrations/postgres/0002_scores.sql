-- Scores of a round under one methodology (id + version), and the figures aggregated from them.
-- A run is replaced whole when the round is scored again; importing into a round drops its runs,
-- so results never mix data or methodologies.
CREATE TABLE score_runs (
    round               TEXT NOT NULL REFERENCES rounds (label),
    methodology_id      TEXT NOT NULL,
    methodology_version TEXT NOT NULL,
    methodology_hash    TEXT NOT NULL,
    computed_at         TIMESTAMPTZ NOT NULL,
    households          BIGINT NOT NULL,
    PRIMARY KEY (round, methodology_id, methodology_version)
);

CREATE TABLE scores (
    round               TEXT NOT NULL,
    methodology_id      TEXT NOT NULL,
    methodology_version TEXT NOT NULL,
    household_id        TEXT NOT NULL,
    village_code        TEXT NOT NULL,
    deprivations        BIGINT NOT NULL,
    c_num               BIGINT NOT NULL,
    c_den               BIGINT NOT NULL,
    score               DOUBLE PRECISION NOT NULL,
    mpi_poor            BOOLEAN NOT NULL,
    target_poor         BOOLEAN NOT NULL,
    cap_human               DOUBLE PRECISION NOT NULL,
    cap_physical            DOUBLE PRECISION NOT NULL,
    cap_financial           DOUBLE PRECISION NOT NULL,
    cap_natural             DOUBLE PRECISION NOT NULL,
    cap_social              DOUBLE PRECISION NOT NULL,
    criteria_met        BIGINT NOT NULL,
    grp                 TEXT NOT NULL,
    rule_index          BIGINT NOT NULL,
    income_pc           DOUBLE PRECISION NOT NULL,
    n_members           BIGINT NOT NULL,
    capable_workers     BIGINT NOT NULL,
    head_sex            TEXT,
    PRIMARY KEY (round, methodology_id, methodology_version, household_id),
    FOREIGN KEY (round, methodology_id, methodology_version)
        REFERENCES score_runs (round, methodology_id, methodology_version) ON DELETE CASCADE
);
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
);
