//! What the demo shop gains in journal format 8: ring cases and merchant
//! risk. A later start records how new merchants are watched and where the
//! trained model's score holds, and saves the
//! rules added to the default pack since the shop installed it; a
//! crook's merchant opens (held, then approved), and the crook, the seller
//! and a buyer sign in on one phone — the buyer's next payment is decided
//! with the ring's features; the seller asks a withdrawal; an admin bans
//! the crook's merchant, which holds the seller's withdrawal in one case
//! with the shared phone as evidence; a second withdrawal, held by the
//! ring rule, joins it; an analyst bans the crook and releases the seller
//! and the buyer, and finance approves the seller's withdrawals.

use trigate_core::risk::{
    MerchantSettings, ModelThresholds, RequestContext, RiskSettings, Subject,
};
use trigate_core::{
    Command, Currency, MerchantStatus, ProductId, Reply, Role, UserId, WithdrawFrom,
};

use super::Writer;

pub struct Cast {
    pub admin: UserId,
    pub finance: UserId,
    pub seller: UserId,
    pub bob: UserId,
    pub product: ProductId,
}

fn on_phone(command: Command) -> Command {
    Command::WithContext {
        context: RequestContext {
            ip: "198.51.100.7".into(),
            ip_country: "CN".into(),
            device: "farm-phone".into(),
            ..RequestContext::default()
        },
        command: Box::new(command),
    }
}

pub fn run(w: &mut Writer, c: &Cast) {
    // A later start: new merchants watched, the rules added since saved.
    w.run(Command::StartRisk {
        settings: RiskSettings {
            merchants: MerchantSettings::RECOMMENDED,
            model: ModelThresholds::suggested(),
            ..RiskSettings::default()
        },
    });
    w.run(Command::AddDefaultRules);
    let rita = w.machine.shop().user_by_login("rita").unwrap().id;
    let erin = w.user("erin", Role::Merchant, None);
    let Reply::Merchant(fakes) = w.run(Command::CreateMerchant {
        owner: erin,
        name: "Cheap keys".into(),
        fee: trigate_core::Bps::new(500).unwrap(),
        holding_days: 1,
        wrapped_key: vec![7; 60],
    }) else {
        panic!()
    };
    let opening = w.machine.shop().held(Subject::Merchant(fakes)).unwrap();
    w.run(Command::DecideReview {
        actor: rita,
        review: opening,
        approve: true,
        note: "documents checked".into(),
    });
    for user in [erin, c.seller, c.bob] {
        w.run(on_phone(Command::SignIn {
            user: Some(user),
            ok: true,
        }));
    }
    // Decided with the ring's features: linked to two accounts.
    w.run(on_phone(Command::BuyWithBalance {
        actor: c.bob,
        product: c.product,
        quantity: 1,
        coupon: None,
    }));
    let destination = w.machine.shop().destinations_of(c.seller)[0].id;
    let withdraw = |w: &mut Writer| {
        let reply = w.run(on_phone(Command::RequestWithdrawalTo {
            actor: c.seller,
            from: WithdrawFrom::Merchant,
            currency: Currency::new("CNY").unwrap(),
            amount: 500,
            destination,
        }));
        match reply {
            Reply::Withdrawal(id) => id,
            other => panic!("{other:?}"),
        }
    };
    let first = withdraw(w);
    w.run(Command::SetMerchantStatusBy {
        actor: c.admin,
        merchant: fakes,
        status: MerchantStatus::Banned,
    });
    assert!(w.machine.shop().held(Subject::Withdrawal(first)).is_some());
    let second = withdraw(w);
    assert!(w.machine.shop().held(Subject::Withdrawal(second)).is_some());
    let decide = |w: &mut Writer, member, ban, note: &str| {
        w.run(Command::DecideCaseMember {
            actor: rita,
            case: 1,
            member,
            ban,
            note: note.into(),
        });
    };
    decide(w, erin, true, "sold keys that did not work");
    decide(w, c.seller, false, "a long-standing seller");
    decide(w, c.bob, false, "a buyer of the seller");
    for id in [first, second] {
        w.run(Command::ApproveWithdrawal {
            actor: c.finance,
            withdrawal: id,
        });
    }
}
