//! The shop's derived rows as the store keeps them: orders and card keys,
//! the same on both backends. Numbers are signed 64-bit columns; values past
//! that are refused before anything is written.

use crate::StoreError;
use crate::codec::Columns;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: u64,
    pub buyer: u64,
    pub merchant: u64,
    pub product: u64,
    pub quantity: u64,
    pub currency: String,
    pub amount: u64,
    pub refunded: u64,
    pub status: String,
    pub created_at: u64,
    pub paid_at: Option<u64>,
    pub delivered_at: Option<u64>,
    pub settled_at: Option<u64>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub id: u64,
    pub merchant: u64,
    pub product: u64,
    pub hash: [u8; 32],
    /// Encrypted under the merchant's data key.
    pub sealed: Vec<u8>,
    pub status: String,
    pub order: Option<u64>,
}

impl std::fmt::Debug for KeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRow")
            .field("id", &self.id)
            .field("product", &self.product)
            .field("status", &self.status)
            .field("order", &self.order)
            .finish_non_exhaustive()
    }
}

fn fits(v: u64) -> bool {
    i64::try_from(v).is_ok()
}

impl OrderRow {
    pub(crate) fn check_range(&self) -> Result<(), StoreError> {
        let all = [
            self.id,
            self.buyer,
            self.merchant,
            self.product,
            self.quantity,
            self.amount,
            self.refunded,
            self.created_at,
        ];
        let optional = [self.paid_at, self.delivered_at, self.settled_at];
        if all.iter().all(|v| fits(*v)) && optional.iter().flatten().all(|v| fits(*v)) {
            Ok(())
        } else {
            Err(StoreError::OutOfRange(format!("order {}", self.id)))
        }
    }
}

impl KeyRow {
    pub(crate) fn check_range(&self) -> Result<(), StoreError> {
        let all = [self.id, self.merchant, self.product];
        if all.iter().all(|v| fits(*v)) && self.order.is_none_or(fits) {
            Ok(())
        } else {
            Err(StoreError::OutOfRange(format!("card key {}", self.id)))
        }
    }
}

/// Columns of `orders`, in the order they are written and read.
const ORDER_COLUMNS: &str = "id, buyer, merchant, product, quantity, currency, amount, refunded, \
     status, created_at, paid_at, delivered_at, settled_at";
const KEY_COLUMNS: &str = "id, merchant, product, hash, sealed, status, order_id";

pub(crate) const SELECT_ORDERS: &str = "SELECT id, buyer, merchant, product, quantity, currency, \
     amount, refunded, status, created_at, paid_at, delivered_at, settled_at FROM orders ORDER BY id";
pub(crate) const SELECT_KEYS: &str =
    "SELECT id, merchant, product, hash, sealed, status, order_id FROM card_keys ORDER BY id";

/// Rows per upsert: well under both backends' limits on bound values.
const ROWS_PER_UPSERT: usize = 1_024;

fn int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Writes orders and card keys as they stand (insert, or replace the row
/// with the same id), on either backend.
pub(crate) async fn upsert<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    orders: &[OrderRow],
    keys: &[KeyRow],
) -> Result<(), StoreError>
where
    DB: sqlx::Database,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Vec<u8>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'e> &'e mut <DB as sqlx::Database>::Connection: sqlx::Executor<'e, Database = DB>,
{
    for chunk in orders.chunks(ROWS_PER_UPSERT) {
        let mut q = sqlx::QueryBuilder::<DB>::new(format!("INSERT INTO orders ({ORDER_COLUMNS}) "));
        q.push_values(chunk, |mut b, o| {
            b.push_bind(int(o.id))
                .push_bind(int(o.buyer))
                .push_bind(int(o.merchant))
                .push_bind(int(o.product))
                .push_bind(int(o.quantity))
                .push_bind(o.currency.clone())
                .push_bind(int(o.amount))
                .push_bind(int(o.refunded))
                .push_bind(o.status.clone())
                .push_bind(int(o.created_at))
                .push_bind(o.paid_at.map(int))
                .push_bind(o.delivered_at.map(int))
                .push_bind(o.settled_at.map(int));
        });
        q.push(
            " ON CONFLICT (id) DO UPDATE SET refunded = excluded.refunded, \
             status = excluded.status, paid_at = excluded.paid_at, \
             delivered_at = excluded.delivered_at, settled_at = excluded.settled_at",
        );
        q.build().execute(&mut **tx).await?;
    }
    for chunk in keys.chunks(ROWS_PER_UPSERT) {
        let mut q =
            sqlx::QueryBuilder::<DB>::new(format!("INSERT INTO card_keys ({KEY_COLUMNS}) "));
        q.push_values(chunk, |mut b, k| {
            b.push_bind(int(k.id))
                .push_bind(int(k.merchant))
                .push_bind(int(k.product))
                .push_bind(k.hash.to_vec())
                .push_bind(k.sealed.clone())
                .push_bind(k.status.clone())
                .push_bind(k.order.map(int));
        });
        q.push(
            " ON CONFLICT (id) DO UPDATE SET status = excluded.status, \
             order_id = excluded.order_id",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}

fn unsigned(table: &'static str, key: u64, column: &str, v: i64) -> Result<u64, StoreError> {
    crate::codec::fit(table, u128::from(key), column, v)
}

pub(crate) fn read_order<'r>(r: &'r impl Columns<'r>) -> Result<OrderRow, StoreError> {
    const T: &str = "orders";
    let id = unsigned(T, 0, "id", r.int("id")?)?;
    let get = |column: &str| -> Result<u64, StoreError> { unsigned(T, id, column, r.int(column)?) };
    let opt = |column: &str| -> Result<Option<u64>, StoreError> {
        r.opt_int(column)?
            .map(|v| unsigned(T, id, column, v))
            .transpose()
    };
    Ok(OrderRow {
        id,
        buyer: get("buyer")?,
        merchant: get("merchant")?,
        product: get("product")?,
        quantity: get("quantity")?,
        currency: r.text("currency")?,
        amount: get("amount")?,
        refunded: get("refunded")?,
        status: r.text("status")?,
        created_at: get("created_at")?,
        paid_at: opt("paid_at")?,
        delivered_at: opt("delivered_at")?,
        settled_at: opt("settled_at")?,
    })
}

pub(crate) fn read_key<'r>(r: &'r impl Columns<'r>) -> Result<KeyRow, StoreError> {
    const T: &str = "card_keys";
    let id = unsigned(T, 0, "id", r.int("id")?)?;
    let get = |column: &str| -> Result<u64, StoreError> { unsigned(T, id, column, r.int(column)?) };
    let hash = r.bytes("hash")?;
    Ok(KeyRow {
        id,
        merchant: get("merchant")?,
        product: get("product")?,
        hash: hash
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Corrupt {
                table: T,
                key: id.to_string(),
                what: format!("hash of {} bytes, not 32", hash.len()),
            })?,
        sealed: r.bytes("sealed")?,
        status: r.text("status")?,
        order: r
            .opt_int("order_id")?
            .map(|v| unsigned(T, id, "order_id", v))
            .transpose()?,
    })
}
