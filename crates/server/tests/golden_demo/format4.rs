//! What the demo shop gains in journal format 4: money rules per currency,
//! a channel's settlements into custody (a statement line, a bank credit
//! approved and one rejected), a destination book, a withdrawal with its
//! fee paid out through a started payout, deposits paid in through a
//! channel and from a bank credit, a banned merchant's deposit forfeited,
//! fees swept past their refund horizon, a loss and the top-up and lift
//! that follow it.

use secrecy::SecretBox;
use trigate_app::MasterKey;
use trigate_core::{
    Approvable, Bps, Command, DepositMinimum, MerchantStatus, NANOS_PER_DAY, PartyKind, Reply,
    Role, Rules, SettlementSource, UserId, WithdrawFrom, WithdrawalRule, WithdrawalRuleFor,
};

use super::{Writer, cny};

/// Who the format-4 part acts as.
pub struct Cast {
    pub admin: UserId,
    pub admin2: UserId,
    pub finance: UserId,
    pub finance2: UserId,
    pub seller: UserId,
}

fn approve(w: &mut Writer, asked: Reply, by: UserId, approve: bool) {
    let approval = match asked {
        Reply::Approval(a) => a,
        Reply::Settlement {
            approval: Some(a), ..
        } => a,
        other => panic!("no approval in {other:?}"),
    };
    w.run(Command::DecideApproval {
        actor: by,
        approval,
        approve,
    });
}

pub fn run(w: &mut Writer, master: &MasterKey, c: &Cast) {
    w.run(Command::ChangeRules {
        rules: Rules {
            refund_horizon_days: 30,
            destination_cooling_hours: 24,
            deposit_hold_days: 30,
            deposits: vec![DepositMinimum {
                currency: cny(),
                minimum: 0,
            }],
            withdrawals: vec![WithdrawalRuleFor {
                currency: cny(),
                party: PartyKind::Merchant,
                rule: WithdrawalRule {
                    min: 500,
                    fee_fixed: 100,
                    fee_bps: 50,
                    ..WithdrawalRule::default()
                },
            }],
        },
    });
    // The sandbox channel settles: a statement line, then a bank credit
    // approved by a second member of finance and one rejected.
    w.run(Command::BookSettlement {
        actor: c.finance,
        channel: "sandbox".into(),
        reference: "STMT-2026-12-01".into(),
        currency: cny(),
        gross: 1_000,
        fee: 6,
        source: SettlementSource::Statement,
    });
    for (reference, ok) in [("BANK-7781", true), ("BANK-7782", false)] {
        let asked = w.run(Command::BookSettlement {
            actor: c.finance,
            channel: "sandbox".into(),
            reference: reference.into(),
            currency: cny(),
            gross: 500,
            fee: 3,
            source: SettlementSource::BankCredit,
        });
        approve(w, asked, c.finance2, ok);
    }
    // A destination book: one kept, one removed.
    let seal = |account: &str| master.seal_secret(&SecretBox::new(Box::new(account.into())));
    let mut book = Vec::new();
    for account in ["6222 0000 1111 2222", "alipay keyshop@example.com"] {
        let Reply::Destination(d) = w.run(Command::AddDestination {
            actor: c.seller,
            label: "settlement account".into(),
            masked: trigate_core::mask_destination(account),
            sealed: seal(account),
        }) else {
            panic!()
        };
        book.push(d);
    }
    w.run(Command::RemoveDestination {
        actor: c.seller,
        destination: book[1],
    });
    // Past the cooling period: a withdrawal with its fee, approved, its
    // payout started and made.
    w.later(25 * 3600 * trigate_core::NANOS_PER_SECOND);
    let Reply::Withdrawal(id) = w.run(Command::RequestWithdrawalTo {
        actor: c.seller,
        from: WithdrawFrom::Merchant,
        currency: cny(),
        amount: 1_000,
        destination: book[0],
    }) else {
        panic!()
    };
    w.run(Command::ApproveWithdrawal {
        actor: c.finance,
        withdrawal: id,
    });
    w.run(Command::StartPayout {
        actor: c.finance,
        withdrawal: id,
    });
    w.run(Command::FinishPayout {
        actor: c.finance,
        withdrawal: id,
        paid: true,
        reference: "sandbox:W".into(),
    });
    // Deposits: paid in through a channel by a new merchant, and from a
    // bank credit; the merchant is banned and its deposit forfeited.
    let owner = w.user("shady", Role::Merchant, None);
    let (_, wrapped_key) = master.new_data_key();
    let Reply::Merchant(shady) = w.run(Command::CreateMerchant {
        owner,
        name: "Shady Keys".into(),
        fee: Bps::new(1_000).unwrap(),
        holding_days: 1,
        wrapped_key,
    }) else {
        panic!()
    };
    let Reply::Attempt(attempt) = w.run(Command::StartDepositPayment {
        actor: owner,
        channel: "sandbox".into(),
        amount: 3_000,
        currency: cny(),
    }) else {
        panic!()
    };
    w.run(Command::PaymentSucceeded {
        attempt,
        channel_txn: "SBX-DEP-1".into(),
        amount: 3_000,
        currency: cny(),
    });
    let asked = w.run(Command::AskApproval {
        actor: c.finance,
        action: Approvable::DepositCredit {
            merchant: shady,
            currency: cny(),
            amount: 2_000,
        },
    });
    approve(w, asked, c.finance2, true);
    w.run(Command::SetMerchantStatusBy {
        actor: c.admin,
        merchant: shady,
        status: MerchantStatus::Banned,
    });
    let asked = w.run(Command::AskApproval {
        actor: c.finance,
        action: Approvable::ForfeitDeposit {
            merchant: shady,
            currency: cny(),
        },
    });
    approve(w, asked, c.finance2, true);
    // Past the refund horizon, fees are swept.
    w.later(31 * NANOS_PER_DAY);
    w.run(Command::Tick);
    w.run(Command::SweepFees {
        actor: c.finance,
        currency: cny(),
        amount: 100,
    });
    // A loss stops outflows; a top-up restores coverage and two admins
    // lift the stop.
    w.run(Command::BookLoss {
        actor: c.finance,
        currency: cny(),
        amount: 1_000_000,
        note: "a payout the channel made twice".into(),
    });
    let asked = w.run(Command::AskApproval {
        actor: c.finance,
        action: Approvable::CustodyTopUp {
            currency: cny(),
            amount: 1_000_000,
        },
    });
    approve(w, asked, c.finance2, true);
    w.run(Command::LiftOutflows { actor: c.admin });
    w.run(Command::LiftOutflows { actor: c.admin2 });
}
