//! The catalog: the products merchants sell — price, wholesale tiers,
//! per-order limits, referral commissions, delivery by keys or fixed text.

use serde::{Deserialize, Serialize};

use crate::{Bps, Currency, MerchantId, ProductId, Shop, ShopError};

/// How a product reaches the buyer. Nothing is shipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// One card key from inventory per unit.
    Keys,
    /// The same text or link for every buyer.
    Fixed(String),
}

/// A wholesale price: from `min_quantity` units on, each costs `unit_price`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub min_quantity: u32,
    pub unit_price: u64,
}

/// A product as a merchant describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewProduct {
    pub title: String,
    pub delivery: Delivery,
    pub currency: Currency,
    /// Minor units per unit, below any tier.
    pub price: u64,
    pub tiers: Vec<Tier>,
    pub min_per_order: u32,
    pub max_per_order: u32,
    /// Referral commission to the buyer's referrer (level 1) and theirs
    /// (level 2), out of the merchant's proceeds.
    pub commission_l1: Bps,
    pub commission_l2: Bps,
    /// A membership or entry package: sold for the right to sell on, the
    /// shape of a pyramid scheme, so it may carry no commission.
    pub membership: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub merchant: MerchantId,
    pub spec: NewProduct,
    pub on_sale: bool,
}

impl Product {
    /// The unit price for `quantity`: the best tier it reaches.
    pub fn unit_price(&self, quantity: u32) -> u64 {
        self.spec
            .tiers
            .iter()
            .filter(|t| quantity >= t.min_quantity)
            .map(|t| t.unit_price)
            .fold(self.spec.price, u64::min)
    }
}

/// Longest product title (and merchant name), in characters.
pub(crate) const TITLE_MAX: usize = 200;
const FIXED_MAX: usize = 4096;

impl Shop {
    pub fn create_product(
        &mut self,
        now: u64,
        merchant: MerchantId,
        spec: NewProduct,
    ) -> Result<ProductId, ShopError> {
        self.tick(now)?;
        let fee = self.active_merchant(merchant)?.fee;
        check_product(&spec, fee)?;
        self.check_commissions(&spec)?;
        let id = ProductId(self.catalog.products.len() as u64 + 1);
        self.catalog.products.push(Product {
            id,
            merchant,
            spec,
            on_sale: true,
        });
        Ok(id)
    }

    /// The product's owner changes what it sells: title, price, tiers,
    /// quantities, commissions, and a fixed product's text. How it is
    /// delivered (keys or one text) and its currency stay as they are;
    /// orders already made keep the amount they were made at.
    pub fn edit_product(
        &mut self,
        now: u64,
        owner: crate::UserId,
        product: ProductId,
        spec: NewProduct,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.owned_product(owner, product)?;
        let current = self
            .product(product)
            .ok_or(ShopError::ProductNotFound(product))?;
        let fee = self.active_merchant(current.merchant)?.fee;
        if spec.currency != current.spec.currency {
            return Err(ShopError::Invalid(
                "a product's currency stays as it was made".into(),
            ));
        }
        if matches!(spec.delivery, Delivery::Keys)
            != matches!(current.spec.delivery, Delivery::Keys)
        {
            return Err(ShopError::Invalid(
                "a product delivers keys or one text as it was made".into(),
            ));
        }
        check_product(&spec, fee)?;
        self.check_commissions(&spec)?;
        self.product_mut(product)?.spec = spec;
        Ok(())
    }

    /// Both levels of a product's commissions within the shop's limit.
    fn check_commissions(&self, spec: &NewProduct) -> Result<(), ShopError> {
        let commissions = spec.commission_l1.get() + spec.commission_l2.get();
        if commissions > self.config.max_commission_bps {
            return Err(ShopError::Invalid(format!(
                "referral commissions are at most {} basis points together",
                self.config.max_commission_bps
            )));
        }
        Ok(())
    }

    pub fn set_on_sale(
        &mut self,
        now: u64,
        product: ProductId,
        on_sale: bool,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.product_mut(product)?.on_sale = on_sale;
        Ok(())
    }

    pub fn product(&self, id: ProductId) -> Option<&Product> {
        self.catalog.get(id)
    }

    pub(crate) fn product_mut(&mut self, id: ProductId) -> Result<&mut Product, ShopError> {
        self.changes.products.insert(id.0);
        crate::ids::nth_mut(&mut self.catalog.products, id.0).ok_or(ShopError::ProductNotFound(id))
    }

    /// Keys on sale for a product (what the storefront shows as stock).
    pub fn stock(&self, product: ProductId) -> u64 {
        self.inventory.stock_of(product)
    }
}

fn check_product(spec: &NewProduct, fee: Bps) -> Result<(), ShopError> {
    let title = spec.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return Err(ShopError::Invalid(format!(
            "a title is 1 to {TITLE_MAX} characters"
        )));
    }
    if let Delivery::Fixed(text) = &spec.delivery
        && (text.trim().is_empty() || text.len() > FIXED_MAX)
    {
        return Err(ShopError::Invalid(format!(
            "fixed delivery text is 1 to {FIXED_MAX} bytes"
        )));
    }
    if spec.price == 0 || spec.tiers.iter().any(|t| t.unit_price == 0) {
        return Err(ShopError::Invalid(
            "prices are at least 1 minor unit".into(),
        ));
    }
    if spec.min_per_order == 0 || spec.min_per_order > spec.max_per_order {
        return Err(ShopError::Invalid(
            "per-order limits need 1 <= min <= max".into(),
        ));
    }
    if spec.tiers.iter().any(|t| t.min_quantity < 2) {
        return Err(ShopError::Invalid(
            "a wholesale tier starts at 2 units or more".into(),
        ));
    }
    if spec.membership && (spec.commission_l1 != Bps::ZERO || spec.commission_l2 != Bps::ZERO) {
        return Err(ShopError::CommissionOnMembership);
    }
    let shares = fee.get() + spec.commission_l1.get() + spec.commission_l2.get();
    if shares > trigate_ledger::split::BPS_WHOLE {
        return Err(ShopError::SharesOverWhole);
    }
    // The dearest order must fit in an amount.
    u64::from(spec.max_per_order)
        .checked_mul(spec.price)
        .ok_or(ShopError::AmountOverflow)?;
    Ok(())
}

/// The products every merchant sells.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub(crate) products: Vec<Product>,
}

impl Catalog {
    pub(crate) fn get(&self, id: ProductId) -> Option<&Product> {
        crate::ids::nth(&self.products, id.0)
    }

    /// A merchant's products, on sale or not.
    pub(crate) fn of_merchant(&self, merchant: MerchantId) -> impl Iterator<Item = &Product> {
        self.products.iter().filter(move |p| p.merchant == merchant)
    }
}
