//! Ring cases: when a merchant is banned (or a user block-listed), the
//! accounts linked to it in the identity graph have their open withdrawals
//! and payouts held together, as one case with the shared identifiers as
//! evidence; finance can neither approve nor pay them out while held; an
//! analyst releases or bans the ring member by member, and a ban gives the
//! money back to where it was taken from. Conservation holds after every
//! step (the fixture checks every invariant after each command).

mod common;

use common::Fixture;
use common::money::{add_destination, limits, merchant_earns, rules, run, staff, withdraw};
use trigate_core::chart::Kind;
use trigate_core::query::{Query, View};
use trigate_core::risk::{
    CaseView, IdKind, MemberState, NewListEntry, Point, RequestContext, RiskQuery, RiskSettings,
    RiskView, Subject,
};
use trigate_core::{
    AdminRole, Bps, Command, MerchantId, MerchantStatus, Reply, Role, ShopError, UserId,
    WithdrawalId, WithdrawalStatus,
};
use trigate_risk::ListKind;

fn on(device: &str, command: Command) -> Command {
    Command::WithContext {
        context: RequestContext {
            device: device.into(),
            ..RequestContext::default()
        },
        command: Box::new(command),
    }
}

fn sign_in(f: &mut Fixture, device: &str, user: UserId) {
    run(
        f,
        on(
            device,
            Command::SignIn {
                user: Some(user),
                ok: true,
            },
        ),
    )
    .unwrap();
}

fn register(f: &mut Fixture, login: &str, role: Role) -> UserId {
    let Ok(Reply::User(id)) = run(
        f,
        Command::Register {
            login: login.into(),
            role,
            referrer_code: None,
            password: None,
        },
    ) else {
        panic!()
    };
    id
}

