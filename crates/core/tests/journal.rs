//! The journal records what commands decided, so what it replays to does
//! not depend on today's rules: not on a refusal's wording, not on a
//! default window, and not on settings other than the ones it recorded.

mod common;

use common::journaled::{Journaled, seller_and_buyer};
use common::{SECOND, cny, product_spec};
use trigate_core::journal::{Entry, FORMAT, ReplayError};
use trigate_core::{
    Bps, Command, Config, Fact, NANOS_PER_DAY, OrderStatus, Reply, Role, Shop, UserId,
};

fn config(reservation_minutes: u64, window_days: u64) -> Config {
    Config {
        reservation_ns: reservation_minutes * 60 * SECOND,
        dispute_window_ns: window_days * NANOS_PER_DAY,
        ..Config::default()
    }
}

/// A merchant with five keys, a buyer with money, an order delivered and
/// another waiting for payment; a refund beyond what was paid, refused under
/// an idempotency key (so its wording is remembered).
fn small_shop(settings: Config) -> Journaled {
    let mut j = Journaled::new(settings);
    let (owner, buyer, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 5);
    j.run(Command::CreditWallet {
        user: buyer,
        currency: cny(),
        amount: 10_000,
    });
    let Reply::Bought { order, .. } = j.run(Command::BuyWithBalance {
        actor: buyer,
        product,
        quantity: 1,
        coupon: None,
    }) else {
        panic!()
    };
    j.run(Command::CreateOrder {
        actor: buyer,
        product,
        quantity: 1,
        coupon: None,
    });
    let refused = j.run(Command::Idempotent {
        actor: owner,
        key: "refund-1".into(),
        fingerprint: "f".into(),
        command: Box::new(Command::Refund {
            actor: owner,
            order,
            amount: 5_000,
            to: trigate_core::RefundTo::Wallet,
        }),
    });
    assert!(
        matches!(&refused, Reply::Idempotent { reply, .. } if matches!(**reply, Reply::Refused { .. })),
        "{refused:?}"
    );
    j
}

#[test]
fn every_entry_carries_the_format_and_the_first_the_settings() {
    let j = small_shop(config(30, 5));
    for bytes in &j.entries {
        assert_eq!(Entry::format(bytes), Some(FORMAT));
    }
    let genesis = Entry::decode(&j.entries[0]).unwrap();
    assert!(
        matches!(genesis.facts.as_slice(), [Fact::Settings { settings }, Fact::Policy { .. }] if settings.reservation_ns == 30 * 60 * SECOND),
        "{:?}",
        genesis.facts
    );
}

#[test]
fn a_journal_replays_under_its_own_settings_whatever_the_defaults() {
    let j = small_shop(config(30, 5));
    // Today's defaults are other windows entirely: the journal's stand.
    let replayed = j.replayed_on(Shop::new(config(1, 1)));
    assert_eq!(replayed.describe(), j.shop.describe());
    assert_eq!(replayed.config().reservation_ns, 30 * 60 * SECOND);
    let waiting = replayed
        .orders()
        .find(|o| o.status == OrderStatus::Created)
        .unwrap();
    assert_eq!(
        waiting.reserved_until,
        waiting.created_at + 30 * 60 * SECOND
    );
    let delivered = replayed
        .orders()
        .find(|o| o.status == OrderStatus::Delivered)
        .unwrap();
    assert_eq!(
        delivered.confirm_at,
        delivered.delivered_at.map(|t| t + 5 * NANOS_PER_DAY)
    );
}

/// Rewrites the refusal message remembered in an entry, as if the release
/// that wrote it had worded the refusal otherwise.
fn reworded(bytes: &[u8], old: &str, new: &str) -> Vec<u8> {
    let mut entry = Entry::decode(bytes).unwrap();
    let json = serde_json::to_string(&entry.facts).unwrap();
    assert!(json.contains(old), "{json}");
    entry.facts = serde_json::from_str(&json.replace(old, new)).unwrap();
    entry.encode()
}

