//! The simulation's steps for money between custody and the outside.

use rand::RngExt;
use trigate_core::{Approvable, Command, Reply, WithdrawFrom};

use super::Sim;
use super::common::cny;

impl Sim {
    /// Money between custody and the outside: channel settlements, fee
    /// sweeps, losses and what restores coverage after them, deposits,
    /// and withdrawals to destinations from a book.
    pub(super) fn custody_step(&mut self, roll: u64) {
        let finance = self.finance;
        match roll {
            114 | 115 => {
                // A channel pays out part of what clearing holds (sometimes
                // more than it holds: refused), less a fee.
                let cleared = self
                    .shop
                    .ledger()
                    .account(trigate_core::chart::account_id(
                        trigate_core::chart::Kind::Clearing,
                        cny(),
                        0,
                    ))
                    .map_or(0, |a| a.debits_posted.saturating_sub(a.credits_posted));
                let cleared = u64::try_from(cleared).unwrap_or(0);
                let gross = self.rng.random_range(1..=cleared.max(1) + 10);
                let fee = self.rng.random_range(0..=gross / 50);
                self.settlements += 1;
                let source = if self.rng.random_bool(0.7) {
                    trigate_core::SettlementSource::Statement
                } else {
                    trigate_core::SettlementSource::BankCredit
                };
                self.run(Command::BookSettlement {
                    actor: finance,
                    channel: "sandbox".into(),
                    reference: format!("ST-{}", self.settlements),
                    currency: cny(),
                    gross,
                    fee,
                    source,
                });
            }
            116 | 117 => {
                // A sweep of earned fees: within what may leave, or just
                // above it (refused).
                let sweepable = self.shop.sweepable(cny(), self.now);
                let surplus = self
                    .shop
                    .followed_surplus()
                    .first()
                    .map_or(0, |(_, s)| (*s).max(0));
                let bound = sweepable.min(u64::try_from(surplus).unwrap_or(0));
                let amount = if self.rng.random_bool(0.8) {
                    self.rng.random_range(1..=bound.max(1))
                } else {
                    bound + 1
                };
                self.run(Command::SweepFees {
                    actor: finance,
                    currency: cny(),
                    amount,
                });
            }
            118 => {
                // A loss the platform bears: coverage may fail, and
                // outflows then stop by themselves.
                if self.rng.random_bool(0.3) {
                    let amount = self.rng.random_range(1..2_000);
                    self.run(Command::BookLoss {
                        actor: finance,
                        currency: cny(),
                        amount,
                        note: "a chargeback".into(),
                    });
                }
            }
            119 => {
                // While stopped: finance asks to top custody up by the
                // shortfall (decided with the other approvals), and two
                // admins lift the stop once coverage holds.
                if self.shop.outflow_stop().is_some() {
                    let short = self
                        .shop
                        .followed_surplus()
                        .first()
                        .map_or(0, |(_, s)| -(*s).min(0));
                    if short > 0 {
                        self.run(Command::AskApproval {
                            actor: finance,
                            action: Approvable::CustodyTopUp {
                                currency: cny(),
                                amount: u64::try_from(short).unwrap_or(1),
                            },
                        });
                    } else {
                        let staff = self.staff;
                        let admin2 = self.admin2;
                        self.run(Command::LiftOutflows { actor: staff });
                        self.run(Command::LiftOutflows { actor: admin2 });
                    }
                }
            }
            120 | 121 => {
                // A deposit: paid in through a channel, booked from a bank
                // credit (four eyes), or withdrawn once free.
                let owner = self.pick(&self.owners.clone()).unwrap();
                let merchant = self.shop.owned_merchant(owner).map(|m| m.id).ok();
                match (self.rng.random_range(0..3), merchant) {
                    (0, _) => {
                        let amount = self.rng.random_range(1..5_000);
                        if let Reply::Attempt(attempt) = self.run(Command::StartDepositPayment {
                            actor: owner,
                            channel: "sandbox".into(),
                            amount,
                            currency: cny(),
                        }) {
                            let txn = format!("DEP-{}", attempt.0);
                            self.run(Command::PaymentSucceeded {
                                attempt,
                                channel_txn: txn,
                                amount,
                                currency: cny(),
                            });
                        }
                    }
                    (1, Some(merchant)) => {
                        let amount = self.rng.random_range(1..5_000);
                        self.run(Command::AskApproval {
                            actor: finance,
                            action: Approvable::DepositCredit {
                                merchant,
                                currency: cny(),
                                amount,
                            },
                        });
                    }
                    _ => {
                        if let Some(&(_, destination)) =
                            self.destinations.iter().find(|(u, _)| *u == owner)
                        {
                            let amount = self.rng.random_range(1..3_000);
                            if let Reply::Withdrawal(id) = self.run(Command::RequestWithdrawalTo {
                                actor: owner,
                                from: WithdrawFrom::Deposit,
                                currency: cny(),
                                amount,
                                destination,
                            }) {
                                self.withdrawals.push(id);
                            }
                        }
                    }
                }
            }
            _ => {
                // A destination added to a book, or a withdrawal to one
                // (refused inside its cooling period).
                let actor = if self.rng.random_bool(0.5) {
                    self.pick(&self.owners.clone()).unwrap()
                } else {
                    self.pick(&self.buyers.clone()).unwrap()
                };
                let own = self.destinations.iter().find(|(u, _)| *u == actor).copied();
                match own {
                    Some((_, destination)) if self.rng.random_bool(0.8) => {
                        let from = if self.owners.contains(&actor) {
                            WithdrawFrom::Merchant
                        } else {
                            WithdrawFrom::Reward
                        };
                        let amount = self.rng.random_range(1..20_000);
                        if let Reply::Withdrawal(id) = self.run(Command::RequestWithdrawalTo {
                            actor,
                            from,
                            currency: cny(),
                            amount,
                            destination,
                        }) {
                            self.withdrawals.push(id);
                        }
                    }
                    _ => {
                        if let Reply::Destination(d) = self.run(Command::AddDestination {
                            actor,
                            label: "bank".into(),
                            masked: "****0001".into(),
                            sealed: vec![1; 32],
                        }) {
                            self.destinations.push((actor, d));
                        }
                    }
                }
            }
        }
    }
}
