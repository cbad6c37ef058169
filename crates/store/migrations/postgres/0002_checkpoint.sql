-- The derived tables (accounts, transfers) are written in bulk behind the
-- journal; `checkpoint` names the last journal entry they reflect. On start,
-- trigate replays the journal and writes what they miss. Until now they were
-- written in the journal's own transaction, so they reflect all of it.
CREATE TABLE checkpoint (
    id   SMALLINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT   NOT NULL
);
INSERT INTO checkpoint (id, seq) SELECT 1, COALESCE(max(seq), 0) FROM journal;
