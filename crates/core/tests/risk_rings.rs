//! Rings in the shop: accounts that went through decisions on one device
//! are linked; a rule over `ring_banned` holds a checkout of an account
//! linked to a banned merchant's owner, and not one of an account linked to
//! no one; a declined hold flags its account for the rest of its ring; the
//! decision's explanation shows the shared identifier; a replay links the
//! same accounts, so the next decision is the same.

mod common;

use common::journaled::{Journaled, seller_and_buyer};
use common::risk::last_decision;
use common::{cny, product_spec};
use trigate_core::query::{Query, View};
use trigate_core::risk::{
    IdKind, Outcome, Point, RequestContext, RiskQuery, RiskSettings, RiskView, RuleSpec, Subject,
};
use trigate_core::{
    Bps, Command, Config, MerchantId, MerchantStatus, ProductId, Reply, Role, Shop, UserId,
};

const ADMIN: UserId = UserId(3);

fn on(device: &str, command: Command) -> Command {
    Command::WithContext {
        context: RequestContext {
            device: device.into(),
            ..RequestContext::default()
        },
        command: Box::new(command),
    }
}

fn buy(buyer: UserId, product: ProductId) -> Command {
    Command::BuyWithBalance {
        actor: buyer,
        product,
        quantity: 1,
        coupon: None,
    }
}

fn sign_in(user: UserId) -> Command {
    Command::SignIn {
        user: Some(user),
        ok: true,
    }
}

fn register(j: &mut Journaled, login: &str, role: Role) -> UserId {
    let Reply::User(id) = j.run(Command::Register {
        login: login.into(),
        role,
        referrer_code: None,
        password: None,
    }) else {
        panic!()
    };
    id
}

fn feature(shop: &Shop, name: &str) -> i64 {
    last_decision(shop, ADMIN)
        .decision
        .features
        .iter()
        .find(|(n, _)| n == name)
        .map_or(0, |(_, v)| match v {
            trigate_risk::Value::Int(i) => *i,
            other => panic!("{other:?}"),
        })
}