#[test]
fn an_entry_recorded_under_another_wording_replays_and_is_only_a_finding() {
    let mut j = small_shop(Config::default());
    let before = j.entries.len();
    let Some(i) = j
        .entries
        .iter()
        .position(|e| String::from_utf8_lossy(e).contains("the refund is more than"))
    else {
        panic!(
            "the refused refund's wording is remembered in the journal: {:?}",
            j.entries
                .last()
                .map(|e| String::from_utf8_lossy(e).to_string())
        );
    };
    j.entries[i] = reworded(
        &j.entries[i],
        "the refund is more than what is left of the payment",
        "only so much is left to refund",
    );
    assert_eq!(j.entries.len(), before);
    // It replays: nothing is run again, so nothing is compared.
    let replayed = j.replayed_on(Shop::new(Config::default()));
    assert_eq!(replayed.orders().count(), j.shop.orders().count());
    assert_eq!(
        replayed.ledger().chain_head(),
        j.shop.ledger().chain_head(),
        "the money is exactly as recorded"
    );
    // Running the commands again under today's rules tells the difference,
    // as a finding, at that entry and not before.
    let mut today = Shop::new(Config::default());
    for (n, bytes) in j.entries.iter().enumerate() {
        let difference = today.rerun(bytes).unwrap();
        if n < i {
            assert_eq!(difference, None, "entry {n}");
        } else {
            let d = difference.expect("today's wording differs from the recorded one");
            assert!(d.contains("only so much is left"), "{d}");
            break;
        }
    }
}

#[test]
fn entries_of_another_format_are_refused_by_name() {
    let j = small_shop(Config::default());
    let mut newer = j.entries[1].clone();
    newer[3..5].copy_from_slice(&(FORMAT + 1).to_le_bytes());
    let mut shop = Shop::new(Config::default());
    shop.replay(&j.entries[0]).unwrap();
    let refused = shop.replay(&newer).unwrap_err();
    assert_eq!(refused, ReplayError::NewerFormat(FORMAT + 1));
    assert!(refused.to_string().contains("newer"), "{refused}");
    let old = b"SH1{\"at\":1}".to_vec();
    let refused = Shop::new(Config::default()).replay(&old).unwrap_err();
    assert_eq!(refused, ReplayError::OldFormat(1));
    assert!(refused.to_string().contains("trigate upgrade"), "{refused}");
    let garbage = Shop::new(Config::default()).replay(b"hello").unwrap_err();
    assert!(matches!(garbage, ReplayError::Decode(_)), "{garbage:?}");
}

#[test]
fn a_changed_setting_is_an_entry_and_an_unchanged_one_is_not() {
    let mut j = small_shop(config(30, 5));
    let before = j.entries.len();
    j.run(Command::ChangeSettings {
        settings: config(30, 5),
    });
    assert_eq!(j.entries.len(), before, "the same settings record nothing");
    j.run(Command::ChangeSettings {
        settings: config(45, 5),
    });
    assert_eq!(j.entries.len(), before + 1);
    let entry = Entry::decode(j.entries.last().unwrap()).unwrap();
    assert!(matches!(
        entry.facts.as_slice(),
        [Fact::Settings { .. }, Fact::Policy { .. }]
    ));
    let refused = j.run(Command::ChangeSettings {
        settings: config(0, 5),
    });
    assert!(matches!(refused, Reply::Refused { .. }), "{refused:?}");
    assert_eq!(j.entries.len(), before + 1);
    let replayed = j.replayed_on(Shop::new(Config::default()));
    assert_eq!(replayed.config().reservation_ns, 45 * 60 * SECOND);
    assert_eq!(replayed.describe(), j.shop.describe());
}

/// In the journal's binary encoding a fact's tag is its variant's position:
/// these numbers are part of format 2 and never change (the golden test
/// pins the rest, from a journal that holds every kind of fact).
#[test]
fn every_fact_keeps_its_tag() {
    let j = small_shop(Config::default());
    let mut seen = std::collections::BTreeMap::new();
    for bytes in &j.entries {
        for fact in Entry::decode(bytes).unwrap().facts {
            let name = format!("{fact:?}");
            let name = name.split([' ', '{', '(']).next().unwrap().to_string();
            let tag = postcard::to_allocvec(&fact).unwrap()[0];
            seen.insert(name, tag);
        }
    }
    let pinned = [
        ("Settings", 0),
        ("Ledger", 1),
        ("User", 2),
        ("Merchant", 3),
        ("Product", 4),
        ("KeyAdded", 5),
        ("KeyStatus", 6),
        ("Order", 7),
        ("Remembered", 14),
        ("Policy", 16),
    ];
    for (name, tag) in pinned {
        assert_eq!(seen.get(name), Some(&tag), "{name}: {seen:?}");
    }
}

