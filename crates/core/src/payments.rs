//! Payment attempts through outside channels, apart from the orders they
//! pay: one order may have several (a failover leaves a trail). A channel's
//! confirmation is applied at most once per channel transaction, and money
//! that arrives for an order that can no longer take it — expired,
//! cancelled, already paid — is credited to the buyer's wallet: never lost,
//! never delivered twice.

use serde::{Deserialize, Serialize};

use crate::AttemptId;
use crate::chart::Leg;
use crate::chart::{Kind, Why, account_id};
use crate::orders::{OrderStatus, PaidBy};
use crate::{Currency, OrderId, Shop, ShopError, UserId};

/// What an attempt pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    Order(OrderId),
    /// Topping up the user's recharge wallet.
    Recharge,
    /// Paying into a merchant's deposit (its owner pays).
    Deposit(crate::MerchantId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttemptStatus {
    Pending,
    Failed,
    /// Paid, and the order delivered (or the wallet recharged).
    Succeeded,
    /// Paid, but the order could not take it: credited to the wallet.
    CreditedToWallet,
    /// Paid by a guest, but no order could take it: owed back through the
    /// channel.
    OwedBack,
}

impl AttemptStatus {
    /// The name the API shows for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Failed => "failed",
            Self::Succeeded => "succeeded",
            Self::CreditedToWallet => "credited_to_wallet",
            Self::OwedBack => "owed_back",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    pub id: AttemptId,
    pub user: UserId,
    pub purpose: Purpose,
    pub channel: String,
    pub amount: u64,
    pub currency: Currency,
    pub status: AttemptStatus,
    pub channel_txn: Option<String>,
    pub created_at: u64,
    pub paid_at: Option<u64>,
    /// Of what it paid, owed back to the payer through its channel (held in
    /// `refunds_due`), and of that, sent back.
    pub owed_back: u64,
    pub sent_back: u64,
}

/// What a channel's confirmation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentOutcome {
    /// The order was paid and delivered: these keys (none for fixed text).
    Delivered(Vec<crate::KeyId>),
    /// The wallet was recharged.
    Recharged,
    /// The order could not take the money; it went to the buyer's wallet.
    CreditedToWallet,
    /// A guest's money no order could take: owed back through the channel.
    OwedBack,
    /// This channel transaction was applied before; nothing changed.
    Duplicate(AttemptId),
    /// The merchant's deposit was paid into.
    DepositFunded,
    /// The order was paid into escrow and is held for a risk review:
    /// nothing is delivered until an analyst approves it (format 7 on).
    Held,
}

const CHANNEL_MAX: usize = 64;
const TXN_MAX: usize = 128;

impl Shop {
    /// Records an attempt to pay an unpaid order through `channel`.
    pub fn start_payment(
        &mut self,
        now: u64,
        buyer: UserId,
        order: OrderId,
        channel: &str,
    ) -> Result<AttemptId, ShopError> {
        self.tick(now)?;
        let (amount, currency) = self.payable(now, buyer, order)?;
        self.new_attempt(now, buyer, Purpose::Order(order), channel, amount, currency)
    }

    /// Records an attempt to recharge a wallet through `channel`.
    pub fn start_recharge(
        &mut self,
        now: u64,
        user: UserId,
        channel: &str,
        amount: u64,
        currency: Currency,
    ) -> Result<AttemptId, ShopError> {
        self.tick(now)?;
        self.require_user(user)?;
        if amount == 0 {
            return Err(ShopError::Invalid(
                "a recharge is at least 1 minor unit".into(),
            ));
        }
        self.new_attempt(now, user, Purpose::Recharge, channel, amount, currency)
    }

    /// Records an attempt by a merchant's owner to pay into its deposit
    /// through `channel`.
    pub fn start_deposit_payment(
        &mut self,
        now: u64,
        actor: UserId,
        channel: &str,
        amount: u64,
        currency: Currency,
    ) -> Result<AttemptId, ShopError> {
        self.tick(now)?;
        let merchant = self.owned_merchant(actor)?.id;
        if amount == 0 {
            return Err(ShopError::Invalid(
                "a deposit is at least 1 minor unit".into(),
            ));
        }
        self.new_attempt(
            now,
            actor,
            Purpose::Deposit(merchant),
            channel,
            amount,
            currency,
        )
    }

