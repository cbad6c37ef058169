//! What the demo shop gains in journal format 6: daily figures. The shop
//! starts recording them, sells on its first day, a tick after midnight
//! closes that day with its balances, and three days later a tick closes
//! the days it was stopped through, without balances.

use trigate_core::{Command, Currency, NANOS_PER_DAY, ProductId, UserId};

use super::Writer;

/// Who the format-6 part acts as.
pub struct Cast {
    pub bob: UserId,
    /// A product with keys left.
    pub product: ProductId,
}

pub fn run(w: &mut Writer, c: &Cast) {
    w.run(Command::StartFigures);
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