/// A sale whose whole price is the platform's fee leaves the merchant
/// nothing to hold: the shop that ran and the one rebuilt from its journal
/// agree on that too (nothing waits to be released).
#[test]
fn a_sale_that_leaves_the_merchant_nothing_replays_the_same() {
    let mut j = Journaled::new(Config::default());
    let mut spec = product_spec(1_000);
    spec.commission_l1 = Bps::ZERO;
    spec.commission_l2 = Bps::ZERO;
    let (_, buyer, product) = seller_and_buyer(&mut j, 10_000, spec, 1);
    j.run(Command::CreditWallet {
        user: buyer,
        currency: cny(),
        amount: 1_000,
    });
    let Reply::Bought { order, .. } = j.run(Command::BuyWithBalance {
        actor: buyer,
        product,
        quantity: 1,
        coupon: None,
    }) else {
        panic!()
    };
    let Reply::Settled(s) = j.run(Command::ConfirmOrder {
        actor: buyer,
        order,
    }) else {
        panic!()
    };
    assert_eq!((s.merchant, s.fee), (0, 1_000));
    let replayed = j.replayed_on(Shop::new(Config::default()));
    assert_eq!(replayed.describe(), j.shop.describe());
    j.now += 2 * NANOS_PER_DAY;
    let Reply::Ticked(report) = j.run(Command::Tick) else {
        panic!()
    };
    assert!(report.released.is_empty(), "{report:?}");
}

/// Facts are shown in `verify`'s findings and in errors: a password hash, a
/// sealed TOTP seed, a data key or a sealed card key never shows in them.
#[test]
fn facts_never_show_a_secret() {
    let mut j = small_shop(Config::default());
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    let Reply::User(user) = j.run(Command::Register {
        login: "with-password".into(),
        role: Role::Buyer,
        referrer_code: None,
        password: Some(trigate_core::PasswordHash(hash.into())),
    }) else {
        panic!()
    };
    j.run(Command::EnrollSecondFactor {
        actor: user,
        user,
        sealed: vec![0xAB; 20],
    });
    let mut shown = String::new();
    for bytes in &j.entries {
        for fact in Entry::decode(bytes).unwrap().facts {
            shown += &format!("{fact:?}\n");
        }
    }
    assert!(shown.contains("with-password"), "the user's fact is there");
    assert!(!shown.contains("argon2id"), "{shown}");
    // 0xAB = 171, a sealed seed; 7s are the data key; the card keys are
    // XOR'd with 0x5a (K = 0x4b → 17).
    for bytes in ["171, 171", "7, 7, 7", "[17, 119"] {
        assert!(!shown.contains(bytes), "{bytes} in {shown}");
    }
    assert!(shown.contains("***"), "{shown}");
}

/// Commands are kept beside their facts for audit and re-run by `verify`;
/// those written before the acting party was called `actor` everywhere
/// (`buyer`, `staff`, `owner`, `user`, `caller`) still read, as the same
/// commands.
#[test]
fn commands_written_before_the_actor_rename_still_read() {
    let old = [
        r#"{"CreateOrder":{"buyer":7,"product":1,"quantity":2,"coupon":null}}"#,
        r#"{"ApproveWithdrawal":{"staff":3,"withdrawal":4}}"#,
        r#"{"SetOwnOnSale":{"owner":5,"product":1,"on_sale":false}}"#,
        r#"{"StartRecharge":{"user":7,"channel":"sandbox","amount":100,"currency":"CNY"}}"#,
        r#"{"Idempotent":{"caller":7,"key":"k","fingerprint":"f","command":{"ConfirmOrder":{"buyer":7,"order":9}}}}"#,
    ];
    let new = [
        r#"{"CreateOrder":{"actor":7,"product":1,"quantity":2,"coupon":null}}"#,
        r#"{"ApproveWithdrawal":{"actor":3,"withdrawal":4}}"#,
        r#"{"SetOwnOnSale":{"actor":5,"product":1,"on_sale":false}}"#,
        r#"{"StartRecharge":{"actor":7,"channel":"sandbox","amount":100,"currency":"CNY"}}"#,
        r#"{"Idempotent":{"actor":7,"key":"k","fingerprint":"f","command":{"ConfirmOrder":{"actor":7,"order":9}}}}"#,
    ];
    for (old, new) in old.iter().zip(new) {
        let read: Command = serde_json::from_str(old).unwrap();
        assert_eq!(serde_json::to_string(&read).unwrap(), new);
    }
}

