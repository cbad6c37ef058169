//! Paying through channels, as the edge asks for it: an order (a buyer's
//! or a guest's) or a recharge, a channel's notification, the browser's
//! return (which credits nothing), 补单 by finance, refunds sent back
//! through the channel, and the channels' health.

use trigate_channels::routing::ChannelHealth;
use trigate_channels::{Params, ParamsError};
use trigate_core::{
    Attempt, AttemptId, Command, Currency, OrderId, PaymentOutcome, RefundSend, RefundTo, SendId,
};

use crate::approvals::Outcome;
use crate::operation::submit_once;
use crate::payments::{Notified, Paying, Resolution, SentBack, Started, attempt_of};
use crate::{App, AppError, Caller, Once, ops};

/// What a refund came to: booked, and — for one to the channel — sent
/// now (the amount) or left owed (why sending failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refunded {
    pub amount: u64,
    /// Where it went: back through the channel only for an order paid
    /// through one; to the wallet otherwise, whatever was asked.
    pub to: RefundTo,
    /// `None` for a refund to the wallet.
    pub channel: Option<Result<u64, AppError>>,
    /// The refund waits for a second member of staff (nothing moved yet).
    pub approval: Option<trigate_core::ApprovalId>,
}

impl App {
    /// Pays one of the caller's unpaid orders through a channel: the best
    /// one for `method` that is up, failing over to the next.
    pub async fn pay_order(
        &self,
        caller: Caller,
        order: OrderId,
        method: &str,
    ) -> Result<Started, AppError> {
        let paying = Paying::Order {
            buyer: caller.0,
            order,
        };
        self.payments
            .start(&self.engine, paying, method, None)
            .await
    }

    /// Tops up the caller's recharge wallet through a channel.
    pub async fn recharge(
        &self,
        caller: Caller,
        amount: u64,
        currency: Currency,
        method: &str,
    ) -> Result<Started, AppError> {
        let paying = Paying::Recharge {
            user: caller.0,
            amount,
            currency,
        };
        self.payments
            .start(&self.engine, paying, method, None)
            .await
    }

    /// Pays into the deposit of the caller's merchant through a channel.
    pub async fn pay_deposit(
        &self,
        caller: Caller,
        amount: u64,
        currency: Currency,
        method: &str,
    ) -> Result<Started, AppError> {
        let paying = Paying::Deposit {
            owner: caller.0,
            amount,
            currency,
        };
        self.payments
            .start(&self.engine, paying, method, None)
            .await
    }

    /// Pays a guest order through a channel, with its lookup secret.
    pub async fn pay_guest_order(
        &self,
        order: OrderId,
        secret: String,
        method: &str,
    ) -> Result<Started, AppError> {
        let view = self.verified_guest_order(order, secret).await?;
        let paying = Paying::Order {
            buyer: view.buyer,
            order,
        };
        self.payments
            .start(&self.engine, paying, method, None)
            .await
    }

    /// A channel's notification for the attempt `no` names: applied once
    /// verified and bound to it (or proven by asking the channel). A
    /// guest's payment no order could take goes straight back.
    pub async fn notify(
        &self,
        channel: &str,
        no: &str,
        params: Result<Params, ParamsError>,
    ) -> Notified {
        let notified = self
            .payments
            .notify(&self.engine, channel, no, params)
            .await;
        match &notified {
            Notified::Applied {
                outcome: PaymentOutcome::OwedBack,
                ..
            } => {
                if let Some(attempt) = attempt_of(no) {
                    self.send_back_soon(attempt);
                }
            }
            Notified::Applied { .. } => {}
            Notified::Refused { code, message } => {
                metrics::counter!("trigate_notify_refused_total", "code" => *code).increment(1);
                tracing::warn!(
                    target: "trigate::channels",
                    channel,
                    no,
                    code,
                    reason = %message,
                    "notification refused"
                );
            }
        }
        notified
    }

    /// The attempt `no` names at `channel`, as it stands (the browser's
    /// return page); not found for anything else.
    pub async fn payment_status(&self, channel: &str, no: &str) -> Result<Attempt, AppError> {
        let not_found = || AppError::NotFound("no such payment".into());
        let attempt = attempt_of(no).ok_or_else(not_found)?;
        match self.read(Caller::GUEST, ops::AttemptOf { attempt }).await {
            Ok(a) if a.channel == channel => Ok(a),
            _ => Err(not_found()),
        }
    }

