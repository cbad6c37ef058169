//! Money between custody and the outside: what channels pay the platform
//! (booked `clearing → custody`, their fee to `channel_fees`), and the
//! platform's earned fees leaving custody for its own account (a sweep),
//! only once no refund can reverse them and never beyond the surplus.

use serde::{Deserialize, Serialize};

use crate::chart::{Kind, Leg, Why, account_id};
use crate::refunds::share_in;
use crate::shares::FEE;
use crate::{ApprovalId, Currency, SettlementId, Shop, ShopError, SweepId, UserId};

/// Longest channel name or statement reference taken.
const REFERENCE_MAX: usize = 200;

/// Where a settlement's booking comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementSource {
    /// A line of the channel's statement: booked as entered.
    Statement,
    /// A credit finance saw at the bank: booked once a second member of
    /// finance approves it.
    BankCredit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementStatus {
    Waiting,
    Booked,
    Rejected,
}

impl SettlementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Booked => "booked",
            Self::Rejected => "rejected",
        }
    }
}

/// What a channel paid the platform: `gross` of what buyers paid through
/// it, less its `fee`, arrived in custody.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSettlement {
    pub id: SettlementId,
    pub channel: String,
    pub reference: String,
    pub currency: Currency,
    pub gross: u64,
    pub fee: u64,
    pub source: SettlementSource,
    pub status: SettlementStatus,
    pub by: UserId,
    pub at: u64,
    pub approval: Option<ApprovalId>,
}

/// Earned fees moved out of custody to the platform's own account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sweep {
    pub id: SweepId,
    pub currency: Currency,
    pub amount: u64,
    pub by: UserId,
    pub at: u64,
    /// Orders settled up to this time had their fees swept: none of them
    /// is refunded again, whatever the refund horizon becomes.
    pub cutoff: u64,
}

#[derive(Debug, Default)]
pub(crate) struct CustodyFlows {
    pub(crate) settlements: Vec<ChannelSettlement>,
    pub(crate) sweeps: Vec<Sweep>,
}

fn text(what: &str, value: &str) -> Result<String, ShopError> {
    let value = value.trim();
    if value.is_empty()
        || value.chars().count() > REFERENCE_MAX
        || value.chars().any(char::is_control)
    {
        return Err(ShopError::Invalid(format!(
            "a {what} is 1 to {REFERENCE_MAX} characters, none of them control characters"
        )));
    }
    Ok(value.to_string())
}

impl Shop {
    pub fn settlement(&self, id: SettlementId) -> Option<&ChannelSettlement> {
        crate::ids::nth(&self.flows.settlements, id.0)
    }

    /// Channel settlements, newest last (finance and auditors read them).
    pub fn settlements(&self) -> &[ChannelSettlement] {
        &self.flows.settlements
    }

    pub fn sweeps(&self) -> &[Sweep] {
        &self.flows.sweeps
    }

    /// Finance books what a channel paid into custody: from a statement
    /// line at once, from a bank credit once a second member of finance
    /// approves (the reply names the approval then).
    pub fn book_settlement(
        &mut self,
        now: u64,
        actor: UserId,
        (channel, reference): (&str, &str),
        (currency, gross, fee): (Currency, u64, u64),
        source: SettlementSource,
    ) -> Result<(SettlementId, Option<ApprovalId>), ShopError> {
        self.tick(now)?;
        self.require_finance(actor)?;
        let channel = text("channel", channel)?;
        let reference = text("statement reference", reference)?;
        if gross == 0 || fee > gross {
            return Err(ShopError::Invalid(
                "a settlement pays at least 1 minor unit, and its fee is at most what it pays"
                    .into(),
            ));
        }
        if self.flows.settlements.iter().any(|s| {
            s.status != SettlementStatus::Rejected
                && s.channel == channel
                && s.reference == reference
        }) {
            return Err(ShopError::SettlementDuplicate { channel, reference });
        }
        self.require_cleared(currency, gross)?;
        let id = SettlementId(self.flows.settlements.len() as u64 + 1);
        self.flows.settlements.push(ChannelSettlement {
            id,
            channel,
            reference,
            currency,
            gross,
            fee,
            source,
            status: SettlementStatus::Waiting,
            by: actor,
            at: now,
            approval: None,
        });
        self.changes.settlements.insert(id.0);
        let approval = match source {
            SettlementSource::Statement => {
                self.post_settlement(now, id)?;
                None
            }
            SettlementSource::BankCredit => {
                let approval = self.ask_approval(
                    now,
                    actor,
                    crate::Approvable::ChannelSettlement { settlement: id },
                )?;
                if let Some(s) = crate::ids::nth_mut(&mut self.flows.settlements, id.0) {
                    s.approval = Some(approval);
                }
                Some(approval)
            }
        };
        self.audit(now, actor, || {
            format!("entered settlement {id} of {gross} {currency} less {fee} fee ({source:?})")
        });
        Ok((id, approval))
    }

    /// Refuses a settlement of more than clearing holds: a channel cannot
    /// pay out what buyers never paid through it.
    fn require_cleared(&self, currency: Currency, gross: u64) -> Result<(), ShopError> {
        let cleared = self
            .ledger
            .account(account_id(Kind::Clearing, currency, 0))
            .map_or(0, |a| {
                a.debits_posted
                    .saturating_sub(a.credits_posted + a.credits_pending)
            });
        if u128::from(gross) > cleared {
            return Err(ShopError::Invalid(format!(
                "clearing holds {cleared} {currency}: a settlement is at most what buyers paid \
                 through channels and is not settled yet"
            )));
        }
        Ok(())
    }

