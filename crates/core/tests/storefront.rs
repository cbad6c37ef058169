//! The storefront's part of the shop (journal format 5): emails checked
//! when made, product details set only by their merchant, the look only by
//! admins, dispute messages only by the parties while open, and the outbox
//! filled when an order with an email is delivered or its dispute moves.

mod common;

use common::Fixture;
use common::money::staff;
use trigate_core::{
    AdminRole, DisputeAction, Email, OutboxKind, ProductDetails, ShopError, ShopLook, StockDisplay,
};

#[test]
fn emails_are_checked_when_made() {
    assert_eq!(
        Email::new(" Li.Wei@Example.COM ").unwrap().as_str(),
        "Li.Wei@example.com"
    );
    assert!(Email::new("a@b.cn").is_ok());
    for bad in [
        "",
        "plain",
        "@example.com",
        "a@",
        "a@b",
        "a@@b.cn",
        "a b@c.cn",
        "a@b c.cn",
        "<a>@b.cn",
        "a@b.cn\r\nBcc: x@y.cn",
        "a@-b.cn",
        "a@b..cn",
        "\"a\"@b.cn",
    ] {
        assert!(Email::new(bad).is_err(), "{bad:?}");
    }
    assert!(Email::new(&format!("{}@b.cn", "a".repeat(65))).is_err());
    for unicode in ["a@İ.com", "李@example.com", "a@例子.cn"] {
        assert!(
            Email::new(unicode).is_err(),
            "{unicode:?}: ASCII only (punycode)"
        );
    }
    // What is made reads back the same.
    for good in [
        "Li.Wei@Example.COM",
        "a+tag@xn--fsqu00a.cn",
        "x_y-z@sub.example.org",
    ] {
        let made = Email::new(good).unwrap();
        assert_eq!(Email::new(made.as_str()).unwrap(), made, "{good}");
    }
}

#[test]
fn only_the_products_merchant_sets_its_details_and_bad_text_is_refused() {
    let mut f = Fixture::new();
    let details = ProductDetails {
        category: Some(" Games ".into()),
        description: "Line one\nLine two".into(),
        stock: StockDisplay::InStockOrNot,
    };
    let now = f.tick();
    assert!(matches!(
        f.shop
            .set_product_details(now, f.buyer, f.product, details.clone()),
        Err(ShopError::Forbidden(_))
    ));
    f.shop
        .set_product_details(now, f.owner, f.product, details)
        .unwrap();
    let set = f.shop.product_details(f.product);
    assert_eq!(set.category.as_deref(), Some("Games"));
    assert_eq!(set.description, "Line one\nLine two");
    assert_eq!(set.stock, StockDisplay::InStockOrNot);
    for bad in [
        ProductDetails {
            category: Some("a\nb".into()),
            ..ProductDetails::default()
        },
        ProductDetails {
            category: Some("x".repeat(41)),
            ..ProductDetails::default()
        },
        ProductDetails {
            description: "x".repeat(4_001),
            ..ProductDetails::default()
        },
    ] {
        let now = f.tick();
        assert!(matches!(
            f.shop.set_product_details(now, f.owner, f.product, bad),
            Err(ShopError::Invalid(_))
        ));
    }
    assert_eq!(
        f.shop.product_details(f.product),
        set,
        "a refusal changes nothing"
    );
}

#[test]
fn only_admins_set_the_look_and_bad_colours_or_logos_are_refused() {
    let mut f = Fixture::new();
    let look = ShopLook {
        name: "Key Corner".into(),
        logo: Some("data:image/png;base64,iVBORw0KGgo=".into()),
        colour: Some("#12AB3c".into()),
        announcement: "Open all night.\nNew keys on Fridays.".into(),
    };
    let now = f.tick();
    assert!(matches!(
        f.shop.set_look(now, f.owner, look.clone()),
        Err(ShopError::Forbidden(_))
    ));
    f.shop.set_look(now, f.admin, look).unwrap();
    assert_eq!(f.shop.look().colour.as_deref(), Some("#12ab3c"));
    assert_eq!(f.shop.look().name, "Key Corner");
    for (colour, logo) in [
        (Some("red"), None),
        (Some("#12345"), None),
        (None, Some("https://cdn.example.com/logo.png")),
        (None, Some("data:image/svg+xml;base64,PHN2Zz4=")),
        (None, Some("data:image/png;base64,<script>")),
    ] {
        let bad = ShopLook {
            colour: colour.map(str::to_string),
            logo: logo.map(str::to_string),
            ..ShopLook::default()
        };
        let now = f.tick();
        assert!(
            matches!(
                f.shop.set_look(now, f.admin, bad),
                Err(ShopError::Invalid(_))
            ),
            "{colour:?} {logo:?}"
        );
    }
    assert_eq!(
        f.shop.look().name,
        "Key Corner",
        "a refusal changes nothing"
    );
}

