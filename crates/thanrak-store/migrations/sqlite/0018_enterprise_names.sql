-- Name search over the registry of enterprises (issue 11): a trigram full-text index kept by
-- triggers, so that "part of the name" is found through the index rather than by reading every
-- name (`name LIKE '%…%'` on 200,000 enterprises). SQLite's FTS5 `trigram` tokenizer answers
-- LIKE patterns of three characters or more; shorter ones scan as before.
CREATE VIRTUAL TABLE enterprise_names USING fts5(
    name, content = 'enterprises', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER enterprise_names_insert AFTER INSERT ON enterprises BEGIN
    INSERT INTO enterprise_names (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER enterprise_names_delete AFTER DELETE ON enterprises BEGIN
    INSERT INTO enterprise_names (enterprise_names, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER enterprise_names_update AFTER UPDATE OF name ON enterprises BEGIN
    INSERT INTO enterprise_names (enterprise_names, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO enterprise_names (rowid, name) VALUES (new.id, new.name);
END;
INSERT INTO enterprise_names (enterprise_names) VALUES ('rebuild');
