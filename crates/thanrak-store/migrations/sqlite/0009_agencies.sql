-- The catalogue of cooperating agencies: code, names, mission, the needs of methodology §5 it
-- meets and the areas it works in (comma-separated; no areas = the whole country), contact.
-- Filled with the default catalogue of thanrak-core when empty; edited by admins.
CREATE TABLE agencies (
    code       TEXT PRIMARY KEY,
    name_th    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    mission    TEXT NOT NULL DEFAULT '',
    needs      TEXT NOT NULL DEFAULT '',
    areas      TEXT NOT NULL DEFAULT '',
    contact    TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);
