//! Orders as their buyers see them — the keys opened for those allowed —
//! and guest checkout: an order without an account, read back with its
//! number and the lookup secret chosen at checkout (only its Argon2id hash
//! is kept).

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use trigate_core::query::{GuestOrderView, OrderView, Query};
use trigate_core::{Command, OrderId, ProductId, SealedKey, ShopError};

use crate::account::{hash_secret, secret_matches};
use crate::operation::{ask, submit_once};
use crate::{App, AppError, Caller, Once, Replied, ops};

/// An order as shown to those who may see it: its keys opened for its
/// buyer (and staff who may), its money trail.
#[derive(Debug)]
pub struct OrderDetails {
    pub order: OrderId,
    /// As the order trail names it (`delivered`, `settled`, …).
    pub status: String,
    pub currency: trigate_core::Currency,
    pub amount: u64,
    pub refunded: u64,
    /// The delivered keys, opened.
    pub keys: Vec<SecretString>,
    /// The fixed text or link of a product delivered that way.
    pub text: Option<String>,
    pub money: Vec<trigate_core::Movement>,
    /// Who bought it, and from which merchant.
    pub buyer: trigate_core::UserId,
    pub merchant: trigate_core::MerchantId,
    pub dispute: Option<trigate_core::Dispute>,
    /// The product's title.
    pub title: String,
    /// Paid and held for the shop's risk review: nothing is delivered
    /// until an analyst approves.
    pub held_for_review: bool,
}

/// A guest's order as checkout makes it.
#[derive(Debug, Clone, Serialize)]
pub struct GuestCheckout {
    pub product: ProductId,
    pub quantity: u32,
    pub coupon: Option<String>,
    /// Where messages about the order would go (checked by the shop).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl App {
    /// The currency of an order its buyer, its merchant or staff may see
    /// (not found for anyone else); nothing is opened.
    pub async fn order_currency(
        &self,
        caller: Caller,
        order: OrderId,
    ) -> Result<trigate_core::Currency, AppError> {
        let view = self.read(caller, ops::OrderSealed { order }).await?;
        Ok(view.trail.currency)
    }

    /// One order, for its buyer, its merchant or staff (not found for
    /// anyone else); keys opened for those who may see them.
    pub async fn order(&self, caller: Caller, order: OrderId) -> Result<OrderDetails, AppError> {
        let view = self.read(caller, ops::OrderSealed { order }).await?;
        self.open(*view)
    }

    /// Opens an order's sealed keys with its merchant's data key.
    fn open(&self, view: OrderView) -> Result<OrderDetails, AppError> {
        let keys = if view.sealed_keys.is_empty() {
            Vec::new()
        } else {
            let data_key = self
                .master
                .unwrap_key(&view.wrapped_key)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            view.sealed_keys
                .into_iter()
                .map(|(_, sealed)| {
                    data_key
                        .open(&SealedKey {
                            hash: [0; 32],
                            sealed,
                        })
                        .map_err(|e| AppError::Internal(e.to_string()))
                })
                .collect::<Result<_, _>>()?
        };
        let trail = view.trail;
        Ok(OrderDetails {
            order: trail.order,
            status: trail.status,
            currency: trail.currency,
            amount: trail.amount,
            refunded: trail.refunded,
            keys,
            text: view.fixed_text,
            money: trail.money,
            buyer: view.buyer,
            merchant: view.merchant,
            dispute: view.dispute,
            title: view.title,
            held_for_review: view.held_for_review,
        })
    }

    /// A guest buys: the order is created and its keys reserved, to be paid
    /// through a channel and read back with [`App::guest_order`]. The
    /// secret is 6 to 128 characters; a retry under the same key shows the
    /// order only to whoever knows its secret.
    pub async fn guest_checkout(
        &self,
        key: Option<&str>,
        checkout: GuestCheckout,
        secret: String,
    ) -> Result<Replied<OrderDetails>, AppError> {
        check_secret(&secret)?;
        // The request without its secret identifies a retry.
        let once = Once::new(key, "guest_buy", &checkout)?;
        let command = Command::CreateGuestOrder {
            product: checkout.product,
            quantity: checkout.quantity,
            coupon: checkout.coupon,
            lookup: hash_secret(secret.clone()).await?,
            email: checkout.email,
        };
        let Replied { reply, replayed } =
            submit_once::<OrderId>(&self.engine, Caller::GUEST, &once, command).await?;
        let GuestOrderView { lookup, order } =
            ask(&self.engine, Query::GuestOrder { order: reply }).await?;
        // Guests share one idempotency scope: a replay shows the order only
        // to whoever knows its secret.
        if replayed && !secret_matches(secret, lookup).await? {
            return Err(ShopError::IdempotencyConflict.into());
        }
        Ok(Replied {
            reply: self.open(*order)?,
            replayed,
        })
    }

    /// A guest order — its keys too, once paid — if `secret` is its lookup
    /// secret: limited per order, and refused the same way for every reason.
    pub async fn guest_order(
        &self,
        order: OrderId,
        secret: String,
    ) -> Result<OrderDetails, AppError> {
        let view = self.verified_guest_order(order, secret).await?;
        self.open(*view)
    }

    /// A guest order whose lookup secret its guest showed before, in this
    /// browser (the pages' guest pass stands for it): no lookup limit and no
    /// hash to check again, so a page following a payment can poll it.
    pub async fn guest_order_passed(&self, order: OrderId) -> Result<OrderDetails, AppError> {
        match ask::<GuestOrderView>(&self.engine, Query::GuestOrder { order }).await {
            Ok(found) => self.open(*found.order),
            Err(_) => Err(ShopError::LookupRefused(order).into()),
        }
    }

    /// The guest order `order`, if `secret` is its lookup secret.
    pub(crate) async fn verified_guest_order(
        &self,
        order: OrderId,
        secret: String,
    ) -> Result<Box<OrderView>, AppError> {
        let refused = || AppError::from(ShopError::LookupRefused(order));
        // Buckets of orders not looked up lately are dropped, so guessing
        // many order numbers cannot grow this without bound.
        if self.lookups.len() > 100_000 {
            self.lookups.retain_recent();
        }
        if self.lookups.check_key(&order.0).is_err() {
            return Err(AppError::RateLimited(
                "too many lookups of this order; wait and retry".into(),
            ));
        }
        let GuestOrderView {
            lookup,
            order: view,
        } = match ask(&self.engine, Query::GuestOrder { order }).await {
            Ok(found) => found,
            Err(_) => return Err(refused()),
        };
        if secret_matches(secret, lookup).await? {
            Ok(view)
        } else {
            Err(refused())
        }
    }
}

fn check_secret(secret: &str) -> Result<(), AppError> {
    let length = secret.chars().count();
    if !(6..=128).contains(&length) {
        return Err(AppError::Invalid(
            "a lookup secret is 6 to 128 characters".into(),
        ));
    }
    Ok(())
}

/// The keys as text (for showing to the one who bought them).
pub fn exposed(keys: &[SecretString]) -> Vec<String> {
    keys.iter().map(|k| k.expose_secret().to_string()).collect()
}