/// A crook's merchant, to be banned.
fn crooks_merchant(f: &mut Fixture) -> (UserId, MerchantId) {
    let crook = register(f, "crook", Role::Merchant);
    let Ok(Reply::Merchant(fakes)) = run(
        f,
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
    (crook, fakes)
}

struct Ring {
    f: Fixture,
    finance: UserId,
    crook: UserId,
    fakes: MerchantId,
    /// The seller's withdrawals: approved (300, no approver needed) and
    /// waiting for finance (600).
    approved: WithdrawalId,
    waiting: WithdrawalId,
    /// The seller's available balance before either.
    available: u64,
}

/// The seller (who has earned), a buyer and a crook share one phone; the
/// seller has one withdrawal approved and one waiting; the default pack is
/// in force.
fn ring() -> Ring {
    let mut f = Fixture::new();
    rules(&mut f, limits());
    merchant_earns(&mut f, 2);
    f.later(25 * 3_600 * common::SECOND);
    let owner = f.owner;
    let destination = add_destination(&mut f, owner);
    f.later(25 * 3_600 * common::SECOND);
    let finance = staff(&mut f, "finance", AdminRole::Finance);
    run(
        &mut f,
        Command::StartRisk {
            settings: RiskSettings::default(),
        },
    )
    .unwrap();
    run(&mut f, Command::AddDefaultRules).unwrap();
    let (crook, fakes) = crooks_merchant(&mut f);
    let loner = f.loner;
    sign_in(&mut f, "farm-phone", crook);
    sign_in(&mut f, "farm-phone", owner);
    sign_in(&mut f, "farm-phone", loner);
    let available = f.balance(Kind::MerchantAvailable, f.merchant.0);
    let Ok(Reply::Withdrawal(approved)) = withdraw(&mut f, 300, destination) else {
        panic!()
    };
    let Ok(Reply::Withdrawal(waiting)) = withdraw(&mut f, 600, destination) else {
        panic!()
    };
    assert_eq!(status(&f, approved), WithdrawalStatus::Approved);
    assert_eq!(status(&f, waiting), WithdrawalStatus::Requested);
    assert_eq!(f.shop.held(Subject::Withdrawal(approved)), None);
    assert_eq!(f.shop.held(Subject::Withdrawal(waiting)), None);
    Ring {
        f,
        finance,
        crook,
        fakes,
        approved,
        waiting,
        available,
    }
}

fn status(f: &Fixture, w: WithdrawalId) -> WithdrawalStatus {
    f.shop.withdrawal(w).unwrap().status
}

fn ban(f: &mut Fixture, merchant: MerchantId) {
    let admin = f.admin;
    run(
        f,
        Command::SetMerchantStatusBy {
            actor: admin,
            merchant,
            status: MerchantStatus::Banned,
        },
    )
    .unwrap();
}

fn cases(f: &Fixture, open: bool) -> Vec<CaseView> {
    let Ok(View::Risk(v)) = f.shop.query(&Query::Risk {
        actor: f.admin,
        ask: RiskQuery::Cases {
            open,
            before: None,
            limit: 50,
        },
    }) else {
        panic!()
    };
    let RiskView::Cases(c) = *v else { panic!() };
    c
}

fn decide(
    f: &mut Fixture,
    case: u64,
    member: UserId,
    ban: bool,
) -> Result<Reply, trigate_core::ShopError> {
    let actor = f.admin;
    run(
        f,
        Command::DecideCaseMember {
            actor,
            case,
            member,
            ban,
            note: "checked the ring".into(),
        },
    )
}

fn held(r: Result<Reply, ShopError>) -> bool {
    matches!(r, Err(ShopError::HeldForReview { .. }))
}

#[test]
fn a_ring_sharing_a_device_with_a_banned_merchant_has_its_withdrawals_held_as_one_case() {
    let Ring {
        mut f,
        finance,
        crook,
        fakes,
        approved,
        waiting,
        available,
    } = ring();
    let (owner, loner) = (f.owner, f.loner);
    ban(&mut f, fakes);

    let open = cases(&f, true);
    assert_eq!(open.len(), 1, "one case for the whole ring");
    let case = &open[0];
    assert_eq!(
        (
            case.case.banned,
            case.case.cause.as_str(),
            case.status.as_str()
        ),
        (crook, "merchant_banned", "open")
    );
    let accounts: Vec<UserId> = case.case.members.iter().map(|m| m.account).collect();
    assert_eq!(accounts, vec![crook, owner, loner]);
    // The seller's two withdrawals are the case's holds: the approved one
    // at its payout, the waiting one at its request.
    let seller = &case.holds[1];
    let lines: Vec<(Subject, Point, u64, Option<u64>)> = seller
        .iter()
        .map(|l| (l.review.subject, l.point, l.amount, l.case))
        .collect();
    assert_eq!(
        lines,
        vec![
            (Subject::Withdrawal(approved), Point::Payout, 300, Some(1)),
            (
                Subject::Withdrawal(waiting),
                Point::Withdrawal,
                600,
                Some(1)
            ),
        ]
    );
    assert!(seller.iter().all(|l| l.review.reason == "linked_to_banned"));
    assert!(case.holds[0].is_empty() && case.holds[2].is_empty());
    // The evidence: the phone they share.
    let evidence = &case.case.members[1].links;
    assert_eq!(evidence.len(), 1);
    assert_eq!(
        (evidence[0].kind, evidence[0].value.as_str()),
        (IdKind::Device, "farm-phone")
    );
    assert_eq!(evidence[0].with, vec![crook.0, loner.0]);

    // Held, not refused: finance can neither approve nor pay out.
    let approve = Command::ApproveWithdrawal {
        actor: finance,
        withdrawal: waiting,
    };
    assert!(held(run(&mut f, approve)));
    let start = Command::StartPayout {
        actor: finance,
        withdrawal: approved,
    };
    assert!(held(run(&mut f, start)));
    let finish = Command::FinishPayout {
        actor: finance,
        withdrawal: approved,
        paid: true,
        reference: "bank-1".into(),
    };
    assert!(held(run(&mut f, finish)));

    // Member by member: the buyer released, the seller banned.
    decide(&mut f, 1, loner, false).unwrap();
    assert_eq!(cases(&f, true).len(), 1, "still open: two members wait");
    decide(&mut f, 1, owner, true).unwrap();
    assert_eq!(status(&f, approved), WithdrawalStatus::Failed);
    assert_eq!(status(&f, waiting), WithdrawalStatus::Rejected);
    assert_eq!(
        f.balance(Kind::MerchantAvailable, f.merchant.0),
        available,
        "nothing is taken: both withdrawals' money is back"
    );
    assert_eq!(
        f.shop.merchant(f.merchant).unwrap().status,
        MerchantStatus::Banned
    );
    let listed = f
        .shop
        .risk_case(1)
        .map(|c| c.members.iter().map(|m| m.state.name()).collect::<Vec<_>>());
    assert_eq!(listed, Some(vec!["open", "banned", "released"]));
    // A member decided once is decided.
    assert!(matches!(
        decide(&mut f, 1, owner, false),
        Err(ShopError::Invalid(_))
    ));
    decide(&mut f, 1, crook, true).unwrap();
    assert!(cases(&f, true).is_empty());
    assert_eq!(cases(&f, false)[0].status, "closed");
    // Banned members are on the block list.
    let Ok(View::Risk(v)) = f.shop.query(&Query::Risk {
        actor: f.admin,
        ask: RiskQuery::Lists,
    }) else {
        panic!()
    };
    let RiskView::Lists(lists) = *v else { panic!() };
    let mut blocked: Vec<String> = lists
        .iter()
        .filter(|e| e.list == ListKind::Block && e.kind == IdKind::User)
        .map(|e| e.value.clone())
        .collect();
    blocked.sort();
    let mut want = vec![owner.0.to_string(), crook.0.to_string()];
    want.sort();
    assert_eq!(blocked, want);
}

#[test]
fn a_released_member_s_withdrawals_go_on_to_finance() {
    let Ring {
        mut f,
        finance,
        fakes,
        approved,
        waiting,
        ..
    } = ring();
    let owner = f.owner;
    ban(&mut f, fakes);
    decide(&mut f, 1, owner, false).unwrap();
    run(
        &mut f,
        Command::ApproveWithdrawal {
            actor: finance,
            withdrawal: waiting,
        },
    )
    .unwrap();
    assert_eq!(status(&f, waiting), WithdrawalStatus::Approved);
    run(
        &mut f,
        Command::StartPayout {
            actor: finance,
            withdrawal: approved,
        },
    )
    .unwrap();
    run(
        &mut f,
        Command::FinishPayout {
            actor: finance,
            withdrawal: approved,
            paid: true,
            reference: "bank-1".into(),
        },
    )
    .unwrap();
    assert_eq!(status(&f, approved), WithdrawalStatus::PaidOut);
    let member = &f.shop.risk_case(1).unwrap().members[1];
    assert!(matches!(member.state, MemberState::Released { .. }));
}

#[test]
fn a_hold_opened_later_for_a_member_of_an_open_case_joins_it() {
    let Ring { mut f, fakes, .. } = ring();
    ban(&mut f, fakes);
    let owner = f.owner;
    let destination = f.shop.destinations_of(owner)[0].id;
    let Ok(Reply::Withdrawal(third)) = withdraw(&mut f, 200, destination) else {
        panic!()
    };
    let review = f.shop.held(Subject::Withdrawal(third)).expect("held");
    let member = &f.shop.risk_case(1).unwrap().members[1];
    assert_eq!(member.reviews.len(), 3);
    assert_eq!(member.reviews[2], review);
    assert_eq!(cases(&f, true)[0].holds[1][2].case, Some(1));
}

#[test]
fn a_user_put_on_the_block_list_holds_its_ring_and_a_lone_one_opens_no_case() {
    let Ring {
        mut f,
        crook,
        fakes,
        waiting,
        ..
    } = ring();
    let admin = f.admin;
    let lone = register(&mut f, "lone", Role::Buyer);
    sign_in(&mut f, "own-phone", lone);
    let block = |user: UserId| Command::ListRisk {
        actor: admin,
        entry: NewListEntry {
            list: ListKind::Block,
            kind: IdKind::User,
            value: user.0.to_string(),
            reason: "fraud".into(),
            expires: None,
        },
    };
    run(&mut f, block(lone)).unwrap();
    assert!(cases(&f, false).is_empty(), "linked to no one: no case");
    run(&mut f, block(crook)).unwrap();
    let open = cases(&f, true);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].case.cause, "user_blocked");
    assert!(f.shop.held(Subject::Withdrawal(waiting)).is_some());
    // Banning the merchant too opens no second case: its ring waits in one.
    ban(&mut f, fakes);
    assert_eq!(cases(&f, false).len(), 1);
}

#[test]
fn only_analysts_decide_a_case_and_a_wrong_case_or_member_is_named() {
    let Ring {
        mut f,
        crook,
        fakes,
        ..
    } = ring();
    ban(&mut f, fakes);
    let buyer = f.buyer;
    let r = run(
        &mut f,
        Command::DecideCaseMember {
            actor: buyer,
            case: 1,
            member: crook,
            ban: true,
            note: "no".into(),
        },
    );
    assert!(matches!(r, Err(ShopError::Forbidden(_))));
    assert!(matches!(
        decide(&mut f, 9, crook, true),
        Err(ShopError::CaseNotFound(9))
    ));
    assert!(matches!(
        decide(&mut f, 1, buyer, true),
        Err(ShopError::Invalid(_))
    ));
    let admin = f.admin;
    let r = run(
        &mut f,
        Command::DecideCaseMember {
            actor: admin,
            case: 1,
            member: crook,
            ban: true,
            note: "  ".into(),
        },
    );
    assert!(matches!(r, Err(ShopError::Invalid(_))));
    assert_eq!(cases(&f, true).len(), 1, "nothing changed");
}
