//! A merchant edits its products: only its owner, never how a product is
//! delivered or its currency, and an order already made keeps its amount.

mod common;

use common::journaled::{Journaled, seller_and_buyer};
use common::{Fixture, cny, product_spec};
use trigate_core::{Command, Config, Currency, Delivery, Reply, Shop, ShopError, Tier};

#[test]
fn only_the_owner_edits_and_orders_made_keep_their_amount() {
    let mut f = Fixture::new();
    let before = f.order(f.buyer, 1);
    let mut spec = product_spec(12_000);
    spec.title = "Renamed".into();
    spec.tiers = vec![Tier {
        min_quantity: 3,
        unit_price: 11_000,
    }];
    let now = f.tick();
    assert!(
        f.shop
            .edit_product(now, f.buyer, f.product, spec.clone())
            .is_err()
    );
    f.shop.edit_product(now, f.owner, f.product, spec).unwrap();
    let p = f.shop.product(f.product).unwrap();
    assert_eq!((p.spec.title.as_str(), p.spec.price), ("Renamed", 12_000));
    assert_eq!(
        f.shop.order(before).unwrap().amount,
        10_000,
        "made at the old price"
    );
    let after = f.order(f.buyer, 1);
    assert_eq!(f.shop.order(after).unwrap().amount, 12_000);
    f.check_invariants();
}

#[test]
fn delivery_and_currency_stay_as_made_and_bad_specs_are_refused() {
    let mut f = Fixture::new();
    let now = f.tick();
    let mut fixed = product_spec(10_000);
    fixed.delivery = Delivery::Fixed("https://example.com/x".into());
    assert!(matches!(
        f.shop.edit_product(now, f.owner, f.product, fixed),
        Err(ShopError::Invalid(_))
    ));
    let mut usd = product_spec(10_000);
    usd.currency = Currency::new("USD").unwrap();
    assert!(matches!(
        f.shop.edit_product(now, f.owner, f.product, usd),
        Err(ShopError::Invalid(_))
    ));
    let mut zero = product_spec(0);
    zero.min_per_order = 1;
    assert!(f.shop.edit_product(now, f.owner, f.product, zero).is_err());
    assert_eq!(f.shop.product(f.product).unwrap().spec.price, 10_000);
    assert_eq!(f.shop.product(f.product).unwrap().spec.currency, cny());
}

#[test]
fn an_edit_replays_to_the_same_shop() {
    let mut j = Journaled::new(Config::default());
    let (owner, _, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 2);
    let mut spec = product_spec(2_500);
    spec.title = "Edited".into();
    let edited = j.run(Command::EditProduct {
        actor: owner,
        product,
        spec,
    });
    assert_eq!(edited, Reply::Done);
    let replayed = j.replayed_on(Shop::new(Config::default()));
    assert_eq!(replayed.describe(), j.shop.describe());
    assert_eq!(replayed.product(product).unwrap().spec.price, 2_500);
}
