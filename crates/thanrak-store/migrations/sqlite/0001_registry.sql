-- Areas (provinces, districts, subdistricts from the official table; villages as data arrives),
-- survey rounds, households and members. Append-only: change the schema in a new file.
CREATE TABLE areas (
    code        TEXT PRIMARY KEY,
    level       TEXT NOT NULL CHECK (level IN ('province', 'district', 'subdistrict', 'village')),
    parent_code TEXT REFERENCES areas (code),
    name_th     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    postcode    TEXT
);
CREATE INDEX areas_parent ON areas (parent_code);

CREATE TABLE rounds (
    label          TEXT PRIMARY KEY,
    first_loaded_at TEXT NOT NULL,
    last_loaded_at  TEXT NOT NULL
);

CREATE TABLE households (
    round                   TEXT NOT NULL REFERENCES rounds (label),
    household_id            TEXT NOT NULL,
    survey_date             TEXT NOT NULL,
    village_code            TEXT NOT NULL REFERENCES areas (code),
    house_no                TEXT,
    lat                     REAL,
    lon                     REAL,
    housing_tenure          TEXT NOT NULL,
    housing_condition       TEXT NOT NULL,
    drinking_water_ok       INTEGER NOT NULL,
    water_use_ok            INTEGER NOT NULL,
    electricity             INTEGER NOT NULL,
    sanitary_toilet         INTEGER NOT NULL,
    farm_land_rai           REAL NOT NULL,
    land_tenure             TEXT NOT NULL,
    natural_resource_use    INTEGER NOT NULL,
    disaster_risk           INTEGER NOT NULL,
    savings_thb             REAL NOT NULL,
    debt_formal_thb         REAL NOT NULL,
    debt_informal_thb       REAL NOT NULL,
    transfers_thb_year      REAL NOT NULL,
    group_memberships       INTEGER NOT NULL,
    receives_community_help INTEGER NOT NULL,
    PRIMARY KEY (round, household_id)
) WITHOUT ROWID;
CREATE INDEX households_village ON households (round, village_code);

CREATE TABLE members (
    round            TEXT NOT NULL,
    household_id     TEXT NOT NULL,
    member_no        INTEGER NOT NULL,
    national_id      TEXT,
    first_name       TEXT NOT NULL,
    last_name        TEXT,
    sex              TEXT NOT NULL,
    birth_date       TEXT,
    age              INTEGER,
    relation         TEXT NOT NULL,
    education        TEXT NOT NULL,
    in_school        INTEGER NOT NULL,
    literate         INTEGER NOT NULL,
    occupation       TEXT NOT NULL,
    income_thb_year  REAL NOT NULL,
    disability       INTEGER NOT NULL,
    chronic_illness  INTEGER NOT NULL,
    dependent        INTEGER NOT NULL,
    receives_care    INTEGER NOT NULL,
    welfare_card     INTEGER NOT NULL,
    health_insurance INTEGER NOT NULL,
    skills           TEXT,
    can_work         INTEGER NOT NULL,
    wants_work       INTEGER NOT NULL,
    PRIMARY KEY (round, household_id, member_no),
    FOREIGN KEY (round, household_id) REFERENCES households (round, household_id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX members_national_id ON members (national_id) WHERE national_id IS NOT NULL;

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    source      TEXT NOT NULL,
    rounds      TEXT NOT NULL,
    households  INTEGER NOT NULL,
    members     INTEGER NOT NULL
);
