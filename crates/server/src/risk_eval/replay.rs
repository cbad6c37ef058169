//! Labelled traffic replayed through the shop — the same writer logic,
//! risk checks on with the default pack, a simulated clock — and what each
//! event's decision did.

use std::collections::{BTreeMap, HashMap};

use trigate_core::risk::{RequestContext, RiskSettings, Subject};
use trigate_core::{
    Bps, Command, Config, Currency, Delivery, MerchantId, NANOS_PER_SECOND, NewProduct,
    OrderStatus, PasswordHash, PaymentOutcome, ProductId, Reply, Role, Shop, ShopError, UserId,
    WithdrawFrom,
};

use super::traffic::Event;

/// What happened to one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    Allowed,
    Challenged,
    Held,
    Blocked,
    /// The channel declined it: nothing moved, nothing to decide.
    Declined,
    /// Refused for another reason (no balance to withdraw, …).
    Undecided,
}

/// Figures per scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub events: u64,
    pub fraud_money: u64,
    pub fraud_money_stopped_or_held: u64,
    pub good_orders: u64,
    pub good_challenged_or_held: u64,
    pub good_blocked: u64,
    pub undecided: u64,
}

impl Tally {
    fn add(&mut self, e: &Event, seen: Seen) {
        self.events += 1;
        let money = matches!(e.kind.as_str(), "recharge" | "purchase" | "withdraw");
        let stopped = matches!(seen, Seen::Challenged | Seen::Held | Seen::Blocked);
        match seen {
            Seen::Declined => return,
            Seen::Undecided => {
                self.undecided += 1;
                return;
            }
            _ => {}
        }
        if e.fraud && money {
            self.fraud_money += e.amount;
            if stopped {
                self.fraud_money_stopped_or_held += e.amount;
            }
        }
        if !e.fraud && e.kind == "purchase" {
            self.good_orders += 1;
            if matches!(seen, Seen::Challenged | Seen::Held) {
                self.good_challenged_or_held += 1;
            }
            if seen == Seen::Blocked {
                self.good_blocked += 1;
            }
        }
    }

    fn merge(&mut self, o: &Tally) {
        self.events += o.events;
        self.fraud_money += o.fraud_money;
        self.fraud_money_stopped_or_held += o.fraud_money_stopped_or_held;
        self.good_orders += o.good_orders;
        self.good_challenged_or_held += o.good_challenged_or_held;
        self.good_blocked += o.good_blocked;
        self.undecided += o.undecided;
    }

    pub fn fraud_share(&self) -> f64 {
        if self.fraud_money == 0 {
            0.0
        } else {
            self.fraud_money_stopped_or_held as f64 / self.fraud_money as f64
        }
    }

    pub fn good_share(&self) -> f64 {
        if self.good_orders == 0 {
            0.0
        } else {
            self.good_challenged_or_held as f64 / self.good_orders as f64
        }
    }
}

/// The shop the traffic runs through.
struct Sim {
    shop: Shop,
    now: u64,
    users: HashMap<String, UserId>,
    merchants: HashMap<String, MerchantId>,
    products: HashMap<(MerchantId, u64), ProductId>,
    txn: u64,
}

fn cny() -> Currency {
    Currency::new("CNY").unwrap_or_else(|_| unreachable!("CNY is a currency"))
}

