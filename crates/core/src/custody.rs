//! Custody: what custody and clearing hold against everything the platform
//! owes, per currency — the surplus, written here once — and the one switch
//! that stops money leaving when it does not hold.
//!
//! surplus = custody + clearing − (escrow + every wallet bucket + held
//! commissions + merchant pending, available and deposit + refunds_due +
//! payouts + reserve)
//!
//! The shop follows the surplus transfer by transfer (posted money only),
//! and after every command: the moment it is below zero in any currency,
//! outflows stop (`coverage`). An admin may stop them by hand too
//! (`manual`). While stopped, nothing new leaves — no withdrawal is asked
//! for or approved, no refund is sent back through a channel, no payout is
//! started — while payments still escrow and keys are still delivered, and
//! the outcomes of sends already made are still taken. Two different
//! admins lift a stop, a coverage stop only once coverage holds again; a
//! shop with one admin lifts it at the command line (audited).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chart::{Kind, Leg, Why, account_id, kind_of};
use crate::users::{AdminRole, Role};
use crate::{Currency, Shop, ShopError, UserId};

/// What custody and clearing hold against what is owed, in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub currency: Currency,
    pub held: i128,
    pub owed: i128,
}

impl Coverage {
    pub fn surplus(&self) -> i128 {
        self.held - self.owed
    }
}

/// How an account counts towards the surplus.
fn side(kind: Kind) -> Option<bool> {
    match kind {
        Kind::Custody | Kind::Clearing => Some(true),
        k if k.is_user_liability() || k == Kind::Reserve => Some(false),
        _ => None,
    }
}

/// Why outflows are stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// Coverage failed: set by the shop itself.
    Coverage,
    /// An admin's emergency stop.
    Manual,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Coverage => "coverage",
            StopReason::Manual => "manual",
        }
    }
}

/// Outflows stopped: since when, why, and the admins who asked to lift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutflowStop {
    pub reason: StopReason,
    pub at: u64,
    /// The admin who stopped them by hand.
    pub by: Option<UserId>,
    pub note: String,
    /// Admins who have asked to lift it (two different ones lift it).
    pub lifts: Vec<UserId>,
}

/// The surplus per currency as the shop follows it, and the stop.
#[derive(Debug, Default)]
pub(crate) struct Custody {
    pub(crate) surplus: BTreeMap<u32, i128>,
    pub(crate) stop: Option<OutflowStop>,
}

impl Shop {
    /// Coverage per currency, from every account: the formula above.
    pub fn coverage(&self) -> Vec<Coverage> {
        let mut by: BTreeMap<u32, (i128, i128)> = BTreeMap::new();
        for a in self.ledger.accounts() {
            let Some(held) = kind_of(a.id).and_then(side) else {
                continue;
            };
            let net = a.credits_posted as i128 - a.debits_posted as i128;
            let e = by.entry(a.ledger).or_default();
            if held {
                e.0 -= net;
            } else {
                e.1 += net;
            }
        }
        by.into_iter()
            .filter_map(|(ledger, (held, owed))| {
                Some(Coverage {
                    currency: Currency::from_ledger(ledger)?,
                    held,
                    owed,
                })
            })
            .collect()
    }

    /// The surplus the shop follows, per currency (what `coverage` gives,
    /// without reading every account).
    pub fn followed_surplus(&self) -> Vec<(Currency, i128)> {
        self.custody
            .surplus
            .iter()
            .filter_map(|(l, s)| Some((Currency::from_ledger(*l)?, *s)))
            .collect()
    }

    /// Outflows stopped, if they are.
    pub fn outflow_stop(&self) -> Option<&OutflowStop> {
        self.custody.stop.as_ref()
    }

    /// Refuses while outflows are stopped.
    pub(crate) fn require_outflows(&self) -> Result<(), ShopError> {
        match &self.custody.stop {
            Some(stop) => Err(ShopError::OutflowsStopped {
                reason: stop.reason.as_str(),
            }),
            None => Ok(()),
        }
    }

    /// Follows the surplus through a posted transfer.
    pub(crate) fn follow(&mut self, debit: u128, credit: u128, amount: u64, ledger: u32) {
        // A debit adds to what custody holds or takes from what is owed; a
        // credit the other way round: either way the surplus moves by it.
        let amount = i128::from(amount);
        let mut delta = 0;
        if kind_of(debit).and_then(side).is_some() {
            delta += amount;
        }
        if kind_of(credit).and_then(side).is_some() {
            delta -= amount;
        }
        if delta != 0 {
            *self.custody.surplus.entry(ledger).or_default() += delta;
        }
    }

    /// Rebuilds the followed surplus from the accounts (after replay).
    pub(crate) fn rebuild_surplus(&mut self) {
        self.custody.surplus = self
            .coverage()
            .into_iter()
            .map(|c| (c.currency.ledger(), c.surplus()))
            .collect();
    }

