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
    first_loaded_at TIMESTAMPTZ NOT NULL,
    last_loaded_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE households (
    round                   TEXT NOT NULL REFERENCES rounds (label),
    household_id            TEXT NOT NULL,
    survey_date             DATE NOT NULL,
    village_code            TEXT NOT NULL REFERENCES areas (code),
    house_no                TEXT,
    lat                     DOUBLE PRECISION,
    lon                     DOUBLE PRECISION,
    housing_tenure          TEXT NOT NULL,
    housing_condition       TEXT NOT NULL,
    drinking_water_ok       SMALLINT NOT NULL,
    water_use_ok            SMALLINT NOT NULL,
    electricity             SMALLINT NOT NULL,
    sanitary_toilet         SMALLINT NOT NULL,
    farm_land_rai           DOUBLE PRECISION NOT NULL,
    land_tenure             TEXT NOT NULL,
    natural_resource_use    SMALLINT NOT NULL,
    disaster_risk           SMALLINT NOT NULL,
    savings_thb             DOUBLE PRECISION NOT NULL,
    debt_formal_thb         DOUBLE PRECISION NOT NULL,
    debt_informal_thb       DOUBLE PRECISION NOT NULL,
    transfers_thb_year      DOUBLE PRECISION NOT NULL,
    group_memberships       BIGINT NOT NULL,
    receives_community_help SMALLINT NOT NULL,
    PRIMARY KEY (round, household_id)
);
CREATE INDEX households_village ON households (round, village_code);

CREATE TABLE members (
    round            TEXT NOT NULL,
    household_id     TEXT NOT NULL,
    member_no        BIGINT NOT NULL,
    national_id      TEXT,
    first_name       TEXT NOT NULL,
    last_name        TEXT,
    sex              TEXT NOT NULL,
    birth_date       DATE,
    age              BIGINT,
    relation         TEXT NOT NULL,
    education        TEXT NOT NULL,
    in_school        SMALLINT NOT NULL,
    literate         SMALLINT NOT NULL,
    occupation       TEXT NOT NULL,
    income_thb_year  DOUBLE PRECISION NOT NULL,
    disability       SMALLINT NOT NULL,
    chronic_illness  SMALLINT NOT NULL,
    dependent        SMALLINT NOT NULL,
    receives_care    SMALLINT NOT NULL,
    welfare_card     SMALLINT NOT NULL,
    health_insurance SMALLINT NOT NULL,
    skills           TEXT,
    can_work         SMALLINT NOT NULL,
    wants_work       SMALLINT NOT NULL,
    PRIMARY KEY (round, household_id, member_no),
    FOREIGN KEY (round, household_id) REFERENCES households (round, household_id) ON DELETE CASCADE
);
CREATE INDEX members_national_id ON members (national_id) WHERE national_id IS NOT NULL;

CREATE TABLE imports (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    source      TEXT NOT NULL,
    rounds      TEXT NOT NULL,
    households  BIGINT NOT NULL,
    members     BIGINT NOT NULL
);
