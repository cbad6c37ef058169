//! How ledger values are written to and read from rows, the same for both
//! backends: ids as 16-byte big-endian blobs, amounts and counters as exact
//! decimals, hashes as 32-byte blobs.

use trigate_ledger::{Account, AccountFlags, Hash, TransferFlags, TransferRecord};

use crate::{JournalRow, StoreError, StoredTransfer};

pub fn id_bytes(id: u128) -> Vec<u8> {
    id.to_be_bytes().to_vec()
}

pub fn id_from(table: &'static str, bytes: &[u8]) -> Result<u128, StoreError> {
    let raw: [u8; 16] = bytes.try_into().map_err(|_| StoreError::Corrupt {
        table,
        key: hex(bytes),
        what: format!("id of {} bytes, not 16", bytes.len()),
    })?;
    Ok(u128::from_be_bytes(raw))
}

pub fn hash_from(table: &'static str, key: u64, bytes: &[u8]) -> Result<Hash, StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt {
        table,
        key: key.to_string(),
        what: format!("hash of {} bytes, not 32", bytes.len()),
    })
}

pub fn number<T: std::str::FromStr>(
    table: &'static str,
    key: u128,
    column: &str,
    text: &str,
) -> Result<T, StoreError> {
    text.trim().parse().map_err(|_| StoreError::Corrupt {
        table,
        key: key.to_string(),
        what: format!("{column} = {text:?} is not a number in range"),
    })
}

/// A u64 stored in a signed 64-bit column; `check_range` has
/// refused any that do not fit before a row is written.
pub fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// A signed 64-bit column read into the narrower unsigned field it holds.
pub fn fit<T: TryFrom<i64>>(
    table: &'static str,
    key: u128,
    column: &str,
    v: i64,
) -> Result<T, StoreError> {
    T::try_from(v).map_err(|_| StoreError::Corrupt {
        table,
        key: key.to_string(),
        what: format!("{column} = {v} is out of range"),
    })
}

/// Reads the columns every backend selects under the same names, as bytes,
/// 64-bit integers and text (PostgreSQL casts its numerics to text).
pub trait Columns<'r> {
    fn bytes(&'r self, column: &str) -> Result<Vec<u8>, sqlx::Error>;
    fn int(&'r self, column: &str) -> Result<i64, sqlx::Error>;
    fn opt_int(&'r self, column: &str) -> Result<Option<i64>, sqlx::Error>;
    fn text(&'r self, column: &str) -> Result<String, sqlx::Error>;
}

impl<'r, R> Columns<'r> for R
where
    R: sqlx::Row,
    for<'c> &'c str: sqlx::ColumnIndex<R>,
    Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: sqlx::Decode<'r, R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn bytes(&'r self, column: &str) -> Result<Vec<u8>, sqlx::Error> {
        self.try_get(column)
    }
    fn int(&'r self, column: &str) -> Result<i64, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_int(&'r self, column: &str) -> Result<Option<i64>, sqlx::Error> {
        self.try_get(column)
    }
    fn text(&'r self, column: &str) -> Result<String, sqlx::Error> {
        self.try_get(column)
    }
}

pub fn read_account<'r>(r: &'r impl Columns<'r>) -> Result<Account, StoreError> {
    AccountRow {
        id: r.bytes("id")?,
        ledger: r.int("ledger")?,
        code: r.int("code")?,
        flags: r.int("flags")?,
        user_data: r.bytes("user_data")?,
        counters: [
            r.text("debits_pending")?,
            r.text("debits_posted")?,
            r.text("credits_pending")?,
            r.text("credits_posted")?,
        ],
        timestamp: r.int("timestamp")?,
    }
    .into_account()
}

pub fn read_transfer<'r>(r: &'r impl Columns<'r>) -> Result<StoredTransfer, StoreError> {
    let record = TransferRow {
        id: r.bytes("id")?,
        debit_account_id: r.bytes("debit_account_id")?,
        credit_account_id: r.bytes("credit_account_id")?,
        amount: r.text("amount")?,
        pending_id: r.bytes("pending_id")?,
        user_data: r.bytes("user_data")?,
        timeout: r.int("timeout")?,
        ledger: r.int("ledger")?,
        code: r.int("code")?,
        flags: r.int("flags")?,
        timestamp: r.int("timestamp")?,
    }
    .into_record()?;
    Ok(StoredTransfer {
        record,
        expired: r.int("expired")? != 0,
    })
}

pub fn read_journal<'r>(r: &'r impl Columns<'r>) -> Result<JournalRow, StoreError> {
    let seq: u64 = fit("journal", 0, "seq", r.int("seq")?)?;
    Ok(JournalRow {
        seq,
        timestamp: fit("journal", u128::from(seq), "timestamp", r.int("timestamp")?)?,
        body: r.bytes("body")?,
        prev_hash: hash_from("journal", seq, &r.bytes("prev_hash")?)?,
        hash: hash_from("journal", seq, &r.bytes("hash")?)?,
    })
}

