//! The shop's state and the one way money moves: a linked chain of ledger
//! transfers, made only after every check has passed, so that a command
//! either changes nothing or does all it says.

use std::collections::HashMap;

use trigate_ledger::{
    AccountFlags, CreateTransferResult, Ledger, NewAccount, Transfer, TransferFlags,
};

use crate::chart::{Kind, Leg, Why, account_id};
use crate::time::{NANOS_PER_DAY, NANOS_PER_SECOND};
use crate::{Currency, KeyId, MerchantId, OrderId, ShopError, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Config {
    /// How long an unpaid order holds its keys.
    pub reservation_ns: u64,
    /// How long after delivery a buyer may dispute; then the order confirms
    /// itself.
    pub dispute_window_ns: u64,
    /// How long a merchant has to answer a dispute before staff take it.
    pub dispute_answer_ns: u64,
    /// Longest card key accepted, in bytes.
    pub max_key_len: usize,
    /// The shop's time zone as seconds east of UTC, for daily limits and
    /// reports.
    pub utc_offset_seconds: i32,
    /// The longest holding period (T+N days) a merchant may be given.
    pub max_holding_days: u32,
    /// The highest platform fee a merchant may be given, in basis points.
    pub max_fee_bps: u32,
    /// The most a product may pay its referrers (both levels together), in
    /// basis points.
    pub max_commission_bps: u32,
    /// How money behaves after a sale: commission holds, the reserve,
    /// approvals (journal format 3 on; a command written before it reads
    /// with the defaults).
    #[serde(default)]
    pub policy: Policy,
}

/// The shop's money rules that refunds, commissions and the reserve follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Policy {
    /// Days a referral commission is held before it becomes the referrer's
    /// reward (0: it is reward at once).
    pub commission_holding_days: u32,
    /// The reserve's share of each platform fee, in basis points.
    pub reserve_fee_bps: u32,
    /// A refund by staff above this many minor units needs a second staff
    /// member's approval.
    pub refund_approval_above: u64,
    /// A dispute decision refunding above this many minor units needs a
    /// second staff member's approval.
    pub decision_approval_above: u64,
    /// Whether a refund after settlement reverses the whole split (false
    /// only for shops begun in journal format 1, whose refunds came from the
    /// merchant's balances, then the reserve, as the merchant's debt).
    pub reverse_split: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            commission_holding_days: 7,
            reserve_fee_bps: 1_000,
            refund_approval_above: 100_000,
            decision_approval_above: 100_000,
            reverse_split: true,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            reservation_ns: 15 * 60 * NANOS_PER_SECOND,
            dispute_window_ns: 3 * NANOS_PER_DAY,
            dispute_answer_ns: 2 * NANOS_PER_DAY,
            max_key_len: 1024,
            utc_offset_seconds: 8 * 3600,
            max_holding_days: 365,
            max_fee_bps: 10_000,
            max_commission_bps: 10_000,
            policy: Policy::default(),
        }
    }
}

/// The settings in the words of the config file, for the log.
impl std::fmt::Display for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = self;
        let minutes = |ns: u64| ns / (60 * NANOS_PER_SECOND);
        write!(
            f,
            "reservation {} min, dispute window {} h, dispute answer {} h, keys up to {} bytes, \
         time zone {}, holding up to {} days, fee up to {} bps, commissions up to {} bps, \
         commissions held {} days, reserve share {} bps of fees, second approval for refunds \
         above {} and dispute decisions above {} minor units",
            minutes(c.reservation_ns),
            minutes(c.dispute_window_ns) / 60,
            minutes(c.dispute_answer_ns) / 60,
            c.max_key_len,
            show_offset(c.utc_offset_seconds),
            c.max_holding_days,
            c.max_fee_bps,
            c.max_commission_bps,
            c.policy.commission_holding_days,
            c.policy.reserve_fee_bps,
            c.policy.refund_approval_above,
            c.policy.decision_approval_above
        )
    }
}

/// `+08:00` for 28,800 seconds east of UTC.
pub fn show_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}:{:02}", s / 3600, s % 3600 / 60)
}

