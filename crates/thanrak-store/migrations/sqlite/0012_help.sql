-- The logbook of help given (issue 10): one row per episode of help to one household — its kind,
-- the dimension or capital it addresses (empty: not said), the agency that gave it, when (ISO
-- date), its value in whole satang (never a float), and the referral case it answers. Help is
-- summed by agency, by what it addresses and by village (readers are kept inside their areas
-- by the village code, as cases are).
CREATE TABLE help_records (
    id             INTEGER PRIMARY KEY,
    round          TEXT NOT NULL,
    household_id   TEXT NOT NULL,
    village_code   TEXT NOT NULL,
    agency         TEXT NOT NULL REFERENCES agencies (code),
    kind           TEXT NOT NULL CHECK (kind IN ('cash', 'in_kind', 'training', 'job', 'housing',
                                                 'health', 'education', 'other')),
    addresses      TEXT NOT NULL DEFAULT '',
    what           TEXT NOT NULL,
    value_satang   BIGINT NOT NULL CHECK (value_satang >= 0),
    given_on       TEXT NOT NULL,
    case_id        BIGINT REFERENCES cases (id),
    recorded_by_id BIGINT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL
);
CREATE INDEX help_records_household ON help_records (household_id, given_on);
CREATE INDEX help_records_village ON help_records (village_code);
CREATE INDEX help_records_agency ON help_records (agency, village_code);
