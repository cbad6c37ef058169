//! trigate's application layer: what everything that serves people — the
//! HTTP API, the pages, the demo, the benchmarks — calls, and never the
//! engine's raw commands.
//!
//! - each operation is a typed request tied to its typed reply
//!   ([`Change`], [`Read`]), run as the [`Caller`] filled in here;
//! - one error, [`AppError`], whose code and HTTP status are exhaustive
//!   matches;
//! - idempotency ([`Once`]), sign-in and second factors, signed API keys,
//!   the role rules of the edge ([`access`]);
//! - payment orchestration: routing, failover, notifications, 补单 and
//!   send-backs ([`payments`]);
//! - secrets at the edge: card keys and TOTP seeds sealed before they reach
//!   the shop, opened only for those allowed to see them ([`secrets`]).
//!
//! Commands that act without a caller check exist only for the operator
//! ([`Operator`]): the command line, the demo and the benchmarks.

pub mod access;
mod account;
mod approvals;
mod error;
pub mod identity;
mod merchant;
mod operation;
mod operator;
pub mod ops;
mod orders;
mod outflows;
mod paying;
pub mod payments;
pub mod request;
pub mod secrets;
mod withdrawals;

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use trigate_core::UserId;
use trigate_engine::{Engine, EngineError, ShopMachine};

pub use account::{ApiKeySecret, Enrolled};
pub use approvals::Outcome;
pub use error::AppError;
pub use merchant::{KeyImport, NewMerchant};
pub use operation::{Change, Once, Read, Replied};
pub use operator::Operator;
pub use orders::{GuestCheckout, OrderDetails, exposed};
pub use outflows::OutflowFlag;
pub use paying::Refunded;
pub use payments::Payments;
pub use secrets::MasterKey;
pub use withdrawals::{NewDestination, PaidOut, Payout, WithdrawalRequest};

/// Who is acting: a signed-in user, or a merchant's signed API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Caller(pub UserId);

impl Caller {
    /// Guests share one idempotency scope (they have no account).
    pub const GUEST: Caller = Caller(UserId(0));
}

/// The application over a running engine; clone it freely.
#[derive(Debug, Clone)]
pub struct App {
    engine: Engine<ShopMachine>,
    master: Arc<MasterKey>,
    payments: Arc<Payments>,
    /// TOTP steps already used, per user: each code signs in once.
    used_steps: Arc<identity::UsedSteps>,
    /// Nonces of signed merchant requests already seen.
    nonces: Arc<identity::Nonces>,
    /// Guest order lookups allowed per order.
    lookups: Arc<DefaultKeyedRateLimiter<u64>>,
}

impl App {
    /// The application over `engine`, sealing with `master`, paying through
    /// no channel yet.
    pub fn new(engine: Engine<ShopMachine>, master: MasterKey) -> Self {
        Self {
            engine,
            master: Arc::new(master),
            payments: Arc::new(Payments::none()),
            used_steps: Arc::default(),
            nonces: Arc::default(),
            lookups: per_order_limiter(),
        }
    }

    /// The same, paying through `payments`.
    pub fn with_payments(mut self, payments: Payments) -> Self {
        self.payments = Arc::new(payments);
        self
    }

    /// Runs a change as `caller`.
    pub async fn change<C: Change>(&self, caller: Caller, change: C) -> Result<C::Reply, AppError> {
        self.answer_challenge(caller).await?;
        let shown = C::LOGGED.then(|| format!("{change:?}"));
        let done = operation::submit(&self.engine, change.command(caller)).await;
        if let Some(shown) = shown {
            log_action(caller, &shown, &done);
        }
        done
    }

    /// Runs a change as `caller` once per idempotency key: the first reply
    /// is remembered and replayed for the same request; the same key with
    /// another request is refused.
    pub async fn change_once<C: Change>(
        &self,
        caller: Caller,
        once: &Once,
        change: C,
    ) -> Result<Replied<C::Reply>, AppError> {
        self.answer_challenge(caller).await?;
        let shown = C::LOGGED.then(|| format!("{change:?}"));
        let done = operation::submit_once(&self.engine, caller, once, change.command(caller)).await;
        if let Some(shown) = shown {
            log_action(caller, &shown, &done);
        }
        done
    }

    /// A one-time code the request carries for a risk challenge is checked
    /// against the caller's own second factor before the change goes in:
    /// a wrong one is refused, a right one lets a challenged change on.
    async fn answer_challenge(&self, caller: Caller) -> Result<(), AppError> {
        if caller == Caller::GUEST {
            return Ok(());
        }
        if let Some(code) = request::code() {
            self.check_own_code(caller, &code).await?;
            request::second_factor_checked();
        }
        Ok(())
    }

    /// Answers a read as `caller`.
    pub async fn read<R: Read>(&self, caller: Caller, read: R) -> Result<R::View, AppError> {
        operation::ask(&self.engine, read.query(caller)).await
    }

    /// Whether the writer answers.
    pub async fn ready(&self) -> Result<(), AppError> {
        self.read(Caller::GUEST, ops::Catalog).await.map(|_| ())
    }

    /// Waits until the derived tables hold everything committed so far.
    pub async fn sync(&self) -> Result<(), EngineError> {
        self.engine.sync().await
    }

    /// The payment channels and their health.
    pub fn payments(&self) -> &Payments {
        &self.payments
    }

    /// The operator's handle: commands without a caller check, for the
    /// command line, the demo and the benchmarks — never for a request.
    pub fn operator(&self) -> Operator<'_> {
        Operator::new(self)
    }
}

/// Logs an action an operator should see: who, what, and how it ended.
pub(crate) fn log_action<T>(caller: Caller, action: &str, done: &Result<T, AppError>) {
    match done {
        Ok(_) => tracing::info!(target: "trigate::actions", actor = caller.0.0, action, "done"),
        Err(e) => tracing::info!(
            target: "trigate::actions",
            actor = caller.0.0,
            action,
            refused = e.code(),
            "refused"
        ),
    }
}

/// Lookups allowed per guest order: 5 at once, then one every 12 seconds.
fn per_order_limiter() -> Arc<DefaultKeyedRateLimiter<u64>> {
    let quota = Quota::with_period(std::time::Duration::from_secs(12))
        .unwrap_or_else(|| unreachable!("the period is non-zero"))
        .allow_burst(NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN));
    Arc::new(RateLimiter::keyed(quota))
}
