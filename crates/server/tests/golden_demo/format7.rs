//! What the demo shop gains in journal format 7: gate three. The shop
//! records its risk settings with the default rule pack; an analyst saves a
//! rule of her own, lists an email and a device (and takes the device off
//! again); buyers pay from their wallets with their requests' context — one
//! allowed, one held and approved, one held and declined (its money back,
//! its keys on sale again), one held until it is escalated — and an order
//! is made with a context kept for its payment; then sign-ins (one failed),
//! a top-up held and approved, one failed at its channel, and a merchant
//! opened frozen and declined.

use trigate_core::risk::{
    IdKind, ListKind, NewListEntry, Outcome, Point, RequestContext, RiskSettings, RuleSpec, Subject,
};
use trigate_core::{AdminRole, Command, Currency, NANOS_PER_DAY, ProductId, Reply, Role, UserId};

use super::Writer;

/// Who the format-7 part acts as.
pub struct Cast {
    pub bob: UserId,
    pub carol: UserId,
    /// A product with keys left.
    pub product: ProductId,
}

fn from(device: &str) -> RequestContext {
    RequestContext {
        ip: "203.0.113.20".into(),
        ip_country: "CN".into(),
        device: device.into(),
        ..RequestContext::default()
    }
}

pub fn run(w: &mut Writer, master: &trigate_app::MasterKey, c: &Cast) {
    // Keys for this part's sales.
    let shop = w.machine.shop();
    let merchant = shop.product(c.product).unwrap().merchant;
    let wrapped = shop.merchant(merchant).unwrap().wrapped_key.clone();
    let lines: String = (1..=8).map(|i| format!("RISK-{i:04}\n")).collect();
    let (keys, invalid) = master
        .unwrap_key(&wrapped)
        .unwrap()
        .seal_import(&lines, false, 1024);
    w.run(Command::ImportKeys {
        product: c.product,
        keys,
        invalid,
    });
    w.run(Command::StartRisk {
        settings: RiskSettings::default(),
    });
    let rita = w.user("rita", Role::Staff(AdminRole::RiskAnalyst), None);
    w.run(Command::SaveRiskRule {
        actor: rita,
        spec: RuleSpec {
            name: "large_wallet_payment".into(),
            expr: "amount >= 2000".into(),
            outcome: Outcome::Hold,
            weight: 20,
            points: vec![Point::WalletPayment],
            shadow: false,
            enabled: true,
            reason: "large_amount".into(),
            note: "Wallet payments of 20.00 or more wait for an analyst.".into(),
        },
    });
    let list = |list, kind, value: &str| Command::ListRisk {
        actor: rita,
        entry: NewListEntry {
            list,
            kind,
            value: value.into(),
            reason: "seen in a chargeback".into(),
            expires: None,
        },
    };
    w.run(list(ListKind::Block, IdKind::Email, "fraud@example.com"));
    w.run(list(ListKind::Allow, IdKind::Device, "carol-phone"));
    w.run(Command::UnlistRisk {
        actor: rita,
        kind: IdKind::Device,
        value: "carol-phone".into(),
    });
    w.run(Command::CreditWallet {
        user: c.bob,
        currency: Currency::new("CNY").unwrap(),
        amount: 20_000,
    });
    let buy = |quantity| Command::WithContext {
        context: from("bob-laptop"),
        command: Box::new(Command::BuyWithBalance {
            actor: c.bob,
            product: c.product,
            quantity,
            coupon: None,
        }),
    };
    w.run(buy(1));
    let review = |w: &mut Writer| {
        let reply = w.run(buy(2));
        let order = w.order(&reply);
        assert!(matches!(reply, Reply::Bought { ref keys, .. } if keys.is_empty()));
        w.machine.shop().held(Subject::Order(order)).unwrap()
    };
    let approved = review(w);
    w.run(Command::ClaimReview {
        actor: rita,
        review: approved,
    });
    w.run(Command::DecideReview {
        actor: rita,
        review: approved,
        approve: true,
        note: "a regular buyer".into(),
    });
    let declined = review(w);
    w.run(Command::DecideReview {
        actor: rita,
        review: declined,
        approve: false,
        note: "not the account's owner".into(),
    });
    review(w);
    w.run(Command::WithContext {
        context: from("carol-phone"),
        command: Box::new(Command::CreateOrder {
            actor: c.carol,
            product: c.product,
            quantity: 1,
            coupon: None,
        }),
    });
    more(w, rita, c);
    w.later(2 * NANOS_PER_DAY);
    w.run(Command::Tick);
}

/// The other decision points: sign-ins (one failed), a top-up held and
/// approved, one that failed at its channel, a merchant opened frozen and
/// declined.
fn more(w: &mut Writer, rita: UserId, c: &Cast) {
    let hold_at = |name: &str, expr: &str, point| Command::SaveRiskRule {
        actor: rita,
        spec: RuleSpec {
            name: name.into(),
            expr: expr.into(),
            outcome: Outcome::Hold,
            weight: 0,
            points: vec![point],
            shadow: false,
            enabled: true,
            reason: name.into(),
            note: String::new(),
        },
    };
    w.run(hold_at("large_top_up", "amount >= 5000", Point::Recharge));
    w.run(hold_at("merchant_review", "true", Point::MerchantOpening));
    w.run(Command::WithContext {
        context: from("bob-laptop"),
        command: Box::new(Command::SignIn {
            user: Some(c.bob),
            ok: true,
        }),
    });
    w.run(Command::WithContext {
        context: from("unknown-phone"),
        command: Box::new(Command::SignIn {
            user: None,
            ok: false,
        }),
    });
    let top_up = |w: &mut Writer, amount| {
        let start = Command::WithContext {
            context: from("bob-laptop"),
            command: Box::new(Command::StartRecharge {
                actor: c.bob,
                channel: "sandbox".into(),
                amount,
                currency: Currency::new("CNY").unwrap(),
            }),
        };
        match w.run(start) {
            Reply::Attempt(a) => a,
            other => panic!("{other:?}"),
        }
    };
    let failed = top_up(w, 1_000);
    w.run(Command::PaymentFailed { attempt: failed });
    let held = top_up(w, 6_000);
    w.run(Command::PaymentSucceeded {
        attempt: held,
        channel_txn: "TOPUP-1".into(),
        amount: 6_000,
        currency: Currency::new("CNY").unwrap(),
    });
    let review = w.machine.shop().held(Subject::Attempt(held)).unwrap();
    w.run(Command::DecideReview {
        actor: rita,
        review,
        approve: true,
        note: "a known card".into(),
    });
    let dave = w.user("dave", Role::Merchant, None);
    let Reply::Merchant(m) = w.run(Command::CreateMerchant {
        owner: dave,
        name: "Dave's keys".into(),
        fee: trigate_core::Bps::new(500).unwrap(),
        holding_days: 1,
        wrapped_key: vec![7; 60],
    }) else {
        panic!()
    };
    let review = w.machine.shop().held(Subject::Merchant(m)).unwrap();
    w.run(Command::DecideReview {
        actor: rita,
        review,
        approve: false,
        note: "a copy of a banned shop".into(),
    });
}