/// Columns of an account row as read back, before checking.
struct AccountRow {
    pub id: Vec<u8>,
    pub ledger: i64,
    pub code: i64,
    pub flags: i64,
    pub user_data: Vec<u8>,
    pub counters: [String; 4],
    pub timestamp: i64,
}

impl AccountRow {
    fn into_account(self) -> Result<Account, StoreError> {
        const T: &str = "accounts";
        let id = id_from(T, &self.id)?;
        let [dp, dpo, cp, cpo] = &self.counters;
        Ok(Account {
            id,
            ledger: fit(T, id, "ledger", self.ledger)?,
            code: fit(T, id, "code", self.code)?,
            flags: AccountFlags::from_bits_retain(fit(T, id, "flags", self.flags)?),
            user_data: id_from(T, &self.user_data)?,
            debits_pending: number(T, id, "debits_pending", dp)?,
            debits_posted: number(T, id, "debits_posted", dpo)?,
            credits_pending: number(T, id, "credits_pending", cp)?,
            credits_posted: number(T, id, "credits_posted", cpo)?,
            timestamp: fit(T, id, "timestamp", self.timestamp)?,
        })
    }
}

/// Columns of a transfer row as read back, before checking.
struct TransferRow {
    pub id: Vec<u8>,
    pub debit_account_id: Vec<u8>,
    pub credit_account_id: Vec<u8>,
    pub amount: String,
    pub pending_id: Vec<u8>,
    pub user_data: Vec<u8>,
    pub timeout: i64,
    pub ledger: i64,
    pub code: i64,
    pub flags: i64,
    pub timestamp: i64,
}

impl TransferRow {
    fn into_record(self) -> Result<TransferRecord, StoreError> {
        const T: &str = "transfers";
        let id = id_from(T, &self.id)?;
        Ok(TransferRecord {
            id,
            debit_account_id: id_from(T, &self.debit_account_id)?,
            credit_account_id: id_from(T, &self.credit_account_id)?,
            amount: number(T, id, "amount", &self.amount)?,
            pending_id: id_from(T, &self.pending_id)?,
            user_data: id_from(T, &self.user_data)?,
            timeout: fit(T, id, "timeout", self.timeout)?,
            ledger: fit(T, id, "ledger", self.ledger)?,
            code: fit(T, id, "code", self.code)?,
            flags: TransferFlags::from_bits_retain(fit(T, id, "flags", self.flags)?),
            timestamp: fit(T, id, "timestamp", self.timestamp)?,
        })
    }
}

/// Rows per derived table, the same query on both backends.
pub const COUNT_ROWS: &str = "SELECT (SELECT count(*) FROM accounts) AS accounts, \
     (SELECT count(*) FROM transfers) AS transfers, (SELECT count(*) FROM orders) AS orders, \
     (SELECT count(*) FROM card_keys) AS card_keys";

pub fn read_counts<'r>(r: &'r impl Columns<'r>) -> Result<crate::RowCounts, StoreError> {
    let count =
        |column: &str| -> Result<u64, StoreError> { fit("counts", 0, column, r.int(column)?) };
    Ok(crate::RowCounts {
        accounts: count("accounts")?,
        transfers: count("transfers")?,
        orders: count("orders")?,
        keys: count("card_keys")?,
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The URL with any password replaced by `***`, fit for logs and errors.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                format!("{scheme}://{user}@{host}{tail}")
            }
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_in_urls() {
        assert_eq!(
            mask_url("postgres://shop:s3cret@db.internal:5432/trigate?sslmode=require"),
            "postgres://shop:***@db.internal:5432/trigate?sslmode=require"
        );
        assert_eq!(
            mask_url("postgres://shop@db/trigate"),
            "postgres://shop@db/trigate"
        );
        assert_eq!(
            mask_url("sqlite:///var/lib/trigate/db"),
            "sqlite:///var/lib/trigate/db"
        );
        assert_eq!(mask_url("postgres://a:b:c@h/d"), "postgres://a:***@h/d");
    }

    #[test]
    fn ids_round_trip_big_endian() {
        let id = 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10u128;
        let bytes = id_bytes(id);
        assert_eq!(bytes[0], 1);
        assert_eq!(id_from("t", &bytes).unwrap(), id);
        assert!(id_from("t", &bytes[..15]).is_err());
    }

    #[test]
    fn unreadable_numbers_name_the_row() {
        let err = number::<u128>("accounts", 7, "credits_posted", "-5").unwrap_err();
        assert!(err.to_string().contains("accounts:7"), "{err}");
    }
}
