//! The shop's orders and card keys as the store's rows.

use trigate_core::{Key, KeyStatus, Order};
use trigate_store::{KeyRow, OrderRow};

pub fn order_row(o: &Order) -> OrderRow {
    OrderRow {
        id: o.id.0,
        buyer: o.buyer.0,
        merchant: o.merchant.0,
        product: o.product.0,
        quantity: u64::from(o.quantity),
        currency: o.currency.to_string(),
        amount: o.amount,
        refunded: o.refunded,
        status: o.status.as_str().to_string(),
        created_at: o.created_at,
        paid_at: o.paid_at,
        delivered_at: o.delivered_at,
        settled_at: o.settled_at,
    }
}

pub fn key_row(k: &Key) -> KeyRow {
    let (status, order) = match k.status {
        KeyStatus::OnSale => ("on_sale", None),
        KeyStatus::Reserved(o) => ("reserved", Some(o.0)),
        KeyStatus::Delivered(o) => ("delivered", Some(o.0)),
        KeyStatus::Withdrawn => ("withdrawn", None),
    };
    KeyRow {
        id: k.id.0,
        merchant: k.merchant.0,
        product: k.product.0,
        hash: k.sealed.hash,
        sealed: k.sealed.sealed.clone(),
        status: status.to_string(),
        order,
    }
}
