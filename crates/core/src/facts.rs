//! What a command decided, as facts the journal keeps and a restart applies
//! without running a single business rule again: the ledger batches it made
//! (in the ledger's own canonical bytes) and every record it created or
//! changed, as it stood afterwards. A rule changed in a later release —
//! a reworded refusal, a new default window, a new reversal — therefore
//! never re-decides history.
//!
//! Records are tracked as they change: new ones by where each list stood
//! when the command began, changed ones by their `*_mut` accessors. The
//! indexes the rules read (stock, due dates, logins…) are not facts; they
//! are rebuilt from the records once replay is done ([`Shop::rebuild_indexes`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use trigate_ledger::chain;

use crate::AttemptId;
use crate::journal::approval_record::ApprovalRec;
use crate::journal::case_records::CaseRec;
use crate::journal::custody_flow_records::{
    DestinationRec, RulesRec, SettlementRec, SweepRec, Withdrawal4Rec,
};
use crate::journal::custody_record::OutflowStopRec;
use crate::journal::figures_records::DayRec;
use crate::journal::money_records::{
    AttemptRec, AuditRec, CouponRec, CreditRec, OrderRec, WithdrawalRec,
};
use crate::journal::records::hex;
use crate::journal::records::{
    KeyRec, KeyStatusRec, MerchantRec, PolicyRec, ProductRec, SettingsRec, UserRec,
};
use crate::journal::reply_record::RememberedRec;
use crate::journal::risk_records::{
    ContextRec, DecisionRec, IdKindRec, ListEntryRec, ReviewRec, RiskSettingsRec, RuleRec,
    SubjectRec, TuningRec,
};
use crate::journal::send_record::SendRec;
use crate::journal::shares_record::SharesRec;
use crate::journal::storefront_records::{LookRec, OutboxRec, ProductDetailsRec, read_email};
use crate::{KeyId, MerchantId, OrderId, Shop, UserId};

/// One thing a command decided. The tags are fixed: a journal written
/// today must read the same in every later release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]