#[test]
fn an_account_linked_to_a_banned_merchants_owner_is_held_and_the_link_is_the_evidence() {
    let mut j = Journaled::new(Config::default());
    let (_, buyer, product) = seller_and_buyer(&mut j, 1_000, product_spec(1_000), 10);
    let loner = register(&mut j, "loner", Role::Buyer);
    let later = register(&mut j, "later", Role::Buyer);
    let crook = register(&mut j, "crook", Role::Merchant);
    let Reply::Merchant(fakes) = j.run(Command::CreateMerchant {
        owner: crook,
        name: "Fake keys".into(),
        fee: Bps::new(1_000).unwrap(),
        holding_days: 1,
        wrapped_key: vec![7; 60],
    }) else {
        panic!()
    };
    assert_ne!(fakes, MerchantId(1));
    for user in [buyer, loner, later] {
        j.run(Command::CreditWallet {
            user,
            currency: cny(),
            amount: 100_000,
        });
    }
    j.run(Command::StartRisk {
        settings: RiskSettings::default(),
    });
    j.run(Command::SaveRiskRule {
        actor: ADMIN,
        spec: RuleSpec {
            name: "ring_of_banned".into(),
            expr: "ring_banned > 0".into(),
            outcome: Outcome::Hold,
            weight: 0,
            points: vec![Point::WalletPayment],
            shadow: false,
            enabled: true,
            reason: "ring_of_banned".into(),
            note: String::new(),
        },
    });
    // The crook signs in on the farm's phone, then their merchant is banned.
    j.run(on("farm-phone", sign_in(crook)));
    j.run(Command::SetMerchantStatus {
        merchant: fakes,
        status: MerchantStatus::Banned,
    });

    // Linked to no one: goes through.
    let Reply::Bought { keys, .. } = j.run(on("own-phone", buy(loner, product))) else {
        panic!()
    };
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (
            feature(&j.shop, "ring_linked"),
            feature(&j.shop, "ring_banned")
        ),
        (0, 0)
    );

    // On the farm's phone: linked to the crook, held.
    j.run(on("farm-phone", sign_in(buyer)));
    let Reply::Bought { order, keys } = j.run(on("farm-phone", buy(buyer, product))) else {
        panic!()
    };
    assert!(keys.is_empty(), "nothing is delivered while held");
    let review = j.shop.held(Subject::Order(order)).expect("held for review");
    assert_eq!(
        (
            feature(&j.shop, "ring_linked"),
            feature(&j.shop, "ring_banned")
        ),
        (1, 1)
    );
    let Ok(View::Risk(v)) = j.shop.query(&Query::Risk {
        actor: ADMIN,
        ask: RiskQuery::Decision { id: 4 },
    }) else {
        panic!()
    };
    let RiskView::Decision(explained) = *v else {
        panic!()
    };
    assert_eq!(explained.row.subject, Some(Subject::Order(order)));
    assert_eq!(explained.links.len(), 1);
    let link = &explained.links[0];
    assert_eq!(
        (link.kind, link.value.as_str(), link.with.clone()),
        (IdKind::Device, "farm-phone", vec![crook.0])
    );

    // Declined: the buyer is flagged, and counted in the ring of whoever
    // joins it next.
    j.run(Command::DecideReview {
        actor: ADMIN,
        review,
        approve: false,
        note: "linked to a banned merchant".into(),
    });
    // (A sign-in links an account once decided: its own decision saw it
    // alone.)
    j.run(on("farm-phone", sign_in(later)));
    assert_eq!(feature(&j.shop, "ring_linked"), 0);

    // A replay links the same accounts: the next decision is the same.
    let replayed = j.replayed_on(Shop::new(Config::default()));
    let now = j.now + 1_000_000_000;
    let mut live = j.shop;
    let mut again = replayed;
    let (a, ea) = live.apply_journaled(now, on("farm-phone", buy(later, product)));
    let (b, eb) = again.apply_journaled(now, on("farm-phone", buy(later, product)));
    assert_eq!(a, b);
    assert_eq!(ea, eb);
    for shop in [&live, &again] {
        assert_eq!(
            (
                feature(shop, "ring_linked"),
                feature(shop, "ring_banned"),
                feature(shop, "ring_flagged")
            ),
            (2, 1, 1)
        );
    }
}

#[test]
fn a_commission_to_a_referrer_linked_to_the_buyer_is_not_paid() {
    let run = |shared_device: bool| {
        let mut j = Journaled::new(Config::default());
        let (_, _, product) = seller_and_buyer(&mut j, 1_000, product_spec(10_000), 10);
        let referrer = register(&mut j, "referrer", Role::Buyer);
        let code = j.shop.user(referrer).unwrap().referral_code.clone();
        let Reply::User(alt) = j.run(Command::Register {
            login: "alt".into(),
            role: Role::Buyer,
            referrer_code: Some(code),
            password: None,
        }) else {
            panic!()
        };
        j.run(Command::CreditWallet {
            user: alt,
            currency: cny(),
            amount: 100_000,
        });
        j.run(Command::StartRisk {
            settings: RiskSettings::default(),
        });
        let referrers_phone = if shared_device { "phone-1" } else { "phone-2" };
        j.run(on(referrers_phone, sign_in(referrer)));
        j.run(on("phone-1", sign_in(alt)));
        let Reply::Bought { order, .. } = j.run(on("phone-1", buy(alt, product))) else {
            panic!()
        };
        j.run(Command::ConfirmOrder { actor: alt, order });
        let held = trigate_core::chart::account_id(
            trigate_core::chart::Kind::CommissionHeld,
            cny(),
            referrer.0,
        );
        let reward = trigate_core::chart::account_id(
            trigate_core::chart::Kind::WalletReward,
            cny(),
            referrer.0,
        );
        let pending =
            trigate_core::chart::account_id(trigate_core::chart::Kind::MerchantPending, cny(), 1);
        assert!(j.shop.check_invariants().is_empty());
        (
            j.shop.balance(held) + j.shop.balance(reward),
            j.shop.balance(pending),
        )
    };
    // 10% fee, 5% to the referrer: 500 of 10,000 when not linked.
    let (commission, merchant) = run(false);
    assert_eq!((commission, merchant), (500, 8_500));
    // On the referrer's own phone: the merchant keeps the 500.
    let (commission, merchant) = run(true);
    assert_eq!((commission, merchant), (0, 9_000));
}

