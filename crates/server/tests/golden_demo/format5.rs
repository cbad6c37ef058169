//! What the demo shop gains in journal format 5: a product's storefront
//! details, the shop's look, buyers' emails (one set and kept, one set and
//! removed, a guest's given at checkout), a sale to a buyer with an email
//! (a message in the outbox), and a dispute written in by both sides and
//! answered with new keys (more messages in the outbox).

use trigate_core::{
    Command, PasswordHash, ProductDetails, ProductId, ShopLook, StockDisplay, UserId,
};

use super::Writer;

/// Who the format-5 part acts as.
pub struct Cast {
    pub admin: UserId,
    pub seller: UserId,
    pub bob: UserId,
    pub carol: UserId,
    /// The seller's product, with keys left.
    pub product: ProductId,
}

pub fn run(w: &mut Writer, c: &Cast) {
    w.run(Command::SetProductDetails {
        actor: c.seller,
        product: c.product,
        details: ProductDetails {
            category: Some("游戏 Games".into()),
            description: "Activation key for the full game.\nRedeem it in the launcher.".into(),
            stock: StockDisplay::InStockOrNot,
        },
    });
    w.run(Command::SetLook {
        actor: c.admin,
        look: ShopLook {
            name: "Key Corner 钥匙角".into(),
            logo: Some("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==".into()),
            colour: Some("#1E6B52".into()),
            announcement: "New keys every Friday.\n每周五上新。".into(),
        },
    });
    w.run(Command::SetEmail {
        actor: c.bob,
        email: Some("bob@example.com".into()),
    });
    w.run(Command::SetEmail {
        actor: c.bob,
        email: None,
    });
    w.run(Command::SetEmail {
        actor: c.carol,
        email: Some("Carol@Example.COM".into()),
    });
    let bought = w.run(Command::BuyWithBalance {
        actor: c.carol,
        product: c.product,
        quantity: 1,
        coupon: None,
    });
    let order = w.order(&bought);
    w.run(Command::OpenDispute {
        actor: c.carol,
        order,
        reason: "The launcher says this key was redeemed.".into(),
    });
    w.run(Command::AddDisputeMessage {
        actor: c.seller,
        order,
        text: "Sorry about that; a new key is on its way.".into(),
    });
    w.run(Command::AddDisputeMessage {
        actor: c.carol,
        order,
        text: "Thank you.".into(),
    });
    w.run(Command::ReplaceKeys {
        actor: c.seller,
        order,
    });
    w.run(Command::CreateGuestOrder {
        product: c.product,
        quantity: 1,
        coupon: None,
        lookup: PasswordHash(trigate_app::identity::hash_password("guest-secret").unwrap()),
        email: Some("guest@example.com".into()),
    });
}