/// A send reserved just before the process died (no answer recorded) is
/// still reserved in the shop its journal rebuilds: nothing more is sent
/// for the payment until finance resolves it.
#[test]
fn a_send_in_flight_when_the_process_died_stays_reserved_after_replay() {
    let mut j = Journaled::new(Config::default());
    let (owner, buyer, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 1);
    let Reply::Order(order) = j.run(Command::CreateOrder {
        actor: buyer,
        product,
        quantity: 1,
        coupon: None,
    }) else {
        panic!()
    };
    let Reply::Attempt(attempt) = j.run(Command::StartPayment {
        actor: buyer,
        order,
        channel: "sandbox".into(),
    }) else {
        panic!()
    };
    j.run(Command::PaymentSucceeded {
        attempt,
        channel_txn: "T-1".into(),
        amount: 1_000,
        currency: cny(),
    });
    j.run(Command::Refund {
        actor: owner,
        order,
        amount: 1_000,
        to: trigate_core::RefundTo::Channel,
    });
    let Reply::Send(send) = j.run(Command::ReserveChannelRefund { attempt }) else {
        panic!()
    };
    // The process dies here: the shop is rebuilt from its journal.
    let mut rebuilt = j.replayed_on(Shop::new(Config::default()));
    assert!(rebuilt.check_invariants().is_empty());
    let s = rebuilt.refund_send(send).unwrap();
    assert_eq!(s.status, trigate_core::SendStatus::Sending);
    let now = j.now + SECOND;
    assert!(matches!(
        rebuilt.reserve_channel_refund(now, attempt),
        Err(trigate_core::ShopError::SendUnresolved { .. })
    ));
    // Still in flight: its answer may come. At the next start it is lost.
    let root = rebuilt.user_by_login("root").unwrap().id;
    assert!(
        rebuilt
            .resolve_channel_refund(now, root, send, true)
            .is_err()
    );
    assert_eq!(rebuilt.sends_interrupted(now).unwrap(), 1);
    let s = rebuilt.refund_send(send).unwrap();
    assert_eq!(s.status, trigate_core::SendStatus::Unknown);
    rebuilt
        .resolve_channel_refund(now + SECOND, root, send, true)
        .unwrap();
    assert_eq!(rebuilt.attempt(attempt).unwrap().sent_back, 1_000);
    assert!(rebuilt.check_invariants().is_empty());
}

/// Format 5's facts — a product's details, the look, emails, the outbox and
/// a dispute's messages — replay to the same shop, each under its own tag.
#[test]
fn storefront_facts_replay_to_the_same_shop_under_their_tags() {
    let mut j = Journaled::new(Config::default());
    let (owner, buyer, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 5);
    let admin = UserId(3);
    j.run(Command::SetProductDetails {
        actor: owner,
        product,
        details: trigate_core::ProductDetails {
            category: Some("Games".into()),
            description: "Two lines\nof text".into(),
            stock: trigate_core::StockDisplay::InStockOrNot,
        },
    });
    j.run(Command::SetLook {
        actor: admin,
        look: trigate_core::ShopLook {
            name: "Key Corner".into(),
            logo: None,
            colour: Some("#336699".into()),
            announcement: "Hello".into(),
        },
    });
    j.run(Command::SetEmail {
        actor: buyer,
        email: Some("buyer@example.com".into()),
    });
    j.run(Command::CreditWallet {
        user: buyer,
        currency: cny(),
        amount: 10_000,
    });
    let Reply::Bought { order, .. } = j.run(Command::BuyWithBalance {
        actor: buyer,
        product,
        quantity: 1,
        coupon: None,
    }) else {
        panic!()
    };
    j.run(Command::OpenDispute {
        actor: buyer,
        order,
        reason: "used".into(),
    });
    let written = j.run(Command::AddDisputeMessage {
        actor: owner,
        order,
        text: "Sorry, a new one is coming.".into(),
    });
    assert_eq!(written, Reply::Done);
    j.run(Command::SetEmail {
        actor: buyer,
        email: None,
    });
    let replayed = j.replayed_on(Shop::new(Config::default()));
    assert_eq!(replayed.describe(), j.shop.describe());
    let mut seen = std::collections::BTreeMap::new();
    for bytes in &j.entries {
        for fact in Entry::decode(bytes).unwrap().facts {
            let name = format!("{fact:?}");
            let name = name.split([' ', '{', '(']).next().unwrap().to_string();
            seen.insert(name, postcard::to_allocvec(&fact).unwrap()[0]);
        }
    }
    for (name, tag) in [
        ("ProductDetails", 26),
        ("Look", 27),
        ("Email", 28),
        ("Outbox", 29),
    ] {
        assert_eq!(seen.get(name), Some(&tag), "{name}: {seen:?}");
    }
    assert_eq!(replayed.look().name, "Key Corner");
    assert_eq!(
        replayed.outbox(admin, 10).unwrap().len(),
        2,
        "delivered, then written to"
    );
}