pub enum Fact {
    /// The shop-wide settings from here on (the genesis holds the first).
    #[serde(rename = "settings")]
    Settings { settings: SettingsRec },
    /// A ledger batch, in the ledger's canonical bytes.
    #[serde(rename = "ledger")]
    Ledger {
        #[serde(with = "hex")]
        entry: Vec<u8>,
    },
    #[serde(rename = "user")]
    User { user: UserRec },
    #[serde(rename = "merchant")]
    Merchant { merchant: MerchantRec },
    #[serde(rename = "product")]
    Product { product: ProductRec },
    #[serde(rename = "key_added")]
    KeyAdded { key: KeyRec },
    #[serde(rename = "key_status")]
    KeyStatus { key: u64, status: KeyStatusRec },
    #[serde(rename = "order")]
    Order { order: Box<OrderRec> },
    #[serde(rename = "attempt")]
    Attempt { attempt: AttemptRec },
    #[serde(rename = "channel_txn")]
    ChannelTxn {
        channel: String,
        txn: String,
        attempt: u64,
    },
    #[serde(rename = "coupon")]
    Coupon { coupon: CouponRec },
    #[serde(rename = "withdrawal")]
    Withdrawal { withdrawal: WithdrawalRec },
    #[serde(rename = "credit")]
    Credit { credit: CreditRec },
    #[serde(rename = "audit")]
    Audit { entry: AuditRec },
    /// An idempotency key's first reply, remembered.
    #[serde(rename = "remembered")]
    Remembered {
        caller: u64,
        key: String,
        remembered: RememberedRec,
    },
    /// Idempotency keys remembered before `before` were forgotten.
    #[serde(rename = "forgot_keys")]
    ForgotKeys { before: u64 },
    /// The shop's money policy from here on (format 3 on: written beside
    /// every `Settings`).
    #[serde(rename = "policy")]
    Policy { policy: PolicyRec },
    /// A settled order's shares, as they stand after the command.
    #[serde(rename = "shares")]
    Shares { order: u64, shares: SharesRec },
    /// A send of money back through a channel, as it stands.
    #[serde(rename = "send")]
    Send { send: SendRec },
    /// An action waiting for, or given, its second approval.
    #[serde(rename = "approval")]
    Approval { approval: ApprovalRec },
    /// Outflows stopped (and why), or running again.
    #[serde(rename = "outflows")]
    Outflows { stop: Option<OutflowStopRec> },
    /// The money rules per currency from here on (format 4 on: written
    /// when they change, and on a shop's first start under format 4).
    #[serde(rename = "rules")]
    Rules { rules: RulesRec },
    /// A channel's payout to the platform, as it stands.
    #[serde(rename = "settlement")]
    Settlement { settlement: SettlementRec },
    /// Earned fees swept out of custody.
    #[serde(rename = "sweep")]
    Sweep { sweep: SweepRec },
    /// A withdrawal destination, as it stands.
    #[serde(rename = "destination")]
    Destination { destination: DestinationRec },
    /// A withdrawal as it stands (format 4 on: with its fee and the
    /// destination from the book it names).
    #[serde(rename = "withdrawal4")]
    Withdrawal4 { withdrawal: Withdrawal4Rec },
    /// What the storefront says of a product (format 5 on).
    #[serde(rename = "product_details")]
    ProductDetails {
        product: u64,
        details: ProductDetailsRec,
    },
    /// The shop's look from here on.
    #[serde(rename = "look")]
    Look { look: LookRec },
    /// A user's email (`None`: removed).
    #[serde(rename = "email")]
    Email { user: u64, email: Option<String> },
    /// A message that would be sent, put in the outbox.
    #[serde(rename = "outbox")]
    Outbox { message: OutboxRec },
    /// The shop records daily figures from this day on (format 6 on).
    #[serde(rename = "figures_from")]
    FiguresFrom { day: i64 },
    /// A day's figures, recorded when it ended.
    #[serde(rename = "day")]
    Day { figures: DayRec },
    /// The risk settings from here on (format 7 on).
    #[serde(rename = "risk_settings")]
    RiskSettings { settings: RiskSettingsRec },
    /// A risk rule saved: its next version.
    #[serde(rename = "risk_rule")]
    RiskRule { rule: RuleRec },
    /// An identifier put on the allow or the block list.
    #[serde(rename = "risk_listed")]
    RiskListed { entry: ListEntryRec },
    /// An identifier taken off its list.
    #[serde(rename = "risk_unlisted")]
    RiskUnlisted { kind: IdKindRec, value: String },
    /// A risk decision, with its inputs, features and the rules that fired.
    #[serde(rename = "risk_decided")]
    RiskDecided { decision: Box<DecisionRec> },
    /// A hold's review, as it stands.
    #[serde(rename = "risk_review")]
    RiskReview { review: ReviewRec },
    /// The request context an order or a payment attempt was made with.
    #[serde(rename = "risk_context")]
    RiskContext {
        subject: SubjectRec,
        context: ContextRec,
    },
    /// A ring case, as it stands (format 8 on).
    #[serde(rename = "risk_case")]
    RiskCase { case: CaseRec },
    /// How new merchants are watched, and where the trained model's score
    /// acts, from here on.
    #[serde(rename = "risk_tuning")]
    RiskTuning { tuning: TuningRec },
}

/// Where the shop's lists stood when a command began, and what it changed.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    marks: Marks,
    pub ledger: Vec<Vec<u8>>,
    pub users: BTreeSet<u64>,
    pub merchants: BTreeSet<u64>,
    pub products: BTreeSet<u64>,
    pub keys: BTreeSet<KeyId>,
    pub orders: BTreeSet<u64>,
    pub shares: BTreeSet<u64>,
    pub sends: BTreeSet<u64>,
    pub approvals: BTreeSet<u64>,
    pub attempts: BTreeSet<u64>,
    pub coupons: BTreeSet<(MerchantId, String)>,
    pub withdrawals: BTreeSet<u64>,
    pub credits: BTreeSet<u64>,
    pub channel_txns: Vec<(String, String, AttemptId)>,
    pub remembered: Vec<(UserId, String)>,
    pub forgot_before: Option<u64>,
    pub settings: bool,
    pub outflows: bool,
    pub rules: bool,
    pub settlements: BTreeSet<u64>,
    pub destinations: BTreeSet<u64>,
    pub details: BTreeSet<u64>,
    pub look: bool,
    pub emails: BTreeSet<u64>,
    pub figures_from: bool,
    /// Risk reviews opened or changed.
    pub reviews: BTreeSet<u64>,
    /// Ring cases opened or changed.
    pub cases: BTreeSet<u64>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Marks {
    users: usize,
    merchants: usize,
    products: usize,
    keys: usize,
    orders: usize,
    attempts: usize,
    withdrawals: usize,
    credits: usize,
    sends: usize,
    approvals: usize,
    audit: usize,
    settlements: usize,
    sweeps: usize,
    destinations: usize,
    outbox: usize,
    days: usize,
    decisions: u64,
}

