-- Name search over the registry of enterprises (issue 11): a trigram GIN index, so that
-- `name LIKE '%…%'` is answered through the index rather than by reading every name. pg_trgm
-- ships with PostgreSQL's contrib modules and is a trusted extension (PostgreSQL 13+), so the
-- database's owner may create it; where it cannot be created the search scans as before and
-- this migration still succeeds.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX enterprises_name_trgm ON enterprises USING gin (name gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): enterprise names are searched by scanning', SQLERRM;
END
$$;
