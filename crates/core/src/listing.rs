//! Lists: a buyer's orders, a merchant's sales (every order, for staff),
//! newest first, a page at a time; and a merchant's own products, on sale
//! or not, with stock.

use serde::{Deserialize, Serialize};

use crate::users::Role;
use crate::{Currency, OrderId, OrderStatus, ProductId, Shop, ShopError, UserId};

/// Most orders one page holds.
pub const PAGE_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub order: OrderId,
    pub product: ProductId,
    pub quantity: u32,
    pub currency: Currency,
    pub amount: u64,
    pub refunded: u64,
    pub status: String,
    pub created_at: u64,
    /// In a dispute the merchant did not settle: staff decide it.
    #[serde(default)]
    pub escalated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnProduct {
    pub id: ProductId,
    pub title: String,
    pub currency: Currency,
    pub price: u64,
    pub on_sale: bool,
    /// Keys in stock; none for a fixed-text product.
    pub stock: Option<u64>,
    /// What the storefront says of it.
    pub details: crate::ProductDetails,
    /// Everything it was made with, as its edit form shows it.
    pub spec: crate::NewProduct,
}

impl Shop {
    /// The caller's orders as a buyer, or their merchant's sales, or (for
    /// staff) every order: newest first, older than `before` if given, at
    /// most `limit` (capped at [`PAGE_MAX`]).
    pub fn orders_for(
        &self,
        caller: UserId,
        before: Option<OrderId>,
        limit: usize,
    ) -> Result<Vec<OrderSummary>, ShopError> {
        self.orders_where(caller, before, limit, None)
    }

    /// [`Self::orders_for`], only those in `status` if given.
    pub fn orders_where(
        &self,
        caller: UserId,
        before: Option<OrderId>,
        limit: usize,
        status: Option<OrderStatus>,
    ) -> Result<Vec<OrderSummary>, ShopError> {
        let user = self.require_user(caller)?;
        let limit = limit.clamp(1, PAGE_MAX);
        let before = before.map_or(u64::MAX, |o| o.0);
        let ids: Box<dyn Iterator<Item = OrderId> + '_> = match user.role {
            Role::Staff(_) => Box::new(self.orders.list.iter().rev().map(|o| o.id)),
            Role::Merchant => {
                let merchant = self.owned_merchant(caller)?.id;
                Box::new(
                    self.orders
                        .by_merchant
                        .get(&merchant)
                        .into_iter()
                        .flat_map(|v| v.iter().rev().copied()),
                )
            }
            Role::Buyer => Box::new(
                self.orders
                    .by_buyer
                    .get(&caller)
                    .into_iter()
                    .flat_map(|v| v.iter().rev().copied()),
            ),
        };
        Ok(ids
            .filter(|id| id.0 < before)
            .filter_map(|id| self.order(id))
            .filter(|o| status.is_none_or(|s| o.status == s))
            .take(limit)
            .map(|o| OrderSummary {
                order: o.id,
                product: o.product,
                quantity: o.quantity,
                currency: o.currency,
                amount: o.amount,
                refunded: o.refunded,
                status: o.status.as_str().to_string(),
                created_at: o.created_at,
                escalated: o.dispute.as_ref().is_some_and(|d| d.escalated),
            })
            .collect())
    }

    /// The caller's merchant's products, on sale or not.
    pub fn own_products(&self, caller: UserId) -> Result<Vec<OwnProduct>, ShopError> {
        let merchant = self.owned_merchant(caller)?.id;
        Ok(self
            .catalog
            .of_merchant(merchant)
            .map(|p| OwnProduct {
                id: p.id,
                title: p.spec.title.clone(),
                currency: p.spec.currency,
                price: p.spec.price,
                on_sale: p.on_sale,
                stock: (p.spec.delivery == crate::Delivery::Keys).then(|| self.stock(p.id)),
                details: self.product_details(p.id),
                spec: p.spec.clone(),
            })
            .collect())
    }
}