#[test]
fn the_default_pack_holds_a_withdrawal_of_an_account_linked_to_a_banned_merchants_owner() {
    use common::money::{add_destination, limits, merchant_earns, rules, run, withdraw};
    let mut f = common::Fixture::new();
    rules(&mut f, limits());
    merchant_earns(&mut f, 2);
    f.later(25 * 3_600 * common::SECOND);
    let owner = f.owner;
    let destination = add_destination(&mut f, owner);
    f.later(25 * 3_600 * common::SECOND);
    run(
        &mut f,
        Command::StartRisk {
            settings: RiskSettings::default(),
        },
    )
    .unwrap();
    run(&mut f, Command::AddDefaultRules).unwrap();
    assert!(f.shop.missing_default_rules().is_empty());
    let Ok(Reply::User(crook)) = run(
        &mut f,
        Command::Register {
            login: "crook".into(),
            role: Role::Merchant,
            referrer_code: None,
            password: None,
        },
    ) else {
        panic!()
    };
    let Ok(Reply::Merchant(fakes)) = run(
        &mut f,
        Command::CreateMerchant {
            owner: crook,
            name: "Fake keys".into(),
            fee: Bps::new(1_000).unwrap(),
            holding_days: 1,
            wrapped_key: vec![7; 60],
        },
    ) else {
        panic!()
    };
    run(&mut f, on("farm-phone", sign_in(crook))).unwrap();
    run(&mut f, on("farm-phone", sign_in(owner))).unwrap();
    // Linked, but no one is banned yet: the withdrawal goes on.
    let Ok(Reply::Withdrawal(first)) = withdraw(&mut f, 300, destination) else {
        panic!()
    };
    assert_eq!(f.shop.held(Subject::Withdrawal(first)), None);
    run(
        &mut f,
        Command::SetMerchantStatus {
            merchant: fakes,
            status: MerchantStatus::Banned,
        },
    )
    .unwrap();
    let Ok(Reply::Withdrawal(second)) = withdraw(&mut f, 300, destination) else {
        panic!()
    };
    assert!(f.shop.held(Subject::Withdrawal(second)).is_some());
    let d = last_decision(&f.shop, f.admin);
    assert_eq!(d.decision.fired[0].rule, "ring_of_banned");
    assert_eq!(d.decision.reason, "linked_to_banned");
    f.check_invariants();
}

#[test]
fn an_analysts_rule_of_a_later_default_rules_name_stays() {
    let mut j = Journaled::new(Config::default());
    seller_and_buyer(&mut j, 1_000, product_spec(1_000), 1);
    j.run(Command::StartRisk {
        settings: RiskSettings::default(),
    });
    let later = trigate_core::risk::later_rules().len();
    assert_eq!(j.shop.missing_default_rules().len(), later);
    j.run(Command::SaveRiskRule {
        actor: ADMIN,
        spec: RuleSpec {
            name: "ring_of_banned".into(),
            expr: "ring_banned > 2".into(),
            outcome: Outcome::Challenge,
            weight: 0,
            points: vec![Point::Withdrawal],
            shadow: true,
            enabled: true,
            reason: "mine".into(),
            note: String::new(),
        },
    });
    assert_eq!(j.shop.missing_default_rules().len(), later - 1);
    j.run(Command::AddDefaultRules);
    assert!(j.shop.missing_default_rules().is_empty());
    let mine = j
        .shop
        .risk_rules()
        .into_iter()
        .find(|r| r.spec.name == "ring_of_banned")
        .unwrap();
    assert_eq!(
        (mine.version, mine.by, mine.spec.expr.as_str()),
        (1, 3, "ring_banned > 2")
    );
}
