-- The journal is the truth: one row per applied batch, hash-chained.
-- Accounts and transfers are derived from it and written in the same
-- transaction. Ids are 16-byte big-endian blobs; amounts and counters are
-- decimal text, exact at any size.
CREATE TABLE journal (
    seq        INTEGER PRIMARY KEY,
    timestamp  INTEGER NOT NULL,
    body       BLOB    NOT NULL,
    prev_hash  BLOB    NOT NULL,
    hash       BLOB    NOT NULL
);

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