    fn new_attempt(
        &mut self,
        now: u64,
        user: UserId,
        purpose: Purpose,
        channel: &str,
        amount: u64,
        currency: Currency,
    ) -> Result<AttemptId, ShopError> {
        if channel.is_empty()
            || channel.len() > CHANNEL_MAX
            || !channel
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ShopError::Invalid(format!(
                "a channel name is 1 to {CHANNEL_MAX} letters, digits, - or _"
            )));
        }
        let id = AttemptId(self.payments.attempts.len() as u64 + 1);
        self.payments.attempts.push(Attempt {
            id,
            user,
            purpose,
            channel: channel.to_string(),
            amount,
            currency,
            status: AttemptStatus::Pending,
            channel_txn: None,
            created_at: now,
            paid_at: None,
            owed_back: 0,
            sent_back: 0,
        });
        Ok(id)
    }

    pub fn attempt(&self, id: AttemptId) -> Option<&Attempt> {
        self.payments.get(id)
    }

    /// Notes that a channel transaction paid `attempt` (it is applied once).
    fn note_channel_txn(&mut self, txn_key: (String, String), attempt: AttemptId) {
        self.changes
            .channel_txns
            .push((txn_key.0.clone(), txn_key.1.clone(), attempt));
        self.payments.channel_txns.insert(txn_key, attempt);
    }

    pub(crate) fn attempt_mut(&mut self, id: AttemptId) -> Result<&mut Attempt, ShopError> {
        self.changes.attempts.insert(id.0);
        crate::ids::nth_mut(&mut self.payments.attempts, id.0).ok_or(ShopError::AttemptNotFound(id))
    }

    /// The channel did not take the money (declined, abandoned, failed over).
    pub fn payment_failed(&mut self, now: u64, attempt: AttemptId) -> Result<(), ShopError> {
        self.tick(now)?;
        let a = self.attempt_mut(attempt)?;
        if a.status == AttemptStatus::Pending {
            a.status = AttemptStatus::Failed;
            // Counted in the payer's windows as a failure (bursts of
            // failed payments are what card testing looks like).
            self.note_failed_payment(now, attempt);
        }
        Ok(())
    }

    /// The channel confirms it took `amount` in `currency` for `attempt`
    /// under its own transaction id. Applied once per channel transaction;
    /// the amount and currency must be exactly the attempt's.
    pub fn payment_succeeded(
        &mut self,
        now: u64,
        attempt: AttemptId,
        channel_txn: &str,
        amount: u64,
        currency: Currency,
    ) -> Result<PaymentOutcome, ShopError> {
        self.tick(now)?;
        let a = self
            .attempt(attempt)
            .ok_or(ShopError::AttemptNotFound(attempt))?;
        if channel_txn.is_empty()
            || channel_txn.len() > TXN_MAX
            || channel_txn.chars().any(char::is_control)
        {
            return Err(ShopError::Invalid(format!(
                "a channel transaction id is 1 to {TXN_MAX} bytes"
            )));
        }
        if let Some(first) = self.payments.paid_by(&a.channel, channel_txn) {
            return Ok(PaymentOutcome::Duplicate(first));
        }
        let txn_key = (a.channel.clone(), channel_txn.to_string());
        if amount != a.amount || currency != a.currency {
            return Err(ShopError::AmountMismatch {
                expected: a.amount,
                currency: a.currency.to_string(),
            });
        }
        let (user, purpose) = (a.user, a.purpose);
        let paid_before = matches!(
            a.status,
            AttemptStatus::Succeeded | AttemptStatus::CreditedToWallet | AttemptStatus::OwedBack
        );
        let guest = self.user(a.user).is_some_and(|u| u.guest);
        let outcome = match purpose {
            // A second payment under another transaction id: the money is
            // real, the order was paid once; it goes to the wallet.
            _ if paid_before => {
                let order = match purpose {
                    Purpose::Order(order) => Some(order),
                    Purpose::Recharge | Purpose::Deposit(_) => None,
                };
                let outcome = self.credit_or_owe(now, attempt, guest, amount, order)?;
                self.note_channel_txn(txn_key, attempt);
                return Ok(outcome);
            }
            Purpose::Recharge => self.recharge_checked(now, attempt, user, (amount, currency))?,
            Purpose::Deposit(merchant) => {
                self.move_money(
                    now,
                    currency,
                    &[Leg {
                        debit: account_id(Kind::Clearing, currency, 0),
                        credit: account_id(Kind::MerchantDeposit, currency, merchant.0),
                        amount,
                        why: Why::DepositIn,
                        order: None,
                    }],
                )?;
                PaymentOutcome::DepositFunded
            }
            Purpose::Order(order) => {
                let takes_it = self
                    .order(order)
                    .is_some_and(|o| o.status == OrderStatus::Created);
                if takes_it {
                    self.pay_from_channel(now, order, attempt)?
                } else {
                    self.credit_or_owe(now, attempt, guest, amount, Some(order))?
                }
            }
        };
        self.note_channel_txn(txn_key, attempt);
        let a = self.attempt_mut(attempt)?;
        a.status = match outcome {
            PaymentOutcome::CreditedToWallet => AttemptStatus::CreditedToWallet,
            PaymentOutcome::OwedBack => AttemptStatus::OwedBack,
            _ => AttemptStatus::Succeeded,
        };
        a.channel_txn = Some(channel_txn.to_string());
        a.paid_at = Some(now);
        Ok(outcome)
    }

    /// Money that pays no order: into the payer's recharge wallet, or —
    /// for a guest, who has none to reach — owed back through the channel.
    fn credit_or_owe(
        &mut self,
        now: u64,
        attempt: AttemptId,
        guest: bool,
        amount: u64,
        order: Option<OrderId>,
    ) -> Result<PaymentOutcome, ShopError> {
        let a = self
            .attempt(attempt)
            .ok_or(ShopError::AttemptNotFound(attempt))?;
        let (user, currency) = (a.user, a.currency);
        if !guest {
            self.credit_from_clearing(now, user, currency, amount, order)?;
            return Ok(PaymentOutcome::CreditedToWallet);
        }
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::Clearing, currency, 0),
                credit: account_id(Kind::RefundsDue, currency, user.0),
                amount,
                why: Why::OwedBack,
                order,
            }],
        )?;
        let a = self.attempt_mut(attempt)?;
        a.owed_back = a.owed_back.saturating_add(amount);
        Ok(PaymentOutcome::OwedBack)
    }

    /// Pays an order from clearing into escrow, then delivers it — unless
    /// the risk decision on the payment holds it (money that arrived is
    /// never refused).
    fn pay_from_channel(
        &mut self,
        now: u64,
        order: OrderId,
        attempt: AttemptId,
    ) -> Result<PaymentOutcome, ShopError> {
        let o = self.require_order(order)?;
        let (currency, amount, reserved_until) = (o.currency, o.amount, o.reserved_until);
        let ask = crate::risk::Ask {
            actor: Some(o.buyer),
            amount,
            currency: Some(currency),
            merchant: Some(o.merchant),
            context_of: Some(crate::risk::Subject::Order(order)),
            subject: Some(crate::risk::Subject::Order(order)),
            ..Default::default()
        };
        let verdict = self.decide_risk(now, trigate_risk::Point::ChannelPayment, ask)?;
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::Clearing, currency, 0),
                credit: account_id(Kind::Escrow, currency, 0),
                amount,
                why: Why::PayByChannel,
                order: Some(order),
            }],
        )?;
        let o = self.order_mut(order)?;
        o.paid_by = Some(PaidBy::Channel(attempt));
        o.paid_at = Some(now);
        o.status = OrderStatus::Paid;
        let (parties, amount) = ((o.merchant, o.buyer), o.amount);
        self.watch_sale(now, parties, amount);
        self.orders.reservations.remove(&(reserved_until, order));
        Ok(match verdict {
            crate::risk::Verdict::Go => PaymentOutcome::Delivered(self.deliver(now, order)),
            crate::risk::Verdict::Hold(decision) => {
                self.open_review(now, decision, crate::risk::Subject::Order(order));
                PaymentOutcome::Held
            }
        })
    }

    /// Clearing → the user's recharge wallet.
    pub(crate) fn credit_from_clearing(
        &mut self,
        now: u64,
        user: UserId,
        currency: Currency,
        amount: u64,
        order: Option<OrderId>,
    ) -> Result<(), ShopError> {
        self.move_money(
            now,
            currency,
            &[Leg {
                debit: account_id(Kind::Clearing, currency, 0),
                credit: account_id(Kind::WalletRecharge, currency, user.0),
                amount,
                why: Why::Credit,
                order,
            }],
        )
    }
}

/// Every payment attempt, and the channel transactions that paid them.
#[derive(Debug, Default)]
pub(crate) struct Payments {
    pub(crate) attempts: Vec<Attempt>,
    /// (channel, channel transaction id) → the attempt it paid.
    pub(crate) channel_txns: std::collections::HashMap<(String, String), AttemptId>,
}

impl Payments {
    pub(crate) fn get(&self, id: AttemptId) -> Option<&Attempt> {
        crate::ids::nth(&self.attempts, id.0)
    }

    /// The attempt a channel's transaction already paid, if any.
    pub(crate) fn paid_by(&self, channel: &str, txn: &str) -> Option<AttemptId> {
        self.channel_txns
            .get(&(channel.to_string(), txn.to_string()))
            .copied()
    }
}