/// Positions of the records a command made (from `mark` on) or changed.
fn changed(len: usize, mark: usize, touched: &BTreeSet<u64>) -> Vec<usize> {
    if touched.is_empty() {
        return (mark.min(len)..len).collect();
    }
    let mut at: BTreeSet<usize> = touched
        .iter()
        .filter_map(|id| usize::try_from(id.checked_sub(1)?).ok())
        .filter(|i| *i < mark.min(len))
        .collect();
    at.extend(mark..len);
    at.into_iter().collect()
}

/// Why facts could not be applied: the journal and the shop disagree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactError {
    #[error("a ledger batch does not replay: {0}")]
    Ledger(String),
    #[error("{what} {id} arrives out of order (the shop holds {held})")]
    OutOfOrder {
        what: &'static str,
        id: u64,
        held: usize,
    },
    #[error("{0} names a record the shop does not hold")]
    Missing(String),
    #[error("a record holds a value the shop cannot take: {0}")]
    Bad(String),
}

/// Upserts `record` as the `id`th (1-based) of `list`: the next one is
/// appended, an existing one replaced.
fn upsert<T>(list: &mut Vec<T>, what: &'static str, id: u64, record: T) -> Result<(), FactError> {
    let at = usize::try_from(id.wrapping_sub(1)).unwrap_or(usize::MAX);
    if at < list.len() {
        list[at] = record;
        Ok(())
    } else if at == list.len() {
        list.push(record);
        Ok(())
    } else {
        Err(FactError::OutOfOrder {
            what,
            id,
            held: list.len(),
        })
    }
}

impl Shop {
    /// Starts tracking what the next command changes.
    pub(crate) fn begin_changes(&mut self) {
        self.changes = Changes {
            marks: Marks {
                users: self.users.list.len(),
                merchants: self.merchants.list.len(),
                products: self.catalog.products.len(),
                keys: self.inventory.keys.len(),
                orders: self.orders.list.len(),
                attempts: self.payments.attempts.len(),
                withdrawals: self.withdrawals.list.len(),
                credits: self.credits.list.len(),
                sends: self.sends.list.len(),
                approvals: self.approvals.list.len(),
                audit: self.audit_log.entries.len(),
                settlements: self.flows.settlements.len(),
                sweeps: self.flows.sweeps.len(),
                destinations: self.destinations.len(),
                outbox: self.storefront.outbox.len(),
                days: self.figures.days.len(),
                decisions: self.risk.decisions.next_id(),
            },
            ..Changes::default()
        };
    }

