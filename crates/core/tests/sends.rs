//! Money sent back through a channel, exactly once: reserved before the
//! channel is asked, posted when it sent, voided when it clearly did not,
//! and left unknown — nothing more sent — until finance resolves a lost
//! answer. Invariants are checked after every step.

mod common;

use common::{Fixture, cny};
use trigate_core::chart::Kind;
use trigate_core::{
    AdminRole, AttemptId, OrderId, RefundTo, Role, SendId, SendOutcome, SendStatus, ShopError,
    UserId,
};

/// A buyer's order paid through a channel, 4,000 of it refunded to the
/// channel (owed back); the attempt and a member of finance.
fn owed_back(f: &mut Fixture) -> (OrderId, AttemptId, UserId) {
    let order = f.order(f.loner, 1);
    let now = f.tick();
    let attempt = f
        .shop
        .start_payment(now, f.loner, order, "sandbox")
        .unwrap();
    let now = f.tick();
    f.shop
        .payment_succeeded(now, attempt, "T-1", 10_000, cny())
        .unwrap();
    let now = f.tick();
    let owner = f.owner;
    f.shop
        .refund(now, owner, order, 4_000, RefundTo::Channel)
        .unwrap();
    let finance = f
        .shop
        .register(now, "finance", Role::Staff(AdminRole::Finance), None)
        .unwrap();
    f.check_invariants();
    (order, attempt, finance)
}

fn reserve(f: &mut Fixture, attempt: AttemptId) -> Result<SendId, ShopError> {
    let now = f.tick();
    f.shop.reserve_channel_refund(now, attempt)
}

fn finish(f: &mut Fixture, send: SendId, outcome: SendOutcome) {
    let now = f.tick();
    f.shop.finish_channel_refund(now, send, outcome).unwrap();
    f.check_invariants();
}

fn owed(f: &Fixture, attempt: AttemptId) -> u64 {
    f.shop.attempt_refund_due(attempt).unwrap().owed
}

#[test]
fn a_send_is_reserved_first_then_posted_once_the_channel_sent_it() {
    let mut f = Fixture::new();
    let (_, attempt, _) = owed_back(&mut f);
    let send = reserve(&mut f, attempt).unwrap();
    f.check_invariants();
    let s = f.shop.refund_send(send).unwrap().clone();
    assert_eq!(
        (s.amount, s.status, s.reference()),
        (4_000, SendStatus::Sending, "R1".into())
    );
    // Reserved: the payer's refunds_due shows it gone, nothing posted yet.
    assert_eq!(f.balance(Kind::RefundsDue, f.loner.0), 0);
    assert!(matches!(
        reserve(&mut f, attempt),
        Err(ShopError::SendUnresolved { reference }) if reference == "R1"
    ));
    finish(&mut f, send, SendOutcome::Sent);
    assert_eq!(f.shop.refund_send(send).unwrap().status, SendStatus::Sent);
    assert_eq!(f.shop.attempt(attempt).unwrap().sent_back, 4_000);
    assert_eq!(owed(&f, attempt), 0);
    assert!(matches!(
        reserve(&mut f, attempt),
        Err(ShopError::Invalid(_))
    ));
    // A finished send takes no second answer.
    let now = f.tick();
    assert!(
        f.shop
            .finish_channel_refund(now, send, SendOutcome::Sent)
            .is_err()
    );
    assert_eq!(f.shop.attempt(attempt).unwrap().sent_back, 4_000);
}

#[test]
fn a_send_the_channel_refused_is_voided_and_stays_owed() {
    let mut f = Fixture::new();
    let (_, attempt, _) = owed_back(&mut f);
    let send = reserve(&mut f, attempt).unwrap();
    finish(&mut f, send, SendOutcome::Refused);
    assert_eq!(
        f.shop.refund_send(send).unwrap().status,
        SendStatus::NotSent
    );
    assert_eq!(f.balance(Kind::RefundsDue, f.loner.0), 4_000);
    assert_eq!(owed(&f, attempt), 4_000);
    let again = reserve(&mut f, attempt).unwrap();
    assert_eq!(again, SendId(2));
    finish(&mut f, again, SendOutcome::Sent);
    assert_eq!(f.shop.attempt(attempt).unwrap().sent_back, 4_000);
}

#[test]
fn a_lost_answer_blocks_sending_until_finance_resolves_it_either_way() {
    let mut f = Fixture::new();
    let (_, attempt, finance) = owed_back(&mut f);
    // Lost, and it was not sent after all.
    let first = reserve(&mut f, attempt).unwrap();
    finish(&mut f, first, SendOutcome::Lost);
    assert_eq!(
        f.shop.refund_send(first).unwrap().status,
        SendStatus::Unknown
    );
    assert!(matches!(
        reserve(&mut f, attempt),
        Err(ShopError::SendUnresolved { .. })
    ));
    assert_eq!(f.shop.open_refund_sends(finance).unwrap().len(), 1);
    let now = f.tick();
    let owner = f.owner;
    assert_eq!(
        f.shop.resolve_channel_refund(now, owner, first, true),
        Err(ShopError::Forbidden(owner))
    );
    f.shop
        .resolve_channel_refund(now, finance, first, false)
        .unwrap();
    f.check_invariants();
    assert_eq!(owed(&f, attempt), 4_000);
    // Lost again, and it was sent.
    let second = reserve(&mut f, attempt).unwrap();
    finish(&mut f, second, SendOutcome::Lost);
    let now = f.tick();
    f.shop
        .resolve_channel_refund(now, finance, second, true)
        .unwrap();
    f.check_invariants();
    assert_eq!(owed(&f, attempt), 0);
    assert_eq!(f.shop.attempt(attempt).unwrap().sent_back, 4_000);
    assert_eq!(
        f.shop.refund_send(second).unwrap().resolved_by,
        Some(finance)
    );
    assert!(f.shop.open_refund_sends(finance).unwrap().is_empty());
    // Resolved once: a second resolution is refused and changes nothing.
    let now = f.tick();
    assert!(
        f.shop
            .resolve_channel_refund(now, finance, second, false)
            .is_err()
    );
    let audit = f.shop.audit_entries(f.admin).unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action.starts_with("resolved send"))
            .count(),
        2
    );
}
