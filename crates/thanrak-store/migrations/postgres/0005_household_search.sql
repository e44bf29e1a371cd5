-- The household search lists an area's households by village, then household id, a page at a
-- time: an index in that order serves the filter and the order without sorting the area.
CREATE INDEX households_village_id ON households (round, village_code, household_id COLLATE "C");
DROP INDEX households_village;

-- Households per village of each round, rewritten inside every import's transaction, so that a
-- search can say how many households an area holds without counting them one by one.
CREATE TABLE household_counts (
    round        TEXT NOT NULL REFERENCES rounds (label),
    village_code TEXT NOT NULL,
    households   BIGINT NOT NULL,
    PRIMARY KEY (round, village_code)
);
INSERT INTO household_counts (round, village_code, households)
    SELECT round, village_code, count(*) FROM households GROUP BY round, village_code;
