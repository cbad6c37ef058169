//! Paying through channels: the configured channels, the router that picks
//! one per attempt (failing over to the next on error), and the two ways a
//! payment is confirmed — a channel's notification, verified and bound to
//! its attempt, or the channel's own answer when asked. The browser's
//! return never confirms anything.

mod config;
mod sends;
pub mod transport;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use trigate_channels::routing::{Ask, BreakerConfig, ChannelHealth, Router};
use trigate_channels::{
    Channel, Checkout, Expected, Notice, Params, ParamsError, PaymentRequest, Refusal, Status,
    notify,
};
use trigate_core::query::{Payable, Query};
use trigate_core::{Attempt, AttemptId, Command, Currency, OrderId, PaymentOutcome, UserId};

pub use config::{ChannelConfig, ChannelKind};
pub use sends::Resolution;
pub use transport::{HyperTransport, Transport, TransportError};

use crate::AppError;
use crate::operation::{ask as query, submit};
use trigate_engine::{Engine, ShopMachine};

/// The channels and their health.
#[derive(Debug)]
pub struct Payments {
    channels: BTreeMap<String, Arc<dyn Channel>>,
    /// Channels that create payments server to server (else by redirect).
    server_create: Vec<String>,
    router: Mutex<Router>,
    transport: Arc<dyn Transport>,
    /// Where channels reach us: notify and return URLs start here.
    base_url: String,
    /// Queries per attempt, and in all: a flood of forged notifications
    /// cannot turn into a flood of queries at the channel.
    queries: governor::DefaultKeyedRateLimiter<u64>,
    all_queries: governor::DefaultDirectRateLimiter,
    /// One send-back at a time per attempt in this process: a second
    /// caller waits, then finds nothing more owed (across processes and
    /// restarts, the journal's reserved sends keep it to once).
    sending: Mutex<BTreeMap<AttemptId, Arc<tokio::sync::Mutex<()>>>>,
}

/// What a payment is for.
#[derive(Debug, Clone, Copy)]
pub enum Paying {
    Order {
        buyer: UserId,
        order: OrderId,
    },
    Recharge {
        user: UserId,
        amount: u64,
        currency: Currency,
    },
    /// Into the deposit of the merchant `owner` owns.
    Deposit {
        owner: UserId,
        amount: u64,
        currency: Currency,
    },
}

/// A payment begun at a channel.
#[derive(Debug, Clone)]
pub struct Started {
    pub attempt: AttemptId,
    pub channel: String,
    pub checkout: Checkout,
    /// Attempts made before it that failed over.
    pub failed_over: Vec<(AttemptId, String)>,
}

/// What a send-back sent: minor units (0 when nothing was owed) of the
/// attempt's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentBack {
    pub amount: u64,
    pub currency: Currency,
}

/// What a notification came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notified {
    /// Applied now or before: answer the channel's acknowledgement.
    Applied {
        ack: &'static str,
        outcome: PaymentOutcome,
    },
    /// Not trusted and not proven by asking the channel; nothing changed.
    Refused { code: &'static str, message: String },
}

/// An attempt's hold on a channel: the outcome is recorded once — and if
/// the request is dropped first (the caller gave up, or it timed out while
/// the channel hung), that counts as the channel's failure.
struct Hold<'a> {
    payments: &'a Payments,
    channel: String,
    settled: bool,
}

impl Hold<'_> {
    fn record(mut self, ok: bool) {
        self.settled = true;
        self.payments.router().record(now_ns(), &self.channel, ok);
    }

    /// The shop refused before the channel was asked: nothing to count.
    fn abandon(mut self) {
        self.settled = true;
        self.payments.router().abandon(&self.channel);
    }
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.payments
                .router()
                .record(now_ns(), &self.channel, false);
        }
    }
}

fn now_ns() -> u64 {
    use trigate_engine::Clock;
    trigate_engine::SystemClock.now_nanos()
}

/// Logs a call to a channel and how it went: which channel, which call,
/// for which attempt (or payout reference), and the error's code and
/// message if it failed — never what was sent or answered.
fn log_call<T, E: std::fmt::Display>(
    channel: &str,
    call: &'static str,
    no: &str,
    outcome: &Result<T, E>,
) {
    match outcome {
        Ok(_) => {
            tracing::info!(target: "trigate::channels", channel, call, no, "channel call succeeded")
        }
        Err(e) => {
            tracing::warn!(target: "trigate::channels", channel, call, no, error = %e, "channel call failed")
        }
    }
}

