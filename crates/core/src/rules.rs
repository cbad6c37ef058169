//! The shop's money rules that come per currency: how long a settled
//! order may still be refunded (and so how long its fee stays in custody),
//! merchants' deposits, and withdrawals' limits, fees and approvers per
//! kind of party. Like the settings, they come from the config file at
//! start and the journal records them when they change (format 4 on).

use serde::{Deserialize, Serialize};

use crate::time::NANOS_PER_DAY;
use crate::{Currency, Shop, ShopError};

/// Who withdraws: a buyer their rewards, or a merchant its balance (or
/// its deposit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    Reward,
    Merchant,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Reward => "reward",
            PartyKind::Merchant => "merchant",
        }
    }
}

/// Withdrawal limits and fee in one currency for one kind of party. Daily
/// and monthly totals count every withdrawal asked for that is not
/// rejected or failed, by the day and month of the shop's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalRule {
    pub min: u64,
    pub max: u64,
    pub daily: u64,
    pub monthly: u64,
    /// The fee: fixed, plus this many basis points of the amount, rounded
    /// up to the minor unit; it is taken out of the amount and earned when
    /// the payout is made.
    pub fee_fixed: u64,
    pub fee_bps: u32,
    /// From this amount up a withdrawal needs an approver (below it, it is
    /// approved as it is asked).
    pub one_approver_from: u64,
    /// From this amount up it needs two different approvers.
    pub two_approvers_from: u64,
}

impl Default for WithdrawalRule {
    fn default() -> Self {
        Self {
            min: 1,
            max: u64::MAX,
            daily: u64::MAX,
            monthly: u64::MAX,
            fee_fixed: 0,
            fee_bps: 0,
            one_approver_from: 0,
            two_approvers_from: crate::TWO_APPROVERS_FROM,
        }
    }
}

impl WithdrawalRule {
    /// The fee on `amount`: fixed plus ⌈amount × bps / 10000⌉, exactly.
    pub fn fee(&self, amount: u64) -> u64 {
        let pct = (u128::from(amount) * u128::from(self.fee_bps)).div_ceil(10_000);
        u64::try_from(pct)
            .unwrap_or(u64::MAX)
            .saturating_add(self.fee_fixed)
    }

    /// How many approvers `amount` needs.
    pub fn approvers(&self, amount: u64) -> usize {
        if amount >= self.two_approvers_from {
            2
        } else if amount >= self.one_approver_from {
            1
        } else {
            0
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.min == 0 || self.min > self.max {
            return Err("min is at least 1 and at most max".into());
        }
        if self.fee_bps > 10_000 {
            return Err("fee_bps is at most 10000".into());
        }
        if self.fee(self.min) >= self.min {
            return Err("the fee on the minimum must leave something to pay out".into());
        }
        if self.one_approver_from > self.two_approvers_from {
            return Err("one_approver_from is at most two_approvers_from".into());
        }
        Ok(())
    }
}

/// One currency's withdrawal rule for one kind of party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalRuleFor {
    pub currency: Currency,
    pub party: PartyKind,
    pub rule: WithdrawalRule,
}

/// One currency's deposit minimum: what a merchant's deposit must hold
/// before it sells in that currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositMinimum {
    pub currency: Currency,
    pub minimum: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Days after settlement an order may still be refunded; its fee is
    /// swept out of custody only after them.
    pub refund_horizon_days: u32,
    /// Hours a newly added withdrawal destination waits before it is paid.
    pub destination_cooling_hours: u32,
    /// Days after a merchant's last sale before its deposit is withdrawn.
    pub deposit_hold_days: u32,
    pub deposits: Vec<DepositMinimum>,
    /// Currencies and parties not listed take [`WithdrawalRule::default`].
    pub withdrawals: Vec<WithdrawalRuleFor>,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            refund_horizon_days: 30,
            destination_cooling_hours: 24,
            deposit_hold_days: 30,
            deposits: Vec::new(),
            withdrawals: Vec::new(),
        }
    }
}

impl Rules {
    /// Every rule checked: a clear refusal naming the one that is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.refund_horizon_days == 0 || self.refund_horizon_days > 3650 {
            return Err("refund_horizon_days is 1 to 3650".into());
        }
        if self.destination_cooling_hours > 24 * 365 || self.deposit_hold_days > 3650 {
            return Err(
                "destination_cooling_hours is at most a year and deposit_hold_days at most 3650"
                    .into(),
            );
        }
        for (i, w) in self.withdrawals.iter().enumerate() {
            w.rule
                .check()
                .map_err(|e| format!("withdrawals {} {}: {e}", w.currency, w.party.as_str()))?;
            if self.withdrawals[..i]
                .iter()
                .any(|o| (o.currency, o.party) == (w.currency, w.party))
            {
                return Err(format!(
                    "withdrawals {} {} are given twice",
                    w.currency,
                    w.party.as_str()
                ));
            }
        }
        for (i, d) in self.deposits.iter().enumerate() {
            if self.deposits[..i].iter().any(|o| o.currency == d.currency) {
                return Err(format!(
                    "the deposit minimum in {} is given twice",
                    d.currency
                ));
            }
        }
        Ok(())
    }

    /// The withdrawal rule for `party` in `currency`.
    pub fn withdrawal(&self, currency: Currency, party: PartyKind) -> WithdrawalRule {
        self.withdrawals
            .iter()
            .find(|w| w.currency == currency && w.party == party)
            .map_or_else(WithdrawalRule::default, |w| w.rule)
    }

    /// The deposit a merchant holds before it sells in `currency`.
    pub fn deposit_minimum(&self, currency: Currency) -> u64 {
        self.deposits
            .iter()
            .find(|d| d.currency == currency)
            .map_or(0, |d| d.minimum)
    }

    pub fn refund_horizon_ns(&self) -> u64 {
        u64::from(self.refund_horizon_days) * NANOS_PER_DAY
    }
}

impl Shop {
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Whether the shop's rules are recorded in its journal (a shop begun
    /// before journal format 4 records them on its first start under it).
    pub fn has_rules(&self) -> bool {
        self.rules_recorded
    }

    /// Takes new rules from the next command on; recorded when they change
    /// something (or are the shop's first).
    pub fn change_rules(&mut self, rules: Rules) -> Result<(), ShopError> {
        rules.check().map_err(ShopError::Invalid)?;
        if rules != self.rules || !self.rules_recorded {
            self.rules = rules;
            self.changes.rules = true;
        }
        Ok(())
    }
}
