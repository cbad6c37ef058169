//! The storefront's operations (journal format 5 on): a product's details,
//! the shop's look, a user's email, writing in a dispute, and the outbox.

use trigate_core::query::Query;
use trigate_core::{Command, OrderId, ProductDetails, ProductId, ShopLook};

use crate::{Caller, Change, Read};

/// A merchant sets what the storefront says of one of its products.
#[derive(Debug, Clone)]
pub struct SetProductDetails {
    pub product: ProductId,
    pub details: ProductDetails,
}
change!(SetProductDetails -> (), |self, caller| Command::SetProductDetails {
    actor: caller.0,
    product: self.product,
    details: self.details,
});

/// An admin sets the shop's look.
#[derive(Debug, Clone)]
pub struct SetLook {
    pub look: ShopLook,
}
change!(SetLook -> (), |self, caller| Command::SetLook {
    actor: caller.0,
    look: self.look,
});

/// The caller sets (or removes) their email.
#[derive(Debug, Clone)]
pub struct SetEmail {
    pub email: Option<String>,
}
change!(SetEmail -> (), |self, caller| Command::SetEmail {
    actor: caller.0,
    email: self.email,
});

/// The buyer, the merchant or staff write in an open dispute.
#[derive(Debug, Clone)]
pub struct AddDisputeMessage {
    pub order: OrderId,
    pub text: String,
}
change!(AddDisputeMessage -> (), |self, caller| Command::AddDisputeMessage {
    actor: caller.0,
    order: self.order,
    text: self.text,
});

/// The shop's look.
#[derive(Debug, Clone, Copy)]
pub struct Look;
read!(Look -> ShopLook, |self, _caller| Query::Look);

/// The outbox's latest messages (staff).
#[derive(Debug, Clone, Copy)]
pub struct Outbox;
read!(Outbox -> Vec<trigate_core::OutboxMessage>, |self, caller| Query::Outbox {
    actor: caller.0
});

/// Every merchant (staff).
#[derive(Debug, Clone, Copy)]
pub struct Merchants;
read!(Merchants -> Vec<trigate_core::query::MerchantLine>, |self, caller| Query::Merchants {
    actor: caller.0
});
