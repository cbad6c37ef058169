-- The journal is the truth: one row per applied batch, hash-chained.
-- Accounts and transfers are derived from it and written in the same
-- transaction. Ids are 16-byte big-endian bytea; amounts and counters are
-- numeric, exact at any size.
CREATE TABLE journal (
    seq        BIGINT  PRIMARY KEY,
    timestamp  BIGINT  NOT NULL,
    body       BYTEA   NOT NULL,
    prev_hash  BYTEA   NOT NULL,
    hash       BYTEA   NOT NULL
);

CREATE TABLE accounts (
    id              BYTEA         PRIMARY KEY,
    ledger          BIGINT        NOT NULL,
    code            INTEGER       NOT NULL,
    flags           INTEGER       NOT NULL,
    user_data       BYTEA         NOT NULL,
    debits_pending  NUMERIC(39,0) NOT NULL,
    debits_posted   NUMERIC(39,0) NOT NULL,
    credits_pending NUMERIC(39,0) NOT NULL,
    credits_posted  NUMERIC(39,0) NOT NULL,
    timestamp       BIGINT        NOT NULL
);

CREATE TABLE transfers (
    id                BYTEA         PRIMARY KEY,
    debit_account_id  BYTEA         NOT NULL,
    credit_account_id BYTEA         NOT NULL,
    amount            NUMERIC(20,0) NOT NULL,
    pending_id        BYTEA         NOT NULL,
    user_data         BYTEA         NOT NULL,
    timeout           BIGINT        NOT NULL,
    ledger            BIGINT        NOT NULL,
    code              INTEGER       NOT NULL,
    flags             INTEGER       NOT NULL,
    timestamp         BIGINT        NOT NULL,
    expired           BOOLEAN       NOT NULL DEFAULT FALSE
);
