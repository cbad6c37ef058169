//! The demo shop every golden journal of today's format is written from.

use super::*;

/// A small shop with a bit of everything: staff, two merchants, referred
/// buyers, orders paid by balance and through a channel, a coupon,
/// settlements with commissions, refunds before and after settlement, to
/// the wallet and to the channel, disputes answered three ways, a guest
/// order, a recharge, a late payment, expiry, auto-confirmation and the
/// holding period, withdrawals approved, paid and rejected, deposits, credits
/// by hand, idempotent replays, roles and API keys; and (format 3)
/// commissions held and released, a refund after release reversing the
/// split, a referrer's debt opened and repaid, a send back through a
/// channel reserved, its answer lost, resolved by finance, reserve top-ups
/// approved and rejected, and outflows stopped and lifted by two admins;
/// and what format 4 adds ([`format4`]).
pub fn demo_shop(master: &MasterKey) -> Writer {
    let mut w = Writer::new();
    // Settings of its own from the start (the genesis), and changed later.
    let mut settings = Config {
        reservation_ns: 10 * 60 * NANOS_PER_SECOND,
        ..Config::default()
    };
    w.run(Command::ChangeSettings { settings });
    let admin = w.user("admin", Role::Staff(AdminRole::Admin), None);
    let finance = w.user("finance", Role::Staff(AdminRole::Finance), None);
    let finance2 = w.user("finance2", Role::Staff(AdminRole::Finance), None);
    let seller = w.user("keyshop", Role::Merchant, None);
    let seller2 = w.user("mediahub", Role::Merchant, None);
    let alice = w.user("alice", Role::Buyer, None);
    let bob = w.user("bob", Role::Buyer, Some(alice));
    let carol = w.user("carol", Role::Buyer, Some(bob));

    let (key1, wrapped) = master.new_data_key();
    let Reply::Merchant(m1) = w.run(Command::CreateMerchant {
        owner: seller,
        name: "Key Shop".into(),
        fee: Bps::new(1_000).unwrap(),
        holding_days: 1,
        wrapped_key: wrapped,
    }) else {
        panic!()
    };
    let (key2, wrapped) = master.new_data_key();
    let Reply::Merchant(m2) = w.run(Command::CreateMerchantBy {
        actor: admin,
        owner: seller2,
        name: "Media Hub".into(),
        fee: Bps::new(800).unwrap(),
        holding_days: 2,
        wrapped_key: wrapped,
    }) else {
        panic!()
    };
    let Reply::Product(p1) = w.run(Command::CreateProduct {
        merchant: m1,
        spec: product("Game key", 1_000),
    }) else {
        panic!()
    };
    let Reply::Product(p2) = w.run(Command::AddProduct {
        actor: seller2,
        spec: product("Film pass", 2_500),
    }) else {
        panic!()
    };
    let lines: String = (1..=14).map(|i| format!("GAME-{i:04}\n")).collect();
    let (keys, invalid) = key1.seal_import(&format!("{lines}GAME-0001\n\n"), false, 1024);
    w.run(Command::ImportKeys {
        product: p1,
        keys,
        invalid,
    });
    let lines: String = (1..=8).map(|i| format!("FILM-{i:04}\n")).collect();
    let (keys, invalid) = key2.seal_import(&lines, false, 1024);
    w.run(Command::ImportOwnKeys {
        actor: seller2,
        product: p2,
        keys,
        invalid,
    });
    for buyer in [alice, bob, carol] {
        w.run(Command::CreditWallet {
            user: buyer,
            currency: cny(),
            amount: 50_000,
        });
    }
    w.run(Command::CreateCoupon {
        actor: seller,
        merchant: m1,
        spec: NewCoupon {
            code: "welcome".into(),
            product: None,
            discount: Discount::Percent(Bps::new(1_000).unwrap()),
            uses: 10,
            expires_at: w.now + 30 * NANOS_PER_DAY,
        },
    });

    // Bought with balance and a coupon, confirmed: split with commissions.
    let o1 = w.run(Command::BuyWithBalance {
        actor: carol,
        product: p1,
        quantity: 2,
        coupon: Some("WELCOME".into()),
    });
    let o1 = w.order(&o1);
    w.run(Command::ConfirmOrder {
        actor: carol,
        order: o1,
    });
    // Created, then paid; part refunded before settlement, part after.
    let o2 = w.run(Command::CreateOrder {
        actor: bob,
        product: p1,
        quantity: 1,
        coupon: None,
    });
    let o2 = w.order(&o2);
    w.run(Command::PayByBalance {
        actor: bob,
        order: o2,
    });
    w.run(Command::Refund {
        actor: seller,
        order: o2,
        amount: 300,
        to: trigate_core::RefundTo::Wallet,
    });
    w.run(Command::ConfirmOrder {
        actor: bob,
        order: o2,
    });
    w.run(Command::Refund {
        actor: admin,
        order: o2,
        amount: 200,
        to: trigate_core::RefundTo::Wallet,
    });
    // Disputes: keys replaced; refunded by the merchant; decided by staff.
    let mut disputed = Vec::new();
    for _ in 0..3 {
        let o = w.run(Command::BuyWithBalance {
            actor: alice,
            product: p2,
            quantity: 1,
            coupon: None,
        });
        let o = w.order(&o);
        w.run(Command::OpenDispute {
            actor: alice,
            order: o,
            reason: "the key does not work".into(),
        });
        disputed.push(o);
    }
    w.run(Command::ReplaceKeys {
        actor: seller2,
        order: disputed[0],
    });
    w.run(Command::RefundDispute {
        actor: seller2,
        order: disputed[1],
    });
    w.run(Command::EscalateDispute {
        actor: alice,
        order: disputed[2],
    });
    w.run(Command::DecideDispute {
        actor: admin,
        order: disputed[2],
        decision: Decision::Refund(1_000),
    });
    // Through a channel: paid, a duplicate notice, refunded to the channel
    // and sent back.
    let o3 = w.run(Command::CreateOrder {
        actor: alice,
        product: p1,
        quantity: 1,
        coupon: None,
    });
    let o3 = w.order(&o3);
    let Reply::Attempt(a1) = w.run(Command::StartPayment {
        actor: alice,
        order: o3,
        channel: "sandbox".into(),
    }) else {
        panic!()
    };
    for _ in 0..2 {
        w.run(Command::PaymentSucceeded {
            attempt: a1,
            channel_txn: "SBX-0001".into(),
            amount: 1_000,
            currency: cny(),
        });
    }
    w.run(Command::Refund {
        actor: seller,
        order: o3,
        amount: 1_000,
        to: trigate_core::RefundTo::Channel,
    });
    // Sent back through the channel (format 3): reserved first, the
    // answer lost, finance resolves it as sent.
    let Reply::Send(send) = w.run(Command::ReserveChannelRefund { attempt: a1 }) else {
        panic!()
    };
    w.run(Command::FinishChannelRefund {
        send,
        outcome: trigate_core::SendOutcome::Lost,
    });
    w.run(Command::ResolveChannelRefund {
        actor: finance,
        send,
        sent: true,
    });
    // A recharge, a failed attempt, and a guest's order paid by channel.
    let Reply::Attempt(a2) = w.run(Command::StartRecharge {
        actor: bob,
        channel: "sandbox".into(),
        amount: 3_000,
        currency: cny(),
    }) else {
        panic!()
    };
    w.run(Command::PaymentSucceeded {
        attempt: a2,
        channel_txn: "SBX-0002".into(),
        amount: 3_000,
        currency: cny(),
    });
    let Reply::Attempt(a3) = w.run(Command::StartRecharge {
        actor: carol,
        channel: "sandbox".into(),
        amount: 700,
        currency: cny(),
    }) else {
        panic!()
    };
    w.run(Command::PaymentFailed { attempt: a3 });
    let lookup = trigate_app::identity::hash_password("guest-lookup-secret").unwrap();
    let g = w.run(Command::CreateGuestOrder {
        product: p1,
        quantity: 1,
        coupon: None,
        lookup: PasswordHash(lookup),
        email: None,
    });
    let g = w.order(&g);
    let guest = w.machine.shop().order(g).unwrap().buyer;
    let Reply::Attempt(a4) = w.run(Command::StartPayment {
        actor: guest,
        order: g,
        channel: "sandbox".into(),
    }) else {
        panic!()
    };
    w.run(Command::PaymentSucceeded {
        attempt: a4,
        channel_txn: "SBX-0003".into(),
        amount: 1_000,
        currency: cny(),
    });
    // Idempotent: the same purchase twice under one key buys once.
    for _ in 0..2 {
        w.run(Command::Idempotent {
            actor: bob,
            key: "checkout-1".into(),
            fingerprint: "digest-1".into(),
            command: Box::new(Command::BuyWithBalance {
                actor: bob,
                product: p2,
                quantity: 1,
                coupon: None,
            }),
        });
    }
    // Refused commands that touch nothing are not journaled.
    w.try_run(Command::ConfirmOrder {
        actor: bob,
        order: o1,
    });
    // Unpaid orders: one cancelled, one expiring, one paid late.
    let o4 = w.run(Command::CreateOrder {
        actor: carol,
        product: p1,
        quantity: 1,
        coupon: None,
    });
    let o4 = w.order(&o4);
    w.run(Command::CancelOrder {
        actor: carol,
        order: o4,
    });
    let o5 = w.run(Command::CreateOrder {
        actor: carol,
        product: p1,
        quantity: 2,
        coupon: None,
    });
    let o5 = w.order(&o5);
    let Reply::Attempt(a5) = w.run(Command::StartPayment {
        actor: carol,
        order: o5,
        channel: "sandbox".into(),
    }) else {
        panic!()
    };
    w.later(20 * 60 * NANOS_PER_SECOND);
    w.run(Command::Tick);
    w.run(Command::PaymentSucceeded {
        attempt: a5,
        channel_txn: "SBX-0004".into(),
        amount: 2_000,
        currency: cny(),
    });
    // Staff and merchants at work.
    let Reply::Credit(credit) = w.run(Command::CreditWalletBy {
        actor: finance,
        user: alice,
        currency: cny(),
        amount: 4_000,
        note: "bank transfer 2026-11-30".into(),
    }) else {
        panic!()
    };
    w.run(Command::DecideCreditBy {
        actor: finance2,
        credit,
        approve: true,
    });
    w.run(Command::EnrollSecondFactor {
        actor: finance,
        user: finance,
        sealed: master.seal_secret(&secrecy::SecretBox::new(Box::new(vec![9; 20]))),
    });
    w.run(Command::AddApiKey {
        actor: seller,
        key_id: "tk_golden".into(),
        sealed: master.seal_secret(&secrecy::SecretBox::new(Box::new(vec![3; 32]))),
    });
    w.run(Command::SetOwnOnSale {
        actor: seller2,
        product: p2,
        on_sale: false,
    });
    w.run(Command::SetOnSale {
        product: p2,
        on_sale: true,
    });
    let auditor = w.user("auditor", Role::Buyer, None);
    w.run(Command::SetRoleBy {
        actor: admin,
        user: auditor,
        role: Role::Staff(AdminRole::Auditor),
    });
    settings.dispute_answer_ns = 3 * NANOS_PER_DAY;
    w.run(Command::ChangeSettings { settings });
    // Days pass: delivered orders confirm, holds release.
    w.later(4 * NANOS_PER_DAY);
    w.run(Command::Tick);
    w.later(3 * NANOS_PER_DAY);
    w.run(Command::Tick);
    // Withdrawals: a merchant's paid out; a referrer's rejected.
    let Reply::Withdrawal(wd1) = w.run(Command::RequestWithdrawal {
        actor: seller,
        from: WithdrawFrom::Merchant,
        currency: cny(),
        amount: 500,
        destination: "bank 6222 0000 1111".into(),
    }) else {
        panic!()
    };
    w.run(Command::ApproveWithdrawal {
        actor: finance,
        withdrawal: wd1,
    });
    w.run(Command::FinishPayout {
        actor: finance,
        withdrawal: wd1,
        paid: true,
        reference: "PAYOUT-1".into(),
    });
    let Reply::Withdrawal(wd2) = w.run(Command::RequestWithdrawal {
        actor: bob,
        from: WithdrawFrom::Reward,
        currency: cny(),
        amount: 10,
        destination: "alipay bob@example.com".into(),
    }) else {
        panic!()
    };
    w.run(Command::RejectWithdrawal {
        actor: finance,
        withdrawal: wd2,
    });
    w.run(Command::FundDeposit {
        actor: seller,
        merchant: m1,
        currency: cny(),
        amount: 200,
    });
    w.run(Command::SetMerchantStatusBy {
        actor: admin,
        merchant: m2,
        status: trigate_core::MerchantStatus::Frozen,
    });
    // Format 3: a commission held, released and withdrawn; the sale is then
    // refunded, so the referrer owes the reserve; the next sale repays it.
    let sale = w.run(Command::BuyWithBalance {
        actor: carol,
        product: p1,
        quantity: 1,
        coupon: None,
    });
    let sale = w.order(&sale);
    w.run(Command::ConfirmOrder {
        actor: carol,
        order: sale,
    });
    w.later(8 * NANOS_PER_DAY);
    w.run(Command::Tick);
    let reward = w.machine.shop().wallet(bob, cny()).1;
    w.run(Command::RequestWithdrawal {
        actor: bob,
        from: WithdrawFrom::Reward,
        currency: cny(),
        amount: reward,
        destination: "alipay bob@example.com".into(),
    });
    // The reserve would pay the withdrawn commission: finance approves.
    let amount = w.machine.shop().order(sale).unwrap().amount;
    let Reply::Approval(approval) = w.run(Command::AskApproval {
        actor: seller,
        action: trigate_core::Approvable::Refund {
            order: sale,
            amount,
            to: trigate_core::RefundTo::Wallet,
        },
    }) else {
        panic!()
    };
    w.run(Command::DecideApproval {
        actor: finance,
        approval,
        approve: true,
    });
    let bob_owes = |w: &Writer| w.machine.shop().debt(trigate_core::Party::User(bob), cny());
    assert!(bob_owes(&w) > 0, "the referrer owes the reserve");
    let again = w.run(Command::BuyWithBalance {
        actor: carol,
        product: p1,
        quantity: 1,
        coupon: None,
    });
    let again = w.order(&again);
    w.run(Command::ConfirmOrder {
        actor: carol,
        order: again,
    });
    assert_eq!(bob_owes(&w), 0, "the next commission repaid it");
    // Outflows stopped by hand, and lifted by two admins.
    let admin2 = w.user("admin2", Role::Staff(AdminRole::Admin), None);
    w.run(Command::StopOutflows {
        actor: admin,
        note: "drill".into(),
    });
    w.run(Command::LiftOutflows { actor: admin });
    w.run(Command::LiftOutflows { actor: admin2 });
    // Four eyes: a reserve top-up approved, another rejected.
    for (amount, approve) in [(5_000, true), (7_000, false)] {
        let Reply::Approval(approval) = w.run(Command::AskApproval {
            actor: finance,
            action: trigate_core::Approvable::ReserveTopUp {
                currency: cny(),
                amount,
            },
        }) else {
            panic!()
        };
        w.run(Command::DecideApproval {
            actor: finance2,
            approval,
            approve,
        });
    }
    let cast = format4::Cast {
        admin,
        admin2,
        finance,
        finance2,
        seller,
    };
    format4::run(&mut w, master, &cast);
    let cast = format5::Cast {
        admin,
        seller,
        bob,
        carol,
        product: p1,
    };
    format5::run(&mut w, &cast);
    format6::run(
        &mut w,
        &format6::Cast {
            bob,
            seller,
            product: p1,
        },
    );
    format7::run(
        &mut w,
        master,
        &format7::Cast {
            bob,
            carol,
            product: p1,
        },
    );
    format8::run(
        &mut w,
        &format8::Cast {
            admin,
            finance,
            seller,
            bob,
            product: p1,
        },
    );
    w
}
