//! Withdrawals: money leaving the platform for a user's or a merchant's
//! own account. Asking reserves it (a pending transfer into `payouts`, so
//! the balance shows it gone at once); finance approves — two different
//! approvers from [`TWO_APPROVERS_FROM`] up, never the one who asked — and
//! the reservation is posted; the payout is then recorded as made
//! (`payouts → custody`) or as failed (the money goes back).

use serde::{Deserialize, Serialize};

use crate::chart::Leg;
use crate::chart::{Kind, Why, account_id};
use crate::rules::PartyKind;
use crate::shares::Party;
use crate::time::{local_day, year_month};
use crate::users::{AdminRole, Role};
use crate::{Currency, DestinationId, MerchantStatus, Shop, ShopError, UserId, WithdrawalId};

/// From this amount (minor units) up, a withdrawal needs two approvers.
pub const TWO_APPROVERS_FROM: u64 = 1_000_000;

/// Longest destination (an account number, an address) accepted.
const DESTINATION_MAX: usize = 200;

/// Where a withdrawal's money comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawFrom {
    /// The caller's merchant's available balance.
    Merchant,
    /// The caller's reward wallet (commissions).
    Reward,
    /// The caller's merchant's deposit (free only with no order open and
    /// the shop's days after its last sale).
    Deposit,
}