impl Sim {
    fn new(settings: RiskSettings) -> anyhow::Result<Self> {
        let mut sim = Self {
            shop: Shop::new(Config::default()),
            now: 0,
            users: HashMap::new(),
            merchants: HashMap::new(),
            products: HashMap::new(),
            txn: 0,
        };
        // The whole default pack, as a shop starting today has it.
        for command in [Command::StartRisk { settings }, Command::AddDefaultRules] {
            sim.run(command).map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok(sim)
    }

    fn run(&mut self, command: Command) -> Result<Reply, ShopError> {
        self.now += 1_000;
        self.shop.apply(self.now, command)
    }

    fn with(e: &Event, command: Command) -> Command {
        Command::WithContext {
            context: RequestContext {
                ip: e.ip.clone(),
                ip_country: e.ip_country.clone(),
                device: e.device.clone(),
                ..RequestContext::default()
            },
            command: Box::new(command),
        }
    }

    fn user(&mut self, login: &str, role: Role) -> UserId {
        if let Some(id) = self.users.get(login) {
            return *id;
        }
        let login = if login.is_empty() { "anonymous" } else { login };
        let id = match self.run(Command::Register {
            login: login.into(),
            role,
            referrer_code: None,
            password: None,
        }) {
            Ok(Reply::User(id)) => id,
            _ => self.shop.user_by_login(login).map_or(UserId(0), |u| u.id),
        };
        self.users.insert(login.to_string(), id);
        id
    }

    fn merchant(&mut self, name: &str) -> Option<MerchantId> {
        if let Some(m) = self.merchants.get(name) {
            return Some(*m);
        }
        let owner = self.user(&format!("owner-of-{name}"), Role::Merchant);
        let m = match self.run(Command::CreateMerchant {
            owner,
            name: name.into(),
            fee: Bps::new(500).ok()?,
            holding_days: 1,
            wrapped_key: vec![7; 60],
        }) {
            Ok(Reply::Merchant(m)) => m,
            _ => return None,
        };
        self.merchants.insert(name.to_string(), m);
        Some(m)
    }

    fn product(&mut self, merchant: MerchantId, price: u64) -> Option<ProductId> {
        if let Some(p) = self.products.get(&(merchant, price)) {
            return Some(*p);
        }
        let spec = NewProduct {
            title: format!("Code {price}"),
            delivery: Delivery::Fixed("CODE".into()),
            currency: cny(),
            price,
            tiers: vec![],
            min_per_order: 1,
            max_per_order: 1,
            commission_l1: Bps::ZERO,
            commission_l2: Bps::ZERO,
            membership: false,
        };
        let Ok(Reply::Product(p)) = self.run(Command::CreateProduct { merchant, spec }) else {
            return None;
        };
        self.products.insert((merchant, price), p);
        Some(p)
    }

    fn refused(e: &ShopError) -> Seen {
        match e {
            ShopError::RiskBlocked { .. } => Seen::Blocked,
            ShopError::ChallengeRequired { .. } => Seen::Challenged,
            ShopError::HeldForReview { .. } => Seen::Held,
            _ => Seen::Undecided,
        }
    }

    fn event(&mut self, e: &Event) -> Seen {
        self.now = self.now.max(e.t.saturating_mul(NANOS_PER_SECOND));
        match e.kind.as_str() {
            "buyer_signup" => self.sign_up(e),
            "merchant_signup" => self.merchant_signup(e),
            "recharge" => self.recharge(e),
            "purchase" => self.purchase(e),
            _ => self.withdraw(e),
        }
    }

    fn sign_up(&mut self, e: &Event) -> Seen {
        let hash = PasswordHash(
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into(),
        );
        let register = Command::Register {
            login: e.user.clone(),
            role: Role::Buyer,
            referrer_code: None,
            password: Some(hash),
        };
        match self.run(Self::with(e, register)) {
            Ok(Reply::User(id)) => {
                self.users.insert(e.user.clone(), id);
                if !e.email.is_empty() {
                    let _ = self.run(Command::SetEmail {
                        actor: id,
                        email: Some(e.email.clone()),
                    });
                }
                if self.shop.held(Subject::User(id)).is_some() {
                    Seen::Held
                } else {
                    Seen::Allowed
                }
            }
            Ok(_) => Seen::Undecided,
            Err(err) => Self::refused(&err),
        }
    }

    fn merchant_signup(&mut self, e: &Event) -> Seen {
        let owner = self.user(&e.user, Role::Merchant);
        let create = Command::CreateMerchant {
            owner,
            name: e.merchant.clone(),
            fee: Bps::ZERO,
            holding_days: 1,
            wrapped_key: vec![7; 60],
        };
        match self.run(Self::with(e, create)) {
            Ok(Reply::Merchant(m)) => {
                self.merchants.insert(e.merchant.clone(), m);
                if self.shop.held(Subject::Merchant(m)).is_some() {
                    Seen::Held
                } else {
                    Seen::Allowed
                }
            }
            Ok(_) => Seen::Undecided,
            Err(err) => Self::refused(&err),
        }
    }

    /// A channel's answer to an attempt: failed, or paid by the event's
    /// instrument.
    fn channel_answer(
        &mut self,
        e: &Event,
        attempt: trigate_core::AttemptId,
    ) -> Result<Reply, ShopError> {
        if e.upstream_declined {
            return self.run(Command::PaymentFailed { attempt });
        }
        self.txn += 1;
        let paid = Command::PaymentSucceeded {
            attempt,
            channel_txn: format!("EVAL-{}", self.txn),
            amount: e.amount,
            currency: cny(),
        };
        self.run(Command::WithContext {
            context: RequestContext {
                instrument: e.instrument.clone(),
                instrument_country: e.instrument_country.clone(),
                ..RequestContext::default()
            },
            command: Box::new(paid),
        })
    }

    fn recharge(&mut self, e: &Event) -> Seen {
        let user = self.user(&e.user, Role::Buyer);
        let start = Command::StartRecharge {
            actor: user,
            channel: "sandbox".into(),
            amount: e.amount,
            currency: cny(),
        };
        let Ok(Reply::Attempt(attempt)) = self.run(Self::with(e, start)) else {
            return Seen::Undecided;
        };
        match self.channel_answer(e, attempt) {
            Ok(Reply::Done) => Seen::Declined,
            Ok(Reply::Payment(PaymentOutcome::Held)) => Seen::Held,
            Ok(Reply::Payment(_)) => Seen::Allowed,
            Ok(_) => Seen::Undecided,
            Err(err) => Self::refused(&err),
        }
    }

    fn purchase(&mut self, e: &Event) -> Seen {
        let user = self.user(&e.user, Role::Buyer);
        let merchant = if e.merchant.is_empty() {
            "m1"
        } else {
            &e.merchant
        };
        let Some(m) = self.merchant(merchant) else {
            return Seen::Undecided;
        };
        let Some(product) = self.product(m, e.amount.max(1)) else {
            return Seen::Undecided;
        };
        if e.pay == "channel" {
            let create = Command::CreateOrder {
                actor: user,
                product,
                quantity: 1,
                coupon: None,
            };
            let Ok(Reply::Order(order)) = self.run(Self::with(e, create)) else {
                return Seen::Undecided;
            };
            let start = Command::StartPayment {
                actor: user,
                order,
                channel: "sandbox".into(),
            };
            let Ok(Reply::Attempt(attempt)) = self.run(start) else {
                return Seen::Undecided;
            };
            return match self.channel_answer(e, attempt) {
                Ok(Reply::Done) => Seen::Declined,
                Ok(Reply::Payment(PaymentOutcome::Held)) => Seen::Held,
                Ok(Reply::Payment(_)) => Seen::Allowed,
                Ok(_) => Seen::Undecided,
                Err(err) => Self::refused(&err),
            };
        }
        // A wallet payment: the wallet is topped up by hand first if short,
        // so every one is decided.
        let (recharge, reward) = self.shop.wallet(user, cny());
        if u128::from(recharge) + u128::from(reward) < u128::from(e.amount) {
            let _ = self.run(Command::CreditWallet {
                user,
                currency: cny(),
                amount: e.amount,
            });
        }
        let buy = Command::BuyWithBalance {
            actor: user,
            product,
            quantity: 1,
            coupon: None,
        };
        match self.run(Self::with(e, buy)) {
            Ok(Reply::Bought { order, .. }) => match self.shop.order(order).map(|o| o.status) {
                Some(OrderStatus::Paid) => Seen::Held,
                _ => Seen::Allowed,
            },
            Ok(_) => Seen::Undecided,
            Err(err) => Self::refused(&err),
        }
    }

    fn withdraw(&mut self, e: &Event) -> Seen {
        let user = self.user(&e.user, Role::Buyer);
        let ask = Command::RequestWithdrawal {
            actor: user,
            from: WithdrawFrom::Reward,
            currency: cny(),
            amount: e.amount,
            destination: if e.destination.is_empty() {
                "unknown".into()
            } else {
                e.destination.clone()
            },
        };
        match self.run(Self::with(e, ask)) {
            Ok(Reply::Withdrawal(id)) => {
                if self.shop.held(Subject::Withdrawal(id)).is_some() {
                    Seen::Held
                } else {
                    Seen::Allowed
                }
            }
            Ok(_) => Seen::Undecided,
            Err(err) => Self::refused(&err),
        }
    }
}

/// The settings traffic is replayed under: a shop's defaults with the
/// trained model on at its suggested thresholds (new merchants are not
/// capped: the generator's one merchant sells to every buyer from day one).
pub fn eval_settings() -> RiskSettings {
    RiskSettings {
        model: trigate_core::risk::ModelThresholds::suggested(),
        ..RiskSettings::default()
    }
}

/// Each money decision's model inputs (in [`trigate_risk::MODEL_FEATURES`]
/// order) with its event's label, the model off: what the trainer learns
/// from.
pub fn samples(events: &[Event]) -> anyhow::Result<Vec<(Vec<i64>, bool)>> {
    let mut sim = Sim::new(RiskSettings::default())?;
    let mut out = Vec::new();
    for e in events {
        let from = sim.shop.next_risk_decision();
        sim.event(e);
        for row in sim.shop.risk_decisions_from(from) {
            if !trigate_risk::SCORED_POINTS.contains(&row.decision.point)
                || row.decision.signals.failed
            {
                continue;
            }
            let f = sim.shop.risk_features_of(&row);
            let x = trigate_risk::MODEL_FEATURES
                .iter()
                .map(|n| trigate_risk::input_of(&f, n))
                .collect();
            out.push((x, e.fraud));
        }
    }
    Ok(out)
}

/// Every scenario's figures, and all of them together.
pub fn replay(events: &[Event]) -> anyhow::Result<(Tally, BTreeMap<String, Tally>)> {
    let mut sim = Sim::new(eval_settings())?;
    let mut per: BTreeMap<String, Tally> = BTreeMap::new();
    for e in events {
        let seen = sim.event(e);
        per.entry(e.scenario.clone()).or_default().add(e, seen);
    }
    let mut all = Tally::default();
    for t in per.values() {
        all.merge(t);
    }
    Ok((all, per))
}
