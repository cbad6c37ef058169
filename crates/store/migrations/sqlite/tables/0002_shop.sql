-- The shop's tables derived from its journal, written with the ledger's at
-- each checkpoint: orders as they stand, and card keys — sealed (encrypted
-- under the merchant's data key), with the keyed hash that finds duplicates.
CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    buyer         INTEGER NOT NULL,
    merchant      INTEGER NOT NULL,
    product       INTEGER NOT NULL,
    quantity      INTEGER NOT NULL,
    currency      TEXT    NOT NULL,
    amount        INTEGER NOT NULL,
    refunded      INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    paid_at       INTEGER,
    delivered_at  INTEGER,
    settled_at    INTEGER
);

CREATE TABLE card_keys (
    id        INTEGER PRIMARY KEY,
    merchant  INTEGER NOT NULL,
    product   INTEGER NOT NULL,
    hash      BLOB    NOT NULL,
    sealed    BLOB    NOT NULL,
    status    TEXT    NOT NULL,
    order_id  INTEGER
);