    /// After every command: stops outflows the moment coverage fails.
    pub(crate) fn check_coverage(&mut self, now: u64) {
        if self.custody.stop.is_some() {
            return;
        }
        let Some(short) = self.shortfall() else {
            return;
        };
        let note = format!("coverage failed: {short}");
        self.audit_log.entries.push(crate::audit::AuditEntry {
            at: now,
            actor: UserId(0),
            action: format!("outflows stopped: {note}"),
        });
        self.custody.stop = Some(OutflowStop {
            reason: StopReason::Coverage,
            at: now,
            by: None,
            note,
            lifts: Vec::new(),
        });
        self.changes.outflows = true;
    }

    /// An admin stops every outflow by hand.
    pub fn stop_outflows(&mut self, now: u64, actor: UserId, note: &str) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_admin(actor)?;
        if self.custody.stop.is_some() {
            return Err(ShopError::Invalid("outflows are stopped already".into()));
        }
        self.custody.stop = Some(OutflowStop {
            reason: StopReason::Manual,
            at: now,
            by: Some(actor),
            note: note.trim().to_string(),
            lifts: Vec::new(),
        });
        self.changes.outflows = true;
        self.audit(now, actor, || format!("stopped outflows: {}", note.trim()));
        Ok(())
    }

    /// An admin asks to lift the stop; the second different admin lifts
    /// it. A coverage stop lifts only while coverage holds. Whether it is
    /// lifted now.
    pub fn lift_outflows(&mut self, now: u64, actor: UserId) -> Result<bool, ShopError> {
        self.tick(now)?;
        self.require_admin(actor)?;
        self.require_coverage()?;
        let stop = self
            .custody
            .stop
            .as_ref()
            .ok_or_else(|| ShopError::Invalid("outflows are not stopped".into()))?;
        if stop.lifts.contains(&actor) {
            return Err(ShopError::Invalid(
                "a second, different admin lifts the stop".into(),
            ));
        }
        // Only asks from those who are admins still count.
        let admin = |u: &UserId| {
            matches!(
                self.user(*u).map(|u| u.role),
                Some(Role::Staff(AdminRole::Admin))
            )
        };
        let lifted = stop.lifts.iter().any(admin);
        self.changes.outflows = true;
        if lifted {
            self.custody.stop = None;
        } else if let Some(stop) = self.custody.stop.as_mut() {
            stop.lifts.push(actor);
        }
        self.audit(now, actor, || {
            if lifted {
                "lifted the outflow stop".into()
            } else {
                "asked to lift the outflow stop".into()
            }
        });
        Ok(lifted)
    }

    /// The operator lifts the stop at the command line — only in a shop with
    /// at most one admin, and only while coverage holds. Audited.
    pub fn break_glass_lift(&mut self, now: u64, note: &str) -> Result<(), ShopError> {
        self.tick(now)?;
        if self.custody.stop.is_none() {
            return Err(ShopError::Invalid("outflows are not stopped".into()));
        }
        self.require_coverage()?;
        let admins = self
            .users
            .list
            .iter()
            .filter(|u| u.role == Role::Staff(AdminRole::Admin))
            .count();
        if admins > 1 {
            return Err(ShopError::Invalid(format!(
                "the shop has {admins} admins: two of them lift the stop over the API"
            )));
        }
        self.custody.stop = None;
        self.changes.outflows = true;
        self.audit_log.entries.push(crate::audit::AuditEntry {
            at: now,
            actor: UserId(0),
            action: format!(
                "lifted the outflow stop at the command line: {}",
                note.trim()
            ),
        });
        Ok(())
    }

    /// Refuses while coverage fails in any currency: a stop lifted then
    /// would only stop again.
    fn require_coverage(&self) -> Result<(), ShopError> {
        match self.shortfall() {
            Some(short) => Err(ShopError::Invalid(format!("coverage still fails: {short}"))),
            None => Ok(()),
        }
    }

    /// The first currency whose followed surplus is below zero, said.
    fn shortfall(&self) -> Option<String> {
        let (ledger, s) = self.custody.surplus.iter().find(|(_, s)| **s < 0)?;
        let currency = Currency::from_ledger(*ledger).map_or_else(|| "?".into(), |c| c.to_string());
        Some(format!(
            "custody and clearing hold {} {currency} less than is owed",
            -s
        ))
    }

    /// Finance books a loss the platform bears, out of custody. Audited.
    pub fn book_loss(
        &mut self,
        now: u64,
        actor: UserId,
        (currency, amount): (Currency, u64),
        note: &str,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_finance(actor)?;
        if amount == 0 || note.trim().is_empty() {
            return Err(ShopError::Invalid(
                "a loss is at least 1 minor unit, with a note of what it was".into(),
            ));
        }
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::Losses, currency, 0),
                credit: account_id(Kind::Custody, currency, 0),
                amount,
                why: Why::Loss,
                order: None,
            }],
        )?;
        self.audit(now, actor, || {
            format!("booked a loss of {amount} {currency}: {}", note.trim())
        });
        Ok(())
    }

    /// What the platform has booked as losses, per currency.
    pub fn losses(&self) -> Vec<(Currency, u64)> {
        self.ledger
            .accounts()
            .filter(|a| kind_of(a.id) == Some(Kind::Losses))
            .filter_map(|a| {
                let lost = a.debits_posted.saturating_sub(a.credits_posted);
                Some((Currency::from_ledger(a.ledger)?, u64::try_from(lost).ok()?))
            })
            .collect()
    }
}
