//! Daily figures (journal format 6): each day of the shop's time zone is
//! closed once, at the first tick after it ended, with its paid orders and
//! sales per currency and the balances then; days the shop was stopped
//! through are closed later without balances; they replay as recorded.

mod common;

use common::journaled::{Journaled, seller_and_buyer};
use common::{SECOND, cny, product_spec};
use trigate_core::journal::Entry;
use trigate_core::{
    Command, Config, DayBalances, DayMoney, NANOS_PER_DAY, OrderId, Reply, Shop, ShopError, UserId,
};

const HOUR: u64 = 3_600 * SECOND;
/// 2026-12-01 00:00 at +08:00 (the default time zone).
const DEC_1: u64 = 1_796_054_400 * SECOND;
/// That day, counted from 1970-01-01 at +08:00.
const DAY_DEC_1: i64 = 20_788;

struct Books {
    j: Journaled,
    buyer: UserId,
    admin: UserId,
    product: trigate_core::ProductId,
}

/// A seller with 20 keys at 1,000 each, a buyer with 100,000, an admin;
/// the clock at 2026-12-01 09:00 +08:00 and figures recorded from then.
fn books() -> Books {
    let mut j = Journaled::new(Config::default());
    let (_, buyer, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 20);
    j.run(Command::CreditWallet {
        user: buyer,
        currency: cny(),
        amount: 100_000,
    });
    j.now = DEC_1 + 9 * HOUR;
    assert_eq!(j.run(Command::StartFigures), Reply::Done);
    Books {
        j,
        buyer,
        admin: UserId(3),
        product,
    }
}

impl Books {
    fn buy(&mut self, quantity: u32) -> OrderId {
        let Reply::Bought { order, .. } = self.j.run(Command::BuyWithBalance {
            actor: self.buyer,
            product: self.product,
            quantity,
            coupon: None,
        }) else {
            panic!("the purchase was refused")
        };
        order
    }

    /// Moves the clock to `at` and ticks: the days it closed.
    fn tick_at(&mut self, at: u64) -> Vec<i64> {
        self.j.now = at - SECOND;
        let Reply::Ticked(report) = self.j.run(Command::Tick) else {
            panic!("a tick answered otherwise")
        };
        report.closed_days
    }

    fn day(&self, day: i64) -> trigate_core::DayFigures {
        self.j
            .shop
            .daily_figures()
            .iter()
            .find(|d| d.day == day)
            .cloned()
            .unwrap_or_else(|| panic!("day {day} is not recorded"))
    }
}

#[test]
fn a_day_is_closed_once_after_it_ends_with_its_orders_sales_and_balances() {
    let mut b = books();
    b.buy(2);
    b.buy(1);
    // Ticks during the day close nothing.
    assert_eq!(b.tick_at(DEC_1 + 23 * HOUR), Vec::<i64>::new());
    assert!(b.j.shop.daily_figures().is_empty());
    // The first tick after midnight (+08:00) closes Dec 1, once.
    assert_eq!(
        b.tick_at(DEC_1 + NANOS_PER_DAY + 2 * SECOND),
        vec![DAY_DEC_1]
    );
    assert_eq!(b.tick_at(DEC_1 + NANOS_PER_DAY + HOUR), Vec::<i64>::new());
    let dec1 = b.day(DAY_DEC_1);
    let money = *dec1.currency(cny()).unwrap();
    assert_eq!(
        money,
        DayMoney {
            currency: cny(),
            orders: 2,
            sales: 3_000,
            balances: Some(DayBalances {
                // Both orders are delivered, not settled: their money is
                // in escrow; the buyer's credit was booked without custody.
                escrow: 3_000,
                held: money.balances.unwrap().held,
                owed: money.balances.unwrap().owed,
            }),
        }
    );
    let coverage = b.j.shop.coverage();
    let now = b.j.shop.balances_now()[&cny()];
    assert_eq!(now.held, coverage[0].held);
    assert_eq!(now.owed, coverage[0].owed);
    assert_eq!(money.balances.unwrap().owed, now.owed);

    // Dec 2's one order is Dec 2's alone.
    b.buy(4);
    assert_eq!(
        b.tick_at(DEC_1 + 2 * NANOS_PER_DAY + SECOND),
        vec![DAY_DEC_1 + 1]
    );
    let dec2 = b.day(DAY_DEC_1 + 1);
    assert_eq!(dec2.currency(cny()).unwrap().orders, 1);
    assert_eq!(dec2.currency(cny()).unwrap().sales, 4_000);
    assert_eq!(b.day(DAY_DEC_1), dec1, "a closed day is never rewritten");
}

