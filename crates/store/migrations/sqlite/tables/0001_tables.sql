-- The tables derived from the journal (in trigate-tables.db): accounts with their
-- counters and transfers, written in bulk behind the journal. `checkpoint`
-- names the last journal entry they reflect; on start, trigate replays the
-- journal and writes what they miss, so this file can be rebuilt from the
-- journal alone. Ids are 16-byte big-endian blobs; amounts and counters are
-- decimal text, exact at any size.
CREATE TABLE checkpoint (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
);
INSERT INTO checkpoint (id, seq) VALUES (1, 0);

CREATE TABLE accounts (
    id              BLOB    PRIMARY KEY,
    ledger          INTEGER NOT NULL,
    code            INTEGER NOT NULL,
    flags           INTEGER NOT NULL,
    user_data       BLOB    NOT NULL,
    debits_pending  TEXT    NOT NULL,
    debits_posted   TEXT    NOT NULL,
    credits_pending TEXT    NOT NULL,
    credits_posted  TEXT    NOT NULL,
    timestamp       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE transfers (
    id                BLOB    PRIMARY KEY,
    debit_account_id  BLOB    NOT NULL,
    credit_account_id BLOB    NOT NULL,
    amount            TEXT    NOT NULL,
    pending_id        BLOB    NOT NULL,
    user_data         BLOB    NOT NULL,
    timeout           INTEGER NOT NULL,
    ledger            INTEGER NOT NULL,
    code              INTEGER NOT NULL,
    flags             INTEGER NOT NULL,
    timestamp         INTEGER NOT NULL,
    expired           INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