/// Our number for an attempt at its channel.
pub fn out_trade_no(attempt: AttemptId) -> String {
    format!("TG{:012}", attempt.0)
}

/// The attempt an out-trade-number names.
pub fn attempt_of(out_trade_no: &str) -> Option<AttemptId> {
    let digits = out_trade_no.strip_prefix("TG")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Only the one spelling we hand out.
    let id = AttemptId(digits.parse().ok()?);
    (self::out_trade_no(id) == out_trade_no).then_some(id)
}

fn refused(code: &'static str, message: impl Into<String>) -> Notified {
    Notified::Refused {
        code,
        message: message.into(),
    }
}

impl Payments {
    pub fn new(
        configs: &[ChannelConfig],
        transport: Arc<dyn Transport>,
        base_url: &str,
    ) -> Result<Self, trigate_channels::ChannelError> {
        Self::with_breaker(configs, transport, base_url, BreakerConfig::default())
    }

    /// [`Payments::new`] with the breaker's thresholds and times given.
    pub fn with_breaker(
        configs: &[ChannelConfig],
        transport: Arc<dyn Transport>,
        base_url: &str,
        breaker: BreakerConfig,
    ) -> Result<Self, trigate_channels::ChannelError> {
        let mut channels: BTreeMap<String, Arc<dyn Channel>> = BTreeMap::new();
        let mut rules = Vec::new();
        let mut server_create = Vec::new();
        for c in configs {
            let (channel, rule) = c.build()?;
            if c.creates_server_side() {
                server_create.push(c.name.clone());
            }
            channels.insert(c.name.clone(), channel);
            rules.push(rule);
        }
        let quota = governor::Quota::with_period(std::time::Duration::from_secs(5))
            .unwrap_or_else(|| unreachable!("the period is non-zero"))
            .allow_burst(std::num::NonZeroU32::new(2).unwrap_or(std::num::NonZeroU32::MIN));
        Ok(Self {
            channels,
            server_create,
            router: Mutex::new(Router::new(rules, breaker)),
            transport,
            base_url: base_url.trim_end_matches('/').to_string(),
            queries: governor::RateLimiter::keyed(quota),
            all_queries: governor::RateLimiter::direct(
                governor::Quota::per_second(
                    std::num::NonZeroU32::new(20).unwrap_or(std::num::NonZeroU32::MIN),
                )
                .allow_burst(std::num::NonZeroU32::new(50).unwrap_or(std::num::NonZeroU32::MIN)),
            ),
            sending: Mutex::new(BTreeMap::new()),
        })
    }

    /// No channels: payments through channels are refused.
    pub fn none() -> Self {
        Self::new(&[], Arc::new(transport::Nowhere), "http://localhost")
            .unwrap_or_else(|_| unreachable!("no channels, nothing to misconfigure"))
    }

    fn router(&self) -> std::sync::MutexGuard<'_, Router> {
        self.router.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn channel(&self, name: &str) -> Option<&Arc<dyn Channel>> {
        self.channels.get(name)
    }

    /// The payment methods the channels take in `currency`.
    pub fn methods(&self, currency: Currency) -> Vec<String> {
        self.router().methods(currency)
    }

    /// Every channel's health now.
    pub fn health(&self) -> Vec<ChannelHealth> {
        self.router().health(now_ns())
    }