    /// What the command since [`Self::begin_changes`] decided, as facts.
    pub(crate) fn take_facts(&mut self) -> Vec<Fact> {
        let mut facts = Vec::new();
        let decisions_from = self.changes.marks.decisions;
        self.take_risk_facts(decisions_from, &mut facts);
        let c = std::mem::take(&mut self.changes);
        let m = c.marks;
        let risk = std::mem::take(&mut facts);
        if c.settings {
            facts.push(Fact::Settings {
                settings: (&self.config).into(),
            });
            facts.push(Fact::Policy {
                policy: (&self.config.policy).into(),
            });
            self.policy_recorded = true;
        }
        if c.rules {
            facts.push(Fact::Rules {
                rules: (&self.rules).into(),
            });
            self.rules_recorded = true;
        }
        facts.extend(c.ledger.into_iter().map(|entry| Fact::Ledger { entry }));
        for i in changed(self.users.list.len(), m.users, &c.users) {
            facts.push(Fact::User {
                user: (&self.users.list[i]).into(),
            });
        }
        for i in changed(self.merchants.list.len(), m.merchants, &c.merchants) {
            facts.push(Fact::Merchant {
                merchant: (&self.merchants.list[i]).into(),
            });
        }
        for i in changed(self.catalog.products.len(), m.products, &c.products) {
            facts.push(Fact::Product {
                product: (&self.catalog.products[i]).into(),
            });
        }
        for key in &self.inventory.keys[m.keys.min(self.inventory.keys.len())..] {
            facts.push(Fact::KeyAdded { key: key.into() });
        }
        for id in &c.keys {
            if let Some(k) = self.key(*id)
                && (id.0 as usize) <= m.keys
            {
                facts.push(Fact::KeyStatus {
                    key: id.0,
                    status: k.status.into(),
                });
            }
        }
        for i in changed(self.orders.list.len(), m.orders, &c.orders) {
            facts.push(Fact::Order {
                order: Box::new((&self.orders.list[i]).into()),
            });
        }
        for id in &c.shares {
            if let Some(shares) = self.shares.list.get(&OrderId(*id)) {
                facts.push(Fact::Shares {
                    order: *id,
                    shares: shares.into(),
                });
            }
        }
        for i in changed(self.payments.attempts.len(), m.attempts, &c.attempts) {
            facts.push(Fact::Attempt {
                attempt: (&self.payments.attempts[i]).into(),
            });
        }
        for (channel, txn, attempt) in c.channel_txns {
            facts.push(Fact::ChannelTxn {
                channel,
                txn,
                attempt: attempt.0,
            });
        }
        for slot in &c.coupons {
            if let Some(coupon) = self.coupons.get(slot) {
                facts.push(Fact::Coupon {
                    coupon: coupon.into(),
                });
            }
        }
        for i in changed(self.withdrawals.list.len(), m.withdrawals, &c.withdrawals) {
            facts.push(Fact::Withdrawal4 {
                withdrawal: (&self.withdrawals.list[i]).into(),
            });
        }
        for i in changed(self.flows.settlements.len(), m.settlements, &c.settlements) {
            facts.push(Fact::Settlement {
                settlement: (&self.flows.settlements[i]).into(),
            });
        }
        for sweep in &self.flows.sweeps[m.sweeps.min(self.flows.sweeps.len())..] {
            facts.push(Fact::Sweep {
                sweep: sweep.into(),
            });
        }
        for i in changed(self.destinations.len(), m.destinations, &c.destinations) {
            facts.push(Fact::Destination {
                destination: (&self.destinations[i]).into(),
            });
        }
        for id in &c.details {
            let details = self.product_details(crate::ProductId(*id));
            facts.push(Fact::ProductDetails {
                product: *id,
                details: (&details).into(),
            });
        }
        if c.look {
            facts.push(Fact::Look {
                look: (&self.storefront.look).into(),
            });
        }
        for id in &c.emails {
            facts.push(Fact::Email {
                user: *id,
                email: self
                    .storefront
                    .emails
                    .get(&UserId(*id))
                    .map(|e| e.as_str().to_string()),
            });
        }
        let outbox = &self.storefront.outbox;
        for message in &outbox[m.outbox.min(outbox.len())..] {
            facts.push(Fact::Outbox {
                message: message.into(),
            });
        }
        if c.figures_from
            && let Some(day) = self.figures.from
        {
            facts.push(Fact::FiguresFrom { day });
        }
        let days = &self.figures.days;
        for figures in &days[m.days.min(days.len())..] {
            facts.push(Fact::Day {
                figures: figures.into(),
            });
        }
        for i in changed(self.credits.list.len(), m.credits, &c.credits) {
            facts.push(Fact::Credit {
                credit: (&self.credits.list[i]).into(),
            });
        }
        for i in changed(self.sends.list.len(), m.sends, &c.sends) {
            facts.push(Fact::Send {
                send: (&self.sends.list[i]).into(),
            });
        }
        for i in changed(self.approvals.list.len(), m.approvals, &c.approvals) {
            facts.push(Fact::Approval {
                approval: (&self.approvals.list[i]).into(),
            });
        }
        for entry in &self.audit_log.entries[m.audit.min(self.audit_log.entries.len())..] {
            facts.push(Fact::Audit {
                entry: entry.into(),
            });
        }
        if c.outflows {
            facts.push(Fact::Outflows {
                stop: self.custody.stop.as_ref().map(Into::into),
            });
        }
        if let Some(before) = c.forgot_before {
            facts.push(Fact::ForgotKeys { before });
        }
        for (caller, key) in c.remembered {
            if let Some(remembered) = self.idempotency.get(caller, &key) {
                facts.push(Fact::Remembered {
                    caller: caller.0,
                    key,
                    remembered: remembered.into(),
                });
            }
        }
        facts.extend(risk);
        facts
    }