/// Everything the shop knows, applied to one command at a time.
#[derive(Debug, Default)]
pub struct Shop {
    pub(crate) config: Config,
    pub(crate) ledger: Ledger,
    pub(crate) users: crate::users::Users,
    pub(crate) merchants: crate::merchants::Merchants,
    pub(crate) catalog: crate::catalog::Catalog,
    pub(crate) inventory: crate::inventory::Inventory,
    pub(crate) orders: crate::orders::Orders,
    /// The surplus followed per currency, and the outflow stop.
    pub(crate) custody: crate::custody::Custody,
    /// Settled orders' shares and the debts their parties owe.
    pub(crate) shares: crate::shares::SharesBook,
    pub(crate) disputes: crate::disputes::Disputes,
    pub(crate) payments: crate::payments::Payments,
    /// Actions waiting for, or given, a second approval.
    pub(crate) approvals: crate::approvals::Approvals,
    /// Money sent back through channels, each send reserved first.
    pub(crate) sends: crate::refund_sends::Sends,
    pub(crate) coupons: crate::coupons::Coupons,
    pub(crate) withdrawals: crate::withdrawals::Withdrawals,
    pub(crate) credits: crate::credits::Credits,
    pub(crate) idempotency: crate::idempotency::Keys,
    pub(crate) audit_log: crate::audit::AuditLog,
    /// Transfers made for each order and each wallet account, in order.
    pub(crate) trails: HashMap<Trail, Vec<u128>>,
    /// Transfers made so far: the next transfer id.
    pub(crate) transfers_made: u64,
    /// The time of the last command: commands come in time order.
    pub(crate) last_time: u64,
    /// What the command being applied has changed, for its journal entry.
    pub(crate) changes: crate::facts::Changes,
    /// Records were restored from facts; the indexes must be rebuilt.
    pub(crate) indexes_stale: bool,
    /// The shop's settings are in its journal (its genesis was written).
    pub(crate) genesis: bool,
    /// Its money policy is in its journal too (a shop begun in journal
    /// format 2 records it on its first start under format 3).
    pub(crate) policy_recorded: bool,
    /// The money rules per currency (journal format 4 on).
    pub(crate) rules: crate::rules::Rules,
    pub(crate) rules_recorded: bool,
    /// Channel settlements into custody and fee sweeps out of it.
    pub(crate) flows: crate::custody_flows::CustodyFlows,
    /// Every user's withdrawal destinations.
    pub(crate) destinations: Vec<crate::destinations::Destination>,
    /// What the pages show beyond prices, emails and the outbox (journal
    /// format 5 on).
    pub(crate) storefront: crate::storefront::Storefront,
    /// Daily figures (journal format 6 on).
    pub(crate) figures: crate::figures::Figures,
    /// Gate three: rules, lists, windows, decisions and holds (journal
    /// format 7 on).
    pub(crate) risk: crate::risk::RiskBook,
}

/// What a trail of transfers belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Trail {
    Order(u128),
    Account(u128),
}

impl Shop {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            ledger: Ledger::new(),
            ..Self::default()
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether the shop's settings are recorded in its journal yet.
    pub fn has_genesis(&self) -> bool {
        self.genesis
    }

    /// Whether the shop's money policy is recorded in its journal yet (a
    /// shop begun in journal format 2 records it on its first start).
    pub fn has_policy(&self) -> bool {
        self.policy_recorded
    }