    /// Starts paying: an attempt at the best channel the rules and health
    /// allow, failing over to the next — a new attempt on the same order —
    /// when a channel errs.
    pub async fn start(
        &self,
        engine: &Engine<ShopMachine>,
        paying: Paying,
        method: &str,
        client_ip: Option<String>,
    ) -> Result<Started, AppError> {
        let (amount, currency, merchant) = match paying {
            Paying::Order { buyer, order } => {
                let payable: Payable = query(
                    engine,
                    Query::Payable {
                        actor: buyer,
                        order,
                    },
                )
                .await?;
                (payable.amount, payable.currency, Some(payable.merchant.0))
            }
            Paying::Recharge {
                amount, currency, ..
            }
            | Paying::Deposit {
                amount, currency, ..
            } => (amount, currency, None),
        };
        let ask = Ask {
            method,
            currency,
            amount,
            merchant,
        };
        if let Some(why) = self.router().unroutable(&ask) {
            return Err(AppError::Invalid(why.to_string()));
        }
        let candidates = self.router().candidates(now_ns(), &ask);
        if candidates.is_empty() {
            return Err(AppError::NoChannel(format!(
                "no channel takes {method} for {amount} {currency} right now"
            )));
        }
        let mut failed_over = Vec::new();
        for name in candidates {
            let Some(channel) = self.channels.get(&name).cloned() else {
                continue;
            };
            if !self.router().try_begin(now_ns(), &name) {
                continue;
            }
            let hold = Hold {
                payments: self,
                channel: name.clone(),
                settled: false,
            };
            let command = match paying {
                Paying::Order { buyer, order } => Command::StartPayment {
                    actor: buyer,
                    order,
                    channel: name.clone(),
                },
                Paying::Recharge {
                    user,
                    amount,
                    currency,
                } => Command::StartRecharge {
                    actor: user,
                    channel: name.clone(),
                    amount,
                    currency,
                },
                Paying::Deposit {
                    owner,
                    amount,
                    currency,
                } => Command::StartDepositPayment {
                    actor: owner,
                    channel: name.clone(),
                    amount,
                    currency,
                },
            };
            let attempt: AttemptId = match submit(engine, command).await {
                Ok(a) => a,
                Err(e) => {
                    hold.abandon();
                    return Err(e);
                }
            };
            let no = out_trade_no(attempt);
            let request = PaymentRequest {
                out_trade_no: no.clone(),
                method: method.to_string(),
                amount,
                currency,
                subject: format!("trigate {no}"),
                notify_url: format!("{}/pay/{name}/notify/{no}", self.base_url),
                return_url: format!("{}/pay/{name}/return/{no}", self.base_url),
                client_ip: client_ip.clone(),
            };
            let created = self.create(channel.as_ref(), &request).await;
            log_call(&name, "create", &no, &created);
            match created {
                Ok(checkout) => {
                    hold.record(true);
                    return Ok(Started {
                        attempt,
                        channel: name,
                        checkout,
                        failed_over,
                    });
                }
                Err(_) => {
                    hold.record(false);
                    submit::<()>(engine, Command::PaymentFailed { attempt }).await?;
                    failed_over.push((attempt, name));
                }
            }
        }
        Err(AppError::ChannelsUnavailable)
    }

    async fn create(
        &self,
        channel: &dyn Channel,
        request: &PaymentRequest,
    ) -> Result<Checkout, String> {
        if !self.server_create.iter().any(|n| n == channel.name()) {
            return channel.checkout(request).map_err(|e| e.to_string());
        }
        let call = channel.create_call(request).map_err(|e| e.to_string())?;
        let body = self
            .transport
            .send(&call)
            .await
            .map_err(|e| e.to_string())?;
        channel.read_create(&body).map_err(|e| e.to_string())
    }

    /// A channel's notification for the attempt `url_no` names. Verified
    /// and bound to the attempt, it is applied (once per channel
    /// transaction); otherwise the channel is asked, and only its answer
    /// is believed.
    pub async fn notify(
        &self,
        engine: &Engine<ShopMachine>,
        channel_name: &str,
        url_no: &str,
        params: Result<Params, ParamsError>,
    ) -> Notified {
        let Some(channel) = self.channels.get(channel_name).cloned() else {
            return refused("unknown_channel", format!("no channel {channel_name:?}"));
        };
        let Some(attempt) = self.attempt(engine, channel_name, url_no).await else {
            return refused("unknown_attempt", format!("no attempt {url_no:?} here"));
        };
        let expected = Expected {
            out_trade_no: url_no.to_string(),
            amount: attempt.amount,
            currency: attempt.currency,
        };
        let verified = params
            .map_err(Refusal::from)
            .and_then(|p| channel.verify(&p, attempt.currency))
            .and_then(|n| notify::check_binding(&n, url_no, &expected).map(|()| n));
        let notice = match verified {
            Ok(notice) => notice,
            // A status other than paid is the channel's word: nothing to do.
            Err(e @ Refusal::NotPaid(_)) => return refused(e.code(), e.to_string()),
            // Already paid: a bad notification has nothing to add.
            Err(e) if attempt.paid_at.is_some() => return refused(e.code(), e.to_string()),
            Err(e) => match self.ask_channel(channel.as_ref(), url_no, &expected).await {
                Some(notice) => notice,
                None => return refused(e.code(), e.to_string()),
            },
        };
        self.apply(engine, channel.as_ref(), attempt.id, &notice)
            .await
    }

