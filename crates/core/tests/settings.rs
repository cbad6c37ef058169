//! The shop-wide limits are settings: a shop configured tighter than the
//! defaults refuses what goes past them, and the defaults take what they
//! always took.

mod common;

use common::{SECOND, product_spec};
use trigate_core::{Bps, Command, Config, Reply, Role, Shop, ShopError};

fn shop_with(config: Config) -> (Shop, trigate_core::UserId, u64) {
    let mut shop = Shop::new(Config::default());
    let now = 1_000 * SECOND;
    shop.change_settings(config).unwrap();
    let owner = shop.register(now, "seller", Role::Merchant, None).unwrap();
    (shop, owner, now)
}

#[test]
fn a_merchant_past_the_fee_or_holding_limit_is_refused() {
    let tight = Config {
        max_holding_days: 7,
        max_fee_bps: 1_500,
        ..Config::default()
    };
    let (mut shop, owner, now) = shop_with(tight);
    let too_long =
        shop.create_merchant(now, owner, "Keys", Bps::new(1_000).unwrap(), 8, vec![7; 60]);
    assert!(
        matches!(&too_long, Err(ShopError::Invalid(m)) if m.contains("at most 7 days")),
        "{too_long:?}"
    );
    let too_dear =
        shop.create_merchant(now, owner, "Keys", Bps::new(1_501).unwrap(), 7, vec![7; 60]);
    assert!(
        matches!(&too_dear, Err(ShopError::Invalid(m)) if m.contains("1500 basis points")),
        "{too_dear:?}"
    );
    assert!(
        shop.create_merchant(now, owner, "Keys", Bps::new(1_500).unwrap(), 7, vec![7; 60])
            .is_ok()
    );
}

#[test]
fn a_product_paying_referrers_past_the_limit_is_refused() {
    let tight = Config {
        max_commission_bps: 600,
        ..Config::default()
    };
    let (mut shop, owner, now) = shop_with(tight);
    let merchant = shop
        .create_merchant(now, owner, "Keys", Bps::new(1_000).unwrap(), 1, vec![7; 60])
        .unwrap();
    // 5% and 2%: 700 basis points together.
    let refused = shop.create_product(now, merchant, product_spec(1_000));
    assert!(
        matches!(&refused, Err(ShopError::Invalid(m)) if m.contains("600 basis points")),
        "{refused:?}"
    );
    let mut spec = product_spec(1_000);
    spec.commission_l2 = Bps::new(100).unwrap();
    assert!(shop.create_product(now, merchant, spec).is_ok());
}

#[test]
fn the_default_limits_take_a_year_of_holding_and_a_whole_fee() {
    let (mut shop, owner, now) = shop_with(Config::default());
    assert!(
        shop.create_merchant(
            now,
            owner,
            "Keys",
            Bps::new(10_000).unwrap(),
            365,
            vec![7; 60]
        )
        .is_ok()
    );
    let reply = shop
        .apply(
            now,
            Command::ChangeSettings {
                settings: Config {
                    max_fee_bps: 10_001,
                    ..Config::default()
                },
            },
        )
        .unwrap_err();
    assert!(matches!(reply, ShopError::Invalid(_)), "{reply:?}");
    let _ = Reply::Done;
}
