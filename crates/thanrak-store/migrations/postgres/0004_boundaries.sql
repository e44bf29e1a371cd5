-- Area boundaries for the choropleth map: one GeoJSON geometry (Polygon or MultiPolygon) per area,
-- from a file the user imports or, for the demo, generated and flagged as illustrative. Keyed by
-- the area code alone: a code names its level. Re-importing an area replaces its row.
CREATE TABLE boundaries (
    code         TEXT PRIMARY KEY REFERENCES areas (code),
    level        TEXT NOT NULL CHECK (level IN ('province', 'district', 'subdistrict', 'village')),
    geojson      TEXT NOT NULL,
    source       TEXT NOT NULL,
    illustrative BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX boundaries_level ON boundaries (level, code);
