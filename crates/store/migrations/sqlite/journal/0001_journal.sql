-- The journal is the truth: one row per applied batch, hash-chained. It has
-- a file of its own (trigate.db), so that its commits never wait on the
-- bulk writes of the derived tables (trigate-tables.db).
CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY,
    timestamp  INTEGER NOT NULL,
    body       BLOB    NOT NULL,
    prev_hash  BLOB    NOT NULL,
    hash       BLOB    NOT NULL
);
