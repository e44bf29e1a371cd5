-- The grassroots economy (issue 11, methodology §7). The registry of enterprises — their kind,
-- village, coordinates, employees (local ones among them), the share of local inputs in whole
-- percent, whether they share income, a community enterprise's registration number, an OTOP
-- producer's stars, and the grassroots score (0–3) kept for lists and filters — with their open
-- positions (places, skills wanted as the canonical ';' list, monthly wage in whole baht,
-- season) and the buy-from / sell-to links between them. Ids are the registry's own (the
-- importer's), so a re-import updates in place.
CREATE TABLE enterprises (
    id                 BIGINT PRIMARY KEY,
    kind               TEXT NOT NULL CHECK (kind IN ('community_enterprise', 'otop', 'sme', 'cbt',
                                                     'cooperative')),
    name               TEXT NOT NULL,
    village_code       TEXT NOT NULL,
    lat                DOUBLE PRECISION,
    lon                DOUBLE PRECISION,
    employees          BIGINT NOT NULL CHECK (employees >= 0),
    local_employees    BIGINT NOT NULL CHECK (local_employees >= 0),
    local_resource_pct BIGINT NOT NULL CHECK (local_resource_pct BETWEEN 0 AND 100),
    shares_income      BIGINT NOT NULL CHECK (shares_income IN (0, 1)),
    registration_no    TEXT,
    otop_stars         BIGINT CHECK (otop_stars BETWEEN 1 AND 5),
    grassroots         BIGINT NOT NULL CHECK (grassroots BETWEEN 0 AND 3),
    updated_at         BIGINT NOT NULL
);
CREATE INDEX enterprises_village ON enterprises (village_code, id);
CREATE INDEX enterprises_kind ON enterprises (kind, village_code, id);

CREATE TABLE positions (
    id              BIGINT PRIMARY KEY,
    enterprise_id   BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    places          BIGINT NOT NULL CHECK (places >= 1),
    skills          TEXT NOT NULL DEFAULT '',
    wage_baht_month BIGINT NOT NULL CHECK (wage_baht_month >= 0),
    season          TEXT NOT NULL DEFAULT 'all_year'
);
CREATE INDEX positions_enterprise ON positions (enterprise_id);

CREATE TABLE enterprise_links (
    supplier_id BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    buyer_id    BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    what        TEXT NOT NULL,
    PRIMARY KEY (supplier_id, buyer_id, what)
);
CREATE INDEX enterprise_links_buyer ON enterprise_links (buyer_id);

-- A match run (a proposal) and its pairs: who was placed where, how far (NULL: the same
-- subdistrict without coordinates), on which skills; a pair is proposed, then accepted (a
-- referral case for the job need is opened) and hired (a logbook entry is written).
CREATE TABLE match_runs (
    id             BIGSERIAL PRIMARY KEY,
    round          TEXT NOT NULL,
    area           TEXT NOT NULL DEFAULT '',
    max_m          BIGINT NOT NULL,
    workers        BIGINT NOT NULL,
    placed         BIGINT NOT NULL,
    created_by_id  BIGINT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

CREATE TABLE match_pairs (
    id             BIGSERIAL PRIMARY KEY,
    run_id         BIGINT NOT NULL REFERENCES match_runs (id) ON DELETE CASCADE,
    household_id   TEXT NOT NULL,
    member_no      BIGINT NOT NULL,
    village_code   TEXT NOT NULL,
    hardship       BIGINT NOT NULL CHECK (hardship IN (0, 1)),
    position_id    BIGINT NOT NULL REFERENCES positions (id) ON DELETE CASCADE,
    enterprise_id  BIGINT NOT NULL REFERENCES enterprises (id) ON DELETE CASCADE,
    distance_m     BIGINT,
    matched_skills TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT 'proposed' CHECK (state IN ('proposed', 'accepted', 'hired')),
    case_id        BIGINT REFERENCES cases (id),
    help_id        BIGINT REFERENCES help_records (id)
);
CREATE INDEX match_pairs_run ON match_pairs (run_id, village_code);
CREATE INDEX match_pairs_enterprise ON match_pairs (enterprise_id, state);