    /// Asks the channel whether `url_no` was paid, and believes it only if
    /// the answer binds to the attempt.
    async fn ask_channel(
        &self,
        channel: &dyn Channel,
        url_no: &str,
        expected: &Expected,
    ) -> Option<Notice> {
        let id = attempt_of(url_no)?.0;
        if self.queries.len() > 100_000 {
            self.queries.retain_recent();
        }
        if self.queries.check_key(&id).is_err() || self.all_queries.check().is_err() {
            return None;
        }
        self.channel_says_paid(channel, expected).await.ok()
    }

    /// Asks `channel` about the payment `expected` describes; its notice
    /// if the channel says it was paid and the answer binds to it.
    async fn channel_says_paid(
        &self,
        channel: &dyn Channel,
        expected: &Expected,
    ) -> Result<Notice, AppError> {
        let no = &expected.out_trade_no;
        let asked = self.ask_paid(channel, expected).await;
        log_call(channel.name(), "query", no, &asked);
        asked
    }

    async fn ask_paid(
        &self,
        channel: &dyn Channel,
        expected: &Expected,
    ) -> Result<Notice, AppError> {
        let no = &expected.out_trade_no;
        let unreachable = AppError::ChannelUnreachable;
        let body = self
            .transport
            .send(&channel.query_call(no))
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let notice = match channel.read_query(&body, expected.currency) {
            Ok(Status::Paid(n)) => n,
            Ok(Status::Unpaid | Status::Unknown) => {
                return Err(AppError::ChannelSaysUnpaid);
            }
            Err(e) => return Err(unreachable(e.to_string())),
        };
        notify::check_binding(&notice, no, expected).map_err(AppError::ChannelRefusal)?;
        Ok(notice)
    }

    async fn apply(
        &self,
        engine: &Engine<ShopMachine>,
        channel: &dyn Channel,
        attempt: AttemptId,
        notice: &Notice,
    ) -> Notified {
        crate::request::payer(&notice.payer.instrument, &notice.payer.country);
        let command = Command::PaymentSucceeded {
            attempt,
            channel_txn: notice.channel_txn.clone(),
            amount: notice.amount,
            currency: notice.currency,
        };
        match submit::<PaymentOutcome>(engine, command).await {
            Ok(outcome) => {
                // Health counts what the shop asked of the channel, not
                // what it sends: old notifications keep coming from a
                // channel that is down.
                Notified::Applied {
                    ack: channel.acknowledgement(),
                    outcome,
                }
            }
            Err(AppError::Unavailable) => {
                refused("unavailable", "the shop is not taking changes right now")
            }
            Err(e) => refused("refused", e.to_string()),
        }
    }

    /// Pays `amount` out through `channel` to `destination`; the channel's
    /// payout id. The channel pays each `reference` once, so asking again
    /// after a lost answer cannot pay twice.
    pub async fn payout(
        &self,
        channel: &str,
        reference: &str,
        (amount, currency): (u64, Currency),
        destination: &str,
    ) -> Result<String, AppError> {
        let name = channel;
        let channel = self
            .channels
            .get(name)
            .ok_or_else(|| AppError::UnknownChannel(format!("no channel {name:?}")))?;
        let call = channel
            .payout_call(reference, amount, currency, destination)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        let paid = match self.transport.send(&call).await {
            Ok(body) => channel
                .read_payout(&body)
                .map_err(|e| AppError::ChannelUnreachable(e.to_string())),
            Err(e) => Err(AppError::ChannelUnreachable(e.to_string())),
        };
        log_call(name, "payout", reference, &paid);
        paid
    }

    /// 补单's check: what the channel says `attempt` was paid, bound to the
    /// attempt like a notification; refused if the channel has no payment.
    pub async fn confirmed_by_channel(
        &self,
        engine: &Engine<ShopMachine>,
        attempt: AttemptId,
    ) -> Result<Notice, AppError> {
        let a: Attempt = query(engine, Query::Attempt { attempt }).await?;
        let channel = self
            .channels
            .get(&a.channel)
            .cloned()
            .ok_or_else(|| AppError::UnknownChannel("the attempt's channel is gone".into()))?;
        let expected = Expected {
            out_trade_no: out_trade_no(attempt),
            amount: a.amount,
            currency: a.currency,
        };
        self.channel_says_paid(channel.as_ref(), &expected).await
    }

    async fn attempt(
        &self,
        engine: &Engine<ShopMachine>,
        channel: &str,
        url_no: &str,
    ) -> Option<Attempt> {
        let id = attempt_of(url_no)?;
        match query::<Attempt>(engine, Query::Attempt { attempt: id }).await {
            Ok(a) if a.channel == channel => Some(a),
            _ => None,
        }
    }
}