    /// Applies facts a command decided, as the journal recorded them. No
    /// business rule runs; the indexes are rebuilt afterwards, once, by
    /// [`Self::rebuild_indexes`].
    pub fn apply_facts(&mut self, at: u64, facts: Vec<Fact>) -> Result<(), FactError> {
        for fact in facts {
            self.watch_replayed(at, &fact);
            self.apply_fact(fact)?;
        }
        self.last_time = self.last_time.max(at);
        self.indexes_stale = true;
        Ok(())
    }

    fn apply_fact(&mut self, fact: Fact) -> Result<(), FactError> {
        match fact {
            f @ (Fact::RiskSettings { .. }
            | Fact::RiskRule { .. }
            | Fact::RiskListed { .. }
            | Fact::RiskUnlisted { .. }
            | Fact::RiskDecided { .. }
            | Fact::RiskReview { .. }
            | Fact::RiskContext { .. }
            | Fact::RiskCase { .. }
            | Fact::RiskTuning { .. }) => self.apply_risk_fact(f)?,
            Fact::Settings { settings } => {
                // The policy has a fact of its own.
                let policy = self.config.policy;
                self.config = settings.read()?;
                self.config.policy = policy;
            }
            Fact::Policy { policy } => {
                self.config.policy = policy.into();
                self.policy_recorded = true;
            }
            Fact::Outflows { stop } => {
                self.custody.stop = stop.map(OutflowStopRec::read);
            }
            Fact::Rules { rules } => {
                self.rules = rules.read()?;
                self.rules_recorded = true;
            }
            Fact::Settlement { settlement } => {
                let id = settlement.id;
                upsert(
                    &mut self.flows.settlements,
                    "settlement",
                    id,
                    settlement.read()?,
                )?;
            }
            Fact::Sweep { sweep } => {
                let id = sweep.id;
                upsert(&mut self.flows.sweeps, "sweep", id, sweep.read()?)?;
            }
            Fact::ProductDetails { product, details } => {
                self.storefront
                    .details
                    .insert(crate::ProductId(product), details.read());
            }
            Fact::Look { look } => self.storefront.look = look.read(),
            Fact::Email { user, email } => match email {
                Some(e) => {
                    self.storefront.emails.insert(UserId(user), read_email(&e)?);
                }
                None => {
                    self.storefront.emails.remove(&UserId(user));
                }
            },
            Fact::Outbox { message } => {
                let id = message.id;
                upsert(
                    &mut self.storefront.outbox,
                    "outbox message",
                    id,
                    message.read()?,
                )?;
            }
            Fact::FiguresFrom { day } => self.figures.from = Some(day),
            Fact::Day { figures } => {
                let figures = figures.read()?;
                if let Some(last) = self.figures.days.last()
                    && last.day >= figures.day
                {
                    return Err(FactError::OutOfOrder {
                        what: "day",
                        id: u64::try_from(figures.day).unwrap_or(0),
                        held: self.figures.days.len(),
                    });
                }
                self.figures.days.push(figures);
            }
            Fact::Destination { destination } => {
                let id = destination.id;
                upsert(
                    &mut self.destinations,
                    "destination",
                    id,
                    destination.read(),
                )?;
            }
            Fact::Withdrawal4 { withdrawal } => {
                let id = withdrawal.base.id;
                upsert(
                    &mut self.withdrawals.list,
                    "withdrawal",
                    id,
                    withdrawal.read()?,
                )?;
            }
            Fact::Approval { approval } => {
                let id = approval.id;
                upsert(&mut self.approvals.list, "approval", id, approval.read()?)?;
            }
            Fact::Send { send } => {
                upsert(&mut self.sends.list, "send", send.id, send.read()?)?;
            }
            Fact::Shares { order, shares } => {
                self.shares.list.insert(OrderId(order), shares.into());
            }
            Fact::Ledger { entry } => self.replay_ledger(&entry)?,
            Fact::User { user } => upsert(&mut self.users.list, "user", user.id, user.read())?,
            Fact::Merchant { merchant } => {
                upsert(
                    &mut self.merchants.list,
                    "merchant",
                    merchant.id,
                    merchant.read()?,
                )?;
            }
            Fact::Product { product } => {
                upsert(
                    &mut self.catalog.products,
                    "product",
                    product.id,
                    product.read()?,
                )?;
            }
            Fact::KeyAdded { key } => {
                let key = key.read()?;
                let id = key.id;
                upsert(&mut self.inventory.keys, "key", id.0, key)?;
                self.inventory.dirty.insert(id);
            }
            Fact::KeyStatus { key, status } => {
                let k = self
                    .inventory
                    .keys
                    .get_mut(usize::try_from(key.wrapping_sub(1)).unwrap_or(usize::MAX))
                    .ok_or_else(|| FactError::Missing(format!("key {key}")))?;
                k.status = status.into();
                self.inventory.dirty.insert(KeyId(key));
            }
            Fact::Order { order } => {
                let order = order.read()?;
                let id = order.id;
                upsert(&mut self.orders.list, "order", id.0, order)?;
                self.orders.dirty.insert(id);
            }
            Fact::Attempt { attempt } => {
                upsert(
                    &mut self.payments.attempts,
                    "attempt",
                    attempt.id,
                    attempt.read()?,
                )?;
            }
            Fact::ChannelTxn {
                channel,
                txn,
                attempt,
            } => {
                self.payments
                    .channel_txns
                    .insert((channel, txn), AttemptId(attempt));
            }
            Fact::Coupon { coupon } => {
                let coupon = coupon.read()?;
                self.coupons
                    .insert((coupon.merchant, coupon.spec.code.clone()), coupon);
            }
            Fact::Withdrawal { withdrawal } => {
                let id = withdrawal.id;
                upsert(
                    &mut self.withdrawals.list,
                    "withdrawal",
                    id,
                    withdrawal.read()?,
                )?;
            }
            Fact::Credit { credit } => {
                upsert(&mut self.credits.list, "credit", credit.id, credit.read()?)?;
            }
            Fact::Audit { entry } => self.audit_log.entries.push(entry.into()),
            Fact::Remembered {
                caller,
                key,
                remembered,
            } => self
                .idempotency
                .remember(UserId(caller), key, remembered.into()),
            Fact::ForgotKeys { before } => {
                self.idempotency.forget_before(before);
            }
        }
        Ok(())
    }