    /// Takes new shop-wide settings from the next command on. Recorded only
    /// when they change something (or are the shop's first).
    pub fn change_settings(&mut self, settings: Config) -> Result<(), ShopError> {
        if settings.reservation_ns == 0 || settings.dispute_window_ns == 0 {
            return Err(ShopError::Invalid(
                "the reservation time and the dispute window are longer than zero".into(),
            ));
        }
        if settings.max_key_len == 0 || settings.utc_offset_seconds.abs() > 14 * 3600 {
            return Err(ShopError::Invalid(
                "a key is at least 1 byte and the time zone within 14 hours of UTC".into(),
            ));
        }
        if settings.max_fee_bps > 10_000 || settings.max_commission_bps > 10_000 {
            return Err(ShopError::Invalid(
                "fee and commission limits are at most 10000 basis points".into(),
            ));
        }
        if settings.policy.reserve_fee_bps > 10_000
            || settings.policy.commission_holding_days > settings.max_holding_days
        {
            return Err(ShopError::Invalid(
                "the reserve's share is at most 10000 basis points and commissions are held \
                 at most the longest holding period"
                    .into(),
            ));
        }
        if settings != self.config || !self.genesis || !self.policy_recorded {
            self.config = settings;
            self.changes.settings = true;
        }
        Ok(())
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// What `account` holds for its owner: posted credits less posted and
    /// reserved debits (0 for an account never used).
    pub fn balance(&self, account: u128) -> u64 {
        self.ledger.account(account).map_or(0, |a| {
            let out = a.debits_posted + a.debits_pending;
            u64::try_from(a.credits_posted.saturating_sub(out)).unwrap_or(u64::MAX)
        })
    }

    /// A user's spendable wallet: (recharge, reward).
    pub fn wallet(&self, user: UserId, currency: Currency) -> (u64, u64) {
        (
            self.balance(account_id(Kind::WalletRecharge, currency, user.0)),
            self.balance(account_id(Kind::WalletReward, currency, user.0)),
        )
    }

    /// A merchant's balances: (pending, available, deposit).
    pub fn merchant_balances(&self, merchant: MerchantId, currency: Currency) -> (u64, u64, u64) {
        let of = |kind| self.balance(account_id(kind, currency, merchant.0));
        (
            of(Kind::MerchantPending),
            of(Kind::MerchantAvailable),
            of(Kind::MerchantDeposit),
        )
    }

    /// The orders and keys created or changed since the last call, by id:
    /// what the derived tables have not been given yet.
    pub fn take_dirty(&mut self) -> (Vec<OrderId>, Vec<KeyId>) {
        (
            std::mem::take(&mut self.orders.dirty).into_iter().collect(),
            std::mem::take(&mut self.inventory.dirty)
                .into_iter()
                .collect(),
        )
    }

    /// Every card key, in the order imported.
    pub fn keys(&self) -> impl Iterator<Item = &crate::Key> {
        self.inventory.keys.iter()
    }

    /// Checks that commands come in time order and notes the time.
    pub(crate) fn tick(&mut self, now: u64) -> Result<(), ShopError> {
        if now < self.last_time {
            return Err(ShopError::Invalid(format!(
                "command time {now} is before the last one {}",
                self.last_time
            )));
        }
        self.last_time = now;
        Ok(())
    }

    /// Moves money: every leg or none, as one linked chain. Accounts are
    /// opened on first use with the chart's flags. Zero legs are skipped.
    pub(crate) fn move_money(
        &mut self,
        now: u64,
        currency: Currency,
        legs: &[Leg],
    ) -> Result<(), ShopError> {
        let legs: Vec<&Leg> = legs.iter().filter(|l| l.amount > 0).collect();
        if legs.is_empty() {
            return Ok(());
        }
        let last = legs.len() - 1;
        let ledger = currency.ledger();
        let transfers: Vec<Transfer> = legs
            .iter()
            .enumerate()
            .map(|(i, l)| Transfer {
                id: self.next_transfer_id(),
                debit_account_id: l.debit,
                credit_account_id: l.credit,
                amount: l.amount,
                user_data: l.order.map_or(0, |o| u128::from(o.0)),
                ledger: currency.ledger(),
                code: l.why as u16,
                flags: if i < last {
                    TransferFlags::LINKED
                } else {
                    TransferFlags::empty()
                },
                ..Transfer::default()
            })
            .collect();
        self.submit_transfers(now, currency, &transfers)?;
        for l in legs {
            self.follow(l.debit, l.credit, l.amount, ledger);
        }
        Ok(())
    }

    /// Reserves money from `debit` for `credit` as a pending transfer (the
    /// debit's balance shows it gone; nothing is posted yet), returning the
    /// pending transfer's id. `tag` is kept as the transfer's user data.
    pub(crate) fn reserve_money(
        &mut self,
        now: u64,
        currency: Currency,
        (debit, credit): (u128, u128),
        amount: u64,
        why: Why,
        tag: u128,
    ) -> Result<u128, ShopError> {
        let id = self.next_transfer_id();
        let transfer = Transfer {
            id,
            debit_account_id: debit,
            credit_account_id: credit,
            amount,
            user_data: tag,
            ledger: currency.ledger(),
            code: why as u16,
            flags: TransferFlags::PENDING,
            ..Transfer::default()
        };
        self.submit_transfers(now, currency, &[transfer])?;
        Ok(id)
    }

    /// Posts (`post`) or voids a pending transfer made by [`Self::reserve_money`].
    pub(crate) fn finish_reserved(
        &mut self,
        now: u64,
        currency: Currency,
        (debit, credit): (u128, u128),
        pending_id: u128,
        post: bool,
    ) -> Result<(), ShopError> {
        let flags = if post {
            TransferFlags::POST_PENDING
        } else {
            TransferFlags::VOID_PENDING
        };
        let transfer = Transfer {
            id: self.next_transfer_id(),
            debit_account_id: debit,
            credit_account_id: credit,
            pending_id,
            ledger: currency.ledger(),
            flags,
            ..Transfer::default()
        };
        let amount = self.ledger.transfer(pending_id).map_or(0, |t| t.amount);
        self.submit_transfers(now, currency, &[transfer])?;
        if post {
            self.follow(debit, credit, amount, currency.ledger());
        }
        Ok(())
    }

    fn next_transfer_id(&mut self) -> u128 {
        self.transfers_made += 1;
        u128::from(self.transfers_made)
    }

    /// Opens the accounts `transfers` need, submits them, and indexes them
    /// by order and wallet account.
    fn submit_transfers(
        &mut self,
        now: u64,
        currency: Currency,
        transfers: &[Transfer],
    ) -> Result<(), ShopError> {
        let mut missing: Vec<u128> = transfers
            .iter()
            .flat_map(|t| [t.debit_account_id, t.credit_account_id])
            .filter(|id| *id != 0 && self.ledger.account(*id).is_none())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            let accounts: Vec<NewAccount> = missing
                .iter()
                .map(|&id| {
                    let kind = crate::chart::kind_of(id);
                    NewAccount {
                        id,
                        ledger: currency.ledger(),
                        code: kind.map_or(0, |k| k as u16),
                        flags: kind.map_or(AccountFlags::empty(), Kind::flags),
                        user_data: id & u128::from(u64::MAX),
                    }
                })
                .collect();
            let at = self.ledger_time(now);
            let results = self
                .ledger
                .create_accounts(at, &accounts)
                .map_err(|e| ShopError::Ledger(format!("{e:?}")))?;
            self.changes.ledger.push(self.ledger.last_entry().to_vec());
            if let Some(r) = results.iter().find(|r| !r.is_success()) {
                return Err(ShopError::Ledger(r.as_str().to_string()));
            }
        }
        let at = self.ledger_time(now);
        let results = self
            .ledger
            .create_transfers(at, transfers)
            .map_err(|e| ShopError::Ledger(format!("{e:?}")))?;
        self.changes.ledger.push(self.ledger.last_entry().to_vec());
        match results.iter().find(|r| **r != CreateTransferResult::Ok) {
            None => {
                self.index_trails(transfers);
                Ok(())
            }
            Some(CreateTransferResult::ExceedsCredits) => Err(ShopError::InsufficientBalance),
            Some(r) => Err(ShopError::Ledger(r.as_str().to_string())),
        }
    }

    /// Indexes for reading an order's or a wallet's trail.
    pub(crate) fn index_trails(&mut self, transfers: &[Transfer]) {
        self.index_debts(transfers.iter().map(|t| t.debit_account_id));
        for t in transfers {
            if t.user_data != 0 && t.user_data >> 64 == 0 {
                self.trails
                    .entry(Trail::Order(t.user_data))
                    .or_default()
                    .push(t.id);
            }
            for account in [t.debit_account_id, t.credit_account_id] {
                if matches!(
                    crate::chart::kind_of(account),
                    Some(Kind::WalletRecharge | Kind::WalletReward | Kind::CommissionHeld)
                ) {
                    self.trails
                        .entry(Trail::Account(account))
                        .or_default()
                        .push(t.id);
                }
            }
        }
    }

    /// The ledger stamps each event one nanosecond after the last.
    fn ledger_time(&self, now: u64) -> u64 {
        now.max(self.ledger.last_timestamp() + 1)
    }
}