    /// 补单: finance marks an attempt paid once its channel confirms it was.
    pub async fn mark_paid(
        &self,
        caller: Caller,
        once: &Once,
        attempt: AttemptId,
    ) -> Result<PaymentOutcome, AppError> {
        self.require_finance(caller, "marks payments paid").await?;
        let notice = self
            .payments
            .confirmed_by_channel(&self.engine, attempt)
            .await?;
        let command = Command::PaymentSucceededBy {
            actor: caller.0,
            attempt,
            channel_txn: notice.channel_txn,
            amount: notice.amount,
            currency: notice.currency,
        };
        let done = submit_once::<PaymentOutcome>(&self.engine, caller, once, command).await;
        crate::log_action(caller, &format!("MarkPaid {{ attempt: {attempt} }}"), &done);
        let outcome = done?.reply;
        if outcome == PaymentOutcome::OwedBack {
            self.send_back_soon(attempt);
        }
        Ok(outcome)
    }

    /// A refund of `amount` of an order, to the buyer's wallet or back
    /// through the channel it was paid by — sent now if the channel takes
    /// it; if not, it stays owed and [`App::send_refund`] sends it later.
    pub async fn refund(
        &self,
        caller: Caller,
        once: &Once,
        order: OrderId,
        amount: u64,
        to: RefundTo,
    ) -> Result<Refunded, AppError> {
        let refund = ops::Refund { order, amount, to };
        let action = trigate_core::Approvable::Refund { order, amount, to };
        if let Outcome::Waiting(id) = self.change_or_ask(caller, once, refund, action).await? {
            return Ok(Refunded {
                amount: 0,
                to,
                channel: None,
                approval: Some(id),
            });
        }
        let to = match to {
            RefundTo::Wallet => RefundTo::Wallet,
            RefundTo::Channel => self.read(caller, ops::RefundLands { order, to }).await?,
        };
        let channel = match to {
            RefundTo::Wallet => None,
            RefundTo::Channel => Some(
                self.payments
                    .send_refund(&self.engine, caller.0, order)
                    .await
                    .map(|sent| sent.amount),
            ),
        };
        Ok(Refunded {
            amount,
            to,
            channel,
            approval: None,
        })
    }

    /// Finance sends back through its channel what a payment attempt still
    /// owes its payer — a guest's payment no order could take, whose
    /// sending failed, or a refund whose sending failed: the amount sent
    /// (0 if nothing was owed) and its currency.
    pub async fn send_back(
        &self,
        caller: Caller,
        attempt: AttemptId,
    ) -> Result<SentBack, AppError> {
        self.require_finance(caller, "sends payments back").await?;
        let sent = self.payments.send_back(&self.engine, attempt).await;
        let action = format!("SendBack {{ attempt: {attempt} }}");
        crate::log_action(caller, &action, &sent);
        sent
    }

    /// Sends of money back through channels whose outcome is not known yet
    /// (finance): in flight, or their answer lost.
    pub async fn open_sends(&self, caller: Caller) -> Result<Vec<RefundSend>, AppError> {
        self.read(caller, ops::OpenSends).await
    }

    /// Finance resolves an open send — as sent, as not sent (it stays
    /// owed and may be sent again), or as its channel says when asked;
    /// whether it was sent. Audited.
    pub async fn resolve_send(
        &self,
        caller: Caller,
        send: SendId,
        how: Resolution,
    ) -> Result<bool, AppError> {
        self.require_finance(caller, "resolves sends").await?;
        let sent = self
            .payments
            .resolve_send(&self.engine, caller.0, send, how)
            .await;
        let action = format!("ResolveSend {{ send: R{send}, how: {how:?} }}");
        crate::log_action(caller, &action, &sent);
        sent
    }

    /// Sends back through the order's channel what it still owes its buyer;
    /// the amount sent.
    pub async fn send_refund(&self, caller: Caller, order: OrderId) -> Result<SentBack, AppError> {
        self.payments
            .send_refund(&self.engine, caller.0, order)
            .await
    }

    /// Each channel's attempts, success rate and breaker (staff only).
    pub async fn channel_health(&self, caller: Caller) -> Result<Vec<ChannelHealth>, AppError> {
        self.require_staff(caller).await?;
        Ok(self.payments.health())
    }

    /// Sends back what `attempt` owes its payer, in the background (the
    /// channel gets its answer first). If the channel errs it stays owed.
    fn send_back_soon(&self, attempt: AttemptId) {
        let app = self.clone();
        tokio::spawn(async move {
            let _ = app.payments.send_back(&app.engine, attempt).await;
        });
    }
}