#[test]
fn a_day_is_counted_in_the_shops_time_zone() {
    let mut b = books();
    // 23:30 at +08:00 on Dec 1 is 15:30 UTC: Dec 1 here.
    b.j.now = DEC_1 + 23 * HOUR + 30 * 60 * SECOND;
    b.buy(1);
    // 00:30 on Dec 2 at +08:00 is still Dec 1 in UTC: Dec 2 here.
    b.j.now = DEC_1 + NANOS_PER_DAY + 30 * 60 * SECOND;
    b.buy(2);
    assert_eq!(b.tick_at(DEC_1 + 2 * NANOS_PER_DAY + SECOND).len(), 2);
    assert_eq!(b.day(DAY_DEC_1).currency(cny()).unwrap().sales, 1_000);
    assert_eq!(b.day(DAY_DEC_1 + 1).currency(cny()).unwrap().sales, 2_000);
}

#[test]
fn days_the_shop_was_stopped_through_are_closed_later_without_balances() {
    let mut b = books();
    b.buy(1);
    // No tick for three days and a half.
    let closed = b.tick_at(DEC_1 + 3 * NANOS_PER_DAY + 12 * HOUR);
    assert_eq!(closed, vec![DAY_DEC_1, DAY_DEC_1 + 1, DAY_DEC_1 + 2]);
    let dec1 = b.day(DAY_DEC_1);
    assert_eq!(dec1.currency(cny()).unwrap().orders, 1);
    assert_eq!(
        dec1.currency(cny()).unwrap().balances,
        None,
        "nobody measured Dec 1's end"
    );
    // A day without orders has no currency line unless measured.
    assert!(b.day(DAY_DEC_1 + 1).currencies.is_empty());
    // The day just ended is measured now.
    let dec3 = b.day(DAY_DEC_1 + 2);
    assert_eq!(dec3.currency(cny()).unwrap().orders, 0);
    assert!(dec3.currency(cny()).unwrap().balances.is_some());
}

#[test]
fn a_shop_that_does_not_record_figures_closes_no_day() {
    let mut j = Journaled::new(Config::default());
    j.now = DEC_1 + 5 * NANOS_PER_DAY;
    let Reply::Ticked(report) = j.run(Command::Tick) else {
        panic!()
    };
    assert!(report.closed_days.is_empty());
    assert!(!j.shop.records_figures());
    // Starting twice starts once.
    j.run(Command::StartFigures);
    let entries = j.entries.len();
    j.run(Command::StartFigures);
    assert_eq!(j.entries.len(), entries, "the second start records nothing");
}

#[test]
fn recorded_days_replay_to_the_same_shop_under_their_tags() {
    let mut b = books();
    b.buy(1);
    b.tick_at(DEC_1 + NANOS_PER_DAY + SECOND);
    b.tick_at(DEC_1 + 3 * NANOS_PER_DAY + SECOND);
    let replayed = b.j.replayed_on(Shop::new(Config::default()));
    assert_eq!(replayed.describe(), b.j.shop.describe());
    assert_eq!(replayed.daily_figures().len(), 3);
    let mut tags = std::collections::BTreeMap::new();
    for bytes in &b.j.entries {
        for fact in Entry::decode(bytes).unwrap().facts {
            let name = format!("{fact:?}");
            let name = name.split([' ', '{', '(']).next().unwrap().to_string();
            tags.insert(name, postcard::to_allocvec(&fact).unwrap()[0]);
        }
    }
    assert_eq!(tags["FiguresFrom"], 30);
    assert_eq!(tags["Day"], 31);
}

#[test]
fn the_dashboard_shows_today_live_and_only_to_staff_who_see_the_books() {
    let mut b = books();
    b.buy(1);
    b.tick_at(DEC_1 + NANOS_PER_DAY + SECOND);
    b.buy(3);
    let view = b.j.shop.dashboard(b.admin).unwrap();
    assert_eq!(view.days.len(), 1);
    assert_eq!(view.today.day, DAY_DEC_1 + 1);
    let today = view.today.currency(cny()).unwrap();
    assert_eq!((today.orders, today.sales), (1, 3_000));
    assert_eq!(today.balances.unwrap().escrow, 4_000);
    assert_eq!(view.utc_offset_seconds, 8 * 3_600);
    assert!(matches!(
        b.j.shop.dashboard(b.buyer),
        Err(ShopError::Forbidden(_))
    ));
}
