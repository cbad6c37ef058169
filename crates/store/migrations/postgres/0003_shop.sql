-- The shop's tables derived from its journal, written with the ledger's at
-- each checkpoint: orders as they stand, and card keys — sealed (encrypted
-- under the merchant's data key), with the keyed hash that finds duplicates.
CREATE TABLE orders (
    id            BIGINT  PRIMARY KEY,
    buyer         BIGINT  NOT NULL,
    merchant      BIGINT  NOT NULL,
    product       BIGINT  NOT NULL,
    quantity      BIGINT  NOT NULL,
    currency      TEXT    NOT NULL,
    amount        BIGINT  NOT NULL,
    refunded      BIGINT  NOT NULL,
    status        TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    paid_at       BIGINT,
    delivered_at  BIGINT,
    settled_at    BIGINT
);

CREATE TABLE card_keys (
    id        BIGINT  PRIMARY KEY,
    merchant  BIGINT  NOT NULL,
    product   BIGINT  NOT NULL,
    hash      BYTEA   NOT NULL,
    sealed    BYTEA   NOT NULL,
    status    TEXT    NOT NULL,
    order_id  BIGINT
);