    /// Applies a ledger batch from the journal and keeps what the shop
    /// derives from its transfers: the next transfer id and the trails.
    fn replay_ledger(&mut self, bytes: &[u8]) -> Result<(), FactError> {
        self.ledger
            .replay(bytes)
            .map_err(|e| FactError::Ledger(e.to_string()))?;
        if let Ok(chain::Entry::CreateTransfers { events, .. }) = chain::decode(bytes) {
            if let Some(max) = events.iter().map(|(t, _)| t.id).max() {
                self.transfers_made = self.transfers_made.max(u64::try_from(max).unwrap_or(0));
            }
            if events
                .iter()
                .all(|(_, r)| *r == trigate_ledger::CreateTransferResult::Ok)
            {
                let transfers: Vec<_> = events.into_iter().map(|(t, _)| t).collect();
                self.index_trails(&transfers);
            }
        }
        Ok(())
    }

    /// Rebuilds every index the rules read from the records: what a shop
    /// restored from facts needs before it takes its next command.
    pub fn rebuild_indexes(&mut self) {
        if !std::mem::take(&mut self.indexes_stale) {
            return;
        }
        self.users.rebuild_index();
        self.merchants.rebuild_index();
        self.inventory.rebuild_index();
        self.orders.rebuild_index();
        self.disputes.rebuild_index(&self.orders.list);
        self.shares.rebuild_index();
        self.rebuild_surplus();
    }
}
