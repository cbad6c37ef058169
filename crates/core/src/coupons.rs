//! Coupons: a fixed amount or a percentage off, for one product or a whole
//! shop, with a number of uses and an expiry. A use is taken when an order
//! is created and given back if the order expires or is cancelled, so the
//! last use can be spent only once.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{Bps, Currency, MerchantId, ProductId, Shop, ShopError, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Discount {
    Fixed { amount: u64, currency: Currency },
    Percent(Bps),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCoupon {
    pub code: String,
    /// `None`: every product of the shop.
    pub product: Option<ProductId>,
    pub discount: Discount,
    pub uses: u32,
    pub expires_at: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coupon {
    pub merchant: MerchantId,
    pub spec: NewCoupon,
    pub uses_left: u32,
}

const CODE_MAX: usize = 32;

/// Coupons by (merchant, upper-cased code).
pub(crate) type Coupons = HashMap<(MerchantId, String), Coupon>;

fn normal(code: &str) -> String {
    code.trim().to_uppercase()
}

impl Shop {
    pub fn create_coupon(
        &mut self,
        now: u64,
        actor: UserId,
        merchant: MerchantId,
        spec: NewCoupon,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.may_act_for(actor, merchant)?;
        let code = normal(&spec.code);
        if code.is_empty()
            || code.len() > CODE_MAX
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ShopError::Invalid(format!(
                "a coupon code is 1 to {CODE_MAX} letters, digits, - or _"
            )));
        }
        if spec.uses == 0 || spec.expires_at <= now {
            return Err(ShopError::Invalid(
                "a coupon needs at least one use and an expiry in the future".into(),
            ));
        }
        match spec.discount {
            Discount::Fixed { amount: 0, .. } => {
                return Err(ShopError::Invalid(
                    "a discount is at least 1 minor unit".into(),
                ));
            }
            Discount::Percent(bps) if bps == Bps::ZERO => {
                return Err(ShopError::Invalid("a discount is more than 0%".into()));
            }
            _ => {}
        }
        if let Some(p) = spec.product
            && self.product(p).is_none_or(|p| p.merchant != merchant)
        {
            return Err(ShopError::ProductNotFound(p));
        }
        if self.coupons.contains_key(&(merchant, code.clone())) {
            return Err(ShopError::Invalid(format!("coupon {code} exists")));
        }
        let uses_left = spec.uses;
        self.changes.coupons.insert((merchant, code.clone()));
        self.coupons.insert(
            (merchant, code.clone()),
            Coupon {
                merchant,
                spec: NewCoupon { code, ..spec },
                uses_left,
            },
        );
        Ok(())
    }

    pub fn coupon(&self, merchant: MerchantId, code: &str) -> Option<&Coupon> {
        self.coupons.get(&(merchant, normal(code)))
    }

    /// The price after `code`, taking one use of it. The price never drops
    /// below 1 minor unit.
    pub(crate) fn take_coupon(
        &mut self,
        now: u64,
        merchant: MerchantId,
        product: ProductId,
        currency: Currency,
        amount: u64,
        code: &str,
    ) -> Result<(u64, String), ShopError> {
        let price = self.coupon_price(now, merchant, product, currency, amount, code)?;
        let key = (merchant, normal(code));
        self.changes.coupons.insert(key.clone());
        if let Some(coupon) = self.coupons.get_mut(&key) {
            coupon.uses_left -= 1;
        }
        Ok((price, key.1))
    }

    /// The price after `code`, without taking a use of it.
    pub(crate) fn coupon_price(
        &self,
        now: u64,
        merchant: MerchantId,
        product: ProductId,
        currency: Currency,
        amount: u64,
        code: &str,
    ) -> Result<u64, ShopError> {
        let refused = || ShopError::CouponNotApplicable(code.to_string());
        let coupon = self
            .coupons
            .get(&(merchant, normal(code)))
            .ok_or_else(refused)?;
        if coupon.uses_left == 0
            || now >= coupon.spec.expires_at
            || coupon.spec.product.is_some_and(|p| p != product)
        {
            return Err(refused());
        }
        let off = match coupon.spec.discount {
            Discount::Fixed {
                amount: off,
                currency: c,
            } if c == currency => off,
            Discount::Fixed { .. } => return Err(refused()),
            Discount::Percent(bps) => {
                let off = u128::from(amount) * u128::from(bps.get()) / 10_000;
                u64::try_from(off).unwrap_or(u64::MAX)
            }
        };
        Ok(amount - off.min(amount - 1))
    }

    /// Gives back the use an unpaid order took.
    pub(crate) fn return_coupon(&mut self, merchant: MerchantId, code: &str) {
        self.changes.coupons.insert((merchant, code.to_string()));
        if let Some(c) = self.coupons.get_mut(&(merchant, code.to_string())) {
            c.uses_left += 1;
        }
    }
}
