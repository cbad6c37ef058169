//! What the demo shop gains in journal format 6: daily figures, and a
//! product edited by its merchant (a command of its own, written as the
//! product's record). The shop starts recording figures, sells on its
//! first day at the edited price, a tick after midnight
//! closes that day with its balances, and three days later a tick closes
//! the days it was stopped through, without balances.

use trigate_core::{Command, Currency, NANOS_PER_DAY, ProductId, UserId};

use super::Writer;

/// Who the format-6 part acts as.
pub struct Cast {
    pub bob: UserId,
    /// The product's merchant's owner.
    pub seller: UserId,
    /// A product with keys left.
    pub product: ProductId,
}

pub fn run(w: &mut Writer, c: &Cast) {
    w.run(Command::StartFigures);
    let mut spec = super::product("Game key (second edition)", 1_200);
    spec.max_per_order = 3;
    w.run(Command::EditProduct {
        actor: c.seller,
        product: c.product,
        spec,
    });
    w.run(Command::CreditWallet {
        user: c.bob,
        currency: Currency::new("CNY").unwrap(),
        amount: 10_000,
    });
    w.run(Command::BuyWithBalance {
        actor: c.bob,
        product: c.product,
        quantity: 1,
        coupon: None,
    });
    w.later(NANOS_PER_DAY);
    w.run(Command::Tick);
    w.later(3 * NANOS_PER_DAY);
    w.run(Command::Tick);
}