    /// Books a waiting settlement: clearing → custody, the fee to
    /// `channel_fees`.
    pub(crate) fn post_settlement(&mut self, now: u64, id: SettlementId) -> Result<(), ShopError> {
        let s = self
            .settlement(id)
            .ok_or_else(|| ShopError::Invalid(format!("no settlement {id}")))?;
        if s.status != SettlementStatus::Waiting {
            return Err(ShopError::Invalid(format!(
                "settlement {id} is {} already",
                s.status.as_str()
            )));
        }
        let (c, gross, fee) = (s.currency, s.gross, s.fee);
        self.require_cleared(c, gross)?;
        let clearing = account_id(Kind::Clearing, c, 0);
        self.move_money(
            now,
            c,
            &[
                Leg {
                    debit: account_id(Kind::Custody, c, 0),
                    credit: clearing,
                    amount: gross - fee,
                    why: Why::ChannelSettled,
                    order: None,
                },
                Leg {
                    debit: account_id(Kind::ChannelFees, c, 0),
                    credit: clearing,
                    amount: fee,
                    why: Why::ChannelFee,
                    order: None,
                },
            ],
        )?;
        self.set_settlement_status(id, SettlementStatus::Booked);
        Ok(())
    }

    pub(crate) fn set_settlement_status(&mut self, id: SettlementId, status: SettlementStatus) {
        self.changes.settlements.insert(id.0);
        if let Some(s) = crate::ids::nth_mut(&mut self.flows.settlements, id.0) {
            s.status = status;
        }
    }

    /// Whether an order settled at `settled_at` had its fee swept already
    /// (so it is refunded no more, even if the refund horizon grows).
    pub(crate) fn swept_past(&self, settled_at: u64) -> bool {
        self.flows.sweeps.iter().any(|s| settled_at <= s.cutoff)
    }

    /// Fees in `currency` no refund can reverse any more — their orders
    /// settled longer ago than the refund horizon, and withdrawal fees of
    /// payouts made — less what was swept already.
    pub fn sweepable(&self, currency: Currency, now: u64) -> u64 {
        let horizon = self.rules.refund_horizon_ns();
        let mut earned: u128 = 0;
        for o in &self.orders.list {
            let (Some(at), Some(s)) = (o.settled_at, o.settlement) else {
                continue;
            };
            if o.currency != currency || (at.saturating_add(horizon) > now && !self.swept_past(at))
            {
                continue;
            }
            let shares = self.shares(o.id).copied().unwrap_or_default();
            let reversed = shares.reversed[FEE];
            let reserve_gave = share_in(reversed, shares.to_reserve, s.fee);
            let kept = s.fee.saturating_sub(shares.to_reserve);
            earned += u128::from(kept.saturating_sub(reversed - reserve_gave.min(reversed)));
        }
        earned += self
            .withdrawals
            .list
            .iter()
            .filter(|w| w.currency == currency && w.status == crate::WithdrawalStatus::PaidOut)
            .map(|w| u128::from(w.fee))
            .sum::<u128>();
        let swept: u128 = self
            .flows
            .sweeps
            .iter()
            .filter(|s| s.currency == currency)
            .map(|s| u128::from(s.amount))
            .sum();
        u64::try_from(earned.saturating_sub(swept)).unwrap_or(u64::MAX)
    }

    /// Finance sweeps earned fees out of custody to the platform's own
    /// account: refused while outflows are stopped, above what is earned
    /// past the refund horizon, and above the surplus.
    pub fn sweep_fees(
        &mut self,
        now: u64,
        actor: UserId,
        currency: Currency,
        amount: u64,
    ) -> Result<SweepId, ShopError> {
        self.tick(now)?;
        self.require_finance(actor)?;
        self.require_outflows()?;
        if amount == 0 {
            return Err(ShopError::Invalid(
                "a sweep is at least 1 minor unit".into(),
            ));
        }
        let sweepable = self.sweepable(currency, now);
        if amount > sweepable {
            return Err(ShopError::FeesNotMatured {
                currency: currency.to_string(),
                sweepable,
            });
        }
        let surplus = self
            .custody
            .surplus
            .get(&currency.ledger())
            .copied()
            .unwrap_or(0);
        if i128::from(amount) > surplus {
            return Err(ShopError::AboveSurplus {
                currency: currency.to_string(),
                amount,
                surplus,
            });
        }
        // Custody itself must hold it: what the surplus counts in clearing
        // is not there until channels settle it.
        let custody = self
            .ledger
            .account(account_id(Kind::Custody, currency, 0))
            .map_or(0, |a| {
                a.debits_posted
                    .saturating_sub(a.credits_posted + a.credits_pending)
            });
        if u128::from(amount) > custody {
            return Err(ShopError::Invalid(format!(
                "custody holds {custody} {currency}: the rest of the surplus is in clearing until \
                 channels settle it"
            )));
        }
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::Operating, currency, 0),
                credit: account_id(Kind::Custody, currency, 0),
                amount,
                why: Why::Sweep,
                order: None,
            }],
        )?;
        let id = SweepId(self.flows.sweeps.len() as u64 + 1);
        self.flows.sweeps.push(Sweep {
            id,
            currency,
            amount,
            by: actor,
            at: now,
            cutoff: now.saturating_sub(self.rules.refund_horizon_ns()),
        });
        self.audit(now, actor, || {
            format!("swept {amount} {currency} of earned fees to the operating account")
        });
        Ok(id)
    }
}