impl WithdrawFrom {
    /// Whose limits it follows.
    pub fn party(self) -> PartyKind {
        match self {
            WithdrawFrom::Reward => PartyKind::Reward,
            WithdrawFrom::Merchant | WithdrawFrom::Deposit => PartyKind::Merchant,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalStatus {
    /// Reserved, waiting for approval.
    Requested,
    /// Approved: in `payouts`, waiting to be paid out.
    Approved,
    PaidOut,
    /// Refused by finance; the reservation was released.
    Rejected,
    /// The payout failed; the money went back.
    Failed,
}

impl WithdrawalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::PaidOut => "paid_out",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub id: WithdrawalId,
    pub requester: UserId,
    pub from: WithdrawFrom,
    /// The account the money is taken from.
    pub source: u128,
    pub currency: Currency,
    pub amount: u64,
    /// Where it goes, as shown (masked, for one from the book).
    pub destination: String,
    /// The destination in the requester's book it names (format 4 on).
    pub destination_id: Option<DestinationId>,
    /// Taken out of the amount, earned when the payout is made.
    pub fee: u64,
    /// When finance started paying it out through a channel (format 4 on):
    /// journaled before the channel is asked.
    pub payout_started: Option<u64>,
    pub status: WithdrawalStatus,
    pub requested_at: u64,
    pub approvals: Vec<UserId>,
    pub approvals_needed: usize,
    /// The pending transfer that reserves the money.
    pub reservation: u128,
    /// The payout's reference outside (a bank or channel transaction).
    pub reference: Option<String>,
    pub closed_at: Option<u64>,
}

/// A withdrawal's transfers carry its id above an order's range, so they are
/// never read as an order's.
fn tag(id: WithdrawalId) -> u128 {
    (1u128 << 64) | u128::from(id.0)
}

impl Shop {
    /// Reserves `amount` of the caller's reward wallet, merchant balance or
    /// deposit for a withdrawal to a destination in their book, past its
    /// cooling period.
    pub fn request_withdrawal_to(
        &mut self,
        now: u64,
        actor: UserId,
        from: WithdrawFrom,
        (currency, amount): (Currency, u64),
        destination: DestinationId,
    ) -> Result<WithdrawalId, ShopError> {
        self.tick(now)?;
        let masked = self
            .payable_destination(now, actor, destination)?
            .masked
            .clone();
        self.ask_withdrawal(
            now,
            actor,
            from,
            (currency, amount),
            (masked, Some(destination)),
        )
    }

    /// A withdrawal to a destination given as text: the command journals
    /// written before the destination book hold.
    pub fn request_withdrawal(
        &mut self,
        now: u64,
        actor: UserId,
        from: WithdrawFrom,
        currency: Currency,
        amount: u64,
        destination: &str,
    ) -> Result<WithdrawalId, ShopError> {
        self.tick(now)?;
        let destination = destination.trim();
        if destination.is_empty()
            || destination.chars().count() > DESTINATION_MAX
            || destination.chars().any(char::is_control)
        {
            return Err(ShopError::Invalid(format!(
                "a destination is 1 to {DESTINATION_MAX} characters, none of them control characters"
            )));
        }
        self.ask_withdrawal(
            now,
            actor,
            from,
            (currency, amount),
            (destination.to_string(), None),
        )
    }

    fn ask_withdrawal(
        &mut self,
        now: u64,
        actor: UserId,
        from: WithdrawFrom,
        (currency, amount): (Currency, u64),
        (destination, destination_id): (String, Option<DestinationId>),
    ) -> Result<WithdrawalId, ShopError> {
        let user = self.require_user(actor)?;
        let (source, party) = match from {
            WithdrawFrom::Reward if user.role == Role::Buyer => (
                account_id(Kind::WalletReward, currency, actor.0),
                Party::User(actor),
            ),
            WithdrawFrom::Reward => return Err(ShopError::Forbidden(actor)),
            WithdrawFrom::Merchant | WithdrawFrom::Deposit => {
                // A frozen or banned merchant's money stays (a banned one's
                // deposit may be forfeited to refund its buyers).
                let m = self.owned_merchant(actor)?;
                if m.status != MerchantStatus::Active {
                    return Err(ShopError::MerchantNotActive(m.id));
                }
                let kind = if from == WithdrawFrom::Deposit {
                    Kind::MerchantDeposit
                } else {
                    Kind::MerchantAvailable
                };
                (account_id(kind, currency, m.id.0), Party::Merchant(m.id))
            }
        };
        // What the reserve paid in the party's place comes back first.
        self.require_no_debt(party)?;
        self.require_outflows()?;
        if amount == 0 {
            return Err(ShopError::Invalid(
                "a withdrawal is at least 1 minor unit".into(),
            ));
        }
        if let (WithdrawFrom::Deposit, Party::Merchant(m)) = (from, party) {
            self.require_deposit_free(now, m)?;
        }
        let rule = self.rules.withdrawal(currency, from.party());
        self.check_limits(now, actor, from.party(), currency, amount)?;
        // Checked here too, so a refusal opens no account along the way.
        if self.balance(source) < amount {
            return Err(ShopError::InsufficientBalance);
        }
        let id = WithdrawalId(self.withdrawals.list.len() as u64 + 1);
        let ask = crate::risk::Ask {
            actor: Some(actor),
            amount,
            currency: Some(currency),
            merchant: match party {
                Party::Merchant(m) => Some(m),
                Party::User(_) => None,
            },
            destination: destination.clone(),
            subject: Some(crate::risk::Subject::Withdrawal(id)),
            ..Default::default()
        };
        let verdict = self.decide_risk(now, trigate_risk::Point::Withdrawal, ask)?;
        let held = matches!(verdict, crate::risk::Verdict::Hold(_));
        let payouts = account_id(Kind::Payouts, currency, 0);
        let reservation = self.reserve_money(
            now,
            currency,
            (source, payouts),
            amount,
            Why::Withdraw,
            tag(id),
        )?;
        let approvals_needed = rule.approvers(amount);
        if approvals_needed == 0 && !held {
            self.finish_reserved(now, currency, (source, payouts), reservation, true)?;
        }
        self.withdrawals.list.push(Withdrawal {
            id,
            requester: actor,
            from,
            source,
            currency,
            amount,
            destination,
            destination_id,
            fee: rule.fee(amount),
            payout_started: None,
            status: if approvals_needed == 0 && !held {
                WithdrawalStatus::Approved
            } else {
                WithdrawalStatus::Requested
            },
            requested_at: now,
            approvals: Vec::new(),
            approvals_needed,
            reservation,
            reference: None,
            closed_at: None,
        });
        if let crate::risk::Verdict::Hold(decision) = verdict {
            self.open_review(now, decision, crate::risk::Subject::Withdrawal(id));
        }
        Ok(id)
    }

    /// A withdrawal a risk review approved goes on: approved at once if it
    /// needs no approver, else it waits for finance as any other.
    pub(crate) fn release_withdrawal_hold(
        &mut self,
        now: u64,
        id: WithdrawalId,
    ) -> Result<(), ShopError> {
        let w = self
            .withdrawal(id)
            .ok_or(ShopError::WithdrawalNotFound(id))?;
        // Held at its payout, it was approved already: it may start now.
        if w.status == WithdrawalStatus::Approved {
            return Ok(());
        }
        let w = self.withdrawal_in(id, WithdrawalStatus::Requested)?;
        if w.approvals_needed == 0 {
            let (currency, source, reservation) = (w.currency, w.source, w.reservation);
            let payouts = account_id(Kind::Payouts, currency, 0);
            self.finish_reserved(now, currency, (source, payouts), reservation, true)?;
            self.withdrawal_mut(id)?.status = WithdrawalStatus::Approved;
        }
        Ok(())
    }

    /// Refuses an amount outside the rule for `party` in `currency`: its
    /// minimum and maximum, and the requester's totals of the day and the
    /// month in the shop's time zone (withdrawals neither rejected nor
    /// failed).
    fn check_limits(
        &self,
        now: u64,
        actor: UserId,
        party: PartyKind,
        currency: Currency,
        amount: u64,
    ) -> Result<(), ShopError> {
        let rule = self.rules.withdrawal(currency, party);
        let refuse = |why: String| Err(ShopError::WithdrawalLimit { why });
        if amount < rule.min {
            return refuse(format!("at least {} {currency}", rule.min));
        }
        if amount > rule.max {
            return refuse(format!("at most {} {currency} at a time", rule.max));
        }
        let offset = self.config.utc_offset_seconds;
        let today = local_day(now, offset);
        let month = year_month(today);
        let (mut day_total, mut month_total) = (u128::from(amount), u128::from(amount));
        for w in &self.withdrawals.list {
            if w.requester != actor
                || w.currency != currency
                || w.from.party() != party
                || matches!(
                    w.status,
                    WithdrawalStatus::Rejected | WithdrawalStatus::Failed
                )
            {
                continue;
            }
            let day = local_day(w.requested_at, offset);
            if day == today {
                day_total += u128::from(w.amount);
            }
            if year_month(day) == month {
                month_total += u128::from(w.amount);
            }
        }
        if day_total > u128::from(rule.daily) {
            return refuse(format!(
                "at most {} {currency} a day, and {} is asked for today already",
                rule.daily,
                day_total - u128::from(amount)
            ));
        }
        if month_total > u128::from(rule.monthly) {
            return refuse(format!(
                "at most {} {currency} a month, and {} is asked for this month already",
                rule.monthly,
                month_total - u128::from(amount)
            ));
        }
        Ok(())
    }

    /// Finance (or an admin) approves; once enough have, the reserved money
    /// moves into `payouts`. Returns the withdrawal's status after.
    pub fn approve_withdrawal(
        &mut self,
        now: u64,
        staff: UserId,
        id: WithdrawalId,
    ) -> Result<WithdrawalStatus, ShopError> {
        self.tick(now)?;
        self.require_finance(staff)?;
        self.require_not_held(crate::risk::Subject::Withdrawal(id))?;
        let w = self.withdrawal_in(id, WithdrawalStatus::Requested)?;
        // A debt opened since it was asked (a refund the party could not
        // cover) is repaid before anything leaves: reject it, or wait.
        let party = match w.from {
            WithdrawFrom::Reward => Party::User(w.requester),
            WithdrawFrom::Merchant | WithdrawFrom::Deposit => {
                let m = self.owned_merchant(w.requester)?;
                if m.status != MerchantStatus::Active {
                    return Err(ShopError::MerchantNotActive(m.id));
                }
                Party::Merchant(m.id)
            }
        };
        self.require_no_debt(party)?;
        self.require_outflows()?;
        let w = self.withdrawal_in(id, WithdrawalStatus::Requested)?;
        // Four eyes: never the one who asked, and each approver once.
        if w.requester == staff || w.approvals.contains(&staff) {
            return Err(ShopError::Forbidden(staff));
        }
        let (currency, source, reservation) = (w.currency, w.source, w.reservation);
        let done = w.approvals.len() + 1 >= w.approvals_needed;
        if done {
            let payouts = account_id(Kind::Payouts, currency, 0);
            self.finish_reserved(now, currency, (source, payouts), reservation, true)?;
        }
        let w = self.withdrawal_mut(id)?;
        w.approvals.push(staff);
        if done {
            w.status = WithdrawalStatus::Approved;
        }
        let status = w.status;
        self.audit(now, staff, || format!("approved withdrawal {id}"));
        Ok(status)
    }

    /// Finance refuses a withdrawal still waiting; the reservation ends.
    pub fn reject_withdrawal(
        &mut self,
        now: u64,
        staff: UserId,
        id: WithdrawalId,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_finance(staff)?;
        self.end_withdrawal(now, id)?;
        self.audit(now, staff, || format!("rejected withdrawal {id}"));
        Ok(())
    }

    /// A withdrawal still waiting ends rejected: its reservation is freed.
    pub(crate) fn end_withdrawal(&mut self, now: u64, id: WithdrawalId) -> Result<(), ShopError> {
        let w = self.withdrawal_in(id, WithdrawalStatus::Requested)?;
        let (currency, source, reservation) = (w.currency, w.source, w.reservation);
        let payouts = account_id(Kind::Payouts, currency, 0);
        self.finish_reserved(now, currency, (source, payouts), reservation, false)?;
        self.close_withdrawal(now, id, WithdrawalStatus::Rejected, None)
    }

    /// An approved withdrawal's payout ends: made (the money leaves custody,
    /// the fee is earned) or not (the whole goes back to its source).
    pub(crate) fn close_payout(
        &mut self,
        now: u64,
        id: WithdrawalId,
        paid: bool,
        reference: &str,
    ) -> Result<WithdrawalStatus, ShopError> {
        let w = self.withdrawal_in(id, WithdrawalStatus::Approved)?;
        let payouts = account_id(Kind::Payouts, w.currency, 0);
        let (credit, why, status) = if paid {
            (
                account_id(Kind::Custody, w.currency, 0),
                Why::Payout,
                WithdrawalStatus::PaidOut,
            )
        } else {
            (w.source, Why::PayoutReturned, WithdrawalStatus::Failed)
        };
        let (currency, amount) = (w.currency, w.amount);
        // A payout made earns the fee; a failed one returns the whole.
        let fee = if paid { w.fee.min(amount) } else { 0 };
        self.move_money(
            now,
            currency,
            &[
                Leg {
                    debit: payouts,
                    credit,
                    amount: amount - fee,
                    why,
                    order: None,
                },
                Leg {
                    debit: payouts,
                    credit: account_id(Kind::Fees, currency, 0),
                    amount: fee,
                    why: Why::WithdrawalFee,
                    order: None,
                },
            ],
        )?;
        self.close_withdrawal(now, id, status, Some(reference.to_string()))?;
        Ok(status)
    }

    /// Finance starts paying an approved withdrawal out through a channel:
    /// refused while outflows are stopped, and journaled before the channel
    /// is asked, so a stop that lands first stops it. Starting one already
    /// started is the same start (the channel is asked again under the same
    /// reference, which it pays once).
    pub fn start_payout(
        &mut self,
        now: u64,
        staff: UserId,
        id: WithdrawalId,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_finance(staff)?;
        let w = self.withdrawal_in(id, WithdrawalStatus::Approved)?;
        self.require_outflows()?;
        if w.payout_started.is_none() {
            // Held (a ring case): nothing starts until it is reviewed.
            self.require_not_held(crate::risk::Subject::Withdrawal(id))?;
            self.decide_payout(now, id)?;
        }
        let w = self.withdrawal_mut(id)?;
        if w.payout_started.is_none() {
            w.payout_started = Some(now);
            self.audit(now, staff, || {
                format!("started paying withdrawal {id} out through a channel")
            });
        }
        Ok(())
    }

    /// Records an approved withdrawal's payout: made (`reference` names it
    /// outside), or failed, in which case the money goes back.
    pub fn finish_payout(
        &mut self,
        now: u64,
        staff: UserId,
        id: WithdrawalId,
        paid: bool,
        reference: &str,
    ) -> Result<(), ShopError> {
        self.tick(now)?;
        self.require_finance(staff)?;
        let reference = reference.trim();
        if reference.is_empty()
            || reference.chars().count() > DESTINATION_MAX
            || reference.chars().any(char::is_control)
        {
            return Err(ShopError::Invalid(format!(
                "a payout reference is 1 to {DESTINATION_MAX} characters"
            )));
        }
        // A payout not started through a channel and held for review is
        // not recorded either way: the review decides it.
        if self
            .withdrawal(id)
            .is_some_and(|w| w.payout_started.is_none())
        {
            self.require_not_held(crate::risk::Subject::Withdrawal(id))?;
        }
        let status = self.close_payout(now, id, paid, reference)?;
        self.audit(now, staff, || {
            format!(
                "recorded withdrawal {id} as {} ({reference})",
                status.as_str()
            )
        });
        Ok(())
    }

    pub fn withdrawal(&self, id: WithdrawalId) -> Option<&Withdrawal> {
        self.withdrawals.get(id)
    }

    /// The caller's own withdrawals, or every one for finance, admins and
    /// auditors; newest last, at most [`crate::audit::AUDIT_PAGE`].
    pub fn withdrawals_for(&self, caller: UserId) -> Result<Vec<Withdrawal>, ShopError> {
        let role = self.require_user(caller)?.role;
        let all = matches!(
            role,
            Role::Staff(AdminRole::Admin | AdminRole::Finance | AdminRole::Auditor)
        );
        let mine: Vec<&Withdrawal> = self
            .withdrawals
            .list
            .iter()
            .filter(|w| all || w.requester == caller)
            .collect();
        let from = mine.len().saturating_sub(crate::audit::AUDIT_PAGE);
        Ok(mine[from..].iter().map(|w| (*w).clone()).collect())
    }

    /// Finance or an admin.
    pub(crate) fn require_finance(&self, staff: UserId) -> Result<(), ShopError> {
        match self.require_user(staff)?.role {
            Role::Staff(AdminRole::Finance | AdminRole::Admin) => Ok(()),
            _ => Err(ShopError::Forbidden(staff)),
        }
    }

    fn withdrawal_in(
        &self,
        id: WithdrawalId,
        expected: WithdrawalStatus,
    ) -> Result<&Withdrawal, ShopError> {
        let w = self
            .withdrawal(id)
            .ok_or(ShopError::WithdrawalNotFound(id))?;
        if w.status != expected {
            return Err(ShopError::WithdrawalState {
                id,
                status: w.status.as_str(),
                expected: expected.as_str(),
            });
        }
        Ok(w)
    }

    fn withdrawal_mut(&mut self, id: WithdrawalId) -> Result<&mut Withdrawal, ShopError> {
        self.changes.withdrawals.insert(id.0);
        let at = usize::try_from(id.0.wrapping_sub(1)).unwrap_or(usize::MAX);
        self.withdrawals
            .list
            .get_mut(at)
            .ok_or(ShopError::WithdrawalNotFound(id))
    }

    fn close_withdrawal(
        &mut self,
        now: u64,
        id: WithdrawalId,
        status: WithdrawalStatus,
        reference: Option<String>,
    ) -> Result<(), ShopError> {
        let w = self.withdrawal_mut(id)?;
        w.status = status;
        w.closed_at = Some(now);
        w.reference = reference;
        Ok(())
    }
}

/// Every withdrawal asked for.
#[derive(Debug, Default)]
pub(crate) struct Withdrawals {
    pub(crate) list: Vec<Withdrawal>,
}

impl Withdrawals {
    pub(crate) fn get(&self, id: WithdrawalId) -> Option<&Withdrawal> {
        crate::ids::nth(&self.list, id.0)
    }
}