#[test]
fn a_delivered_order_puts_a_message_in_the_outbox_only_with_an_email() {
    let mut f = Fixture::new();
    f.paid_order(f.loner, 1);
    let support = staff(&mut f, "support", AdminRole::Support);
    assert!(
        f.shop.outbox(support, 10).unwrap().is_empty(),
        "no email, no message"
    );
    let now = f.tick();
    f.shop
        .set_email(now, f.loner, Some("loner@example.com"))
        .unwrap();
    let order = f.paid_order(f.loner, 1);
    let outbox = f.shop.outbox(support, 10).unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].to.as_str(), "loner@example.com");
    assert_eq!(
        (outbox[0].kind, outbox[0].order),
        (OutboxKind::OrderDelivered, order)
    );
    assert!(matches!(
        f.shop.outbox(f.loner, 10),
        Err(ShopError::Forbidden(_))
    ));
    let now = f.tick();
    assert!(matches!(
        f.shop.set_email(now, f.loner, Some("not an email")),
        Err(ShopError::Invalid(_))
    ));
    f.shop.set_email(now, f.loner, None).unwrap();
    assert!(f.shop.email_of(f.loner).is_none());
}

#[test]
fn the_parties_write_in_an_open_dispute_and_no_one_else() {
    let mut f = Fixture::new();
    let now = f.tick();
    f.shop
        .set_email(now, f.loner, Some("loner@example.com"))
        .unwrap();
    let order = f.paid_order(f.loner, 1);
    let now = f.tick();
    assert!(
        matches!(
            f.shop.add_dispute_message(now, f.loner, order, "hello"),
            Err(ShopError::OrderState { .. })
        ),
        "no dispute yet"
    );
    f.shop
        .open_dispute(now, f.loner, order, "used key")
        .unwrap();
    let support = staff(&mut f, "support", AdminRole::Support);
    let auditor = staff(&mut f, "auditor", AdminRole::Auditor);
    let now = f.tick();
    f.shop
        .add_dispute_message(now, f.loner, order, "It says already redeemed.")
        .unwrap();
    f.shop
        .add_dispute_message(now, f.owner, order, "Checking now.")
        .unwrap();
    f.shop
        .add_dispute_message(now, support, order, "We are watching.")
        .unwrap();
    for outsider in [f.buyer, auditor] {
        assert!(matches!(
            f.shop.add_dispute_message(now, outsider, order, "me too"),
            Err(ShopError::Forbidden(_))
        ));
    }
    assert!(matches!(
        f.shop.add_dispute_message(now, f.loner, order, "  "),
        Err(ShopError::Invalid(_))
    ));
    let steps = &f.shop.order(order).unwrap().dispute.as_ref().unwrap().steps;
    let said: Vec<_> = steps
        .iter()
        .filter_map(|s| match &s.action {
            DisputeAction::Message { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        said,
        [
            "It says already redeemed.",
            "Checking now.",
            "We are watching."
        ]
    );
    // The buyer hears of what the others wrote, not of their own words.
    let outbox = f.shop.outbox(support, 10).unwrap();
    let updates = outbox
        .iter()
        .filter(|m| m.kind == OutboxKind::DisputeUpdated)
        .count();
    assert_eq!(updates, 2);
    let now = f.tick();
    f.shop.replace_keys(now, f.owner, order).unwrap();
    assert!(
        matches!(
            f.shop.add_dispute_message(now, f.loner, order, "thanks"),
            Err(ShopError::OrderState { .. })
        ),
        "closed"
    );
    f.check_invariants();
}
